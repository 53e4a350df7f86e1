package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
  // From core's legacy-vectors.tsv (made by Python's bcrypt and hashlib).
  static final String BCRYPT = "$2b$04$NBffPRbddy/W6Ch6XQWNc.sCo4GtwsyhhwlB2XhRvvptw16KAP22S";
  static final String SHA256 = "ae906f5b48d62a5442955fc299dd844a851f0d1711b9532acc0217256341a585";
  static final String COST31 = "$2b$31$" + "a".repeat(53);

  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
  }

  private Path write(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void jsonLines_goodRowsImported_badOnesReportedByLineAndField_rerunImportsNothingTwice() throws Exception {
    Path f = write("keys.jsonl", String.join("\n",
        "{\"workspace\":\"acme\",\"name\":\"ci\",\"lookup\":\"Ab3dEf9h\",\"hash\":\"" + BCRYPT + "\",\"permissions\":[\"read\"]}",
        "{\"workspace\":\"acme\",\"name\":\"bad\",\"lookup\":\"Bb3dEf9h\",\"hash\":\"" + COST31 + "\"}",
        "",
        "{\"workspace\":\"acme\",\"name\":\"digest\",\"hash\":\"" + SHA256 + "\",\"createdAt\":\"2025-03-01T00:00:00Z\"}",
        "not json " + SHA256,
        "{\"workspace\":\"acme\",\"name\":\"typo\",\"lookup\":\"Cc3dEf9h\",\"hsh\":\"x\"}"));
    CliHarness.Run r = cli.run("import", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("imported 2, already imported 0, refused 3");
    assertThat(r.err()).contains("line 2 hash has bcrypt cost 31, above the ceiling of 14")
        .contains("line 5 is not a JSON object")
        .contains("line 6 hsh is not a known field")
        .doesNotContain(SHA256).doesNotContain("aaaaaaaa");

    CliHarness.Run again = cli.run("import", f.toString());
    assertThat(again.out()).contains("imported 0, already imported 2, refused 3");

    JsonNode pending = cli.ok("import", "--json", "--pending", "-w", "acme").json();
    assertThat(pending.get("pending").asInt()).isEqualTo(2);
    assertThat(cli.ok("import", "--pending", "-w", "acme").out())
        .contains("2 keys in workspace acme still have their legacy hash");
  }

  @Test
  void csv_withQuotedFields_andAllOrNothing() throws Exception {
    Path f = write("keys.csv", String.join("\n",
        "workspace,name,description,lookup,hash,permissions",
        "acme,ci,\"a \"\"quoted\"\", multi-word note\",Ab3dEf9h," + BCRYPT + ",read write",
        "acme,bad,,Bb3dEf9h," + COST31 + ","));
    CliHarness.Run r = cli.run("import", "--all-or-nothing", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("imported 0, already imported 0, refused 1 (nothing imported: --all-or-nothing)");
    assertThat(r.err()).contains("line 3 hash has bcrypt cost 31");
    assertThat(cli.ok("import", "--json", "--pending", "-w", "acme").json().get("pending").asInt()).isZero();

    Path good = write("good.csv", String.join("\n",
        "workspace,name,description,lookup,hash,permissions",
        "acme,ci,\"a \"\"quoted\"\", multi-word note\",Ab3dEf9h," + BCRYPT + ",read write"));
    assertThat(cli.ok("import", "--all-or-nothing", good.toString()).out()).contains("imported 1,");
    JsonNode list = cli.ok("list", "--json", "-w", "acme").json();
    assertThat(list.toString()).contains("a \\\"quoted\\\", multi-word note").contains("legacy Ab3dEf9h");
  }

  @Test
  void pending_needsAWorkspace_andAFileIsNeededOtherwise() {
    assertThat(cli.run("import", "--pending").exitCode()).isEqualTo(2);
    assertThat(cli.run("import").exitCode()).isEqualTo(2);
    assertThat(cli.run("import", dir.resolve("missing.jsonl").toString()).err()).contains("cannot be read");
  }
}
