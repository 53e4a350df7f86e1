package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermissionsCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  String id;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    id = cli.issue("acme", "t", "-p", "a:read", "--deny", "a:write").get("id").asText();
  }

  @Test
  void get_text_tableOfGrantsAndDenials() {
    assertThat(cli.ok("permissions", "get", id).out().lines())
        .containsExactly("PERMISSION  GRANT", "a:read      grant", "a:write     deny");
  }

  @Test
  void get_json_mapOfNameToGrant() {
    JsonNode r = cli.ok("permissions", "get", "--json", id).json();

    assertThat(r.get("id").asText()).isEqualTo(id);
    assertThat(r.get("permissions").toString()).isEqualTo("{\"a:read\":true,\"a:write\":false}");
  }

  @Test
  void set_replacesAll() {
    JsonNode r = cli.ok("permissions", "set", id, "--json", "-p", "b:read", "--deny", "b:admin")
        .json();

    assertThat(r.get("permissions").toString()).isEqualTo("{\"b:admin\":false,\"b:read\":true}");
    assertThat(cli.ok("show", "--json", id).json().get("permissions").toString())
        .isEqualTo("{\"b:admin\":false,\"b:read\":true}");
  }

  @Test
  void set_none_removesAll() {
    CliHarness.Run r = cli.ok("permissions", "set", id, "--none");

    assertThat(r.out()).isEqualTo("token " + id + " has no permissions" + System.lineSeparator());
    assertThat(cli.ok("permissions", "get", "--json", id).json().get("permissions")).isEmpty();
  }

  @Test
  void update_mergesAndKeepsOthers() {
    JsonNode r = cli.ok("permissions", "update", id, "--json", "--grant", "a:write",
        "-p", "c:read").json();

    assertThat(r.get("permissions").toString())
        .isEqualTo("{\"a:read\":true,\"a:write\":true,\"c:read\":true}");
  }

  @Test
  void update_grantedTokenNowPassesValidation() {
    String token = cli.issue("acme", "v").get("token").asText();
    String vid = token.substring(3, 19);
    cli.stdin = token;
    assertThat(cli.run("validate", "-r", "z:read").exitCode()).isEqualTo(6);

    cli.ok("permissions", "update", vid, "-p", "z:read");

    cli.stdin = token;
    assertThat(cli.run("validate", "-r", "z:read").exitCode()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no subcommand       | permissions                               | a subcommand is required",
      "unknown subcommand  | permissions grant ID                      | Unmatched arguments",
      "set without entries | permissions set ID                        | --none",
      "set none and grant  | permissions set ID --none -p x            | contradicts",
      "update nothing      | permissions update ID                     | --grant and --deny",
      "grant and deny      | permissions update ID -p x:y --deny x:y   | both granted (-p) and denied (--deny)",
      "bad name            | permissions update ID -p x~y              | not a valid permission name",
      "malformed id        | permissions get nope                      | is not a token id",
  })
  void permissions_badInput_usageErrorAndNothingChanged(String scenario, String args,
      String expected) {
    CliHarness.Run r = cli.run(IssueCommandTest.split(args.replace("ID", id)));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains(expected);
    assertThat(cli.ok("permissions", "get", "--json", id).json().get("permissions").toString())
        .isEqualTo("{\"a:read\":true,\"a:write\":false}");
  }

  @Test
  void permissions_unknownId_notFound() {
    assertThat(cli.run("permissions", "get", "0000000000000000").exitCode()).isEqualTo(3);
    assertThat(cli.run("permissions", "set", "0000000000000000", "-p", "x").exitCode())
        .isEqualTo(3);
    assertThat(cli.run("permissions", "update", "0000000000000000", "-p", "x").exitCode())
        .isEqualTo(3);
  }
}
