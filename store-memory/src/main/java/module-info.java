/** {@link io.latchkey.store.memory.InMemoryTokenStore}: Latchkey's token store in memory. */
module io.latchkey.store.memory {
  requires transitive io.latchkey;

  exports io.latchkey.store.memory;
}
