package io.latchkey;

import org.jspecify.annotations.Nullable;

/**
 * What one incoming request presents: the token, and optionally the client address, the calling
 * integration's name, the workspace the route belongs to and the permissions it requires.
 *
 * <p>A fluent, mutable value made per request and not shared between threads. Its setters never
 * throw: bad values make validation reject the request (an unparsable address is refused by a
 * token with an allowlist), so hosts can pass header values straight through.
 */
public final class ValidationRequest {
  private static final String[] NONE = new String[0];

  private final @Nullable String token;
  private @Nullable String clientIp;
  private @Nullable String integration;
  private @Nullable String workspace;
  private String[] required = NONE;
  private boolean recordUsage = true;

  private ValidationRequest(@Nullable String token) {
    this.token = token;
  }

  /** A request presenting this token (null or garbage is fine: it is rejected as malformed). */
  public static ValidationRequest of(@Nullable String token) {
    return new ValidationRequest(token);
  }

  /**
   * The client's IPv4 or IPv6 address, checked against the token's allowlist. Surrounding blanks
   * and an IPv6 zone id ({@code fe80::1%eth0}) are accepted and ignored for matching, as {@link
   * RequestAuthenticator} and allowlist entries accept them. A plain IPv4 address matches only IPv4
   * ranges; an IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) matches its IPv4 range too.
   */
  public ValidationRequest clientIp(@Nullable String clientIp) {
    this.clientIp = clientIp;
    return this;
  }

  /** The calling integration's name (e.g. an {@code x-integration-name} header), recorded as usage. */
  public ValidationRequest integration(@Nullable String integration) {
    this.integration = integration;
    return this;
  }

  /** Binds validation to a workspace: a token of another workspace is rejected. */
  public ValidationRequest workspace(@Nullable String workspace) {
    this.workspace = workspace;
    return this;
  }

  /** Permissions that must all be granted. Replaces earlier ones. */
  public ValidationRequest require(@Nullable String... permissions) {
    this.required = permissions == null ? NONE : permissions.clone();
    return this;
  }

  /**
   * Whether a successful validation records usage (last-used time, client address and
   * integration); default true. An operator checking a token after a leak passes false, so the
   * check does not overwrite the evidence of who last used it.
   */
  public ValidationRequest recordUsage(boolean recordUsage) {
    this.recordUsage = recordUsage;
    return this;
  }

  public @Nullable String token() {
    return token;
  }

  public @Nullable String clientIp() {
    return clientIp;
  }

  public @Nullable String integration() {
    return integration;
  }

  public @Nullable String workspace() {
    return workspace;
  }

  /** Whether a successful validation records usage; see {@link #recordUsage(boolean)}. */
  public boolean recordUsage() {
    return recordUsage;
  }

  /** The required permissions; the array is the request's own, do not modify it. */
  public String[] required() {
    return required;
  }

  @Override
  public String toString() {
    return "ValidationRequest[token=<hidden>, clientIp=" + clientIp + ", integration=" + integration
        + ", workspace=" + workspace + ", required=" + java.util.Arrays.toString(required)
        + (recordUsage ? "" : ", recordUsage=false") + "]";
  }
}
