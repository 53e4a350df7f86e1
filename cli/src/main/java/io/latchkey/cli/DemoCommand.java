package io.latchkey.cli;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start the demo service, issue two tokens for it and print curl lines that"
        + " show a request accepted and rejected. The demo tokens are deleted when it stops."})
final class DemoCommand extends ServiceCommand {
  static final String WORKSPACE = "demo";

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
      description = "Port on 127.0.0.1. Default: any free one")
  int port;

  private final List<IssuedToken> issued = new ArrayList<>();

  @Override
  int port() {
    return port;
  }

  /** The metadata key naming the demo process that issued a token, so another demo spares it. */
  static final String OWNER = "demo-pid";

  @Override
  void beforeStart(Session session) {
    TokenManager tokens = session.tokens();
    // A demo killed hard (kill -9) leaves its tokens: clear them, but only those of a demo that
    // is gone. A demo still running in this directory keeps its tokens.
    for (io.latchkey.Token left : tokens.list(io.latchkey.TokenQuery.in(WORKSPACE)
        .nameContains("demo-").limit(io.latchkey.TokenQuery.MAX_LIMIT)).tokens()) {
      boolean demoToken = left.name().equals("demo-reader") || left.name().equals("demo-disabled");
      if (demoToken && !ownerAlive(left.metadata().get(OWNER))) tokens.delete(left.id());
    }
    String pid = String.valueOf(ProcessHandle.current().pid());
    issued.add(tokens.issue(NewToken.in(WORKSPACE).name("demo-reader")
        .description("issued by latchkey demo").metadata(java.util.Map.of(OWNER, pid))
        .permission(DemoService.READ, true)));
    IssuedToken disabled = tokens.issue(NewToken.in(WORKSPACE).name("demo-disabled")
        .description("issued by latchkey demo").metadata(java.util.Map.of(OWNER, pid))
        .permission(DemoService.READ, true));
    issued.add(disabled);
    tokens.disable(disabled.id());
  }

  /**
   * Whether the demo that issued a token still runs: its process is alive and is a java process
   * (a reused pid of something else does not count). Tokens from before the marker have none.
   */
  private static boolean ownerAlive(@org.jspecify.annotations.Nullable String pid) {
    if (pid == null) return false;
    try {
      long n = Long.parseLong(pid);
      return ProcessHandle.of(n).filter(ProcessHandle::isAlive)
          .map(h -> h.info().command().map(c -> c.contains("java")).orElse(true))
          .orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  @Override
  void started(Session session, DemoService service) {
    String url = service.baseUri().toString();
    IssuedToken reader = issued.get(0);
    IssuedToken disabled = issued.get(1);
    String storeUrl = root().store != null ? root().store : ctx().env(Session.ENV_STORE);
    boolean inProcess = Stores.MEMORY.equalsIgnoreCase(storeUrl);
    if (json()) {
      // One object for scripts: where it listens and the two tokens (shown this once).
      java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("url", url);
      out.put("store", session.storeDescription());
      out.put("workspace", WORKSPACE);
      java.util.List<Object> tokens = new ArrayList<>();
      for (IssuedToken t : issued) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("role", t == reader ? "reader" : "disabled");
        m.put("id", t.id().value());
        m.put("token", t.secret());
        m.put("state", t == reader ? "ACTIVE" : "DISABLED");
        m.put("permissions", java.util.List.of(DemoService.READ));
        tokens.add(m);
      }
      out.put("tokens", tokens);
      out.put("disableReader", inProcess ? null : invocation() + " disable " + reader.id());
      printJson(out);
      return;
    }
    String bearer = "-H 'Authorization: Bearer ";
    println("Latchkey demo service listening on " + url);
    println("Store: " + session.storeDescription() + ". Ctrl-C stops the demo and deletes its"
        + " tokens.");
    println("");
    println("Issued two tokens in workspace \"" + WORKSPACE + "\" (shown this once):");
    println("  reader    " + reader.secret() + "  id " + reader.id() + ", grants "
        + DemoService.READ);
    println("  disabled  " + disabled.secret() + "  id " + disabled.id() + ", disabled");
    println("");
    println("Try:");
    println("  # accepted (200): the reader on a route that needs " + DemoService.READ);
    println("  curl -i " + bearer + reader.secret() + "' " + url + "/reports");
    println("  # who am I (200): the token's principal");
    println("  curl -i " + bearer + reader.secret() + "' " + url + "/whoami");
    println("  # wrong permission (403 insufficient_scope): /admin needs " + DemoService.ADMIN);
    println("  curl -i -X POST " + bearer + reader.secret() + "' " + url + "/admin");
    println("  # disabled token (401 invalid_token)");
    println("  curl -i " + bearer + disabled.secret() + "' " + url + "/reports");
    println("  # no token (401)");
    println("  curl -i " + url + "/reports");
    println("");
    if (inProcess) {
      println("The store lives in this process only, so another terminal cannot change it;"
          + " run the demo without --store memory: to try disabling the reader from outside.");
      return;
    }
    println("Then disable the reader from another terminal in this directory; within "
        + cacheTtl.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
        + " the first curl answers 401:");
    println("  " + invocation() + " disable " + reader.id());
  }

  @Override
  void afterStop(Session session) {
    for (IssuedToken t : issued) {
      try {
        session.tokens().delete(t.id());
      } catch (RuntimeException e) {
        // Already deleted from another terminal, or the store went away: nothing left to do.
      }
    }
  }
}
