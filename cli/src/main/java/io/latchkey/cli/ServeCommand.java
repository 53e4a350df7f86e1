package io.latchkey.cli;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenQuery;
import io.latchkey.management.ManagementApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the demo HTTP service on 127.0.0.1, guarded by the validator.",
        "  GET /whoami   any valid token: its principal",
        "  GET /reports  needs " + DemoService.READ,
        "  POST /admin   needs " + DemoService.ADMIN,
        "  /manage/...   the management API, with --management (off by default)",
        "Issue tokens for it with issue; see demo for a guided tour."})
final class ServeCommand extends ServiceCommand {
  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port on 127.0.0.1; 0 for any free one. Default: ${DEFAULT-VALUE}")
  int port = 8080;

  @Option(names = "--management",
      description = "Also serve the management API under /manage (REST/JSON; see its OpenAPI"
          + " document at /manage/openapi.json). The first start prints an operator token once.")
  boolean management;

  @Option(names = "--operator-workspace", paramLabel = "WORKSPACE", defaultValue = "latchkey-ops",
      description = "With --management: the workspace whose tokens manage every workspace."
          + " Default: ${DEFAULT-VALUE}")
  String operatorWorkspace = "latchkey-ops";

  @Override
  int port() {
    return port;
  }

  @Override
  void started(Session session, DemoService service) {
    if (json()) {
      java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("url", service.baseUri().toString());
      out.put("store", session.storeDescription());
      java.util.Map<String, Object> routes = new java.util.LinkedHashMap<>();
      routes.put("GET /whoami", "any valid token");
      routes.put("GET /reports", DemoService.READ);
      routes.put("POST /admin", DemoService.ADMIN);
      out.put("routes", routes);
      printJson(out);
      return;
    }
    println("latchkey serve: listening on " + service.baseUri() + " (store: "
        + session.storeDescription() + "; Ctrl-C stops it)");
    println("  GET " + service.baseUri() + "/whoami   any valid token");
    println("  GET " + service.baseUri() + "/reports  needs " + DemoService.READ);
    println("  POST " + service.baseUri() + "/admin   needs " + DemoService.ADMIN);
    if (management) mountManagement(session, service);
  }

  private void mountManagement(Session session, DemoService service) {
    service.mount("/manage", ManagementApi.builder(session.latchkey())
        .operatorWorkspace(operatorWorkspace).build().httpHandler());
    println("  " + service.baseUri() + "/manage/...  the management API (operator workspace "
        + operatorWorkspace + "; document: /manage/openapi.json)");
    // Set up once: the first operator token is printed here and never again.
    if (session.tokens().list(TokenQuery.in(operatorWorkspace).limit(1)).tokens().isEmpty()) {
      IssuedToken operator = session.tokens().issue(NewToken.in(operatorWorkspace)
          .name("operator").permission(ManagementApi.READ, true)
          .permission(ManagementApi.WRITE, true));
      println("operator token (shown once, keep it secret): " + operator.secret());
    } else {
      println("operator workspace " + operatorWorkspace + " has tokens; to make another: issue -w "
          + operatorWorkspace + " -n operator -p " + ManagementApi.READ + " -p "
          + ManagementApi.WRITE);
    }
  }
}
