package io.latchkey.store.memory;

import io.latchkey.spi.TokenStore;
import io.latchkey.testkit.TokenStoreCompatibilityKit;

/** The SPI contract against the in-memory store. */
class InMemoryTokenStoreCompatibilityTest extends TokenStoreCompatibilityKit {

  @Override
  protected TokenStore newStore() {
    return new InMemoryTokenStore();
  }
}
