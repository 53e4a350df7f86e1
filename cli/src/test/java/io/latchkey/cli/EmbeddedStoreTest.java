package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default H2 store under ./latchkey-data, and explicit jdbc:h2 URLs. */
class EmbeddedStoreTest {
  private static final String NOTICE = "latchkey: created hashing key latchkey-data/hashing-key"
      + " (owner-only); keep it with the data: tokens cannot be validated without it";

  @TempDir Path dir;

  @Test
  void firstUse_createsOwnerOnlyDataDirWithKeyFileAndOneNotice() throws Exception {
    CliHarness cli = CliHarness.real(dir);

    CliHarness.Run r = cli.run("list", "-w", "acme");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err().lines()).containsExactly(NOTICE);
    Path data = dir.resolve("latchkey-data");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(data.resolve("hashing-key")))).isEqualTo("rw-------");
    assertThat(data.resolve("latchkey.mv.db")).isRegularFile();
  }

  @Test
  void laterUse_sameKeyNoNoticeTokensPersist() {
    CliHarness cli = CliHarness.real(dir);
    JsonNode issued = cli.issue("acme", "persisted", "-p", "a:read");

    CliHarness.Run validate = cli.run("validate", issued.get("token").asText(), "-r", "a:read");

    assertThat(validate.exitCode()).as(validate.err()).isZero();
    assertThat(validate.err()).isEmpty();
    assertThat(cli.ok("show", "--json", issued.get("id").asText()).json().get("name").asText())
        .isEqualTo("persisted");
  }

  @Test
  void firstUseFailingAfterTheStoreOpened_leavesNoDataDir() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_TOKEN_PREFIX", "Not_Valid");

    CliHarness.Run r = cli.run("list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("LATCHKEY_TOKEN_PREFIX");
    assertThat(dir.resolve("latchkey-data")).doesNotExist();
  }

  @Test
  void databaseWithoutItsKeyFile_refusedNotRekeyed() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    cli.issue("acme", "a");
    Files.delete(dir.resolve("latchkey-data/hashing-key"));

    CliHarness.Run r = cli.run("list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("has no hashing-key file");
    assertThat(dir.resolve("latchkey-data/hashing-key")).doesNotExist();
  }

  @Test
  void hashingKeyFromEnvironment_noKeyFileWritten() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    CliHarness.Run r = cli.run("list", "-w", "acme");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(dir.resolve("latchkey-data/latchkey.mv.db")).isRegularFile();
    assertThat(dir.resolve("latchkey-data/hashing-key")).doesNotExist();
  }

  @Test
  void dataDir_fromOptionOrEnvironment() {
    CliHarness cli = CliHarness.real(dir);
    cli.ok("--data-dir", "elsewhere", "list", "-w", "acme");
    cli.env.put("LATCHKEY_DATA_DIR", "from-env");
    cli.ok("list", "-w", "acme");

    assertThat(dir.resolve("elsewhere/hashing-key")).isRegularFile();
    assertThat(dir.resolve("from-env/hashing-key")).isRegularFile();
    assertThat(dir.resolve("latchkey-data")).doesNotExist();
  }

  @Test
  void explicitH2Url_withEnvironmentKey_works() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);
    String url = "jdbc:h2:file:" + dir.resolve("explicit") + ";AUTO_SERVER=TRUE";

    String token = cli.ok("--store", url, "issue", "--json", "-w", "acme", "-n", "a").json()
        .get("token").asText();

    assertThat(cli.run("--store", url, "validate", token).exitCode()).isZero();
    assertThat(dir.resolve("latchkey-data")).doesNotExist();
  }
}
