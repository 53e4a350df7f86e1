package io.latchkey.servlet;

import io.latchkey.AuthResult;
import io.latchkey.HttpRequestView;
import io.latchkey.InvalidArgumentException;
import io.latchkey.RequestAuthenticator;
import io.latchkey.Token;
import io.latchkey.TokenPrincipal;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A Jakarta Servlet filter that lets a request through only with a valid Latchkey token. It asks
 * core's {@link RequestAuthenticator} (which reads the token, the client address behind trusted
 * proxies and the integration name), and either answers the rejection as the authenticator wrote
 * it (401/403/503, RFC 6750 {@code WWW-Authenticate}, a small JSON body) or passes the request on
 * with the token as {@link HttpServletRequest#getUserPrincipal()} (a {@link TokenPrincipal}),
 * {@code isUserInRole(p)} answering whether the token grants permission {@code p}, and the
 * {@link Token} in the request attribute {@link #TOKEN_ATTRIBUTE}.
 *
 * <pre>{@code
 * LatchkeyFilter filter = LatchkeyFilter.builder(authenticator)
 *     .require("GET", "/invoices/**", "invoices:read")
 *     .require("*", "/invoices/**", "invoices:write")
 *     .build();
 * servletContext.addFilter("latchkey", filter).addMappingForUrlPatterns(null, false, "/api/*");
 * }</pre>
 *
 * <p>The permissions a request needs are those of the first route rule that matches its method and
 * path, plus any that a framework put in the request attribute {@link
 * #REQUIRED_PERMISSIONS_ATTRIBUTE} before this filter ran. No rule and no attribute: any valid
 * token passes. Stateless: it never creates a session. Immutable and thread-safe.
 */
public final class LatchkeyFilter implements Filter {
  /** The request attribute holding the validated {@link Token}. */
  public static final String TOKEN_ATTRIBUTE = "io.latchkey.Token";
  /**
   * A request attribute a framework may set to the permissions a request needs: a {@code String},
   * a {@code String[]} or a {@code Collection<String>}.
   */
  public static final String REQUIRED_PERMISSIONS_ATTRIBUTE = "io.latchkey.requiredPermissions";
  /** The authentication scheme {@code getAuthType()} answers. */
  public static final String AUTH_TYPE = "Bearer";

  private static final String[] NO_PERMISSIONS = new String[0];

  private final RequestAuthenticator authenticator;
  private final Rule[] rules;

  private LatchkeyFilter(RequestAuthenticator authenticator, List<Rule> rules) {
    this.authenticator = authenticator;
    this.rules = rules.toArray(Rule[]::new);
  }

  /**
   * A filter over the authenticator with no route rules yet.
   *
   * @param authenticator reads, validates and authorizes the request's token
   * @return a builder
   * @throws InvalidArgumentException if the authenticator is null
   */
  public static Builder builder(RequestAuthenticator authenticator) {
    if (authenticator == null) {
      throw new InvalidArgumentException("authenticator", "must not be null");
    }
    return new Builder(authenticator);
  }

  /**
   * A filter that lets any valid token through.
   *
   * @param authenticator reads and validates the request's token
   * @return a filter with no route rules
   * @throws InvalidArgumentException if the authenticator is null
   */
  public static LatchkeyFilter of(RequestAuthenticator authenticator) {
    return builder(authenticator).build();
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    // One object per request: the view the authenticator reads and, once a token is accepted, the
    // request the application sees (its principal made only if asked for).
    Authenticated wrapped = new Authenticated(request);
    AuthResult result = authenticator.authenticate(wrapped, requiredPermissions(request));
    Token token = result.principalOrNull();
    if (token == null) {
      writeRejection(result, response);
      return;
    }
    wrapped.token = token;
    request.setAttribute(TOKEN_ATTRIBUTE, token);
    chain.doFilter(wrapped, response);
  }

  /**
   * The permissions of the first matching rule and of the request attribute. Without the
   * attribute, the rule's own array (built once), so nothing is allocated here per request.
   */
  String[] requiredPermissions(HttpServletRequest request) {
    String[] fromRule = NO_PERMISSIONS;
    if (rules.length > 0) {
      String path = pathInApplication(request);
      String method = request.getMethod();
      for (Rule rule : rules) {
        if (rule.matches(method, path)) {
          fromRule = rule.permissions;
          break;
        }
      }
    }
    Object fromFramework = request.getAttribute(REQUIRED_PERMISSIONS_ATTRIBUTE);
    if (fromFramework == null) return fromRule;
    Set<String> required = new LinkedHashSet<>(List.of(fromRule));
    if (fromFramework instanceof String s) {
      required.add(s);
    } else if (fromFramework instanceof String[] array) {
      for (String s : array) if (s != null) required.add(s);
    } else if (fromFramework instanceof Collection<?> collection) {
      for (Object o : collection) if (o instanceof String s) required.add(s);
    }
    return required.toArray(String[]::new);
  }

  private static String pathInApplication(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    // Usually one of the two is empty (a "/*" or an exact mapping): no concatenation then.
    if (pathInfo == null || pathInfo.isEmpty()) {
      return servletPath == null || servletPath.isEmpty() ? "/" : servletPath;
    }
    if (servletPath == null || servletPath.isEmpty()) return pathInfo;
    return servletPath + pathInfo;
  }

  /**
   * Writes a rejection as the authenticator composed it: status, headers and JSON body. Other
   * integrations on servlets (Spring Security) answer through this too, so every answer is the same.
   * Does nothing once the response is committed.
   *
   * @param result the authenticator's answer: 401, 403 or 503
   * @param response the response to write it to
   * @throws IOException if the body cannot be written to the client
   */
  public static void writeRejection(AuthResult result, HttpServletResponse response)
      throws IOException {
    if (response.isCommitted()) return;
    response.resetBuffer();
    response.setStatus(result.status());
    for (Map.Entry<String, String> h : result.headers().entrySet()) {
      response.setHeader(h.getKey(), h.getValue());
    }
    String body = result.jsonBody();
    if (body != null) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.setContentLength(bytes.length);
      response.getOutputStream().write(bytes);
    }
    response.flushBuffer();
  }

  /**
   * The authenticator this filter asks.
   *
   * @return the authenticator given to the builder
   */
  public RequestAuthenticator authenticator() {
    return authenticator;
  }

  @Override
  public String toString() {
    return "LatchkeyFilter[" + authenticator + ", rules=" + List.of(rules) + "]";
  }

  /**
   * The request as the authenticator reads it ({@link HttpRequestView}) and, once {@link #token}
   * is set, as the application sees it. Used by one thread for one request.
   */
  private static final class Authenticated extends HttpServletRequestWrapper
      implements HttpRequestView {
    private final HttpServletRequest request;
    @Nullable Token token;
    private @Nullable TokenPrincipal principal;

    Authenticated(HttpServletRequest request) {
      super(request);
      this.request = request;
    }

    @Override
    public @Nullable String header(String name) {
      return ServletRequestView.header(request, name);
    }

    @Override
    public @Nullable String remoteAddress() {
      return request.getRemoteAddr();
    }

    @Override
    public @Nullable Principal getUserPrincipal() {
      Token t = token;
      if (t == null) return null;
      TokenPrincipal p = principal;
      if (p == null) principal = p = new TokenPrincipal(t);
      return p;
    }

    @Override
    public @Nullable String getRemoteUser() {
      Token t = token;
      return t == null ? null : t.id().value();
    }

    @Override
    public @Nullable String getAuthType() {
      return token == null ? null : AUTH_TYPE;
    }

    @Override
    public boolean isUserInRole(String permission) {
      Token t = token;
      return t != null && permission != null && t.granted(permission);
    }
  }

  private record Rule(@Nullable String method, PathPattern pattern, String[] permissions) {
    boolean matches(String requestMethod, String path) {
      return (method == null || method.equalsIgnoreCase(requestMethod)) && pattern.matches(path);
    }

    @Override
    public String toString() {
      return (method == null ? "*" : method) + " " + pattern + " -> " + List.of(permissions);
    }
  }

  /** Configures a {@link LatchkeyFilter}: route rules, checked in the order added. */
  public static final class Builder {
    private final RequestAuthenticator authenticator;
    private final List<Rule> rules = new ArrayList<>();

    private Builder(RequestAuthenticator authenticator) {
      this.authenticator = authenticator;
    }

    /**
     * Requests with this method ({@code *} for any) on paths matching the pattern need every
     * permission listed (none: any valid token). The first matching rule applies.
     *
     * @param method an HTTP method such as {@code GET}, or {@code *} for any
     * @param pathPattern the paths the rule covers, e.g. {@code /invoices/**}
     * @param permissions every permission the token must grant
     * @return this builder
     * @throws InvalidArgumentException naming {@code method}, {@code pathPattern} or {@code
     *     permissions}
     */
    public Builder require(String method, String pathPattern, String... permissions) {
      if (method == null || method.isEmpty() || !method.chars().allMatch(
          c -> c == '*' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        throw new InvalidArgumentException("method", "must be an HTTP method or '*'");
      }
      PathPattern pattern = PathPattern.parse(pathPattern);
      if (permissions == null) {
        throw new InvalidArgumentException("permissions", "must not be null");
      }
      for (String p : permissions) {
        if (p == null || p.isBlank()) {
          throw new InvalidArgumentException("permissions", "must not hold a blank name");
        }
      }
      rules.add(new Rule(method.equals("*") ? null : method.toUpperCase(Locale.ROOT), pattern,
          new LinkedHashSet<>(List.of(permissions)).toArray(String[]::new)));
      return this;
    }

    /**
     * The filter, to register with the servlet container.
     *
     * @return a new filter with the rules in the order they were added
     */
    public LatchkeyFilter build() {
      return new LatchkeyFilter(authenticator, rules);
    }
  }
}
