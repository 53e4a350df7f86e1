package io.latchkey.store.jdbc;

import io.latchkey.spi.TokenStore;
import io.latchkey.testkit.TokenStoreCompatibilityKit;

/** The SPI contract against a real PostgreSQL, with its LISTEN/NOTIFY change feed. */
class PostgresTokenStoreCompatibilityTest extends TokenStoreCompatibilityKit {
  private String prefix;

  @Override
  protected TokenStore newStore() {
    prefix = SharedPostgres.freshPrefix();
    return JdbcTokenStore.builder().jdbcUrl(SharedPostgres.url()).username("postgres")
        .tablePrefix(prefix).build();
  }

  @Override
  protected TokenStore secondStore(TokenStore first) {
    return JdbcTokenStore.builder().jdbcUrl(SharedPostgres.url()).username("postgres")
        .tablePrefix(prefix).build();
  }
}
