package io.latchkey.store.jdbc;

import io.latchkey.InvalidArgumentException;
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
}
