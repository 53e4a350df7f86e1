package io.latchkey.benchmarks.http;

import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.RequestAuthenticator;
import io.latchkey.servlet.LatchkeyFilter;
import io.latchkey.store.memory.InMemoryTokenStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One embedded Tomcat, one servlet, two paths: {@code /open/hello} without the filter and {@code
 * /api/hello} behind {@link LatchkeyFilter} with a required permission (token cached, in-memory
 * store). Latency per request over real HTTP on loopback; the ratio is the filter's cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServletFilterHttpBenchmark {
  Tomcat tomcat;
  InMemoryTokenStore store;
  Latchkey latchkey;
  HttpRequest open;
  HttpRequest guarded;

  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.setContentType("text/plain");
      res.getWriter().write("hello");
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    store = new InMemoryTokenStore();
    latchkey = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
        .usageFlushInterval(Duration.ofHours(1)).build();
    String token = latchkey.tokens().issue(NewToken.in("bench").name("bench")
        .permission("bench:read", true)).secret();
    LatchkeyFilter filter = LatchkeyFilter.builder(
            RequestAuthenticator.builder().validator(latchkey.validator()).build())
        .require("GET", "/api/**", "bench:read").build();

    tomcat = new Tomcat();
    String base = Files.createTempDirectory("latchkey-bench").toString();
    tomcat.setBaseDir(base);
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base);
    Tomcat.addServlet(context, "hello", new Hello());
    context.addServletMappingDecoded("/*", "hello");
    FilterDef def = new FilterDef();
    def.setFilterName("latchkey");
    def.setFilter(filter);
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("latchkey");
    map.addURLPattern("/api/*");
    context.addFilterMap(map);
    tomcat.start();
    String url = "http://127.0.0.1:" + connector.getLocalPort();
    open = Http.get(url + "/open/hello");
    guarded = Http.get(url + "/api/hello", "Authorization", "Bearer " + token);
    Http.send(open);
    Http.send(guarded);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    latchkey.close();
    store.close();
  }

  @Benchmark
  public int unprotected() throws Exception {
    return Http.send(open);
  }

  @Benchmark
  public int latchkeyFilter() throws Exception {
    return Http.send(guarded);
  }
}
