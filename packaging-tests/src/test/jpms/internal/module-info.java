module io.latchkey.sneaky {
  requires io.latchkey;
}
