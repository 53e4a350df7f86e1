package io.latchkey.benchmarks.http;

import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.RequestAuthenticator;
import io.latchkey.servlet.LatchkeyFilter;
import io.latchkey.store.memory.InMemoryTokenStore;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * One embedded Tomcat, one servlet, three paths: {@code /open/hello} without a filter, {@code
 * /noop/hello} behind a filter that only passes the request on (what any filter costs in Tomcat),
 * and {@code /api/hello} behind {@link LatchkeyFilter} with a required permission (token cached,
 * in-memory store, usage recorded).
 */
final class ServletServer implements AutoCloseable {
  final Tomcat tomcat;
  final InMemoryTokenStore store;
  final Latchkey latchkey;
  final HttpRequest open;
  final HttpRequest noop;
  final HttpRequest guarded;

  static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
      res.setContentType("text/plain");
      res.getWriter().write("hello");
    }
  }

  ServletServer() throws Exception {
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
    addFilter(context, "latchkey", filter, "/api/*");
    addFilter(context, "noop", (req, res, chain) -> chain.doFilter(req, res), "/noop/*");
    tomcat.start();
    String url = "http://127.0.0.1:" + connector.getLocalPort();
    open = Http.get(url + "/open/hello");
    noop = Http.get(url + "/noop/hello");
    guarded = Http.get(url + "/api/hello", "Authorization", "Bearer " + token);
    Http.send(open);
    Http.send(noop);
    Http.send(guarded);
  }

  private static void addFilter(Context context, String name, Filter filter, String pattern) {
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    def.setFilter(filter);
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    map.addURLPattern(pattern);
    context.addFilterMap(map);
  }

  @Override
  public void close() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    latchkey.close();
    store.close();
  }
}
