package io.latchkey.jaxrs;

import io.latchkey.AuthResult;
import io.latchkey.HttpRequestView;
import io.latchkey.InvalidArgumentException;
import io.latchkey.RequestAuthenticator;
import io.latchkey.Token;
import io.latchkey.TokenPrincipal;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.security.Principal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A Jakarta REST filter for resources annotated {@link RequiresPermission}: it asks core's {@link
 * RequestAuthenticator} with the permissions the annotations list and either aborts with the
 * authenticator's answer (401/403/503, RFC 6750 {@code WWW-Authenticate}, JSON body) or installs a
 * {@link SecurityContext} whose principal is a {@link TokenPrincipal} and whose {@code
 * isUserInRole(p)} answers whether the token grants permission {@code p}. The token is also in the
 * request property {@link #TOKEN_PROPERTY}.
 *
 * <pre>{@code
 * resourceConfig.register(LatchkeyContainerFilter.builder(authenticator).build());
 * }</pre>
 *
 * <p>Jakarta REST has no portable way to read the connection's peer address, so the filter reads
 * it from the request property {@link #REMOTE_ADDRESS_PROPERTY}, or from a {@link
 * Builder#remoteAddress} function suited to the runtime. Without either, the client address is
 * unknown and tokens with an IP allowlist are refused. Thread-safe.
 */
@RequiresPermission
@Priority(Priorities.AUTHENTICATION)
public final class LatchkeyContainerFilter implements ContainerRequestFilter {
  /** The request property holding the validated {@link Token}. */
  public static final String TOKEN_PROPERTY = "io.latchkey.Token";
  /** A request property an earlier filter may set to the peer's IP address (a String). */
  public static final String REMOTE_ADDRESS_PROPERTY = "io.latchkey.remoteAddress";

  /** Reads the connection's peer address from a request, or null if unknown. */
  @FunctionalInterface
  public interface RemoteAddress {
    /**
     * The peer address of this request.
     *
     * @param request the request being filtered
     * @return the peer's IP address, or null if this runtime does not say
     */
    @Nullable String of(ContainerRequestContext request);
  }

  private final RequestAuthenticator authenticator;
  private final RemoteAddress remoteAddress;

  @Context
  private @Nullable ResourceInfo resourceInfo;

  private LatchkeyContainerFilter(RequestAuthenticator authenticator, RemoteAddress remoteAddress) {
    this.authenticator = authenticator;
    this.remoteAddress = remoteAddress;
  }

  /**
   * A builder of a filter over this authenticator.
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
   * Lets the request through with its {@link #TOKEN_PROPERTY} and security context set, or aborts
   * it with the authenticator's 401, 403 or 503 answer.
   *
   * @param request the request; it names the permissions through {@link RequiresPermission}
   */
  @Override
  public void filter(ContainerRequestContext request) {
    AuthResult result = authenticator.authenticate(view(request), requiredPermissions());
    Token token = result.principalOrNull();
    if (token == null) {
      request.abortWith(answer(result));
      return;
    }
    request.setProperty(TOKEN_PROPERTY, token);
    SecurityContext original = request.getSecurityContext();
    request.setSecurityContext(new TokenSecurityContext(new TokenPrincipal(token),
        original != null && original.isSecure()));
  }

  /**
   * The Jakarta REST response for a rejection, as the authenticator composed it.
   *
   * @param result the authenticator's answer
   * @return a response with its status, headers and JSON body
   */
  public static Response answer(AuthResult result) {
    Response.ResponseBuilder b = Response.status(result.status());
    for (Map.Entry<String, String> h : result.headers().entrySet()) b.header(h.getKey(), h.getValue());
    if (result.jsonBody() != null) b.entity(result.jsonBody());
    return b.build();
  }

  /**
   * The class's and the method's {@link RequiresPermission} values, found by reflection once per
   * resource class and method, then served from this map: nothing is allocated per request.
   */
  private String[] requiredPermissions() {
    ResourceInfo info = resourceInfo;
    if (info == null) return NO_PERMISSIONS;
    Class<?> resource = info.getResourceClass();
    Method method = info.getResourceMethod();
    if (resource == null) return method == null ? NO_PERMISSIONS : permissionsOf(null, method);
    return PERMISSIONS.get(resource).computeIfAbsent(method == null ? NO_METHOD : method,
        m -> permissionsOf(resource, m == NO_METHOD ? null : m));
  }

  private static String[] permissionsOf(@Nullable Class<?> resource, @Nullable Method method) {
    Set<String> required = new LinkedHashSet<>();
    add(required, resource);
    add(required, method);
    return required.isEmpty() ? NO_PERMISSIONS : required.toArray(String[]::new);
  }

  private static final String[] NO_PERMISSIONS = new String[0];
  /** The key of a resource without a resource method (not expected from a runtime). */
  private static final Method NO_METHOD;

  static {
    try {
      NO_METHOD = Object.class.getMethod("toString");
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final ClassValue<Map<Method, String[]>> PERMISSIONS = new ClassValue<>() {
    @Override
    protected Map<Method, String[]> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  private static void add(Set<String> required, @Nullable AnnotatedElement element) {
    if (element == null) return;
    RequiresPermission a = element.getAnnotation(RequiresPermission.class);
    if (a != null) required.addAll(List.of(a.value()));
  }

  private HttpRequestView view(ContainerRequestContext request) {
    return new HttpRequestView() {
      @Override
      public @Nullable String header(String name) {
        List<String> values = request.getHeaders().get(name);
        if (values == null || values.isEmpty()) return null;
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
      }

      @Override
      public @Nullable String remoteAddress() {
        return remoteAddress.of(request);
      }
    };
  }

  @Override
  public String toString() {
    return "LatchkeyContainerFilter[" + authenticator + "]";
  }

  private record TokenSecurityContext(TokenPrincipal principal, boolean secure)
      implements SecurityContext {
    @Override
    public Principal getUserPrincipal() {
      return principal;
    }

    /** Whether the token grants the permission: roles are permissions here. */
    @Override
    public boolean isUserInRole(String permission) {
      return principal.granted(permission);
    }

    @Override
    public boolean isSecure() {
      return secure;
    }

    @Override
    public String getAuthenticationScheme() {
      return "Bearer";
    }
  }

  /** Configures a {@link LatchkeyContainerFilter}. */
  public static final class Builder {
    private final RequestAuthenticator authenticator;
    private @Nullable RemoteAddress remoteAddress;

    private Builder(RequestAuthenticator authenticator) {
      this.authenticator = authenticator;
    }

    /**
     * How to read the peer address in this runtime; by default the request property {@link
     * #REMOTE_ADDRESS_PROPERTY}.
     *
     * @param remoteAddress reads the peer address from a request
     * @return this builder
     * @throws InvalidArgumentException if it is null or was already set
     */
    public Builder remoteAddress(RemoteAddress remoteAddress) {
      if (remoteAddress == null) {
        throw new InvalidArgumentException("remoteAddress", "must not be null");
      }
      if (this.remoteAddress != null) {
        throw new InvalidArgumentException("remoteAddress", "was already set");
      }
      this.remoteAddress = remoteAddress;
      return this;
    }

    /**
     * The filter, to register with the application.
     *
     * @return a new filter
     */
    public LatchkeyContainerFilter build() {
      RemoteAddress r = remoteAddress != null ? remoteAddress
          : request -> request.getProperty(REMOTE_ADDRESS_PROPERTY) instanceof String s ? s : null;
      return new LatchkeyContainerFilter(authenticator, r);
    }
  }
}
