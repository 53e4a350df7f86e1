package io.latchkey;

import io.latchkey.internal.Checks;
import io.latchkey.internal.IpRanges;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Guards HTTP requests with a {@link TokenValidator}, whatever the server or framework: it reads
 * the token through its {@link TokenSource} ({@code Authorization: Bearer} unless configured
 * otherwise), the calling integration's name header and the client
 * address from an {@link HttpRequestView}, validates them against the route's required
 * permissions, and returns an {@link AuthResult} with the answer to send when the request is
 * rejected (RFC 6750 {@code WWW-Authenticate} and a small JSON body).
 *
 * <pre>{@code
 * RequestAuthenticator auth = RequestAuthenticator.builder()
 *     .validator(latchkey.validator())
 *     .trustedProxies("10.0.0.0/8")
 *     .build();
 * AuthResult r = auth.authenticate(HttpRequestView.of(headers, peerIp), "invoices:read");
 * if (!r.isAuthenticated()) { respond(r.status(), r.headers(), r.jsonBody()); return; }
 * Token principal = r.principalOrNull();
 * }</pre>
 *
 * <p>The answer never tells a caller whether an unknown, revoked, disabled or expired token
 * exists: all of them get the same 401 and the same body. {@code X-Forwarded-For} is read only
 * when the connection comes from a configured trusted proxy, from the right, skipping trusted
 * proxies; otherwise the peer address is the client address.
 *
 * <p>Immutable and thread-safe. Never throws for anything a request carries.
 */
public final class RequestAuthenticator {
  /** The default header naming the calling integration. */
  public static final String DEFAULT_INTEGRATION_HEADER = "X-Integration-Name";
  /** The default realm in {@code WWW-Authenticate}. */
  public static final String DEFAULT_REALM = "api";

  static final String FORWARDED_FOR = "X-Forwarded-For";
  /** Longer forwarding chains are not believed: the client address is then unknown. */
  static final int MAX_FORWARDED_HOPS = 32;

  private static final Map<String, String> JSON_HEADERS = Map.of(
      "Content-Type", "application/json; charset=utf-8",
      "Cache-Control", "no-store");

  private final TokenValidator validator;
  private final TokenSource tokenSource;
  private final String integrationHeader;
  private final String realm;
  private final @Nullable IpRanges trustedProxies;
  private final List<String> trustedProxyList;

  private RequestAuthenticator(Builder b, TokenValidator validator) {
    this.validator = validator;
    this.tokenSource = b.tokenSource;
    this.integrationHeader = b.integrationHeader;
    this.realm = b.realm;
    this.trustedProxyList = List.copyOf(b.trustedProxies);
    this.trustedProxies = IpRanges.compile(trustedProxyList);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Authenticates a request for a route that requires the given permissions (none: any valid
   * token passes).
   */
  public AuthResult authenticate(HttpRequestView request, String... requiredPermissions) {
    return authenticate(request, null, requiredPermissions);
  }

  /**
   * Authenticates a request for a route of one workspace: a token of another workspace is
   * rejected like an invalid one.
   */
  public AuthResult authenticateIn(String workspace, HttpRequestView request,
      String... requiredPermissions) {
    return authenticate(request, workspace, requiredPermissions);
  }

  private AuthResult authenticate(HttpRequestView request, @Nullable String workspace,
      String @Nullable ... requiredPermissions) {
    if (request == null) {
      return reject(ValidationResult.rejected(Reason.MALFORMED), null, false, requiredPermissions);
    }
    String clientIp = clientIp(request);
    String token = safeToken(request);
    if (token == null) {
      // No credentials at all: RFC 6750 §3.1 answers without an error code. Nothing reaches the
      // validator, so listeners are not flooded with anonymous requests.
      return reject(ValidationResult.rejected(Reason.MALFORMED), clientIp, false,
          requiredPermissions);
    }
    ValidationResult result = validator.validate(ValidationRequest.of(token)
        .clientIp(clientIp)
        .integration(safeHeader(request, integrationHeader))
        .workspace(workspace)
        .require(requiredPermissions));
    if (result.isValid()) return new AuthResult(result, clientIp, 200, Map.of(), null);
    return reject(result, clientIp, true, requiredPermissions);
  }

  /**
   * The 403 {@code insufficient_scope} answer for a request whose token was valid but which a later
   * authorization layer refused (Spring Security's {@code hasAuthority}, {@code @PreAuthorize}, a
   * JAX-RS permission check), worded exactly as a refusal by this authenticator. The scope names
   * the required permissions when the layer knows them.
   */
  public AuthResult insufficientScope(String... requiredPermissions) {
    return reject(ValidationResult.rejected(Reason.PERMISSION_DENIED), null, true,
        requiredPermissions);
  }

  private AuthResult reject(ValidationResult result, @Nullable String clientIp,
      boolean credentialsPresented, String @Nullable ... required) {
    Reason reason = result.reasonOrNull();
    Map<String, String> headers = new LinkedHashMap<>(JSON_HEADERS);
    String error;
    switch (reason == null ? Reason.MALFORMED : reason) {
      case PERMISSION_DENIED:
        error = "insufficient_scope";
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm)
            .append("\", error=\"insufficient_scope\"");
        String scope = scope(required);
        if (!scope.isEmpty()) challenge.append(", scope=\"").append(scope).append('"');
        headers.put("WWW-Authenticate", challenge.toString());
        break;
      case IP_NOT_ALLOWED:
        error = "ip_not_allowed";
        break;
      case UNAVAILABLE:
        error = "temporarily_unavailable";
        headers.put("Retry-After", "5");
        break;
      default:
        error = "invalid_token";
        headers.put("WWW-Authenticate", credentialsPresented
            ? "Bearer realm=\"" + realm + "\", error=\"invalid_token\""
            : "Bearer realm=\"" + realm + "\"");
    }
    // One shape for every error body: "error" then "message". Without credentials RFC 6750 §3.1
    // gives no error code, so "error" is null there rather than a claim that a token was invalid.
    String code = credentialsPresented || !"invalid_token".equals(error) ? "\"" + error + "\""
        : "null";
    String body = "{\"error\":" + code + ",\"message\":\"" + jsonEscape(result.publicMessage())
        + "\"}";
    return new AuthResult(result, clientIp, result.httpStatus(), headers, body);
  }

