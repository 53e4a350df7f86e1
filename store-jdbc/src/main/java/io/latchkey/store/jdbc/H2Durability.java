package io.latchkey.store.jdbc;

import io.latchkey.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Makes H2 write each commit to its file before the commit returns. By default H2 (file mode)
 * commits in memory and writes up to {@code WRITE_DELAY} (500 ms) later, so a process that dies in
 * that window loses changes the store already acknowledged, e.g. a revocation. With 0 every commit
 * is written to the operating system before it returns; a state change through the store then
 * takes about 2× as long ({@code H2WriteBenchmark}). H2 does not fsync each commit: a power loss
 * or kernel crash can still lose the last writes.
 */
final class H2Durability {
  private static final String QUERY =
      "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'";

  private H2Durability() {}

  /**
   * Sets {@code WRITE_DELAY} to 0 for the database (a database-wide setting, kept until it is
   * closed), or fails if it is not 0 and the store's user may not change it.
   *
   * @throws InvalidArgumentException if writes would be delayed and cannot be made immediate
   */
  static void apply(Jdbi jdbi) {
    try {
      jdbi.useHandle(h -> h.execute("SET WRITE_DELAY 0"));
      return;
    } catch (JdbiException notAdmin) {
      // Only an admin may change it; a host may have configured it already.
    }
    String value = jdbi.withHandle(h -> h.createQuery(QUERY).mapTo(String.class).findOne())
        .orElse("0");
    if (!value.strip().equals("0")) {
      throw new InvalidArgumentException("jdbcUrl", "the H2 database delays writes by " + value
          + " ms (WRITE_DELAY), so an acknowledged change could be lost in a crash, and its"
          + " user may not change that: connect as an admin or add ;WRITE_DELAY=0 to the URL");
    }
  }

  /**
   * Whether {@code url} names an H2 database in a local file, which {@link #compact} may rewrite:
   * not an in-memory or remote ({@code tcp:}, {@code ssl:}) one.
   */
  static boolean isLocalFile(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:mem:")
        && !lower.startsWith("jdbc:h2:tcp:") && !lower.startsWith("jdbc:h2:ssl:");
  }

  /**
   * After the store closed its pools: compacts the H2 file, if no one else has it open and more
   * than a tenth of it is space that updates left behind. With {@code WRITE_DELAY} 0 H2 writes
   * each commit as a chunk of its own and reuses space only later, so usage flushes and changes
   * grow the file (30 % on a first rewrite of every row at a million tokens), and H2's own close
   * compacts for 200 ms only ({@code MAX_COMPACT_TIME}), which leaves it grown. {@code SHUTDOWN
   * COMPACT} copies the live data into a new file and replaces the old one atomically: a crash
   * during it leaves the old file, with every acknowledged write; its time is that of reading and
   * writing the live data once (linear in the tokens, not in the garbage). Best effort: a user
   * who is not an admin, a database still in use, or any error leaves the file as it is.
   */
  static void compact(String url, @Nullable String user, @Nullable String password) {
    Properties props = new Properties();
    if (user != null) props.setProperty("user", user);
    if (password != null) props.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(url, props);
         Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
        if (!rs.next() || rs.getInt(1) != 1) return; // others still use it
      }
      int chunksFill = 100;
      int fileFill = 100;
      try (ResultSet rs = s.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM"
          + " INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME IN"
          + " ('info.CHUNKS_FILL_RATE', 'info.FILL_RATE')")) {
        while (rs.next()) {
          int v = Integer.parseInt(rs.getString(2).strip());
          if (rs.getString(1).equals("info.CHUNKS_FILL_RATE")) chunksFill = v; else fileFill = v;
        }
      }
      if (chunksFill * fileFill >= MIN_LIVE_PERCENT * 100) return; // little to gain
      Path file = null;
      Set<PosixFilePermission> permissions = null;
      try (ResultSet rs = s.executeQuery("SELECT DATABASE_PATH()")) {
        if (rs.next() && rs.getString(1) != null) {
          file = Path.of(rs.getString(1) + ".mv.db");
          if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            permissions = Files.getPosixFilePermissions(file);
          }
        }
      }
      s.execute("SHUTDOWN COMPACT");
      // The compacted copy is a new file: it gets the old one's permissions (e.g. the CLI's
      // owner-only files), not the process's default.
      if (file != null && permissions != null) Files.setPosixFilePermissions(file, permissions);
    } catch (SQLException | IOException | RuntimeException e) {
      System.getLogger(H2Durability.class.getName()).log(System.Logger.Level.DEBUG,
          "H2 file not compacted on close: " + e.getClass().getSimpleName());
    }
  }

  /** {@link #compact} rewrites a file whose live data is less than this share of it (%). */
  static final int MIN_LIVE_PERCENT = 90;
}
