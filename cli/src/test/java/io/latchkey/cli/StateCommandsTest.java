package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** disable, enable, revoke, delete and revoke-all. */
class StateCommandsTest {
  @TempDir Path dir;
  CliHarness cli;
  JsonNode token;
  String id;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    token = cli.issue("acme", "billing");
    id = token.get("id").asText();
  }

  private String validate() {
    cli.stdin = token.get("token").asText();
    return cli.run("validate").out().strip();
  }

  @Test
  void disable_text_oneLineWithStateAndValidationRejects() {
    CliHarness.Run r = cli.ok("disable", id);

    assertThat(r.out()).isEqualTo(id + " DISABLED (billing, workspace acme; last used never)"
        + System.lineSeparator());
    assertThat(validate()).startsWith("REJECTED DISABLED");
  }

  @Test
  void disable_twice_noOp() {
    cli.ok("disable", id);

    assertThat(cli.ok("disable", "--json", id).json().get("state").asText()).isEqualTo("DISABLED");
  }

  @Test
  void enable_disabledToken_activeAgain() {
    cli.ok("disable", id);

    assertThat(cli.ok("enable", "--json", id).json().get("state").asText()).isEqualTo("ACTIVE");
    assertThat(validate()).startsWith("VALID");
  }

  @Test
  void revoke_json_revokedForGood() {
    assertThat(cli.ok("revoke", "--json", id).json().get("state").asText()).isEqualTo("REVOKED");
    assertThat(validate()).startsWith("REJECTED REVOKED");
  }

  @ParameterizedTest
  @ValueSource(strings = {"enable", "disable"})
  void afterRevoke_enableOrDisable_illegalTransition(String action) {
    cli.ok("revoke", id);

    CliHarness.Run r = cli.run(action, id);

    assertThat(r.exitCode()).isEqualTo(4);
    r.assertOneLineError();
    assertThat(r.err()).isEqualTo("latchkey " + action + ": cannot " + action + " token " + id
        + ": it is REVOKED" + System.lineSeparator());
  }

  @Test
  void delete_thenShowNotFoundAndValidateUnknown() {
    assertThat(cli.ok("delete", id).out()).isEqualTo(id + " deleted" + System.lineSeparator());

    assertThat(cli.run("show", id).exitCode()).isEqualTo(3);
    assertThat(validate()).startsWith("REJECTED UNKNOWN");
  }

  @Test
  void delete_json() {
    assertThat(cli.ok("delete", "--json", id).json().toString())
        .isEqualTo("{\"id\":\"" + id + "\",\"deleted\":true}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"disable", "enable", "revoke", "delete"})
  void stateChange_unknownId_notFound(String action) {
    CliHarness.Run r = cli.run(action, "0000000000000000");

    assertThat(r.exitCode()).isEqualTo(3);
    r.assertOneLineError();
    assertThat(r.err()).contains("token 0000000000000000 not found");
  }

  @ParameterizedTest
  @ValueSource(strings = {"disable", "enable", "revoke", "delete"})
  void stateChange_malformedOrMissingId_usageError(String action) {
    CliHarness.Run malformed = cli.run(action, "0000");
    CliHarness.Run missing = cli.run(action);

    assertThat(malformed.exitCode()).isEqualTo(2);
    malformed.assertOneLineError();
    assertThat(missing.exitCode()).isEqualTo(2);
    missing.assertOneLineError();
    assertThat(missing.err()).contains("which token? Give its ID, or --token -");
  }

  @Test
  void revokeAll_withoutYes_refusesAndRevokesNothing() {
    CliHarness.Run r = cli.run("revoke-all", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("--yes");
    assertThat(validate()).startsWith("VALID");
  }

  @Test
  void revokeAll_yes_revokesEveryTokenOfTheWorkspaceOnly() {
    cli.issue("acme", "second");
    JsonNode other = cli.issue("other", "kept");

    CliHarness.Run r = cli.ok("revoke-all", "-w", "acme", "--yes");

    assertThat(r.out()).isEqualTo("revoked 2 tokens in workspace acme" + System.lineSeparator());
    assertThat(cli.ok("list", "-w", "acme", "--json", "--state", "revoked").json().get("tokens"))
        .hasSize(2);
    assertThat(cli.ok("show", "--json", other.get("id").asText()).json().get("state").asText())
        .isEqualTo("ACTIVE");
    assertThat(cli.ok("revoke-all", "-w", "acme", "--yes", "--json").json().get("revoked").asInt())
        .isZero();
  }
}
