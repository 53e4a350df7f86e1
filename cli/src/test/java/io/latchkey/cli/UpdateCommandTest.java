package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpdateCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  String id;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    id = cli.issue("acme", "old-name", "--allow-ip", "10.0.0.0/8", "--metadata", "a=1")
        .get("id").asText();
  }

  @Test
  void update_nameDescriptionAllowlist_replaced() {
    JsonNode t = cli.ok("update", id, "--json", "--name", "new-name", "--description", "moved",
        "--allow-ip", "192.0.2.0/24", "--allow-ip", "192.0.2.77").json();

    assertThat(t.get("name").asText()).isEqualTo("new-name");
    assertThat(t.get("description").asText()).isEqualTo("moved");
    assertThat(t.get("allowedIps")).extracting(JsonNode::asText)
        .containsExactly("192.0.2.0/24", "192.0.2.77");
    assertThat(t.get("metadata").get("a").asText()).isEqualTo("1");
    assertThat(cli.ok("show", "--json", id).json().get("name").asText()).isEqualTo("new-name");
  }

  @Test
  void update_allowAnyIp_clearsAllowlist() {
    JsonNode t = cli.ok("update", id, "--json", "--allow-any-ip").json();

    assertThat(t.get("allowedIps")).isEmpty();
  }

  @Test
  void update_metadata_replacedWholeOrCleared() {
    assertThat(cli.ok("update", id, "--json", "--metadata", "b=2").json().get("metadata").toString())
        .isEqualTo("{\"b\":\"2\"}");
    assertThat(cli.ok("update", id, "--json", "--clear-metadata").json().get("metadata")).isEmpty();
  }

  @Test
  void update_text_printsTheToken() {
    assertThat(cli.ok("update", id, "--name", "renamed").out())
        .containsPattern("(?m)^name: +renamed$");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "nothing          | update ID                                        | nothing to update",
      "ip contradiction | update ID --allow-ip 10.0.0.1 --allow-any-ip     | contradict",
      "md contradiction | update ID --metadata a=2 --clear-metadata        | contradict",
      "bad cidr         | update ID --allow-ip 300.1.1.1                   | 300.1.1.1",
      "blank name       | update ID --name ~                               | name must not be blank",
      "malformed id     | update 12345 --name x                            | is not a token id",
  })
  void update_badInput_usageErrorAndNothingChanged(String scenario, String args, String expected) {
    CliHarness.Run r = cli.run(IssueCommandTest.split(args.replace("ID", id)));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains(expected);
    JsonNode t = cli.ok("show", "--json", id).json();
    assertThat(t.get("name").asText()).isEqualTo("old-name");
    assertThat(t.get("allowedIps")).extracting(JsonNode::asText).containsExactly("10.0.0.0/8");
  }

  @Test
  void update_unknownId_notFound() {
    CliHarness.Run r = cli.run("update", "0000000000000000", "--name", "x");

    assertThat(r.exitCode()).isEqualTo(3);
    r.assertOneLineError();
  }
}
