package io.latchkey.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.spi.TokenStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Latchkey over a real backend, with the management API mounted at {@code /api} of a JDK
 * HttpServer on a free loopback port, and a client that speaks to it over HTTP.
 */
final class ApiServer implements AutoCloseable {
  static final String OPS = "ops";
  private static final ObjectMapper JSON = new ObjectMapper();

  final TokenStore store;
  final Latchkey latchkey;
  final ManagementApi api;
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  final String base;

  ApiServer(Backend backend) {
    this.store = backend.open();
    this.latchkey = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
        .usageFlushInterval(Duration.ofHours(1)).build();
    this.api = ManagementApi.builder(latchkey).operatorWorkspace(OPS).maxBodyBytes(16 * 1024)
        .build();
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/api", api.httpHandler());
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
  }

  /** Issues a token directly (as a host's setup would) and returns its plaintext. */
  String token(String workspace, String name, String... permissions) {
    NewToken spec = NewToken.in(workspace).name(name);
    for (String p : permissions) spec.permission(p, true);
    return latchkey.tokens().issue(spec).secret();
  }

  /** An admin of the workspace: read and write. */
  String admin(String workspace) {
    return token(workspace, "admin of " + workspace, ManagementApi.READ, ManagementApi.WRITE);
  }

  record Reply(int status, JsonNode json, Map<String, String> headers) {
    String error() {
      return json.path("error").path("code").asText(null);
    }

    String field() {
      JsonNode f = json.path("error").path("field");
      return f.isNull() || f.isMissingNode() ? null : f.asText();
    }
  }

  Reply call(String method, String path, String token, String body) {
    return call(method, path, token, body, Map.of());
  }

  Reply call(String method, String path, String token, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body != null) b.header("Content-Type", "application/json");
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
      Map<String, String> h = new LinkedHashMap<>();
      r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(), v.get(0)));
      return new Reply(r.statusCode(), json, h);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    latchkey.close();
    store.close();
  }
}
