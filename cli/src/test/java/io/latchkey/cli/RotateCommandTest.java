package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotateCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  JsonNode old;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    old = cli.issue("acme", "billing", "-p", "a:read", "--allow-ip", "10.0.0.0/8");
  }

  private int validate(String token) {
    cli.stdin = token;
    return cli.run("validate", "--ip", "10.1.1.1").exitCode();
  }

  @Test
  void rotate_json_newPlaintextSameSettingsOldExpiresAfterOverlap() {
    JsonNode r = cli.ok("rotate", "--json", old.get("id").asText(), "--overlap", "1h").json();

    assertThat(r.get("token").asText()).startsWith("lk_").isNotEqualTo(old.get("token").asText());
    assertThat(r.get("id").asText()).isNotEqualTo(old.get("id").asText());
    assertThat(r.get("permissions")).isEqualTo(old.get("permissions"));
    assertThat(r.get("allowedIps")).isEqualTo(old.get("allowedIps"));
    assertThat(r.get("replaces").get("id").asText()).isEqualTo(old.get("id").asText());
    Instant oldExpiry = Instant.parse(r.get("replaces").get("expiresAt").asText());
    assertThat(Duration.between(Instant.now(), oldExpiry))
        .isBetween(Duration.ofMinutes(55), Duration.ofHours(1));
    assertThat(validate(old.get("token").asText())).isZero();
    assertThat(validate(r.get("token").asText())).isZero();
  }

  @Test
  void rotate_text_printsNewPlaintextOnceAndTheReplacedId() {
    CliHarness.Run r = cli.ok("rotate", old.get("id").asText());

    assertThat(r.out()).containsPattern("(?m)^token: +lk_\\w{55}$")
        .containsPattern("(?m)^replaces: +" + old.get("id").asText() + ", which expires \\S+$")
        .doesNotContain(old.get("token").asText());
    assertThat(r.err()).contains("shown only now");
  }

  @Test
  void rotate_zeroOverlap_oldTokenStopsAtOnce() {
    String fresh = cli.ok("rotate", "--json", old.get("id").asText(), "--overlap", "0s").json()
        .get("token").asText();

    assertThat(validate(old.get("token").asText())).isEqualTo(6);
    assertThat(validate(fresh)).isZero();
  }

  @Test
  void rotate_disabledToken_illegalTransition() {
    cli.ok("disable", old.get("id").asText());

    CliHarness.Run r = cli.run("rotate", old.get("id").asText());

    assertThat(r.exitCode()).isEqualTo(4);
    r.assertOneLineError();
    assertThat(r.out()).isEmpty();
  }

  @Test
  void rotate_badOverlap_usageError() {
    CliHarness.Run r = cli.run("rotate", old.get("id").asText(), "--overlap", "-1h");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(cli.ok("list", "-w", "acme", "--json").json().get("tokens")).hasSize(1);
  }

  @Test
  void rotate_unknownId_notFound() {
    assertThat(cli.run("rotate", "0000000000000000").exitCode()).isEqualTo(3);
  }
}
