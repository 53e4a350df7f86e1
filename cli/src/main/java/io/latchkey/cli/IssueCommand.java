package io.latchkey.cli;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "issue", mixinStandardHelpOptions = true,
    description = {"Issue a token. Its plaintext is printed this once and never again."})
final class IssueCommand extends StoreCommand {
  @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "WORKSPACE",
      description = "The workspace (tenant, project, account) the token belongs to.")
  String workspace = "";

  @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME",
      description = "A short human name, e.g. the integration's.")
  String name = "";

  @Option(names = "--description", paramLabel = "TEXT", description = "A longer note.")
  @Nullable String description;

  @Option(names = {"-p", "--grant", "--permission"}, paramLabel = "PERMISSION",
      description = "Grant a permission, e.g. invoices:read. Repeatable.")
  List<String> grants = new ArrayList<>();

  @Option(names = "--deny", paramLabel = "PERMISSION",
      description = "Deny a permission explicitly. Repeatable.")
  List<String> denials = new ArrayList<>();

  @Option(names = "--allow-ip", paramLabel = "CIDR",
      description = "Allow use only from this IPv4/IPv6 address or range. Repeatable;"
          + " none: any address.")
  List<String> allowedIps = new ArrayList<>();

  @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Metadata. Repeatable.")
  Map<String, String> metadata = new LinkedHashMap<>();

  @ArgGroup(exclusive = true)
  @Nullable Expiry expiry;

  static final class Expiry {
    @Option(names = "--expires-in", paramLabel = "DURATION", converter = Converters.Span.class,
        description = "Lifetime, e.g. 90d or 12h. Default: the maximum, two years.")
    @Nullable Duration in;

    @Option(names = "--expires-at", paramLabel = "TIME", converter = Converters.When.class,
        description = "Expiry, e.g. 2026-01-31 or 2026-01-31T12:00:00Z.")
    @Nullable Instant at;
  }

  private @Nullable NewToken spec;

  /** Every argument is checked before the store is opened, let alone created. */
  @Override
  void check() {
    spec = spec();
  }

  @Override
  int run(Session session) {
    IssuedToken issued = session.tokens().issue(spec);
    if (json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("token", issued.secret());
      out.putAll(Render.tokenJson(issued.token()));
      printJson(out);
    } else {
      print(Render.tokenText(issued.token(), issued.secret()));
      ctx().err().println("latchkey issue: the token is shown only now; store it safely");
    }
    return ExitCode.OK;
  }

  private NewToken spec() {
    NewToken t = NewToken.in(workspace).name(name);
    if (description != null) t.description(description);
    for (String p : denials) {
      if (grants.contains(p)) {
        throw usage("\"" + Render.oneLine(p) + "\" is both granted (-p) and denied (--deny)");
      }
    }
    for (String p : grants) t.permission(p, true);
    for (String p : denials) t.permission(p, false);
    t.allowIps(allowedIps);
    t.metadata(metadata);
    if (expiry != null && expiry.in != null) t.expiresIn(expiry.in);
    if (expiry != null && expiry.at != null) t.expiresAt(expiry.at);
    return t;
  }
}
