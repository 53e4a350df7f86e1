package io.latchkey.spring;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Real PostgreSQL servers on free loopback ports, for the starter's tests. */
final class TestPostgres {
  private static EmbeddedPostgres shared;

  private TestPostgres() {}

  /** One server for the whole test JVM, stopped when it exits. */
  static synchronized EmbeddedPostgres shared() {
    if (shared == null) {
      shared = start();
      EmbeddedPostgres started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
    }
    return shared;
  }

  /** A server of the caller's own, which it may stop. */
  static EmbeddedPostgres start() {
    try {
      return EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String url(EmbeddedPostgres pg) {
    return pg.getJdbcUrl("postgres", "postgres");
  }
}
