package io.latchkey.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run the demo HTTP service on 127.0.0.1, guarded by the validator.",
        "  GET /whoami   any valid token: its principal",
        "  GET /reports  needs " + DemoService.READ,
        "  POST /admin   needs " + DemoService.ADMIN,
        "Issue tokens for it with issue; see demo for a guided tour."})
final class ServeCommand extends ServiceCommand {
  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port on 127.0.0.1; 0 for any free one. Default: ${DEFAULT-VALUE}")
  int port = 8080;

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
  }
}
