package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented install step ({@code bin/install}) puts a {@code latchkey} command on the PATH,
 * and the README's command lines then run verbatim: each line is taken from cli/README.md as it
 * stands, so the test fails if the README and the command drift apart.
 */
@Timeout(300)
class LauncherIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @TempDir Path tmp;

  /** The README line that starts with {@code start}, without its trailing comment. */
  private static String readmeLine(String start) throws Exception {
    for (String line : Files.readAllLines(ROOT.resolve("cli/README.md"))) {
      if (line.startsWith(start)) {
        int comment = line.indexOf("  #");
        return (comment < 0 ? line : line.substring(0, comment)).strip();
      }
    }
    throw new AssertionError("cli/README.md no longer has a line starting with: " + start);
  }

  @Test
  void install_thenReadmeExamplesRunVerbatim() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/jq")) || Files.isExecutable(Path.of("/bin/jq")),
        "the README pipes into jq");
    Path prefix = tmp.resolve("home/.local");
    Path work = Files.createDirectories(tmp.resolve("work"));
    String issue = readmeLine("latchkey issue -w acme -n billing-sync");
    String list = readmeLine("latchkey list -w acme --json");
    String show = readmeLine("latchkey show --token - < leaked.txt");
    String revoke = readmeLine("latchkey revoke --token -");
    List<String> script = new ArrayList<>(List.of(
        "set -e",
        "'" + ROOT.resolve("bin/install") + "'",
        "export PATH=\"$PREFIX/bin:$PATH\"",
        "cd '" + work + "'",
        "latchkey --version",
        issue + " > leaked.txt",
        list + " > active.txt",
        show,
        revoke));
    Path sh = tmp.resolve("readme.sh");
    Files.writeString(sh, String.join("\n", script) + "\n");

    ProcessBuilder pb = new ProcessBuilder("sh", sh.toString())
        .redirectError(tmp.resolve("err.txt").toFile())
        .redirectOutput(tmp.resolve("out.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LATCHKEY_"));
    pb.environment().put("PREFIX", prefix.toString());
    pb.environment().put("HOME", tmp.resolve("home").toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String token = null;
    try (var in = p.getOutputStream()) {
      // The revoke line reads the token from the script's stdin, as a paste would arrive.
      while (!Files.exists(work.resolve("leaked.txt")) || Files.size(work.resolve("leaked.txt")) == 0) {
        if (!p.isAlive()) break;
        Thread.sleep(100);
      }
      if (Files.exists(work.resolve("leaked.txt"))) {
        token = Files.readString(work.resolve("leaked.txt")).strip();
        in.write((token + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(tmp.resolve("out.txt"));
    String err = Files.readString(tmp.resolve("err.txt"));
    assertThat(p.exitValue()).as("stdout: %s%nstderr: %s", out, err).isZero();

    assertThat(prefix.resolve("bin/latchkey")).isExecutable();
    assertThat(prefix.resolve("share/latchkey/latchkey.jar")).isRegularFile();
    assertThat(out).contains("installed " + prefix.resolve("bin/latchkey"));
    assertThat(token).startsWith("lk_");
    String id = Files.readString(work.resolve("active.txt")).strip();
    assertThat(id).matches("[A-Za-z0-9]{16}");
    assertThat(out).contains("id:          " + id).contains(id + " REVOKED (billing-sync");
    assertThat(out + err).as("the token is printed only by issue").doesNotContain(token);
  }
}
