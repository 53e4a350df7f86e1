package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.UsageUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An H2 file the store opened shrinks back when the store closes it: every usage flush and change
 * rewrites rows, and H2 (writing each commit at once, {@code WRITE_DELAY} 0) grows the file while
 * it is open; its own close compacts for 200 ms only. A database someone else still has open is
 * left alone.
 */
class H2CompactionTest {
  private static final int TOKENS = 3_000;
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void h2File_everyRowRewrittenThenClosed_fileWithinTenPercentOfItsFreshSize(@TempDir Path dir)
      throws IOException {
    String url = "jdbc:h2:file:" + dir.resolve("tokens").toAbsolutePath();
    Path file = dir.resolve("tokens.mv.db");
    try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
      for (int i = 0; i < TOKENS; i++) assertThat(store.insert(record(i))).isTrue();
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    long fresh = size(dir);

    try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
      for (int round = 1; round <= 2; round++) {
        List<UsageUpdate> chunk = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) {
          chunk.add(new UsageUpdate(id(i), NOW.plusSeconds(round), "203.0.113.7", "sync"));
          if (chunk.size() == 1_000) {
            store.applyUsage(chunk);
            chunk.clear();
          }
        }
      }
      for (int i = 0; i < TOKENS; i += 10) {
        TokenRecord r = store.find(id(i)).orElseThrow();
        assertThat(store.replace(r.toBuilder().state(StoredState.REVOKED)
            .version(r.version() + 1).build(), r.version())).isTrue();
      }
      assertThat(size(dir)).isGreaterThan(fresh); // grown while open
    }
    long closed = size(dir);
    // The compacted copy keeps the file's permissions (the CLI makes its files owner-only).
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");

    // Compacted at the first close too: H2's own 200 ms left 1 to 15 kB per token there.
    assertThat(fresh / TOKENS).isLessThan(400);
    assertThat(closed).isLessThanOrEqualTo(fresh + fresh / 10);
    try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
      assertThat(store.find(id(10)).orElseThrow().state()).isEqualTo(StoredState.REVOKED);
      assertThat(store.find(id(11)).orElseThrow().lastUsedIntegration()).isEqualTo("sync");
    }
  }

  @Test
  void h2File_openElsewhereToo_closeLeavesTheOtherSessionWorking(@TempDir Path dir)
      throws SQLException {
    String url = "jdbc:h2:file:" + dir.resolve("tokens").toAbsolutePath();
    try (Connection other = DriverManager.getConnection(url)) {
      try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
        for (int i = 0; i < 100; i++) store.insert(record(i));
        for (int i = 0; i < 100; i++) {
          TokenRecord r = store.find(id(i)).orElseThrow();
          store.replace(r.toBuilder().name("renamed").version(2).build(), 1);
        }
      }
      try (Statement s = other.createStatement();
           ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM latchkey_tokens")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(100);
      }
    }
  }

  @Test
  void inMemoryOrRemote_neverCompacted() {
    assertThat(H2Durability.isLocalFile("jdbc:h2:file:./data/tokens")).isTrue();
    assertThat(H2Durability.isLocalFile("jdbc:h2:./tokens;AUTO_SERVER=TRUE")).isTrue();
    assertThat(H2Durability.isLocalFile("jdbc:h2:mem:t;DB_CLOSE_DELAY=-1")).isFalse();
    assertThat(H2Durability.isLocalFile("jdbc:h2:tcp://db.internal/tokens")).isFalse();
    assertThat(H2Durability.isLocalFile("jdbc:postgresql://db/x")).isFalse();
  }

  private static String id(int i) {
    return String.format("B%015d", i);
  }

  private static TokenRecord record(int i) {
    return TokenRecord.builder().id(id(i)).workspace("big").name("token-" + i)
        .hint("acme_...abcd").keyId("k1").hash(new byte[32])
        .permissions(Map.of("invoices:read", true, "invoices:write", true, "admin", false))
        .allowedIps(List.of("203.0.113.0/24")).createdAt(NOW).createdBy("scale").updatedAt(NOW)
        .expiresAt(NOW.plus(Duration.ofDays(365))).version(1).build();
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
