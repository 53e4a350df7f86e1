package io.latchkey.cli;

import io.latchkey.Reason;
import io.latchkey.Token;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Check a token as a service would. Exits 6 when it is rejected.",
        "Reads the token from standard input when TOKEN is - or missing (prompting without echo"
            + " on a terminal), so it stays out of the shell history and the process list.",
        "Records no usage unless --record-usage: checking a leaked token keeps its last use."})
final class ValidateCommand extends StoreCommand {
  @Parameters(paramLabel = "TOKEN", arity = "0..1", description = "The token, or - for stdin.")
  @Nullable String token;

  @Option(names = "--ip", paramLabel = "ADDRESS", description = "The client address to check.")
  @Nullable String ip;

  @Option(names = "--integration", paramLabel = "NAME",
      description = "The calling integration's name (recorded with --record-usage).")
  @Nullable String integration;

  @Option(names = "--record-usage",
      description = "Record this check as a use (last-used time, --ip, --integration), as a"
          + " service would. Default: record nothing.")
  boolean recordUsage;

  @Option(names = {"-w", "--workspace"}, paramLabel = "WORKSPACE",
      description = "Reject tokens of other workspaces.")
  @Nullable String workspace;

  @Option(names = {"-r", "--require"}, paramLabel = "PERMISSION",
      description = "A permission the token must grant. Repeatable.")
  List<String> required = new ArrayList<>();

  /**
   * Permission names and the address are checked as issue checks them: a typo is a usage error
   * (exit 2), not a rejected token (exit 6).
   */
  @Override
  void check() {
    for (String p : required) {
      try {
        io.latchkey.NewToken.in("check").permission(p, true);
      } catch (io.latchkey.InvalidArgumentException e) {
        throw usage("-r/--require \"" + Render.oneLine(p) + "\" is not a permission name:"
            + e.getMessage().substring(e.field().length()));
      }
    }
    if (ip != null) {
      boolean address;
      try {
        io.latchkey.NewToken.in("check").allowIp(ip);
        address = !ip.contains("/");
      } catch (io.latchkey.InvalidArgumentException e) {
        address = false;
      }
      if (!address) {
        throw usage("--ip \"" + Render.oneLine(ip) + "\" is not an IPv4 or IPv6 address");
      }
    }
    if (token == null || token.equals("-")) token = readToken("Token (input hidden): ");
  }

  @Override
  int run(Session session) {
    ValidationResult result = session.latchkey().validator().validate(ValidationRequest.of(token)
        .clientIp(ip)
        .integration(integration)
        .workspace(workspace)
        .require(required.toArray(String[]::new))
        .recordUsage(recordUsage));
    Token principal = result.principalOrNull();
    Reason reason = result.reasonOrNull();
    if (json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("valid", result.isValid());
      out.put("reason", reason == null ? null : reason.name());
      out.put("httpStatus", result.httpStatus());
      out.put("message", result.publicMessage());
      out.put("token", principal == null ? null : Render.tokenJson(principal));
      printJson(out);
    } else if (principal != null) {
      println("VALID " + principal.id() + " (" + Render.oneLine(principal.name()) + ", workspace "
          + principal.workspace() + ", permissions " + Render.permissions(principal.permissions())
          + ")");
    } else {
      println("REJECTED " + reason + ": HTTP " + result.httpStatus() + " \""
          + result.publicMessage() + "\"");
    }
    if (result.isValid()) return ExitCode.OK;
    return reason == Reason.UNAVAILABLE ? ExitCode.STORE_UNAVAILABLE : ExitCode.REJECTED;
  }
}
