package io.latchkey.store.jdbc;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;

/**
 * Run by {@link H2CrashTest} in a child JVM: inserts a token, revokes it, says so on stdout once
 * both calls have returned, then dies at once, as a crash would, without closing anything.
 */
public final class H2CrashChild {
  private H2CrashChild() {}

  public static void main(String[] args) {
    String url = args[0];
    String id = args[1];
    JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(url).maximumPoolSize(1)
        .migrate(false).build(); // the test created the tables: start fast
    TokenRecord r = JdbcTokenStoreTest.record(id);
    if (!store.insert(r)) throw new IllegalStateException("insert refused");
    if (!store.replace(r.toBuilder().state(StoredState.REVOKED).version(2).build(), 1)) {
      throw new IllegalStateException("replace refused");
    }
    System.out.println("ACK " + id);
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
