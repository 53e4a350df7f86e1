package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every documented exit code, each from a real cause; and what --help says about them. */
class ExitCodesTest {
  @TempDir Path dir;

  /** A backend that is down: every call fails as a store must report it. */
  static final class DownStore implements TokenStore {
    private static StoreUnavailableException down() {
      return new StoreUnavailableException("connection refused: db.internal:5432", null);
    }

    @Override public boolean insert(TokenRecord record) { throw down(); }
    @Override public Optional<TokenRecord> find(String id) { throw down(); }
    @Override public boolean replace(TokenRecord updated, long expectedVersion) { throw down(); }
    @Override public boolean delete(String id) { throw down(); }
    @Override public List<TokenRecord> list(String w, @Nullable String a, int l) { throw down(); }
    @Override public void applyUsage(Collection<UsageUpdate> updates) { throw down(); }
  }

  /** A store whose compare-and-set always loses, as if other writers kept winning. */
  static final class ContestedStore implements TokenStore {
    final InMemoryTokenStore delegate = new InMemoryTokenStore();

    @Override public boolean insert(TokenRecord record) { return delegate.insert(record); }
    @Override public Optional<TokenRecord> find(String id) { return delegate.find(id); }
    @Override public boolean replace(TokenRecord updated, long expectedVersion) { return false; }
    @Override public boolean delete(String id) { return delegate.delete(id); }
    @Override public List<TokenRecord> list(String w, @Nullable String a, int l) {
      return delegate.list(w, a, l);
    }
    @Override public void applyUsage(Collection<UsageUpdate> updates) {}
  }

  /** Reads and writes work, but usage writes fail: the backend went down before the flush. */
  static final class UsageDownStore implements TokenStore {
    final InMemoryTokenStore delegate = new InMemoryTokenStore();

