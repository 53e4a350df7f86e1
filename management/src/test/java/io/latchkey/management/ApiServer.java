package io.latchkey.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.spi.TokenStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Latchkey over a real backend, with the management API mounted at {@code /api} of a real HTTP
 * server on a free loopback port (the JDK HttpServer or, through {@link ManagementServlet}, an
 * embedded Tomcat: see {@link Mount}), and a client that speaks to it over HTTP.
 */
final class ApiServer implements AutoCloseable {
  static final String OPS = "ops";
  private static final ObjectMapper JSON = new ObjectMapper();

  final TokenStore store;
  final Latchkey latchkey;
  final ManagementApi api;
  private final Mount.Mounted mounted;
  private final HttpClient client = HttpClient.newHttpClient();
  final String base;

  ApiServer(Backend backend, Mount mount) {
    this(backend, mount, b -> { });
  }

  ApiServer(Backend backend, Mount mount, Consumer<ManagementApi.Builder> configure) {
    this.store = backend.open();
    this.latchkey = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
        .usageFlushInterval(Duration.ofHours(1)).build();
    ManagementApi.Builder b = ManagementApi.builder(latchkey).operatorWorkspace(OPS)
        .maxBodyBytes(16 * 1024);
    configure.accept(b);
    this.api = b.build();
    this.mounted = mount.mount(api);
    this.base = mounted.base();
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
    return send(method, path, token, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body), body != null, headers);
  }

  /** Sends the body chunked, without a Content-Length, as a client streaming it would. */
  Reply callChunked(String method, String path, String token, byte[] body) {
    return send(method, path, token, HttpRequest.BodyPublishers.ofInputStream(
        () -> new ByteArrayInputStream(body)), true, Map.of());
  }

  private Reply send(String method, String path, String token, HttpRequest.BodyPublisher body,
      boolean isJson, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body);
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (isJson) b.header("Content-Type", "application/json");
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
    mounted.close();
    latchkey.close();
    store.close();
  }
}
