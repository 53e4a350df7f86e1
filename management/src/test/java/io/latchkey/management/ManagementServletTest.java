package io.latchkey.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import io.latchkey.Latchkey;
import io.latchkey.store.memory.InMemoryTokenStore;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What is particular to {@link ManagementServlet} (the routes themselves run through it in {@code
 * ServletManagementApiTest} and {@code ServletSeedWorkflowsTest}): the {@code web.xml} way of
 * creating it, and mappings other than a path prefix, in a real Tomcat over HTTP.
 */
class ManagementServletTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private InMemoryTokenStore store;
  private Latchkey latchkey;
  private ManagementApi api;
  private Context context;

  @BeforeEach
  void start() {
    store = new InMemoryTokenStore();
    latchkey = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1")).build();
    api = ManagementApi.builder(latchkey).build();
  }

  @AfterEach
  void stop() {
    if (context != null) Mount.tomcat().getHost().removeChild(context);
    latchkey.close();
    store.close();
  }

  /** A web application at {@code path}, configured before it starts, as a container does. */
  private Context deploy(String path, Consumer<Context> configure) {
    StandardContext c = new StandardContext();
    c.setName(path);
    c.setPath(path);
    c.addLifecycleListener(new Tomcat.FixContextListener());
    configure.accept(c);
    Mount.tomcat().getHost().addChild(c); // starts it
    context = c;
    return c;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void webXml_byClassName_takesTheApiFromTheContextAttribute() throws Exception {
    deploy("/webxml", c -> {
      // What a ServletContextListener of the host does before the servlet starts.
      c.addServletContainerInitializer(
          (classes, ctx) -> ctx.setAttribute(ManagementServlet.API_ATTRIBUTE, api), null);
      Tomcat.addServlet(c, "latchkey", ManagementServlet.class.getName()).setLoadOnStartup(1);
      c.addServletMappingDecoded("/latchkey/*", "latchkey");
    });

    HttpResponse<String> r = get(Mount.tomcatBase() + "/webxml/latchkey/openapi.json");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"openapi\"");
    assertThat(get(Mount.tomcatBase() + "/webxml/latchkey/workspaces/a/tokens").body())
        .contains("\"code\":\"unauthenticated\"");
  }

  @Test
  void init_withoutApi_failsNamingTheAttribute() {
    ServletContext servletContext = deploy("/noapi", c -> { }).getServletContext();
    ManagementServlet servlet = new ManagementServlet();

    assertThatThrownBy(() -> servlet.init(config(servletContext)))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining(ManagementServlet.API_ATTRIBUTE);
    assertThatThrownBy(() -> new ManagementServlet(null))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("api");
  }

  @Test
  void mappedAsTheDefaultServlet_theWholePathIsTheRoute() throws Exception {
    deploy("/whole", c -> {
      Tomcat.addServlet(c, "latchkey", new ManagementServlet(api));
      c.addServletMappingDecoded("/", "latchkey");
    });

    assertThat(get(Mount.tomcatBase() + "/whole/openapi.json").statusCode()).isEqualTo(200);
    assertThat(get(Mount.tomcatBase() + "/whole/nowhere").body())
        .contains("\"code\":\"not_found\"");
  }

  private static ServletConfig config(ServletContext context) {
    return new ServletConfig() {
      @Override
      public String getServletName() {
        return "latchkey";
      }

      @Override
      public ServletContext getServletContext() {
        return context;
      }

      @Override
      public String getInitParameter(String name) {
        return null;
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.emptyEnumeration();
      }
    };
  }
}
