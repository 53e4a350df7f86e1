package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latchkey.HashingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenCommandTest {
  @TempDir Path dir;

  @Test
  void keygen_text_oneBase64KeyOf32BytesEachTimeNew() {
    CliHarness cli = CliHarness.real(dir);
    String first = cli.ok("keygen").out().strip();
    String second = cli.ok("keygen").out().strip();

    assertThat(Base64.getDecoder().decode(first)).hasSize(32);
    assertThat(first).isNotEqualTo(second);
    assertThat(HashingKey.fromBase64("k1", first).toBase64()).isEqualTo(first);
  }

  @Test
  void keygen_json_idAndKey() {
    JsonNode r = CliHarness.real(dir).ok("keygen", "--json", "--id", "k2").json();

    assertThat(r.get("id").asText()).isEqualTo("k2");
    assertThat(Base64.getDecoder().decode(r.get("key").asText())).hasSize(32);
  }

  @Test
  void keygen_otherId_reminds() {
    assertThat(CliHarness.real(dir).ok("keygen", "--id", "k2").err())
        .contains("LATCHKEY_HASHING_KEY_ID=k2");
  }

  @Test
  void keygen_touchesNoStore() {
    CliHarness.real(dir).ok("keygen");

    assertThat(Files.exists(dir.resolve("latchkey-data"))).isFalse();
  }

  @Test
  void keygen_badId_usageError() {
    CliHarness.Run r = CliHarness.real(dir).run("keygen", "--id", "no spaces");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("hashingKeyId");
  }

  @Test
  void keygen_generatedKey_worksAsEnvironmentKey() {
    CliHarness cli = CliHarness.inMemory(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", cli.ok("keygen").out().strip());

    String token = cli.issue("acme", "a").get("token").asText();

    assertThat(cli.run("validate", token).exitCode()).isZero();
  }
}
