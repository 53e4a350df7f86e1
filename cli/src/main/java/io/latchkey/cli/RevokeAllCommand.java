package io.latchkey.cli;

import io.latchkey.TokenQuery;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "revoke-all", mixinStandardHelpOptions = true,
    description = "Revoke every token of a workspace for good. Needs --yes.")
final class RevokeAllCommand extends StoreCommand {
  @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "WORKSPACE",
      description = "The workspace whose tokens to revoke, all of them.")
  String workspace = "";

  @Option(names = "--yes", description = "Confirm: this cannot be undone.")
  boolean yes;

  @Override
  void check() {
    TokenQuery.in(workspace); // a malformed workspace is a usage error, not a store round trip
    if (!yes) {
      throw usage("revoke-all revokes every token of workspace " + Render.oneLine(workspace)
          + " for good; add --yes to confirm");
    }
  }

  @Override
  int run(Session session) {
    int revoked = session.tokens().revokeAll(workspace);
    if (json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("workspace", workspace);
      out.put("revoked", revoked);
      printJson(out);
    } else {
      println("revoked " + revoked + " token" + (revoked == 1 ? "" : "s") + " in workspace "
          + workspace);
    }
    return ExitCode.OK;
  }
}
