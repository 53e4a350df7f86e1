package io.latchkey;

import org.jspecify.annotations.Nullable;

/**
 * Where {@link RequestAuthenticator} finds the token in a request: the {@code Authorization:
 * Bearer} header ({@link #BEARER}, the default), another header such as {@code X-API-Key} ({@link
 * #header(String)}), or a host function (any lambda). Every integration (servlet filter, Spring
 * Security, JAX-RS) reads the token through the authenticator's source, so the parsing lives here
 * once.
 *
 * <p>Implementations must be thread-safe and should not throw: an exception is treated as "no
 * token", and the request gets the no-credentials 401.
 */
@FunctionalInterface
public interface TokenSource {

  /** The token of an {@code Authorization: Bearer <token>} header (RFC 6750 §2.1). */
  TokenSource BEARER = new TokenSource() {
    @Override
    public @Nullable String token(HttpRequestView request) {
      return bearerToken(request.header("Authorization"));
    }

    @Override
    public String toString() {
      return "TokenSource.BEARER";
    }
  };

  /**
   * The token a request carries, or null if it carries none. A present but malformed value is
   * returned as it is: the validator rejects it as {@code MALFORMED}, with the "invalid token"
   * answer rather than the "no credentials" one.
   */
  @Nullable String token(HttpRequestView request);

  /**
   * The whole value of one header, such as {@code X-API-Key: <token>}, blanks around it removed.
   *
   * @throws InvalidArgumentException naming {@code tokenHeader} if the name is not a header name
   */
  static TokenSource header(String name) {
    if (!RequestAuthenticator.isHeaderName(name)) {
      throw new InvalidArgumentException("tokenHeader",
          "must be a header name: letters, digits and !#$%&'*+-.^_`|~");
    }
    if (name.equalsIgnoreCase("Authorization")) return BEARER;
    return new TokenSource() {
      @Override
      public @Nullable String token(HttpRequestView request) {
        String value = request.header(name);
        if (value == null) return null;
        String token = value.strip();
        return token.isEmpty() ? null : token;
      }

      @Override
      public String toString() {
        return "TokenSource.header(" + name + ")";
      }
    };
  }

  /** The token of an {@code Authorization: Bearer <token>} value, or null if it is not one. */
  private static @Nullable String bearerToken(@Nullable String authorization) {
    if (authorization == null) return null;
    String value = authorization.strip();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer", 0, 6)
        || (value.charAt(6) != ' ' && value.charAt(6) != '\t')) {
      return null;
    }
    // A malformed token (spaces, a second credential) goes to the validator, which rejects it.
    return value.substring(7).strip();
  }
}
