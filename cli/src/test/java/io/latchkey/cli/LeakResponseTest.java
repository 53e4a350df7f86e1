package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Handling a leaked token: act on the token itself from standard input, never echo it, see who
 * held it and when and from where it was last used, and check it without overwriting that.
 */
class LeakResponseTest {
  @TempDir Path dir;
  CliHarness cli;
  String token;
  String id;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    JsonNode issued = cli.issue("acme", "billing-sync", "-p", "invoices:read");
    token = issued.get("token").asText();
    id = issued.get("id").asText();
    cli.stdin = token;
    cli.ok("validate", "--record-usage", "--ip", "203.0.113.9", "--integration", "zapier");
  }

  private void assertNotEchoed(CliHarness.Run r) {
    assertThat(r.out()).doesNotContain(token).doesNotContain(token.substring(3, 40));
    assertThat(r.err()).doesNotContain(token).doesNotContain(token.substring(3, 40));
  }

  @Test
  void revokeTokenFromStdin_revokesAndTellsWhoAndLastUse() {
    cli.stdin = token + "\n";

    CliHarness.Run r = cli.ok("revoke", "--token", "-");

    assertNotEchoed(r);
    assertThat(r.out()).startsWith(id + " REVOKED (billing-sync, workspace acme; last used ")
        .contains(" from 203.0.113.9 via zapier)");
    assertThat(cli.ok("show", "--json", id).json().get("state").asText()).isEqualTo("REVOKED");
  }

  @Test
  void revokeTokenFromStdin_json_hasIdNameWorkspaceAndLastUse() {
    cli.stdin = token;

    JsonNode j = cli.ok("revoke", "--json", "--token", "-").json();

    assertThat(j.get("id").asText()).isEqualTo(id);
    assertThat(j.get("name").asText()).isEqualTo("billing-sync");
    assertThat(j.get("workspace").asText()).isEqualTo("acme");
    assertThat(j.get("lastUsedIp").asText()).isEqualTo("203.0.113.9");
    assertThat(j.get("lastUsedAt").isNull()).isFalse();
    assertThat(j.toString()).doesNotContain(token);
  }

  @Test
  void showTokenFromStdin_orFromAHiddenPromptOnATerminal() {
    cli.stdin = token;
    CliHarness.Run piped = cli.ok("show", "--token", "-");
    assertNotEchoed(piped);
    assertThat(piped.out()).contains("id:          " + id);

    List<String> prompts = new ArrayList<>();
    cli.stdin = "";
    cli.prompt = p -> {
      prompts.add(p);
      return token.toCharArray();
    };
    CliHarness.Run typed = cli.ok("show", "--token", "-");
    assertThat(prompts).containsExactly("Token (input hidden): ");
    assertThat(typed.out()).contains(id);
    assertNotEchoed(typed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"revoke", "show", "disable", "enable", "delete"})
  void tokenPastedWhereAnIdGoes_refusedWithoutEchoingIt(String command) {
    CliHarness.Run asId = cli.run(command, token).assertOneLineError();
    CliHarness.Run asOption = cli.run(command, "--token", token).assertOneLineError();
    CliHarness.Run extra = cli.run(command, id, token).assertOneLineError();

    for (CliHarness.Run r : List.of(asId, asOption, extra)) {
      assertThat(r.exitCode()).isEqualTo(2);
      assertNotEchoed(r);
    }
    assertThat(asId.err()).contains("--token -");
    assertThat(asOption.err()).contains("--token takes only -");
    assertThat(cli.ok("show", "--json", id).json().get("state").asText()).isEqualTo("ACTIVE");
  }

  @Test
  void tokenFromStdin_malformedOrUnknown_clearErrorWithoutEcho() {
    // Its last checksum character changed (to "x", or "y" if it was "x": one token in 62 ends so).
    char last = token.charAt(token.length() - 1);
    cli.stdin = token.substring(0, token.length() - 1) + (last == 'x' ? "y" : "x");
    CliHarness.Run malformed = cli.run("revoke", "--token", "-").assertOneLineError();
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).contains("the token from standard input is not a well-formed token");
    assertNotEchoed(malformed);

    cli.ok("delete", id);
    cli.stdin = token;
    CliHarness.Run unknown = cli.run("revoke", "--token", "-").assertOneLineError();
    assertThat(unknown.exitCode()).isEqualTo(3);
    assertThat(unknown.err()).contains("token " + id + " not found");
    assertNotEchoed(unknown);
  }

  @Test
  void validate_recordsNoUsageUnlessAsked() {
    String before = cli.ok("show", "--json", id).json().get("lastUsedAt").asText();
    cli.stdin = token;

    cli.ok("validate", "--ip", "198.51.100.1", "--integration", "operator");

    JsonNode after = cli.ok("show", "--json", id).json();
    assertThat(after.get("lastUsedAt").asText()).isEqualTo(before);
    assertThat(after.get("lastUsedIp").asText()).isEqualTo("203.0.113.9");
    assertThat(after.get("lastUsedIntegration").asText()).isEqualTo("zapier");
  }

  @Test
  void validate_noArgumentOnATerminal_promptsWithoutEcho() {
    List<String> prompts = new ArrayList<>();
    cli.stdin = "";
    cli.prompt = p -> {
      prompts.add(p);
      return token.toCharArray();
    };

    CliHarness.Run r = cli.ok("validate");

    assertThat(prompts).containsExactly("Token (input hidden): ");
    assertThat(r.out()).startsWith("VALID " + id);
    assertNotEchoed(r);
  }

  @Test
  void verboseStackTrace_hidesStoreCredentials() {
    CliHarness real = CliHarness.real(dir);
    real.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    CliHarness.Run r = real.run("--store",
        "jdbc:postgresql://dbuser:S3cretPw0rd@no-such-host.invalid/db?password=Other5ecret",
        "-v", "list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(5);
    assertThat(r.err()).contains("\tat ").doesNotContain("S3cretPw0rd").doesNotContain("Other5ecret");
  }
}
