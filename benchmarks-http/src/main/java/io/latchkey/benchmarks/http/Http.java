package io.latchkey.benchmarks.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One HTTP/1.1 client over keep-alive connections, as a load generator would use. */
final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  private Http() {}

  static HttpRequest get(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (headers.length > 0) b.headers(headers);
    return b.build();
  }

  /** Sends and checks the status, so a misconfigured run cannot measure error pages. */
  static int send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<Void> r = CLIENT.send(request, HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(request.uri() + " answered " + r.statusCode());
    }
    return r.statusCode();
  }
}
