package io.latchkey.management;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The management API as a Jakarta Servlet (6.0 or later), for a host to map under a path of its
 * application, e.g. {@code /latchkey/*}: every route, the OpenAPI document, the error bodies, the
 * 413 for an oversized body and the authorization are those of {@link ManagementApi#handle}; the
 * path below the mapping is the route.
 *
 * <p>Registered in code, with the API:
 *
 * <pre>{@code
 * servletContext.addServlet("latchkey", new ManagementServlet(api)).addMapping("/latchkey/*");
 * }</pre>
 *
 * <p>or declared in {@code web.xml} by class name, in which case it takes the {@link
 * ManagementApi} that the host put in the servlet context attribute {@link #API_ATTRIBUTE} (e.g.
 * from a {@code ServletContextListener}).
 *
 * <p>The API authenticates its callers itself with Latchkey tokens; do not put a filter that
 * requires a token (such as {@code LatchkeyFilter}) in front of the mapping, or {@code POST /verify}
 * and {@code GET /openapi.json}, which need none, are refused. The caller's address is {@code
 * getRemoteAddr()}: behind a reverse proxy, let the container rewrite it (e.g. Tomcat's {@code
 * RemoteIpValve}) so that tokens with an IP allowlist see the client.
 */
public final class ManagementServlet extends HttpServlet {
  /**
   * The servlet context attribute a servlet created by its no-argument constructor (from {@code
   * web.xml}) reads its {@link ManagementApi} from.
   */
  public static final String API_ATTRIBUTE = ManagementApi.class.getName();

  private static final long serialVersionUID = 1L;

  private transient @Nullable ManagementApi api;

  /**
   * A servlet that takes its API from the context attribute {@link #API_ATTRIBUTE} when the
   * container initializes it (the {@code web.xml} way).
   */
  public ManagementServlet() {
    this.api = null;
  }

  /**
   * A servlet serving this API (the {@code ServletContext.addServlet} way).
   *
   * @param api the management API to serve
   * @throws io.latchkey.InvalidArgumentException if {@code api} is null
   */
  public ManagementServlet(ManagementApi api) {
    if (api == null) throw new io.latchkey.InvalidArgumentException("api", "must not be null");
    this.api = api;
  }

  /**
   * Takes the API from the servlet context when none was passed to the constructor.
   *
   * @throws ServletException if there is neither
   */
  @Override
  public void init() throws ServletException {
    if (api != null) return;
    Object attribute = getServletContext().getAttribute(API_ATTRIBUTE);
    if (!(attribute instanceof ManagementApi fromContext)) {
      throw new ServletException("ManagementServlet needs a ManagementApi: pass one to its "
          + "constructor, or put one in the servlet context attribute " + API_ATTRIBUTE
          + " before the servlet starts (e.g. in a ServletContextListener)");
    }
    api = fromContext;
  }

  /**
   * Answers every method (including {@code PATCH}, which {@code HttpServlet} does not dispatch)
   * through {@link ManagementApi#handle}.
   *
   * @param request the request
   * @param response the response
   * @throws IOException if reading the body or writing the answer fails
   */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    ManagementApi served = api;
    if (served == null) {
      // Only when a host called service() on an instance the container never initialized.
      throw new IllegalStateException("ManagementServlet was not initialized");
    }
    Map<String, String> headers = new HashMap<>();
    Enumeration<String> names = request.getHeaderNames();
    while (names != null && names.hasMoreElements()) {
      String name = names.nextElement();
      String value = request.getHeader(name);
      if (value != null) headers.put(name, value);
    }
    ApiResponse answer = served.handle(new ApiRequest(request.getMethod(), routePath(request),
        request.getQueryString(), headers, body(request, served.maxBodyBytes()),
        request.getRemoteAddr()));
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    if (answer.body().length > 0) {
      // No Content-Length on a 204 (RFC 9110 forbids it), hence only with a body.
      response.setContentLength(answer.body().length);
      try (OutputStream out = response.getOutputStream()) {
        out.write(answer.body());
      }
    }
  }

  /** Reads at most {@code max + 1} bytes; a declared or actual larger body is {@code TOO_LARGE}. */
  private static byte[] body(HttpServletRequest request, int max) throws IOException {
    if (request.getContentLengthLong() > max) return ApiRequest.TOO_LARGE;
    try (InputStream in = request.getInputStream()) {
      byte[] body = in.readNBytes(max + 1);
      return body.length > max ? ApiRequest.TOO_LARGE : body;
    }
  }

  /**
   * The path below the servlet's mapping, in the encoded form {@link ApiRequest#path()} takes: the
   * container has already decoded and normalised it, and the API decodes each segment itself, so
   * each segment is encoded again (an exact round trip).
   */
  static String routePath(HttpServletRequest request) {
    String rest = request.getPathInfo();
    if (rest == null) {
      HttpServletMapping mapping = request.getHttpServletMapping();
      // Mapped as the default servlet ("/"), the whole path is the servlet path.
      rest = mapping != null && mapping.getMappingMatch() == MappingMatch.DEFAULT
          ? request.getServletPath() : "/";
    }
    StringBuilder b = new StringBuilder(rest.length() + 8);
    String[] segments = rest.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) b.append('/');
      b.append(URLEncoder.encode(segments[i], StandardCharsets.UTF_8));
    }
    String path = b.toString();
    return path.startsWith("/") ? path : "/" + path;
  }
}