  /** Well-formed permission names hold no spaces or quotes, so they go in as they are. */
  private static String scope(String @Nullable ... required) {
    if (required == null) return "";
    StringBuilder sb = new StringBuilder();
    for (String p : required) {
      if (!Checks.isPermissionName(p)) continue;
      if (sb.length() > 0) sb.append(' ');
      sb.append(p);
    }
    return sb.toString();
  }

  /**
   * The client address: the peer's, unless the peer is a trusted proxy; then the right-most
   * {@code X-Forwarded-For} entry that is not a trusted proxy. Null if that entry cannot be parsed
   * or the chain is too long: a token with an allowlist is then refused.
   */
  @Nullable String clientIp(HttpRequestView request) {
    String peer = normalizeAddress(safeRemoteAddress(request));
    if (peer == null || trustedProxies == null || !trustedProxies.matches(peer)) return peer;
    String forwarded = safeHeader(request, FORWARDED_FOR);
    if (forwarded == null || forwarded.isBlank()) return peer;
    int end = forwarded.length();
    String candidate = peer;
    for (int hops = 0; hops < MAX_FORWARDED_HOPS; hops++) {
      int comma = forwarded.lastIndexOf(',', end - 1);
      String entry = normalizeAddress(forwarded.substring(comma + 1, end));
      if (entry == null) {
        // The trusted hop to its right wrote garbage (or a name): do not guess.
        return null;
      }
      candidate = entry;
      if (!trustedProxies.matches(entry)) return entry;
      if (comma < 0) return candidate; // every hop is a trusted proxy: the left-most is the client
      end = comma;
    }
    return null;
  }

