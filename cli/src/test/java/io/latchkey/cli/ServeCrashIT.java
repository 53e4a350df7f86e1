package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change the CLI confirmed survives {@code kill -9} of the {@code serve} process whose database
 * it went through (H2's AUTO_SERVER): separate processes of the shaded jar, as an operator runs
 * them. Each trial disables or enables one token while serve runs, kills serve hard, and reads
 * the state back from a fresh process.
 */
@Timeout(300)
class ServeCrashIT {
  private static final int TRIALS = 6;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void confirmedChange_survivesKill9OfServe() throws Exception {
    String id = JSON.readTree(run("issue", "--json", "-w", "acme", "-n", "crash")).get("id")
        .asText();
    List<String> lost = new ArrayList<>();
    for (int trial = 0; trial < TRIALS; trial++) {
      Process serve = startServe(trial);
      String action = trial % 2 == 0 ? "disable" : "enable";
      String expected = trial % 2 == 0 ? "DISABLED" : "ACTIVE";
      assertThat(run(action, id)).contains(expected);

      serve.destroyForcibly(); // SIGKILL: no shutdown hook, no close
      assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();

      String state = JSON.readTree(run("show", "--json", id)).get("state").asText();
      if (!state.equals(expected)) lost.add("trial " + trial + ": " + action + " -> " + state);
    }
    assertThat(lost).as("confirmed changes lost to kill -9 of serve").isEmpty();
  }

  private Process startServe(int trial) throws Exception {
    Path out = work.resolve("serve-" + trial + ".out");
    Path err = work.resolve("serve-" + trial + ".err");
    Process p = launch(out, err, "serve", "--port", "0");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.readString(out).contains("listening on")) return p;
      if (!p.isAlive()) throw new AssertionError("serve exited: " + Files.readString(err));
      Thread.sleep(50);
    }
    throw new AssertionError("serve did not start: " + Files.readString(err));
  }

  /** Runs one command to its end and returns stdout, insisting on exit code 0. */
  private String run(String... args) throws Exception {
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = launch(out, err, args);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", args) + " did not finish");
    }
    assertThat(p.exitValue()).as("%s: %s", String.join(" ", args), Files.readString(err)).isZero();
    return Files.readString(out);
  }

  private Process launch(Path out, Path err, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", LatchkeyJarIT.jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("LATCHKEY_"));
    Process p = pb.start();
    started.add(p);
    return p;
  }
}
