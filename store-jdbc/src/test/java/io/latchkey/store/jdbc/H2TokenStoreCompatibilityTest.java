package io.latchkey.store.jdbc;

import io.latchkey.spi.TokenStore;
import io.latchkey.testkit.TokenStoreCompatibilityKit;
import java.util.concurrent.atomic.AtomicInteger;

/** The SPI contract against embedded H2, which has no change feed. */
class H2TokenStoreCompatibilityTest extends TokenStoreCompatibilityKit {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private String url;

  @Override
  protected TokenStore newStore() {
    url = "jdbc:h2:mem:kit" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    return JdbcTokenStore.create(url);
  }

  @Override
  protected TokenStore secondStore(TokenStore first) {
    return JdbcTokenStore.create(url);
  }

  @Override
  protected boolean hasChangeFeed() {
    return false;
  }
}
