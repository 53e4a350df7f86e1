package io.latchkey.store.redis;

import io.latchkey.spi.TokenStore;
import io.latchkey.testkit.TokenStoreCompatibilityKit;

/** The SPI contract against a real standalone Redis, with its pub/sub change feed. */
class RedisTokenStoreCompatibilityTest extends TokenStoreCompatibilityKit {
  private String prefix;

  @Override
  protected TokenStore newStore() {
    prefix = TestRedis.freshPrefix();
    return RedisTokenStore.builder().uri(TestRedis.standaloneUri()).keyPrefix(prefix).build();
  }

  @Override
  protected TokenStore secondStore(TokenStore first) {
    return RedisTokenStore.builder().uri(TestRedis.standaloneUri()).keyPrefix(prefix).build();
  }
}