  /**
   * An IP literal with surrounding blanks, a leading {@code /}, brackets, a port and an IPv6 zone
   * removed, or null if what remains is not an address.
   */
  static @Nullable String normalizeAddress(@Nullable String text) {
    if (text == null) return null;
    String s = text.strip();
    if (s.length() > 64) return null;
    if (s.startsWith("/")) s = s.substring(1);
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) return null;
      String rest = s.substring(close + 1);
      if (!rest.isEmpty() && !isPort(rest)) return null;
      s = s.substring(1, close);
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && colon == s.lastIndexOf(':') && s.indexOf('.') >= 0) {
        // IPv4 with a port, as some proxies write it.
        if (!isPort(s.substring(colon))) return null;
        s = s.substring(0, colon);
      }
    }
    int zone = s.indexOf('%');
    if (zone >= 0) s = s.substring(0, zone);
    return IpRanges.isAddress(s) ? s : null;
  }

  private static boolean isPort(String colonAndDigits) {
    if (colonAndDigits.length() < 2 || colonAndDigits.length() > 6) return false;
    if (colonAndDigits.charAt(0) != ':') return false;
    int port = 0;
    for (int i = 1; i < colonAndDigits.length(); i++) {
      char c = colonAndDigits.charAt(i);
      if (c < '0' || c > '9') return false;
      port = port * 10 + (c - '0');
    }
    return port <= 65535;
  }

  // A host's adapter may throw on odd input; a request must still get an answer, not an exception.
  private static @Nullable String safeHeader(HttpRequestView request, String name) {
    try {
      return request.header(name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private @Nullable String safeToken(HttpRequestView request) {
    try {
      return tokenSource.token(request);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static @Nullable String safeRemoteAddress(HttpRequestView request) {
    try {
      return request.remoteAddress();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.toString();
  }

  /** The name of the header that names the calling integration. */
  public String integrationHeader() {
    return integrationHeader;
  }

  /** Where the token is read from. */
  public TokenSource tokenSource() {
    return tokenSource;
  }

  /** The trusted proxies' addresses and ranges, in canonical form. */
  public List<String> trustedProxies() {
    return trustedProxyList;
  }

  public String realm() {
    return realm;
  }

  @Override
  public String toString() {
    return "RequestAuthenticator[tokenSource=" + tokenSource + ", integrationHeader="
        + integrationHeader + ", realm=" + realm
        + ", trustedProxies=" + trustedProxyList + "]";
  }

  /** Configures a {@link RequestAuthenticator}. Each setting is checked as it is set. */
  public static final class Builder {
    private @Nullable TokenValidator validator;
    private TokenSource tokenSource = TokenSource.BEARER;
    private boolean tokenSourceSet;
    private String integrationHeader = DEFAULT_INTEGRATION_HEADER;
    private boolean integrationHeaderSet;
    private String realm = DEFAULT_REALM;
    private boolean realmSet;
    private final List<String> trustedProxies = new ArrayList<>();

    private Builder() {}

    /** Required: the validator, usually {@code latchkey.validator()}. */
    public Builder validator(TokenValidator validator) {
      if (validator == null) throw new InvalidArgumentException("validator", "must not be null");
      if (this.validator != null) {
        throw new InvalidArgumentException("validator", "was already set to " + this.validator);
      }
      this.validator = validator;
      return this;
    }

    /**
     * Where the token is read from: {@link TokenSource#BEARER} by default, {@link
     * TokenSource#header(String)} for an {@code X-API-Key}-style header, or a host function.
     */
    public Builder tokenSource(TokenSource source) {
      if (source == null) throw new InvalidArgumentException("tokenSource", "must not be null");
      if (tokenSourceSet) {
        throw new InvalidArgumentException("tokenSource", "was already set to " + tokenSource);
      }
      this.tokenSource = source;
      this.tokenSourceSet = true;
      return this;
    }

    /** As {@code tokenSource(TokenSource.header(name))}. */
    public Builder tokenHeader(String name) {
      return tokenSource(TokenSource.header(name));
    }

    /** The header naming the calling integration, recorded as usage; {@code X-Integration-Name}. */
    public Builder integrationHeader(String name) {
      if (integrationHeaderSet) {
        throw new InvalidArgumentException("integrationHeader",
            "was already set to " + integrationHeader);
      }
      if (!isHeaderName(name)) {
        throw new InvalidArgumentException("integrationHeader",
            "must be a header name: letters, digits and !#$%&'*+-.^_`|~");
      }
      this.integrationHeader = name;
      this.integrationHeaderSet = true;
      return this;
    }

    /** The realm in {@code WWW-Authenticate}; {@code api} by default. */
    public Builder realm(String realm) {
      if (realmSet) throw new InvalidArgumentException("realm", "was already set to " + this.realm);
      if (realm == null || realm.isEmpty() || realm.length() > 64) {
        throw new InvalidArgumentException("realm", "must be 1 to 64 characters");
      }
      for (int i = 0; i < realm.length(); i++) {
        char c = realm.charAt(i);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
          throw new InvalidArgumentException("realm",
              "must be printable ASCII without quotes or backslashes");
        }
      }
      this.realm = realm;
      this.realmSet = true;
      return this;
    }

    /**
     * Addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For} is believed. May be
     * called several times. Without any, {@code X-Forwarded-For} is ignored.
     *
     * @throws InvalidArgumentException naming {@code trustedProxies} for a malformed range, or one
     *     that covers a whole address family ({@code 0.0.0.0/0}, {@code ::/0})
     */
    public Builder trustedProxies(String... addressesOrCidrs) {
      if (addressesOrCidrs == null) {
        throw new InvalidArgumentException("trustedProxies", "must not be null");
      }
      return trustedProxies(List.of(addressesOrCidrs));
    }

    /** As {@link #trustedProxies(String...)}. */
    public Builder trustedProxies(List<String> addressesOrCidrs) {
      if (addressesOrCidrs == null) {
        throw new InvalidArgumentException("trustedProxies", "must not be null");
      }
      for (String cidr : addressesOrCidrs) {
        String canonical = IpRanges.canonicalize("trustedProxies", cidr);
        if (IpRanges.coversAFamily(canonical)) {
          // Every peer would be trusted, so any client could write its own X-Forwarded-For and
          // pass any allowlist.
          throw new InvalidArgumentException("trustedProxies", "\"" + canonical
              + "\" covers every address, which would let any client choose its address with "
              + "X-Forwarded-For; list your proxies' addresses or networks");
        }
        if (!trustedProxies.contains(canonical)) trustedProxies.add(canonical);
      }
      return this;
    }

    /**
     * Builds the authenticator.
     *
     * @throws InvalidArgumentException if no validator was set
     */
    public RequestAuthenticator build() {
      if (validator == null) {
        throw new InvalidArgumentException("validator",
            "must be set: pass latchkey.validator()");
      }
      return new RequestAuthenticator(this, validator);
    }

  }

  /** Whether a string is an HTTP field name (an RFC 9110 token) of at most 128 characters. */
  static boolean isHeaderName(@Nullable String s) {
    if (s == null || s.isEmpty() || s.length() > 128) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) return false;
    }
    return true;
  }
}
