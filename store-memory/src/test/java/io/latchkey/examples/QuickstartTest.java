package io.latchkey.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the README's quickstart honest: it compiles, runs, and shows accept then reject. */
class QuickstartTest {

  @Test
  void run_printsValidThenDisabled() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Quickstart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).matches("issued   [0-9A-Za-z]{16} acme_\\.\\.\\.[0-9A-Za-z]{4}");
    assertThat(lines[1]).isEqualTo("validate VALID");
    assertThat(lines[3]).startsWith("validate DISABLED -> HTTP 401");
    // The plaintext is never printed: only id and hint.
    assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContainPattern("acme_[0-9A-Za-z]{55}");
  }

  /** The README shows this code, and the output block it shows is what this code prints. */
  @Test
  void readme_showsExactlyThisCode() throws Exception {
    String source = Files.readString(Path.of("src/test/java/io/latchkey/examples/Quickstart.java"));
    String region = source.substring(
        source.indexOf("// begin README quickstart\n") + "// begin README quickstart\n".length(),
        source.indexOf("    // end README quickstart"));
    String code = region.stripTrailing().stripIndent();
    String readme = Files.readString(Path.of("../README.md"));

    assertThat(readme).contains("```java\n" + code + "\n```");
    assertThat(readme).containsPattern("issued   \\S+ acme_\\.\\.\\.\\S{4}\n"
        + "validate VALID\ndisabled \\S+\nvalidate DISABLED -> HTTP 401 ");
  }
}
