package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which hashing keys a command runs with: the data directory's key file, LATCHKEY_HASHING_KEY or
 * LATCHKEY_HASHING_KEYS, never a mix of keys in one store.
 */
class HashingKeysTest {
  private static final HashingKey K1 = HashingKey.generate("k1");
  private static final HashingKey K2 = HashingKey.generate("k2");

  @TempDir Path dir;

  private static String entry(HashingKey k) {
    return k.id() + ":" + k.toBase64();
  }

  @Test
  void environmentKeyOtherThanTheKeyFile_refused() {
    CliHarness cli = CliHarness.real(dir);
    String token = cli.issue("acme", "a").get("token").asText();
    cli.env.put("LATCHKEY_HASHING_KEY", K1.toBase64());

    CliHarness.Run r = cli.run("validate", token).assertOneLineError();

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("LATCHKEY_HASHING_KEY does not match latchkey-data/hashing-key")
        .contains("unset LATCHKEY_HASHING_KEY").doesNotContain(K1.toBase64());
    assertThat(cli.run("issue", "-w", "acme", "-n", "b").exitCode()).isEqualTo(2);
  }

  @Test
  void environmentKeyEqualToTheKeyFile_accepted() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    String token = cli.issue("acme", "a").get("token").asText();
    String line = Files.readString(dir.resolve("latchkey-data/hashing-key")).strip();
    cli.env.put("LATCHKEY_HASHING_KEY", line.substring(line.indexOf(':') + 1));

    assertThat(cli.run("validate", token).exitCode()).isZero();
  }

  @Test
  void rotation_withSeveralKeysInTheEnvironment() {
    CliHarness cli = CliHarness.real(dir);
    String url = "jdbc:h2:file:" + dir.resolve("db");
    cli.env.put("LATCHKEY_HASHING_KEY", K1.toBase64());
    String old = cli.ok("--store", url, "issue", "--json", "-w", "acme", "-n", "old").json()
        .get("token").asText();
    String idle = cli.ok("--store", url, "issue", "--json", "-w", "acme", "-n", "idle").json()
        .get("token").asText();

    cli.env.remove("LATCHKEY_HASHING_KEY");
    cli.env.put("LATCHKEY_HASHING_KEYS", entry(K2) + "," + entry(K1) + ":retiring");
    String fresh = cli.ok("--store", url, "issue", "--json", "-w", "acme", "-n", "new").json()
        .get("token").asText();
    assertThat(cli.run("--store", url, "validate", old).exitCode()).isZero();
    assertThat(cli.run("--store", url, "validate", fresh).exitCode()).isZero();

    assertThat(cli.run("--store", url, "validate", idle).exitCode()).isZero();

    // k1 dropped: tokens issued under it no longer validate (their ids carry its tag), so a
    // retiring key stays configured while its tokens live.
    cli.env.put("LATCHKEY_HASHING_KEYS", entry(K2));
    assertThat(cli.run("--store", url, "validate", fresh).exitCode()).isZero();
    assertThat(cli.run("--store", url, "validate", old).exitCode()).isEqualTo(6);
    assertThat(cli.run("--store", url, "validate", idle).exitCode()).isEqualTo(6);
  }

  @Test
  void rotation_inTheKeyFile() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    String old = cli.issue("acme", "old").get("token").asText();
    String idle = cli.issue("acme", "idle").get("token").asText();
    Path file = dir.resolve("latchkey-data/hashing-key");
    Files.writeString(file, entry(K2) + "\n" + Files.readString(file).strip() + ":retiring\n");

    String fresh = cli.issue("acme", "new").get("token").asText();

    assertThat(cli.run("validate", old).exitCode()).isZero();
    assertThat(cli.run("validate", idle).exitCode()).isZero();
    assertThat(cli.run("validate", fresh).exitCode()).isZero();
    assertThat(cli.ok("show", "--json", cli.ok("list", "-w", "acme", "--json").json()
        .get("tokens").get(2).get("id").asText()).json().get("name").asText()).isEqualTo("new");
    Files.writeString(file, entry(K2) + "\n");
    assertThat(cli.run("validate", fresh).exitCode()).isZero();
    assertThat(cli.run("validate", old).exitCode()).isEqualTo(6);
  }

  @Test
  void bothVariablesOrAMalformedEntry_refusedWithoutTheKey() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", K1.toBase64());
    cli.env.put("LATCHKEY_HASHING_KEYS", entry(K1));
    CliHarness.Run both = cli.run("--store", "memory:", "list", "-w", "a").assertOneLineError();
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("are both set");

    cli.env.remove("LATCHKEY_HASHING_KEY");
    cli.env.put("LATCHKEY_HASHING_KEYS", entry(K1) + ",k2:" + K2.toBase64() + ":someday");
    CliHarness.Run bad = cli.run("--store", "memory:", "list", "-w", "a").assertOneLineError();
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("LATCHKEY_HASHING_KEYS: entry 2 is not id:base64")
        .doesNotContain(K2.toBase64()).doesNotContain(K1.toBase64());

    cli.env.put("LATCHKEY_HASHING_KEYS", entry(K1) + ":retiring");
    assertThat(cli.run("--store", "memory:", "list", "-w", "a").err())
        .contains("every key is retiring");
  }
}
