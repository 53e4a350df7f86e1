package io.latchkey.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.management.ManagementApi;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The management API's {@code POST /verify} over real HTTP (JDK HttpServer, JDK HttpClient on
 * HTTP/1.1, one kept-alive connection per client thread) against an empty {@code 200} from the same
 * server: what checking a token over HTTP adds to the round trip itself. The token is cached after
 * the first call, as a busy token is; usage is recorded and flushed to the store as in
 * production. Run with {@code -t 1} (one connection) and {@code -t 2} (two concurrent clients):
 * {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main VerifyOverHttpBenchmark -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 3)
// Without TCP_NODELAY the JDK HttpServer writes a response's headers and body as two segments,
// and Nagle's algorithm holds the body until the client's delayed ACK: about 40 ms per response
// with a body. The property applies to both routes, so the comparison stays fair.
@Fork(value = 1, jvmArgsAppend = "-Dsun.net.httpserver.nodelay=true")
public class VerifyOverHttpBenchmark {
  @Param({"memory", Backends.POSTGRES})
  public String store;

  TokenStore tokenStore;
  Latchkey latchkey;
  HttpServer server;
  ExecutorService executor;
  String verifyBody;
  String base;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    tokenStore = store.equals("memory") ? new InMemoryTokenStore()
        : JdbcTokenStore.builder().jdbcUrl(Backends.postgresUrl())
            .tablePrefix("bv" + ThreadLocalRandom.current().nextInt(1_000_000) + "_").build();
    latchkey = Latchkey.builder().store(tokenStore).hashingKey(HashingKey.generate("k1")).build();
    String token = latchkey.tokens().issue(NewToken.in("ws").name("service")
        .permission("orders:read", true).allowIp("127.0.0.0/8")).secret();
    verifyBody = "{\"token\":\"" + token + "\",\"client_ip\":\"127.0.0.1\","
        + "\"permissions\":[\"orders:read\"],\"integration\":\"bench\"}";
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/api", ManagementApi.builder(latchkey).build().httpHandler());
    server.createContext("/empty", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(200, -1);
      }
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.stop(0);
    executor.shutdownNow();
    latchkey.close();
    tokenStore.close();
  }

  /** One client per benchmark thread: its own connection. */
  @State(Scope.Thread)
  public static class Client {
    HttpClient http;
    HttpRequest verify;
    HttpRequest empty;

    @Setup(Level.Trial)
    public void setUp(VerifyOverHttpBenchmark b) throws Exception {
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      verify = HttpRequest.newBuilder(URI.create(b.base + "/api/verify"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(b.verifyBody)).build();
      empty = HttpRequest.newBuilder(URI.create(b.base + "/empty")).GET().build();
      HttpResponse<String> first = http.send(verify, HttpResponse.BodyHandlers.ofString());
      if (!first.body().contains("\"valid\":true")) {
        throw new IllegalStateException("verify did not accept the token: " + first.body());
      }
    }
  }

  @Benchmark
  public String verify(Client c) throws Exception {
    return c.http.send(c.verify, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Benchmark
  public int empty(Client c) throws Exception {
    return c.http.send(c.empty, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
