package io.latchkey.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import org.jspecify.annotations.Nullable;

/** The {@code latchkey} command: global options, inherited by every subcommand. */
@Command(name = "latchkey",
    mixinStandardHelpOptions = true,
    versionProvider = LatchkeyCommand.Version.class,
    description = {
        "Administer Latchkey API tokens and try them against a demo service.",
        "",
        "Without --store, tokens live in an embedded H2 database under ./latchkey-data/, created"
            + " on first use together with an owner-only hashing-key file."},
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        IssueCommand.class,
        ListCommand.class,
        ShowCommand.class,
        UpdateCommand.class,
        PermissionsCommand.class,
        StateCommands.Disable.class,
        StateCommands.Enable.class,
        StateCommands.Revoke.class,
        RevokeAllCommand.class,
        StateCommands.Delete.class,
        RotateCommand.class,
        HistoryCommand.class,
        ImportCommand.class,
        ValidateCommand.class,
        KeygenCommand.class,
        ServeCommand.class,
        DemoCommand.class,
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  LATCHKEY_STORE           default for --store",
        "  LATCHKEY_HASHING_KEY     the hashing key in Base64; required with --store (not memory:)",
        "  LATCHKEY_HASHING_KEY_ID  its id, default k1",
        "  LATCHKEY_HASHING_KEYS    several keys, id:base64[:retiring],... (first: primary)",
        "  LATCHKEY_TOKEN_PREFIX    default for --prefix",
        "  LATCHKEY_DATA_DIR        default for --data-dir",
        "  LATCHKEY_ACTOR           default for --actor"})
final class LatchkeyCommand implements Runnable {

  @Option(names = "--store", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "Token store: jdbc:h2:..., jdbc:postgresql://..., redis://..., redis-cluster://... or memory:"
          + " (gone at exit). Default: embedded H2 in --data-dir.")
  @Nullable String store;

  @Option(names = "--data-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "Directory of the embedded default store and its key file."
          + " Default: ./latchkey-data")
  @Nullable String dataDir;

  @Option(names = "--prefix", scope = ScopeType.INHERIT, paramLabel = "PREFIX",
      description = "Token prefix, e.g. acme or acme_live. Default: lk")
  @Nullable String prefix;

  @Option(names = "--actor", scope = ScopeType.INHERIT, paramLabel = "NAME",
      description = "Who makes the change, for the audit trail. Default: the OS user")
  @Nullable String actor;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print results as JSON, for scripts.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  @Spec
  @Nullable CommandSpec spec;

  final CliContext ctx;

  LatchkeyCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void run() {
    // No subcommand: show what there is, and fail so a script that forgot one notices.
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "a command is required, e.g. issue, list, demo");
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LatchkeyCommand.class.getPackage().getImplementationVersion();
      return new String[] {"latchkey " + (v == null ? "(development build)" : v)};
    }
  }
}
