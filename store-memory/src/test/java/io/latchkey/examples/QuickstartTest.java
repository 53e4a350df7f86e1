package io.latchkey.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
}