    @Override public boolean insert(TokenRecord record) { return delegate.insert(record); }
    @Override public Optional<TokenRecord> find(String id) { return delegate.find(id); }
    @Override public boolean replace(TokenRecord updated, long expectedVersion) {
      return delegate.replace(updated, expectedVersion);
    }
    @Override public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
        @Nullable List<io.latchkey.AuditEntry> audits) {
      return delegate.replaceEach(updated, expectedVersions, audits);
    }
    @Override public boolean delete(String id) { return delegate.delete(id); }
    @Override public List<TokenRecord> list(String w, @Nullable String a, int l) {
      return delegate.list(w, a, l);
    }
    @Override public void applyUsage(Collection<UsageUpdate> updates) {
      throw new StoreUnavailableException("connection refused: db.internal:5432", null);
    }
  }

  /** A store with a bug. */
  static final class BuggyStore implements TokenStore {
    @Override public boolean insert(TokenRecord record) { throw new IllegalStateException("bug"); }
    @Override public Optional<TokenRecord> find(String id) { throw new IllegalStateException("bug"); }
    @Override public boolean replace(TokenRecord u, long v) { throw new IllegalStateException("bug"); }
    @Override public boolean delete(String id) { throw new IllegalStateException("bug"); }
    @Override public List<TokenRecord> list(String w, @Nullable String a, int l) {
      throw new IllegalStateException("bug");
    }
    @Override public void applyUsage(Collection<UsageUpdate> updates) {}
  }

  @Test
  void ok_0() {
    assertThat(CliHarness.inMemory(dir).run("list", "-w", "acme").exitCode()).isZero();
  }

  @Test
  void otherError_1_oneLineUnlessVerbose() {
    CliHarness cli = CliHarness.on(dir, new BuggyStore());

    CliHarness.Run quiet = cli.run("show", "0000000000000000");
    CliHarness.Run verbose = cli.run("show", "0000000000000000", "--verbose");

    assertThat(quiet.exitCode()).isEqualTo(1);
    quiet.assertOneLineError();
    assertThat(quiet.err()).contains("unexpected error: IllegalStateException: bug")
        .contains("--verbose");
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).contains("java.lang.IllegalStateException: bug").contains("\tat ");
  }

  @Test
  void usage_2() {
    CliHarness.Run r = CliHarness.inMemory(dir).run("list", "--workspace");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
  }

  @Test
  void notFound_3() {
    assertThat(CliHarness.inMemory(dir).run("show", "0000000000000000").exitCode()).isEqualTo(3);
  }

  @Test
  void illegalTransition_4() {
    CliHarness cli = CliHarness.inMemory(dir);
    String id = cli.issue("acme", "a").get("id").asText();
    cli.ok("revoke", id);

    assertThat(cli.run("enable", id).exitCode()).isEqualTo(4);
  }

  @Test
  void storeUnavailable_5_forCommandsAndValidation() {
    CliHarness cli = CliHarness.on(dir, new DownStore());
    String token = CliHarness.inMemory(dir).issue("acme", "a").get("token").asText();

    CliHarness.Run list = cli.run("list", "-w", "acme");
    CliHarness.Run validate = cli.run("validate", token);

    assertThat(list.exitCode()).isEqualTo(5);
    list.assertOneLineError();
    assertThat(list.err()).isEqualTo("latchkey list: connection refused: db.internal:5432"
        + System.lineSeparator());
    assertThat(validate.exitCode()).isEqualTo(5);
    assertThat(validate.out()).startsWith("REJECTED UNAVAILABLE: HTTP 503");
  }

  @Test
  void storeUnavailable_5_whenTheUsageFlushAtCloseFails_oneLine() {
    CliHarness cli = CliHarness.on(dir, new UsageDownStore());
    String token = cli.issue("acme", "a").get("token").asText();

    CliHarness.Run validate = cli.run("validate", "--record-usage", token);

    assertThat(validate.out()).as("the command's own answer still printed").startsWith("VALID");
    assertThat(validate.exitCode()).isEqualTo(5);
    validate.assertOneLineError();
    assertThat(validate.err()).startsWith("latchkey validate: could not write the last-used time")
        .contains("connection refused: db.internal:5432").doesNotContain(token);
  }

  @Test
  void rejected_6() {
    assertThat(CliHarness.inMemory(dir).run("validate", "lk_nonsense").exitCode()).isEqualTo(6);
  }

  @Test
  void conflict_7() {
    CliHarness cli = CliHarness.on(dir, new ContestedStore());
    String id = cli.issue("acme", "a").get("id").asText();

    CliHarness.Run r = cli.run("disable", id);

    assertThat(r.exitCode()).isEqualTo(7);
    r.assertOneLineError();
    assertThat(r.err()).contains("cannot disable token " + id + ": still conflicting");
  }

  @Test
  void help_listsTheExitCodesOnEveryCommand() {
    CliHarness cli = CliHarness.inMemory(dir);

    for (String[] args : List.of(new String[] {"--help"}, new String[] {"issue", "--help"},
        new String[] {"permissions", "set", "--help"}, new String[] {"validate", "--help"})) {
      CliHarness.Run r = cli.ok(args);
      assertThat(r.out()).contains("Exit codes:")
          .containsPattern("(?m)^ +0 +ok$")
          .containsPattern("(?m)^ +3 +token not found$")
          .containsPattern("(?m)^ +5 +store unavailable$")
          .containsPattern("(?m)^ +6 +validation rejected the token$")
          .containsPattern("(?m)^ +7 +concurrent update, safe to retry$");
    }
  }

  @Test
  void help_topLevelNamesEveryCommandAndTheEnvironment() {
    String help = CliHarness.inMemory(dir).ok("--help").out();

    assertThat(help).contains("issue", "list", "show", "update", "permissions", "disable",
        "enable", "revoke", "revoke-all", "delete", "rotate", "validate", "keygen", "serve", "demo",
        "LATCHKEY_HASHING_KEY", "LATCHKEY_STORE", "--store", "--json");
  }

  @Test
  void version_printsAndExits0() {
    assertThat(CliHarness.inMemory(dir).ok("--version").out()).startsWith("latchkey ");
  }

  @Test
  void noCommand_usageError() {
    CliHarness.Run r = CliHarness.inMemory(dir).run();

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("a command is required");
  }

  @Test
  void unknownCommand_usageError() {
    CliHarness.Run r = CliHarness.inMemory(dir).run("mint", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("'mint'");
  }
}
