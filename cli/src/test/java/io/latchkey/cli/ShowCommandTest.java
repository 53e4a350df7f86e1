package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShowCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  JsonNode token;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    token = cli.issue("acme", "billing", "-p", "a:read", "--deny", "a:write",
        "--allow-ip", "10.0.0.0/8", "--metadata", "team=ops", "--actor", "alice");
  }

  @Test
  void show_text_everyFieldButThePlaintext() {
    CliHarness.Run r = cli.ok("show", id());

    assertThat(r.out())
        .containsPattern("(?m)^id: +" + id() + "$")
        .containsPattern("(?m)^workspace: +acme$")
        .containsPattern("(?m)^name: +billing$")
        .containsPattern("(?m)^hint: +lk_\\.\\.\\.\\w{4}$")
        .containsPattern("(?m)^state: +ACTIVE$")
        .containsPattern("(?m)^permissions: +a:read,!a:write$")
        .containsPattern("(?m)^allowed ips: +10\\.0\\.0\\.0/8$")
        .containsPattern("(?m)^metadata: +team=ops$")
        .containsPattern("(?m)^created: +\\S+ by alice$")
        .containsPattern("(?m)^last used: +never$")
        .doesNotContain(token.get("token").asText())
        .doesNotContainPattern("(?m)^token:");
  }

  @Test
  void show_json_sameFieldsAsIssueWithoutPlaintext() {
    JsonNode shown = cli.ok("show", "--json", id()).json();

    JsonNode issuedWithoutPlaintext = token.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) issuedWithoutPlaintext).remove("token");
    assertThat(shown).isEqualTo(issuedWithoutPlaintext);
  }

  @Test
  void show_unknownId_notFound() {
    CliHarness.Run r = cli.run("show", "0000000000000000");

    assertThat(r.exitCode()).isEqualTo(3);
    r.assertOneLineError();
    assertThat(r.err()).isEqualTo("latchkey show: token 0000000000000000 not found"
        + System.lineSeparator());
  }

  @Test
  void show_malformedId_usageErrorBeforeTouchingTheStore() {
    CliHarness.Run r = cli.run("show", "not-an-id!");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("\"not-an-id!\" is not a token id");
  }

  @Test
  void show_plaintextInsteadOfId_refusedWithoutEchoingIt() {
    CliHarness.Run r = cli.run("show", token.get("token").asText());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("not an id").contains("--token -")
        .doesNotContain(token.get("token").asText());
  }

  private String id() {
    return token.get("id").asText();
  }
}
