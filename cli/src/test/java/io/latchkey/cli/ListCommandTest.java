package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  List<JsonNode> issued;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    issued = IntStream.range(0, 3)
        .mapToObj(i -> cli.issue("acme", "token-" + i, "-p", "reports:read"))
        .toList();
    cli.issue("other", "elsewhere");
  }

  @Test
  void list_table_headerAndOneRowPerTokenWithoutPlaintext() {
    CliHarness.Run r = cli.ok("list", "-w", "acme");

    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).matches("ID +NAME +STATE +HINT +PERMISSIONS +EXPIRES +LAST USED");
    assertThat(lines).hasSize(4);
    for (int i = 0; i < 3; i++) {
      assertThat(lines.get(i + 1)).startsWith(issued.get(i).get("id").asText())
          .contains("token-" + i, "ACTIVE", issued.get(i).get("hint").asText(), "reports:read",
              "never");
      assertThat(r.out()).doesNotContain(issued.get(i).get("token").asText());
    }
    assertThat(r.out()).doesNotContain("elsewhere");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void list_json_tokensInIssueOrderAndNoCursorOnLastPage() {
    JsonNode page = cli.ok("list", "-w", "acme", "--json").json();

    assertThat(page.get("workspace").asText()).isEqualTo("acme");
    assertThat(page.get("tokens")).extracting(t -> t.get("id").asText())
        .containsExactly(issued.stream().map(t -> t.get("id").asText()).toArray(String[]::new));
    assertThat(page.get("tokens").get(0).has("token")).isFalse();
    assertThat(page.get("nextCursor").isNull()).isTrue();
  }

  @Test
  void list_limit_pagesWithCursor() {
    CliHarness.Run first = cli.ok("list", "-w", "acme", "--json", "--limit", "2");
    String cursor = first.json().get("nextCursor").asText();
    assertThat(first.json().get("tokens")).hasSize(2);

    JsonNode second = cli.ok("list", "-w", "acme", "--json", "--limit", "2", "--after", cursor)
        .json();

    assertThat(second.get("tokens")).extracting(t -> t.get("id").asText())
        .containsExactly(issued.get(2).get("id").asText());
    assertThat(cli.ok("list", "-w", "acme", "--limit", "2").err())
        .contains("next page: --after " + cursor);
  }

  @Test
  void list_all_followsEveryPage() {
    JsonNode all = cli.ok("list", "-w", "acme", "--json", "--limit", "1", "--all").json();

    assertThat(all.get("tokens")).hasSize(3);
    assertThat(all.get("nextCursor").isNull()).isTrue();
  }

  @Test
  void list_stateFilter_caseInsensitive() {
    cli.ok("disable", issued.get(1).get("id").asText());

    JsonNode disabled = cli.ok("list", "-w", "acme", "--json", "--state", "disabled").json();

    assertThat(disabled.get("tokens")).extracting(t -> t.get("id").asText())
        .containsExactly(issued.get(1).get("id").asText());
  }

  @Test
  void list_nameContains_filters() {
    JsonNode r = cli.ok("list", "-w", "acme", "--json", "--name-contains", "KEN-2").json();

    assertThat(r.get("tokens")).extracting(t -> t.get("name").asText()).containsExactly("token-2");
  }

  @Test
  void list_emptyWorkspace_saysSo() {
    assertThat(cli.ok("list", "-w", "nobody").out()).isEqualTo("no tokens in workspace nobody"
        + System.lineSeparator());
  }

  @Test
  void list_badState_usageError() {
    CliHarness.Run r = cli.run("list", "-w", "acme", "--state", "sleeping");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("sleeping").contains("ACTIVE");
  }

  @Test
  void list_badCursorOrLimit_usageError() {
    CliHarness.Run cursor = cli.run("list", "-w", "acme", "--after", "nope");
    CliHarness.Run limit = cli.run("list", "-w", "acme", "--limit", "0");

    assertThat(cursor.exitCode()).isEqualTo(2);
    cursor.assertOneLineError();
    assertThat(cursor.err()).contains("cursor");
    assertThat(limit.exitCode()).isEqualTo(2);
    assertThat(limit.err()).contains("limit must be between 1 and 1000");
  }
}
