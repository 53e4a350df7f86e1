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

  final ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
