package io.latchkey.store.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/** The two databases the store runs on, each giving empty tables per call, for parameterised tests. */
enum Backend {
  POSTGRESQL {
    @Override
    Opened open() {
      String prefix = SharedPostgres.freshPrefix();
      return new Opened(SharedPostgres.url(), "postgres", prefix);
    }
  },
  H2 {
    @Override
    Opened open() {
      return new Opened("jdbc:h2:mem:backend" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1",
          null, "latchkey_");
    }
  };

  private static final AtomicInteger DATABASES = new AtomicInteger();

  abstract Opened open();

  /** Where a test's tables live: a URL, its user (or null) and a table prefix. */
  record Opened(String url, @Nullable String user, String prefix) {
    JdbcTokenStore.Builder builder() {
      JdbcTokenStore.Builder b = JdbcTokenStore.builder().jdbcUrl(url).tablePrefix(prefix);
      return user == null ? b : b.username(user);
    }

    /** Raw SQL access beside the store, as an operator would have. */
    Jdbi sql() {
      return user == null ? Jdbi.create(url) : Jdbi.create(url, user, "");
    }
  }
}
