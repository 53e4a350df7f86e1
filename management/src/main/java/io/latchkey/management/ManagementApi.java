package io.latchkey.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.latchkey.AuditEntry;
import io.latchkey.AuditPage;
import io.latchkey.ConcurrentUpdateException;
import io.latchkey.IllegalTransitionException;
import io.latchkey.InvalidArgumentException;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.StoreUnavailableException;
import io.latchkey.Token;
import io.latchkey.TokenId;
import io.latchkey.TokenManager;
import io.latchkey.TokenNotFoundException;
import io.latchkey.TokenPage;
import io.latchkey.TokenQuery;
import io.latchkey.TokenState;
import io.latchkey.TokenUpdate;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The management API: REST/JSON over every token operation, for a host to mount under a path of
 * its HTTP server. Framework-neutral ({@link #handle(ApiRequest)}); {@link #httpHandler()} serves it
 * from the JDK {@code HttpServer}, {@link ManagementServlet} from a servlet container. Routes, bodies and errors are in {@code management/README.md}
 * and in the OpenAPI 3.1 document it serves at {@code GET /openapi.json}.
 *
 * <p><b>Authorization.</b> Every route but {@code /verify} and {@code /openapi.json} needs {@code
 * Authorization: Bearer <latchkey token>}. A token with {@code latchkey:tokens:read} may read, one
 * with {@code latchkey:tokens:write} may also change, the tokens of <em>its own workspace</em>; a
 * token of the {@linkplain Builder#operatorWorkspace operator workspace} may do so in every
 * workspace. Every by-id route goes through {@link TokenManager#in}, so a token of another
 * workspace answers 404 exactly as an unknown id. The actor recorded in the audit trail is {@code
 * token:<id> <name>}, prefixed by the {@code X-On-Behalf-Of} header when the host sets one.
 *
 * <p><b>Errors</b> are {@code {"error": {"code", "message", "field"}}}: 400 (bad argument,
 * malformed JSON, unknown field, wrong type; {@code field} names it), 401, 403, 404, 405, 409
 * (illegal transition, concurrent update, reused idempotency key), 413, 503 (and 501 for history
 * on a store that keeps no audit trail). A failed call changes nothing. Thread-safe.
 */
public final class ManagementApi {
  /** Permission to read a workspace's tokens and history. */
  public static final String READ = "latchkey:tokens:read";
  /** Permission to change a workspace's tokens (implies nothing about reading). */
  public static final String WRITE = "latchkey:tokens:write";
  /** How long a create's {@code Idempotency-Key} is remembered by default. */
  public static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);
  /** How many {@code Idempotency-Key}s one API remembers at most by default. */
  public static final int IDEMPOTENCY_CAPACITY = 100_000;

  private static final int MAX_IDEMPOTENCY_KEY = 255;
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

  private final Latchkey latchkey;
  private final @Nullable String operatorWorkspace;
  private final int maxBodyBytes;
  private final Clock clock;
  private final Duration idempotencyWindow;
  private final int idempotencyCapacity;
  private final ObjectMapper mapper;
  private final byte[] openApi;
  /** Remembered creates by workspace and key, oldest first; guarded by itself. */
  private final LinkedHashMap<String, Remembered> idempotency = new LinkedHashMap<>();

  private ManagementApi(Builder b) {
    this.latchkey = b.latchkey;
    this.operatorWorkspace = b.operatorWorkspace;
    this.maxBodyBytes = b.maxBodyBytes;
    this.clock = b.clock;
    this.idempotencyWindow = b.idempotencyWindow;
    this.idempotencyCapacity = b.idempotencyCapacity;
    this.mapper = JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .build();
    for (LogicalType t : List.of(LogicalType.Textual, LogicalType.Boolean, LogicalType.Integer)) {
      mapper.coercionConfigFor(t)
          .setCoercion(CoercionInputShape.Integer, t == LogicalType.Integer
              ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean
              ? CoercionAction.TryConvert : CoercionAction.Fail)
          .setCoercion(CoercionInputShape.String, t == LogicalType.Textual
              ? CoercionAction.TryConvert : CoercionAction.Fail);
    }
    try (InputStream in = ManagementApi.class.getResourceAsStream("openapi.json")) {
      this.openApi = Objects.requireNonNull(in, "openapi.json is missing").readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A builder over the Latchkey whose tokens the API manages and whose tokens authorize it.
   *
   * @param latchkey the instance to manage and to validate callers' tokens with
   * @return a new builder
   * @throws InvalidArgumentException if {@code latchkey} is null
   */
  public static Builder builder(Latchkey latchkey) {
    return new Builder(latchkey);
  }

  // ------------------------------------------------------------------ routes

  /**
   * The routes, as {@code "METHOD /path/{param}"}; the OpenAPI document lists exactly these.
   *
   * @return every route, one string each
   */
  public static List<String> routes() {
    List<String> out = new ArrayList<>();
    for (Route r : Route.values()) out.add(r.method + " " + r.pattern);
    return out;
  }

  private enum Route {
    OPENAPI("GET", "/openapi.json", null),
    VERIFY("POST", "/verify", null),
    CREATE("POST", "/workspaces/{workspace}/tokens", WRITE),
    LIST("GET", "/workspaces/{workspace}/tokens", READ),
    REVOKE_ALL("POST", "/workspaces/{workspace}/tokens/revoke-all", WRITE),
    WORKSPACE_HISTORY("GET", "/workspaces/{workspace}/history", READ),
    READ_ONE("GET", "/workspaces/{workspace}/tokens/{id}", READ),
    EDIT("PATCH", "/workspaces/{workspace}/tokens/{id}", WRITE),
    DELETE("DELETE", "/workspaces/{workspace}/tokens/{id}", WRITE),
    DISABLE("POST", "/workspaces/{workspace}/tokens/{id}/disable", WRITE),
    ENABLE("POST", "/workspaces/{workspace}/tokens/{id}/enable", WRITE),
    REVOKE("POST", "/workspaces/{workspace}/tokens/{id}/revoke", WRITE),
    ROTATE("POST", "/workspaces/{workspace}/tokens/{id}/rotate", WRITE),
    PERMISSIONS_GET("GET", "/workspaces/{workspace}/tokens/{id}/permissions", READ),
    PERMISSIONS_SET("PUT", "/workspaces/{workspace}/tokens/{id}/permissions", WRITE),
    PERMISSIONS_UPDATE("PATCH", "/workspaces/{workspace}/tokens/{id}/permissions", WRITE),
    TOKEN_HISTORY("GET", "/workspaces/{workspace}/tokens/{id}/history", READ);

    final String method;
    final String pattern;
    final String[] segments;
    final @Nullable String permission;

    Route(String method, String pattern, @Nullable String permission) {
      this.method = method;
      this.pattern = pattern;
      this.segments = pattern.substring(1).split("/");
      this.permission = permission;
    }

    /** Path parameters by name, or null if the path does not match. */
    @Nullable Map<String, String> match(String[] path) {
      if (path.length != segments.length) return null;
      Map<String, String> params = new HashMap<>();
      for (int i = 0; i < path.length; i++) {
        String s = segments[i];
        if (s.startsWith("{")) {
          params.put(s.substring(1, s.length() - 1), path[i]);
        } else if (!s.equals(path[i])) {
          return null;
        }
      }
      return params;
    }
  }

  // ------------------------------------------------------------------ handling

  /**
   * Answers one request; never throws: a failure becomes an error response.
   *
   * @param request the request, from an adapter
   * @return the response to write back
   */
  public ApiResponse handle(ApiRequest request) {
    try {
      return dispatch(request);
    } catch (ApiException e) {
      return error(e.status, e.code, e.getMessage(), e.field);
    } catch (InvalidArgumentException e) {
      return error(400, "invalid_argument", e.getMessage(), jsonField(e.field()));
    } catch (TokenNotFoundException e) {
      return error(404, "not_found", e.getMessage(), null);
    } catch (IllegalTransitionException e) {
      return error(409, "illegal_transition", e.getMessage(), null);
    } catch (ConcurrentUpdateException e) {
      return error(409, "concurrent_update", e.getMessage(), null);
    } catch (StoreUnavailableException e) {
      return error(503, "store_unavailable", "the token store is unavailable", null);
    } catch (UnsupportedOperationException e) {
      // A third-party store without an audit trail: history cannot be served.
      return error(501, "not_implemented", e.getMessage(), null);
    } catch (RuntimeException e) {
      System.getLogger(ManagementApi.class.getName()).log(System.Logger.Level.ERROR,
          "management API failed on " + request.method() + " " + request.path(), e);
      return error(500, "internal", "internal error", null);
    }
  }

  /** Core names fields as its Java API does; the HTTP API names them as its JSON does. */
  static String jsonField(String field) {
    switch (field) {
      case "allowIp", "allowIps", "allowedIps": return "allowed_ips";
      case "permission": return "permissions";
      case "expiresIn", "lifetime": return "expires_in";
      default:
        StringBuilder b = new StringBuilder(field.length() + 4);
        for (char c : field.toCharArray()) {
          if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
          else b.append(c);
        }
        return b.toString();
    }
  }

  private ApiResponse dispatch(ApiRequest req) {
    if (req.body() == ApiRequest.TOO_LARGE || req.body().length > maxBodyBytes) {
      throw new ApiException(413, "payload_too_large",
          "the body exceeds " + maxBodyBytes + " bytes", null);
    }
    String[] path = segments(req.path());
    Map<String, String> params = null;
    Route route = null;
    boolean pathKnown = false;
    for (Route r : Route.values()) {
      Map<String, String> p = r.match(path);
      if (p == null) continue;
      pathKnown = true;
      if (r.method.equals(req.method())) {
        route = r;
        params = p;
        break;
      }
    }
    if (route == null) {
      throw pathKnown
          ? new ApiException(405, "method_not_allowed", req.method() + " is not allowed here", null)
          : new ApiException(404, "not_found", "no such resource", null);
    }
    Map<String, String> query = query(req.query());
    if (route == Route.OPENAPI) return new ApiResponse(200, JSON, openApi);
    if (route == Route.VERIFY) return verify(req);

    String workspace = params.get("workspace");
    TokenManager tokens = authorize(req, route.permission, workspace);
    TokenId id = params.containsKey("id") ? tokenId(params.get("id")) : null;
    switch (route) {
      case CREATE:
        return create(req, tokens, workspace);
      case LIST:
        return list(tokens, workspace, query);
      case REVOKE_ALL:
        requireEmpty(req);
        return ok(Map.of("revoked", tokens.revokeAll(workspace)));
      case WORKSPACE_HISTORY:
        return history(tokens.workspaceHistory(workspace, query.get("cursor"),
            limit(query, 50)));
      case READ_ONE:
        return ok(token(tokens.get(id)));
      case EDIT:
        return ok(token(tokens.update(id, edit(read(req, EditBody.class)))));
      case DELETE:
        requireEmpty(req);
        tokens.delete(id);
        return new ApiResponse(204, Map.of(), new byte[0]);
      case DISABLE:
        requireEmpty(req);
        return ok(token(tokens.disable(id)));
      case ENABLE:
        requireEmpty(req);
        return ok(token(tokens.enable(id)));
      case REVOKE:
        requireEmpty(req);
        return ok(token(tokens.revoke(id)));
      case ROTATE:
        return rotate(req, tokens, id);
      case PERMISSIONS_GET:
        return ok(Map.of("permissions", tokens.permissions(id)));
      case PERMISSIONS_SET:
        return ok(Map.of("permissions",
            tokens.setPermissions(id, permissions(req)).permissions()));
      case PERMISSIONS_UPDATE:
        return ok(Map.of("permissions",
            tokens.updatePermissions(id, permissions(req)).permissions()));
      case TOKEN_HISTORY:
        return history(tokens.history(id, query.get("cursor"), limit(query, 50)));
      default:
        throw new IllegalStateException("unrouted " + route);
    }
  }

  // ------------------------------------------------------------------ authorization

  /**
   * The caller's manager for {@code workspace}: authenticated by its bearer token, allowed by the
   * permission, bound to the workspace, recording the caller as the actor.
   */
  private TokenManager authorize(ApiRequest req, String permission, String workspace) {
    String auth = req.header("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(401, "unauthenticated",
          "send Authorization: Bearer <token> with a Latchkey token", null);
    }
    ValidationResult result = latchkey.validator().validate(
        ValidationRequest.of(auth.substring(7).trim()).clientIp(req.clientIp())
            .integration(req.header("X-Integration-Name")));
    if (!result.isValid()) {
      if (result.httpStatus() == 503) {
        throw new ApiException(503, "store_unavailable", "the token store is unavailable", null);
      }
      throw new ApiException(401, "unauthenticated", result.publicMessage(), null);
    }
    Token caller = result.token().orElseThrow();
    if (!caller.granted(permission)) {
      throw new ApiException(403, "forbidden", "the token lacks " + permission, null);
    }
    boolean operator = caller.workspace().equals(operatorWorkspace);
    if (!operator && !caller.workspace().equals(workspace)) {
      throw new ApiException(403, "forbidden",
          "the token manages only its own workspace", "workspace");
    }
    String actor = "token:" + caller.id() + " " + caller.name();
    String onBehalf = req.header("X-On-Behalf-Of");
    if (onBehalf != null) actor = onBehalf + " via " + actor;
    if (actor.length() > 128) actor = actor.substring(0, 128);
    TokenManager tokens;
    try {
      tokens = latchkey.tokens().as(actor);
    } catch (InvalidArgumentException e) {
      throw ApiException.badRequest("invalid_argument",
          "X-On-Behalf-Of must be printable text", "X-On-Behalf-Of");
    }
    return tokens.in(workspace);
  }

  // ------------------------------------------------------------------ resources

  /** The body of a create. */
  record CreateBody(
      @Nullable String name,
      @Nullable String description,
      @Nullable Map<String, Boolean> permissions,
      @Nullable List<String> allowedIps,
      @Nullable Map<String, String> metadata,
      @Nullable Long expiresIn,
      @Nullable String expiresAt) {}

  /** The body of a PATCH: absent fields are left as they are. */
  record EditBody(
      @Nullable String name,
      @Nullable String description,
      @Nullable List<String> allowedIps,
      @Nullable Map<String, String> metadata) {}

  /** The body of a rotate (optional). */
  record RotateBody(@Nullable Long overlapSeconds) {}

  /** The body of a verify. */
  record VerifyBody(
      @Nullable String token,
      @Nullable String clientIp,
      @Nullable List<String> permissions,
      @Nullable String integration,
      @Nullable String workspace) {}

  private ApiResponse create(ApiRequest req, TokenManager tokens, String workspace) {
    CreateBody body = read(req, CreateBody.class);
    String key = req.header("Idempotency-Key");
    if (key == null) return issued(tokens.issue(spec(body, workspace)));
    if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY) {
      throw ApiException.badRequest("invalid_argument",
          "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters", "Idempotency-Key");
    }
    String digest = sha256(req.body());
    String remembered = workspace + "\n" + key;
    Remembered fresh = new Remembered(clock.instant(), digest, new CompletableFuture<>());
    Remembered first = remember(remembered, fresh);
    if (first == null) {
      try {
        IssuedToken t = tokens.issue(spec(body, workspace));
        fresh.id.complete(t.id());
        return issued(t);
      } catch (RuntimeException e) {
        // Nothing was created: the key may be used again.
        synchronized (idempotency) {
          idempotency.remove(remembered, fresh);
        }
        fresh.id.completeExceptionally(e);
        throw e;
      }
    }
    if (!first.digest.equals(digest)) {
      throw new ApiException(409, "idempotency_key_reused",
          "this Idempotency-Key was used with another body", "Idempotency-Key");
    }
    TokenId id;
    try {
      id = first.id.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted", "interrupted", null);
    }
    Map<String, Object> out = token(tokens.get(id));
    out.put("secret", null);
    Map<String, String> headers = new HashMap<>(JSON);
    headers.put("Idempotent-Replayed", "true");
    return new ApiResponse(200, headers, json(out));
  }

  private record Remembered(Instant at, String digest, CompletableFuture<TokenId> id) {}

  /**
   * Remembers {@code fresh} under {@code key} unless a create within the window holds it (that one
   * is returned). Forgets, oldest first, what is older than the window and what exceeds the
   * capacity: amortised constant work per create, whatever the number of keys held.
   */
  private @Nullable Remembered remember(String key, Remembered fresh) {
    Instant cutoff = fresh.at.minus(idempotencyWindow);
    synchronized (idempotency) {
      Remembered held = idempotency.get(key);
      if (held != null && !held.at.isBefore(cutoff)) return held;
      if (held != null) idempotency.remove(key);
      Iterator<Remembered> oldest = idempotency.values().iterator();
      while (oldest.hasNext()) {
        Remembered r = oldest.next();
        if (!r.at.isBefore(cutoff) && idempotency.size() < idempotencyCapacity) break;
        oldest.remove();
      }
      idempotency.put(key, fresh);
      return null;
    }
  }

  /** The largest body accepted, for adapters that read bodies. */
  int maxBodyBytes() {
    return maxBodyBytes;
  }

  private static NewToken spec(CreateBody b, String workspace) {
    if (b.name() == null) throw ApiException.badRequest("invalid_argument", "name is required", "name");
    NewToken spec = NewToken.in(workspace).name(b.name());
    if (b.description() != null) spec.description(b.description());
    if (b.permissions() != null) spec.permissions(b.permissions());
    if (b.allowedIps() != null) spec.allowIps(b.allowedIps());
    if (b.metadata() != null) spec.metadata(b.metadata());
    if (b.expiresIn() != null && b.expiresAt() != null) {
      throw ApiException.badRequest("invalid_argument",
          "expires_in and expires_at are exclusive", "expires_at");
    }
    if (b.expiresIn() != null) {
      if (b.expiresIn() < 1) {
        throw ApiException.badRequest("invalid_argument", "expires_in must be at least 1 second",
            "expires_in");
      }
      spec.expiresIn(Duration.ofSeconds(b.expiresIn()));
    }
    if (b.expiresAt() != null) {
      try {
        spec.expiresAt(Instant.parse(b.expiresAt()));
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest("invalid_argument",
            "expires_at must be an ISO-8601 instant, e.g. 2027-01-01T00:00:00Z", "expires_at");
      }
    }
    return spec;
  }

  private static TokenUpdate edit(EditBody b) {
    TokenUpdate u = TokenUpdate.create();
    if (b.name() != null) u.name(b.name());
    if (b.description() != null) u.description(b.description());
    if (b.allowedIps() != null) u.allowedIps(b.allowedIps());
    if (b.metadata() != null) u.metadata(b.metadata());
    return u;
  }

  private ApiResponse list(TokenManager tokens, String workspace, Map<String, String> query) {
    TokenQuery q = TokenQuery.in(workspace).limit(limit(query, 100));
    String state = query.get("state");
    if (state != null) {
      List<TokenState> states = new ArrayList<>();
      for (String s : state.split(",")) {
        try {
          states.add(TokenState.valueOf(s.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw ApiException.badRequest("invalid_argument",
              "state must be active, disabled, revoked or expired (comma-separated)", "state");
        }
      }
      q.state(states.toArray(TokenState[]::new));
    }
    if (query.get("name_contains") != null) q.nameContains(query.get("name_contains"));
    if (query.get("expiring_within") != null) {
      long seconds;
      try {
        seconds = Long.parseLong(query.get("expiring_within"));
      } catch (NumberFormatException e) {
        seconds = -1;
      }
      if (seconds < 0 || seconds > Duration.ofDays(36_500).toSeconds()) {
        throw ApiException.badRequest("invalid_argument",
            "expiring_within must be a number of seconds, 0 to 36500 days", "expiring_within");
      }
      q.expiringBefore(clock.instant().plusSeconds(seconds));
    }
    if (query.get("cursor") != null) q.after(query.get("cursor"));
    TokenPage page = tokens.list(q);
    List<Object> out = new ArrayList<>();
    for (Token t : page.tokens()) out.add(token(t));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("tokens", out);
    body.put("next_cursor", page.cursor());
    return ok(body);
  }

  private ApiResponse rotate(ApiRequest req, TokenManager tokens, TokenId id) {
    RotateBody body = req.body().length == 0 ? new RotateBody(null) : read(req, RotateBody.class);
    if (body.overlapSeconds() != null && body.overlapSeconds() < 0) {
      throw ApiException.badRequest("invalid_argument", "overlap_seconds must not be negative",
          "overlap_seconds");
    }
    IssuedToken t = body.overlapSeconds() == null ? tokens.rotate(id)
        : tokens.rotate(id, Duration.ofSeconds(body.overlapSeconds()));
    return issued(t);
  }

  private ApiResponse verify(ApiRequest req) {
    VerifyBody b = read(req, VerifyBody.class);
    if (b.token() == null) throw ApiException.badRequest("invalid_argument", "token is required", "token");
    String integration = b.integration() != null ? b.integration()
        : req.header("X-Integration-Name");
    ValidationRequest v = ValidationRequest.of(b.token()).clientIp(b.clientIp())
        .integration(integration).workspace(b.workspace());
    if (b.permissions() != null) v.require(b.permissions().toArray(String[]::new));
    ValidationResult r = latchkey.validator().validate(v);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("valid", r.isValid());
    out.put("code", r.reason().map(Enum::name).orElse("VALID"));
    if (r.isValid()) {
      Token t = r.token().orElseThrow();
      out.put("token_id", t.id().value());
      out.put("workspace", t.workspace());
      out.put("name", t.name());
      out.put("permissions", t.permissions());
      out.put("metadata", t.metadata());
      out.put("expires_at", t.expiresAt().toString());
    } else {
      out.put("status", r.httpStatus());
      out.put("message", r.publicMessage());
    }
    return ok(out);
  }

  private ApiResponse history(AuditPage page) {
    List<Object> entries = new ArrayList<>();
    for (AuditEntry e : page.entries()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id());
      m.put("at", e.at().toString());
      m.put("actor", e.actor());
      m.put("workspace", e.workspace());
      m.put("token_id", e.tokenId().value());
      m.put("action", e.action().name());
      m.put("detail", e.detail());
      entries.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("entries", entries);
    body.put("next_cursor", page.cursor());
    return ok(body);
  }

  private ApiResponse issued(IssuedToken t) {
    Map<String, Object> out = token(t.token());
    // The only place the plaintext appears: this one response.
    out.put("secret", t.secret());
    return new ApiResponse(201, JSON, json(out));
  }

  private static Map<String, Object> token(Token t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id().value());
    m.put("workspace", t.workspace());
    m.put("name", t.name());
    m.put("description", t.description());
    m.put("hint", t.hint());
    m.put("state", t.state().name().toLowerCase(Locale.ROOT));
    m.put("permissions", t.permissions());
    m.put("allowed_ips", t.allowedIps());
    m.put("metadata", t.metadata());
    m.put("created_at", t.createdAt().toString());
    m.put("created_by", t.createdBy());
    m.put("updated_at", t.updatedAt().toString());
    m.put("expires_at", t.expiresAt().toString());
    m.put("last_used_at", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
    m.put("last_used_ip", t.lastUsedIp());
    m.put("last_used_integration", t.lastUsedIntegration());
    return m;
  }

  // ------------------------------------------------------------------ JSON and parameters

  private <T> T read(ApiRequest req, Class<T> type) {
    if (req.body().length == 0) {
      throw ApiException.badRequest("malformed_json", "a JSON object body is required", null);
    }
    try {
      T value = mapper.readValue(req.body(), type);
      if (value == null) {
        throw ApiException.badRequest("malformed_json", "a JSON object body is required", null);
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw ApiException.badRequest("unknown_field",
          "unknown field " + e.getPropertyName(), fieldPath(e));
    } catch (JsonMappingException e) {
      String field = fieldPath(e);
      throw ApiException.badRequest("invalid_type",
          (field == null ? "the body" : field) + " has the wrong type or shape", field);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("malformed_json",
          "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static @Nullable String fieldPath(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) b.append('.');
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? null : b.toString();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Boolean> permissions(ApiRequest req) {
    Map<String, Object> raw = read(req, Map.class);
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      if (!(e.getValue() instanceof Boolean b)) {
        throw ApiException.badRequest("invalid_type",
            e.getKey() + " must be true (grant) or false (deny)", e.getKey());
      }
      out.put(e.getKey(), b);
    }
    return out;
  }

  private static void requireEmpty(ApiRequest req) {
    String text = new String(req.body(), StandardCharsets.UTF_8).trim();
    if (!text.isEmpty() && !text.equals("{}")) {
      throw ApiException.badRequest("unknown_field", "this action takes no body", null);
    }
  }

  private static TokenId tokenId(String raw) {
    try {
      return TokenId.of(raw);
    } catch (InvalidArgumentException e) {
      // A malformed id cannot name a token: answered as an unknown one.
      throw new ApiException(404, "not_found", "token " + raw + " not found", null);
    }
  }

  private static int limit(Map<String, String> query, int fallback) {
    String raw = query.get("limit");
    if (raw == null) return fallback;
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid_argument", "limit must be a whole number", "limit");
    }
  }

  private static String[] segments(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    String[] parts = p.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
    }
    return parts;
  }

  private static Map<String, String> query(@Nullable String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) return out;
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private ApiResponse ok(Object body) {
    return new ApiResponse(200, JSON, json(body));
  }

  private ApiResponse error(int status, String code, String message, @Nullable String field) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("code", code);
    e.put("message", message);
    e.put("field", field);
    return new ApiResponse(status, JSON, json(Map.of("error", e)));
  }

  private byte[] json(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(byte[] body) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ JDK HttpServer

  /**
   * A handler for {@code HttpServer.createContext(mountPath, api.httpHandler())}: the path below
   * the context is the route. Reads at most {@code maxBodyBytes + 1} bytes of a body. Start the JVM
   * with {@code -Dsun.net.httpserver.nodelay=true}, or each response with a body waits for the
   * client's delayed ACK (about 40 ms; see the README).
   *
   * @return a handler that serves this API
   */
  public HttpHandler httpHandler() {
    return this::serve;
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String context = exchange.getHttpContext().getPath();
      String full = exchange.getRequestURI().getRawPath();
      String path = full.length() > context.length() ? full.substring(context.length()) : "/";
      if (!path.startsWith("/")) path = "/" + path;
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> {
        if (!v.isEmpty()) headers.put(k, v.get(0));
      });
      byte[] body;
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 12
          && Long.parseLong(length) > maxBodyBytes) {
        body = ApiRequest.TOO_LARGE;
      } else {
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readNBytes(maxBodyBytes + 1);
          if (body.length > maxBodyBytes) body = ApiRequest.TOO_LARGE;
        }
      }
      String ip = exchange.getRemoteAddress() == null ? null
          : exchange.getRemoteAddress().getAddress().getHostAddress();
      ApiResponse response = handle(new ApiRequest(exchange.getRequestMethod(), path,
          exchange.getRequestURI().getRawQuery(), headers, body, ip));
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      if (response.body().length == 0) {
        exchange.sendResponseHeaders(response.status(), -1);
      } else {
        exchange.sendResponseHeaders(response.status(), response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    }
  }

  // ------------------------------------------------------------------ builder

  /** Configures a {@link ManagementApi}. */
  public static final class Builder {
    private final Latchkey latchkey;
    private @Nullable String operatorWorkspace;
    private int maxBodyBytes = 64 * 1024;
    private Clock clock = Clock.systemUTC();
    private Duration idempotencyWindow = IDEMPOTENCY_WINDOW;
    private int idempotencyCapacity = IDEMPOTENCY_CAPACITY;

    private Builder(Latchkey latchkey) {
      if (latchkey == null) throw new InvalidArgumentException("latchkey", "must not be null");
      this.latchkey = latchkey;
    }

    /**
     * The workspace whose tokens (with the read or write permission) manage every workspace.
     * None by default: every token manages only its own workspace.
     *
     * @param workspace the operators' workspace
     * @return this builder
     * @throws InvalidArgumentException if {@code workspace} is null or blank
     */
    public Builder operatorWorkspace(String workspace) {
      if (workspace == null || workspace.isBlank()) {
        throw new InvalidArgumentException("operatorWorkspace", "must not be blank");
      }
      this.operatorWorkspace = workspace;
      return this;
    }

    /**
     * The largest request body accepted (64 KiB by default); larger ones get 413.
     *
     * @param bytes the limit in bytes, at least 1024
     * @return this builder
     * @throws InvalidArgumentException if {@code bytes} is below 1024
     */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 1024) throw new InvalidArgumentException("maxBodyBytes", "must be at least 1024");
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * The clock of the idempotency window; the system clock by default.
     *
     * @param clock the clock
     * @return this builder
     * @throws InvalidArgumentException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      if (clock == null) throw new InvalidArgumentException("clock", "must not be null");
      this.clock = clock;
      return this;
    }

    /**
     * How long this process remembers a create's {@code Idempotency-Key} (24 hours by default).
     * Keys are remembered in memory, per process: see {@code management/README.md},
     * "Idempotency-Key", for what that means behind a load balancer.
     *
     * @param window from one second to seven days
     * @return this builder
     * @throws InvalidArgumentException if {@code window} is null or out of range
     */
    public Builder idempotencyWindow(Duration window) {
      if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0
          || window.compareTo(Duration.ofDays(7)) > 0) {
        throw new InvalidArgumentException("idempotencyWindow",
            "must be from 1 second to 7 days");
      }
      this.idempotencyWindow = window;
      return this;
    }

    /**
     * How many {@code Idempotency-Key}s this process remembers at most (100,000 by default); when
     * full, the oldest is forgotten first, so memory stays bounded whatever clients send.
     *
     * @param keys at least 1
     * @return this builder
     * @throws InvalidArgumentException if {@code keys} is below 1
     */
    public Builder idempotencyCapacity(int keys) {
      if (keys < 1) throw new InvalidArgumentException("idempotencyCapacity", "must be at least 1");
      this.idempotencyCapacity = keys;
      return this;
    }

    /**
     * Builds the API; it holds no threads or sockets of its own.
     *
     * @return the API, ready to {@link ManagementApi#handle} requests
     */
    public ManagementApi build() {
      return new ManagementApi(this);
    }
  }
}
