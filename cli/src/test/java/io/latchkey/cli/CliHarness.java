package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.HashingKey;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs {@code latchkey} in-process against a store shared by every run of one harness (the
 * in-memory store unless a test picks the embedded default), with its own environment, working
 * directory and captured output.
 */
final class CliHarness {
  static final String KEY = HashingKey.generate("k1").toBase64();
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path workingDir;
  final Map<String, String> env = new HashMap<>();
  final @Nullable TokenStore store;
  String stdin = "";
  /** A terminal's hidden prompt, or null: standard input is not a terminal. */
  CliContext.@Nullable Prompt prompt;
  Consumer<DemoService> onServerStarted = s -> {};
  /** The standard output of the run in progress, for commands that keep running (serve). */
  volatile StringWriter liveOut = new StringWriter();

  private CliHarness(Path workingDir, @Nullable TokenStore store) {
    this.workingDir = workingDir;
    this.store = store;
  }

  /** A harness on a fresh in-memory store with a hashing key in the environment. */
  static CliHarness inMemory(Path workingDir) {
    CliHarness h = new CliHarness(workingDir, new InMemoryTokenStore());
    h.env.put("LATCHKEY_HASHING_KEY", KEY);
    return h;
  }

  /** A harness on the given store (never closed by the command). */
  static CliHarness on(Path workingDir, TokenStore store) {
    CliHarness h = new CliHarness(workingDir, store);
    h.env.put("LATCHKEY_HASHING_KEY", KEY);
    return h;
  }

  /** A harness that opens stores as the real command does: --store, or the embedded default. */
  static CliHarness real(Path workingDir) {
    return new CliHarness(workingDir, null);
  }

  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + out, e);
      }
    }

    /** The error is exactly one line on stderr, without a stack trace. */
    Run assertOneLineError() {
      assertThat(err.lines().toList()).as("stderr: %s", err).hasSize(1);
      assertThat(err).doesNotContain("\tat ").doesNotContain("Caused by:");
      return this;
    }
  }

  Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    liveOut = out;
    CliContext ctx = new CliContext(env, new PrintWriter(out, true), new PrintWriter(err, true),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), workingDir, store,
        onServerStarted, prompt);
    int code = Cli.execute(ctx, args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs and insists on exit code 0, showing stderr otherwise. */
  Run ok(String... args) {
    Run r = run(args);
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
    return r;
  }

  /** Issues a token and returns the JSON of the issue command. */
  JsonNode issue(String workspace, String name, String... more) {
    String[] args = new String[5 + more.length];
    args[0] = "issue";
    args[1] = "--json";
    args[2] = "-w=" + workspace;
    args[3] = "-n";
    args[4] = name;
    System.arraycopy(more, 0, args, 5, more.length);
    return ok(args).json();
  }
}
