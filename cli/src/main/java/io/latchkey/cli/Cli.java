package io.latchkey.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Wires the command tree with one-line errors and the documented exit codes. */
final class Cli {
  private Cli() {}

  static int execute(CliContext ctx, String... args) {
    int code = create(ctx).execute(args);
    ctx.out().flush();
    ctx.err().flush();
    return code;
  }

  static CommandLine create(CliContext ctx) {
    LatchkeyCommand root = new LatchkeyCommand(ctx);
    CommandLine cl = new CommandLine(root);
    cl.setOut(ctx.out());
    cl.setErr(ctx.err());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler((e, args) -> badUsage(ctx, e));
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> failed(ctx, root, cmd, e));
    Map<String, String> codes = new LinkedHashMap<>();
    for (String entry : ExitCode.HELP) {
      int colon = entry.indexOf(':');
      codes.put(" " + entry.substring(0, colon), entry.substring(colon + 1));
    }
    applyExitCodes(cl, codes);
    return cl;
  }

  private static void applyExitCodes(CommandLine cl, Map<String, String> codes) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    for (CommandLine sub : cl.getSubcommands().values()) applyExitCodes(sub, codes);
  }

  /** Bad options or arguments: one line naming the problem and where help is. */
  private static int badUsage(CliContext ctx, ParameterException e) {
    String name = e.getCommandLine().getCommandSpec().qualifiedName();
    // picocli words a bad map option "option option '--metadata'"; say it once.
    String message = oneLine(e.getMessage()).replace("option option", "option");
    ctx.err().println(name + ": " + Redact.secrets(message) + " (see '" + name + " --help')");
    return ExitCode.USAGE;
  }

  /** A command failed: one line, the exit code its kind documents, a stack trace if asked. */
  private static int failed(CliContext ctx, LatchkeyCommand root, CommandLine cmd, Exception e) {
    String name = cmd.getCommandSpec().qualifiedName();
    int code = ExitCode.of(e);
    String message = e.getMessage() == null ? "" : oneLine(e.getMessage());
    if (e instanceof io.latchkey.InvalidArgumentException bad) {
      message = Flags.rename(bad.field(), message);
    }
    if (code == ExitCode.ERROR) {
      message = "unexpected error: " + e.getClass().getSimpleName()
          + (message.isEmpty() ? "" : ": " + message)
          + (root.verbose ? "" : " (run with --verbose for details)");
    }
    String store = root.store != null ? root.store : ctx.env(Session.ENV_STORE);
    ctx.err().println(name + ": " + Redact.all(message, store));
    if (root.verbose) {
      java.io.StringWriter trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      ctx.err().print(Redact.all(trace.toString(), store));
    }
    return code;
  }

  /** One line, with any control or bidi character (from a stored name, say) shown escaped. */
  static String oneLine(String s) {
    return Render.oneLine(s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "));
  }
}
