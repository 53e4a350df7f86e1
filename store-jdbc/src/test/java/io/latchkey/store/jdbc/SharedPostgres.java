package io.latchkey.store.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/** One real PostgreSQL per test JVM, on a free loopback port, stopped when the JVM exits. */
final class SharedPostgres {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static EmbeddedPostgres postgres;
  private static boolean icuCreated;

  private SharedPostgres() {}

  static synchronized EmbeddedPostgres get() {
    if (postgres == null) {
      postgres = start();
      EmbeddedPostgres started = postgres;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
    }
    return postgres;
  }

  static EmbeddedPostgres start() {
    try {
      return EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String url() {
    return get().getJdbcUrl("postgres", "postgres");
  }

  /**
   * The name of a database on the shared server whose default collation is ICU {@code en-US}, as
   * production databases often have, unlike the server's own C.UTF-8 default.
   */
  static synchronized String icuDatabase() {
    if (!icuCreated) {
      org.jdbi.v3.core.Jdbi.create(url(), "postgres", "").useHandle(h -> h.execute(
          "CREATE DATABASE icu_en TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"));
      icuCreated = true;
    }
    return "icu_en";
  }

  /** A table prefix no other test uses: each test gets empty tables. */
  static String freshPrefix() {
    return "t" + PREFIXES.incrementAndGet() + "_";
  }
}
