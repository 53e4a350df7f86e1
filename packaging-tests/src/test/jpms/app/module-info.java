module io.latchkey.smoke {
  requires io.latchkey.store.memory; // and io.latchkey, transitively
}
