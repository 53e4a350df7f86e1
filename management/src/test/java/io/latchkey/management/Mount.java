package io.latchkey.management;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The servers the management API is mounted in for the HTTP scenario tests: the JDK {@code
 * HttpServer} ({@link ManagementApi#httpHandler()}, as {@code latchkey serve} runs it) and a real
 * Tomcat through {@link ManagementServlet}, mapped at {@code /api/*} of a context of its own.
 */
enum Mount {
  JDK {
    @Override
    Mounted mount(ManagementApi api) {
      HttpServer server;
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext("/api", api.httpHandler());
      server.start();
      return new Mounted("http://127.0.0.1:" + server.getAddress().getPort() + "/api",
          () -> server.stop(0));
    }
  },

  SERVLET {
    @Override
    Mounted mount(ManagementApi api) {
      Tomcat tomcat = tomcat();
      // One Tomcat per test JVM; each server is a web application of its own (a context path),
      // so the servlet also sees a context path and a servlet path before its route.
      String path = "/app" + CONTEXTS.incrementAndGet();
      Context context = tomcat.addContext(tomcat.getHost(), path, null);
      Tomcat.addServlet(context, "latchkey", new ManagementServlet(api));
      context.addServletMappingDecoded("/api/*", "latchkey");
      return new Mounted(tomcatBase() + path + "/api",
          () -> tomcat.getHost().removeChild(context));
    }
  };

  /** A mounted API: its base URL and how to take it down. */
  record Mounted(String base, Runnable stop) implements AutoCloseable {
    @Override
    public void close() {
      stop.run();
    }
  }

  abstract Mounted mount(ManagementApi api);

  private static final AtomicInteger CONTEXTS = new AtomicInteger();
  private static Tomcat tomcat;
  private static int port;

  /** {@code http://127.0.0.1:<port>} of the shared Tomcat. */
  static synchronized String tomcatBase() {
    tomcat();
    return "http://127.0.0.1:" + port;
  }

  /** The Tomcat shared by every servlet-mounted test in this JVM, started on first use. */
  static synchronized Tomcat tomcat() {
    if (tomcat == null) {
      try {
        Tomcat t = new Tomcat();
        t.setBaseDir(Files.createTempDirectory("latchkey-mgmt-tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        t.setConnector(connector);
        t.getHost().setAutoDeploy(false);
        t.start();
        port = connector.getLocalPort();
        tomcat = t;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            t.stop();
            t.destroy();
          } catch (LifecycleException ignored) {
            // exiting
          }
        }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (LifecycleException e) {
        throw new IllegalStateException(e);
      }
    }
    return tomcat;
  }
}
