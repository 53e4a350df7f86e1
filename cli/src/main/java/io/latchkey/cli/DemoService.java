package io.latchkey.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.latchkey.AuthResult;
import io.latchkey.HttpRequestView;
import io.latchkey.RequestAuthenticator;
import io.latchkey.Token;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP service on the JDK's built-in server, guarded by {@link RequestAuthenticator}: what a
 * host does with Latchkey, in one page. It listens on 127.0.0.1 only.
 *
 * <ul>
 *   <li>{@code GET /} lists the routes (no token needed)
 *   <li>{@code GET /whoami} any valid token: returns its principal
 *   <li>{@code GET /reports} needs {@code reports:read}
 *   <li>{@code POST /admin} needs {@code admin:write}
 * </ul>
 *
 * <p>Another method on a route is answered 405 with {@code Allow}; every error body is {@code
 * {"error": ..., "message": ...}}.
 */
final class DemoService implements AutoCloseable {
  static final String READ = "reports:read";
  static final String ADMIN = "admin:write";

  private final HttpServer server;
  private final ExecutorService executor;
  private final RequestAuthenticator auth;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private DemoService(HttpServer server, ExecutorService executor, RequestAuthenticator auth) {
    this.server = server;
    this.executor = executor;
    this.auth = auth;
  }

  /**
   * Starts listening on 127.0.0.1.
   *
   * @param port the port, or 0 for any free one
   * @throws IOException if the port cannot be bound
   */
  static DemoService start(RequestAuthenticator auth, int port) throws IOException {
    InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 64);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "latchkey-demo-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    DemoService service = new DemoService(server, executor, auth);
    server.createContext("/", service::handle);
    server.setExecutor(executor);
    server.start();
    return service;
  }

  /** Serves {@code handler} under {@code path} too, next to the demo routes. */
  void mount(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** Blocks until {@link #close()} or the timeout; true if closed. */
  boolean awaitClose(long millis) throws InterruptedException {
    if (millis <= 0) {
      stopped.await();
      return true;
    }
    return stopped.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Stops listening and lets requests in flight finish for up to a second. Idempotent. */
  @Override
  public void close() {
    if (stopped.getCount() == 0) return;
    stopped.countDown();
    server.stop(1);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      switch (path) {
        case "/" -> {
          if (allowed(exchange, method, "GET")) send(exchange, 200, Map.of(), index());
        }
        case "/whoami" -> {
          if (allowed(exchange, method, "GET")) guarded(exchange, p -> whoami(p, exchange));
        }
        case "/reports" -> {
          if (allowed(exchange, method, "GET")) guarded(exchange, p -> reports(p), READ);
        }
        case "/admin" -> {
          if (allowed(exchange, method, "POST")) {
            guarded(exchange, p -> Map.of("ok", true, "by", p.name()), ADMIN);
          }
        }
        default -> send(exchange, 404, Map.of(),
            error("not_found", "No such route; GET / lists them."));
      }
    } catch (RuntimeException e) {
      // One broken request must not take the demo down; the caller gets a 500.
      send(exchange, 500, Map.of(), error("internal_error", "The demo service failed."));
    }
  }

  /**
   * Whether the route answers this method (GET routes answer HEAD too); if not, answers 405 with
   * {@code Allow}, before any token is looked at.
   */
  private static boolean allowed(HttpExchange exchange, String method, String routeMethod)
      throws IOException {
    if (method.equals(routeMethod) || (routeMethod.equals("GET") && method.equals("HEAD"))) {
      return true;
    }
    String allow = routeMethod.equals("GET") ? "GET, HEAD" : routeMethod;
    send(exchange, 405, Map.of("Allow", allow), error("method_not_allowed",
        "This route answers " + allow + " only."));
    return false;
  }

  /** Every error body the demo writes has the authenticator's shape: error, then message. */
  private static Map<String, Object> error(String code, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", code);
    m.put("message", message);
    return m;
  }

  private interface Route {
    Object respond(Token principal);
  }

  /** The whole integration: authenticate, answer the rejection as given, or serve. */
  private void guarded(HttpExchange exchange, Route route, String... required) throws IOException {
    HttpRequestView view = HttpRequestView.of(exchange.getRequestHeaders(),
        exchange.getRemoteAddress().getAddress().getHostAddress());
    AuthResult result = auth.authenticate(view, required);
    if (!result.isAuthenticated()) {
      sendRaw(exchange, result.status(), result.headers(), result.jsonBody());
      return;
    }
    send(exchange, 200, Map.of("Cache-Control", "no-store"),
        route.respond(result.principalOrNull()));
  }

  private static Map<String, Object> index() {
    Map<String, Object> routes = new LinkedHashMap<>();
    routes.put("GET /whoami", "any valid token: its principal");
    routes.put("GET /reports", "needs " + READ);
    routes.put("POST /admin", "needs " + ADMIN);
    return Map.of("service", "latchkey demo", "routes", routes);
  }

  private static Map<String, Object> whoami(Token p, HttpExchange exchange) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id().value());
    m.put("workspace", p.workspace());
    m.put("name", p.name());
    m.put("permissions", new TreeSet<>(p.grantedPermissions()));
    m.put("expiresAt", p.expiresAt().toString());
    m.put("metadata", p.metadata());
    m.put("clientIp", exchange.getRemoteAddress().getAddress().getHostAddress());
    return m;
  }

  private static Map<String, Object> reports(Token p) {
    return Map.of("readBy", p.name(), "reports", List.of(
        Map.of("id", 1, "title", "Q1 revenue"),
        Map.of("id", 2, "title", "Q2 revenue")));
  }

  private static void send(HttpExchange exchange, int status, Map<String, String> headers,
      Object body) throws IOException {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Content-Type", "application/json; charset=utf-8");
    sendRaw(exchange, status, all, Render.json(body));
  }

  private static void sendRaw(HttpExchange exchange, int status, Map<String, String> headers,
      @Nullable String body) throws IOException {
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    byte[] bytes = body == null ? new byte[0] : (body + "\n").getBytes(StandardCharsets.UTF_8);
    boolean head = "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
    if (!head && bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
