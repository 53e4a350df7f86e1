package io.latchkey.cli;

import io.latchkey.NewToken;
import io.latchkey.TokenId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "permissions", mixinStandardHelpOptions = true,
    description = "Show or change a token's permissions.",
    synopsisSubcommandLabel = "(get | set | update)",
    subcommands = {PermissionsCommand.Get.class, PermissionsCommand.Set.class,
        PermissionsCommand.Update.class})
final class PermissionsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: get, set or update");
  }

  static void printPermissions(StoreCommand cmd, TokenId id, Map<String, Boolean> permissions) {
    Map<String, Boolean> sorted = new TreeMap<>(permissions);
    if (cmd.json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", id.value());
      out.put("permissions", sorted);
      cmd.printJson(out);
      return;
    }
    if (sorted.isEmpty()) {
      cmd.println("token " + id + " has no permissions");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"PERMISSION", "GRANT"});
    sorted.forEach((name, granted) -> rows.add(new String[] {name, granted ? "grant" : "deny"}));
    cmd.print(Render.table(rows));
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Show a token's permissions: granted or explicitly denied.")
  static final class Get extends StoreCommand {
    @Parameters(paramLabel = "ID", converter = Converters.Id.class, description = "The token id.")
    TokenId id;

    @Override
    int run(Session session) {
      printPermissions(this, id, session.tokens().permissions(id));
      return ExitCode.OK;
    }
  }

  /** The grants and denials that set and update take. */
  abstract static class Change extends StoreCommand {
    @Parameters(paramLabel = "ID", converter = Converters.Id.class, description = "The token id.")
    TokenId id;

    @Option(names = {"-p", "--grant", "--permission"}, paramLabel = "PERMISSION",
        description = "Grant this permission. Repeatable.")
    List<String> grants = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "PERMISSION",
        description = "Deny this permission explicitly. Repeatable.")
    List<String> denials = new ArrayList<>();

    Map<String, Boolean> entries() {
      Map<String, Boolean> m = new LinkedHashMap<>();
      for (String p : grants) m.put(p, true);
      for (String p : denials) {
        if (Boolean.TRUE.equals(m.get(p))) {
          throw usage("\"" + Render.oneLine(p) + "\" is both granted (-p) and denied (--deny)");
        }
        m.put(p, false);
      }
      // The names obey the same rule as at issue; checking them here keeps a typo from
      // opening (or creating) the store.
      NewToken.in("check").permissions(m);
      return m;
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = "Replace all of a token's permissions with the given ones.")
  static final class Set extends Change {
    @Option(names = "--none", description = "Remove every permission.")
    boolean none;

    @Override
    void check() {
      if (none && !(grants.isEmpty() && denials.isEmpty())) {
        throw usage("--none contradicts --grant and --deny");
      }
      if (!none && grants.isEmpty() && denials.isEmpty()) {
        throw usage("give the new permissions with --grant and --deny, or --none to remove all");
      }
      entries();
    }

    @Override
    int run(Session session) {
      printPermissions(this, id, session.tokens().setPermissions(id, entries()).permissions());
      return ExitCode.OK;
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Grant or deny the given permissions and keep the others.")
  static final class Update extends Change {
    @Override
    void check() {
      if (grants.isEmpty() && denials.isEmpty()) {
        throw usage("give the permissions to change with --grant and --deny");
      }
      entries();
    }

    @Override
    int run(Session session) {
      printPermissions(this, id, session.tokens().updatePermissions(id, entries()).permissions());
      return ExitCode.OK;
    }
  }
}
