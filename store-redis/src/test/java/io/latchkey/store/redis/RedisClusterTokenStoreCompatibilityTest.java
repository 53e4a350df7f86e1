package io.latchkey.store.redis;

import io.latchkey.spi.TokenStore;
import io.latchkey.testkit.TokenStoreCompatibilityKit;
import java.util.List;

/** The SPI contract against a real three-master Redis Cluster, with its pub/sub change feed. */
class RedisClusterTokenStoreCompatibilityTest extends TokenStoreCompatibilityKit {
  private String prefix;

  @Override
  protected TokenStore newStore() {
    prefix = TestRedis.freshPrefix();
    return open();
  }

  @Override
  protected TokenStore secondStore(TokenStore first) {
    return open();
  }

  private TokenStore open() {
    List<String> nodes = TestRedis.clusterUris();
    return RedisTokenStore.builder().clusterUri(nodes.get(0), nodes.get(1)).keyPrefix(prefix)
        .build();
  }
}
