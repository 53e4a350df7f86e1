package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidateCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  JsonNode token;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    token = cli.issue("acme", "billing", "-p", "a:read", "--allow-ip", "10.0.0.0/8");
  }

  private String plaintext() {
    return token.get("token").asText();
  }

  @Test
  void validate_argument_validAndPlaintextNotEchoed() {
    CliHarness.Run r = cli.ok("validate", plaintext(), "--ip", "10.1.2.3", "-r", "a:read");

    assertThat(r.out()).isEqualTo("VALID " + token.get("id").asText()
        + " (billing, workspace acme, permissions a:read)" + System.lineSeparator());
    assertThat(r.out() + r.err()).doesNotContain(plaintext());
  }

  @Test
  void validate_stdin_readWhenDashOrMissing() {
    cli.stdin = plaintext() + "\n";
    assertThat(cli.run("validate", "-", "--ip", "10.1.2.3").exitCode()).isZero();
    cli.stdin = "  " + plaintext() + "  \r\n";
    assertThat(cli.run("validate", "--ip", "10.1.2.3").exitCode()).isZero();
  }

  @Test
  void validate_json_validWithPrincipal() {
    cli.stdin = plaintext();
    JsonNode r = cli.ok("validate", "--json", "--ip", "10.1.2.3", "-w", "acme").json();

    assertThat(r.get("valid").asBoolean()).isTrue();
    assertThat(r.get("reason").isNull()).isTrue();
    assertThat(r.get("httpStatus").asInt()).isEqualTo(200);
    assertThat(r.get("token").get("id").asText()).isEqualTo(token.get("id").asText());
    assertThat(r.toString()).doesNotContain(plaintext());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no permission  | --ip 10.1.2.3 -r a:write | PERMISSION_DENIED  | 403",
      "outside allow  | --ip 192.0.2.1           | IP_NOT_ALLOWED     | 403",
      "no address     | -r a:read                | IP_NOT_ALLOWED     | 403",
      "workspace      | --ip 10.1.2.3 -w other   | WORKSPACE_MISMATCH | 401",
  })
  void validate_rejected_exit6WithReason(String scenario, String args, String reason,
      int status) {
    cli.stdin = plaintext();
    CliHarness.Run r = cli.run(IssueCommandTest.split(("validate " + args)));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(6);
    assertThat(r.out()).startsWith("REJECTED " + reason + ": HTTP " + status + " \"");
    cli.stdin = plaintext();
    JsonNode json = cli.run(IssueCommandTest.split("validate --json " + args)).json();
    assertThat(json.get("valid").asBoolean()).isFalse();
    assertThat(json.get("reason").asText()).isEqualTo(reason);
    assertThat(json.get("httpStatus").asInt()).isEqualTo(status);
    assertThat(json.get("token").isNull()).isTrue();
  }

  @Test
  void validate_garbageOrOtherPrefix_malformed() {
    assertThat(cli.run("validate", "hello").out()).startsWith("REJECTED MALFORMED");
    assertThat(cli.run("validate", plaintext(), "--prefix", "acme").out())
        .startsWith("REJECTED MALFORMED");
    assertThat(cli.run("validate", "hello").exitCode()).isEqualTo(6);
  }

  @Test
  void validate_emptyStdin_usageError() {
    cli.stdin = "\n";
    CliHarness.Run r = cli.run("validate");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("no token");
  }

  @Test
  void validate_recordUsage_flushedBeforeExit() {
    cli.stdin = plaintext();
    cli.ok("validate", "--record-usage", "--ip", "10.9.8.7", "--integration", "billing-sync");

    JsonNode shown = cli.ok("show", "--json", token.get("id").asText()).json();

    assertThat(shown.get("lastUsedAt").isNull()).isFalse();
    assertThat(shown.get("lastUsedIp").asText()).isEqualTo("10.9.8.7");
    assertThat(shown.get("lastUsedIntegration").asText()).isEqualTo("billing-sync");
    assertThat(cli.ok("show", token.get("id").asText()).out())
        .containsPattern("(?m)^last used: +\\S+ from 10\\.9\\.8\\.7 via billing-sync$");
  }
}
