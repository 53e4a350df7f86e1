package io.latchkey.cli;

import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A subcommand that works on the token store: opens a {@link Session}, runs, closes it. */
abstract class StoreCommand implements Callable<Integer> {
  @Spec
  @Nullable CommandSpec spec;

  @Override
  public final Integer call() {
    check();
    try (Session session = Session.open(root(), ctx(), tuning())) {
      return run(session);
    }
  }

  /** Checks among options that picocli cannot express; runs before the store is touched. */
  void check() {}

  Session.Tuning tuning() {
    return Session.Tuning.DEFAULT;
  }

  abstract int run(Session session);

  final LatchkeyCommand root() {
    return (LatchkeyCommand) spec.root().userObject();
  }

  final CliContext ctx() {
    return root().ctx;
  }

  final boolean json() {
    return root().json;
  }

  final void print(String text) {
    ctx().out().print(text);
    ctx().out().flush();
  }

  final void println(String line) {
    ctx().out().println(line);
  }

  final void printJson(Object value) {
    ctx().out().println(Render.json(value));
  }

  /**
   * One token from standard input: prompted for without echo when standard input is a terminal,
   * else the first line. Never echoed, in errors either.
   */
  final String readToken(String prompt) {
    CliContext.Prompt hidden = ctx().prompt();
    if (hidden != null) {
      char[] typed = hidden.readHidden(prompt);
      String line = typed == null ? "" : new String(typed).strip();
      if (typed != null) java.util.Arrays.fill(typed, ' ');
      if (line.isEmpty()) throw usage("no token was entered");
      return line;
    }
    try {
      java.io.Reader r = new java.io.InputStreamReader(ctx().in(),
          java.nio.charset.StandardCharsets.UTF_8);
      char[] buf = new char[MAX_TOKEN_LENGTH + 1];
      int n = 0;
      int c;
      while (n < buf.length && (c = r.read()) >= 0 && c != '\n') buf[n++] = (char) c;
      String line = new String(buf, 0, n).strip();
      if (line.isEmpty()) throw usage("no token on standard input");
      if (n > MAX_TOKEN_LENGTH) throw usage("standard input does not start with a token");
      return line;
    } catch (java.io.IOException e) {
      throw usage("cannot read the token from standard input: " + e.getMessage());
    }
  }

  /** Longer input is not a token; do not read a runaway stream into memory. */
  private static final int MAX_TOKEN_LENGTH = 4096;

  final ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
