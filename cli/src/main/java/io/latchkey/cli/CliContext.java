package io.latchkey.cli;

import io.latchkey.spi.TokenStore;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What a command may touch of the outside world. {@link Main} passes the real process's; tests pass
 * their own, so every command runs in-process without environment variables, files or ports
 * leaking between tests.
 *
 * @param env environment variables ({@code LATCHKEY_*})
 * @param out standard output: results only, so scripts can parse it
 * @param err standard error: notices and one-line errors
 * @param in standard input, read by {@code validate} when no token is given
 * @param workingDir where the default {@code ./latchkey-data} lives
 * @param store a store to use instead of opening one from {@code --store} (tests); never closed by
 *     the command
 * @param onServerStarted called with the demo service once it listens (tests stop it with it)
 * @param prompt reads a line without echo when standard input is a terminal; null otherwise
 */
record CliContext(
    Map<String, String> env,
    PrintWriter out,
    PrintWriter err,
    InputStream in,
    Path workingDir,
    @Nullable TokenStore store,
    Consumer<DemoService> onServerStarted,
    @Nullable Prompt prompt) {

  /** Reads a secret typed at a terminal, showing the prompt and echoing nothing. */
  interface Prompt {
    char @Nullable [] readHidden(String prompt);
  }

  CliContext {
    env = Map.copyOf(env);
  }

  static CliContext system() {
    java.io.Console console = System.console();
    Prompt prompt = console == null || !isTerminal(console) ? null
        : p -> console.readPassword("%s", p);
    return new CliContext(System.getenv(), new PrintWriter(System.out, true),
        new PrintWriter(System.err, true), System.in, Path.of("").toAbsolutePath(), null, s -> {},
        prompt);
  }

  /**
   * Whether the console is a terminal. Up to JDK 21 {@code System.console()} is null unless it is;
   * from JDK 22 it may be non-null for piped input, and {@code Console.isTerminal()} (called
   * reflectively, as this code compiles for 17) tells. Piped input is read as it is, with no prompt
   * on stdout to corrupt what a script parses.
   */
  static boolean isTerminal(java.io.Console console) {
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  @Nullable String env(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }
}
