package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  String id;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    id = cli.issue("acme", "billing", "--actor", "alice").get("id").asText();
  }

  private static List<String> actions(JsonNode page) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : page.get("entries")) out.add(e.get("action").asText());
    return out;
  }

  @Test
  void history_ofADeletedToken_listsEveryChangeNewestFirst() {
    cli.ok("disable", id);
    cli.ok("delete", id);

    JsonNode page = cli.ok("history", "--json", id).json();

    assertThat(actions(page)).containsExactly("DELETED", "DISABLED", "ISSUED");
    assertThat(page.get("entries").get(2).get("actor").asText()).isEqualTo("alice");
    CliHarness.Run text = cli.ok("history", id);
    assertThat(text.out()).contains("DELETED", "DISABLED", "ISSUED", "alice")
        .doesNotContain("lk_");
  }

  @Test
  void history_ofAWorkspace_pagesWithBefore() {
    cli.issue("acme", "second");
    cli.issue("other", "elsewhere");

    JsonNode first = cli.ok("history", "--json", "-w", "acme", "--limit", "1").json();
    JsonNode rest = cli.ok("history", "--json", "-w", "acme", "--before",
        first.get("cursor").asText()).json();

    assertThat(actions(first)).containsExactly("ISSUED");
    assertThat(actions(rest)).containsExactly("ISSUED");
    assertThat(rest.get("cursor").isNull()).isTrue();
  }

  @Test
  void history_needsExactlyOneOfIdAndWorkspace() {
    CliHarness.Run none = cli.run("history");
    CliHarness.Run both = cli.run("history", id, "-w", "acme");

    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("give a token ID or -w WORKSPACE");
    assertThat(both.exitCode()).isEqualTo(2);
  }
}
