package io.latchkey;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@link RequestAuthenticator#authenticate} decided about one request: the validation result
 * and, when it was rejected, the HTTP answer to send as it is. Hosts either let the request through
 * with {@link #principalOrNull()} or write {@link #status()}, {@link #headers()} and {@link
 * #jsonBody()} and stop.
 *
 * @param validation the validator's result (the exact reason is here, for logs; never send it)
 * @param clientIp the client address the token was checked against, or null if none could be
 *     trusted or parsed
 * @param status 200 if valid, else 401, 403 or 503
 * @param headers response headers to add when rejected ({@code WWW-Authenticate}, {@code
 *     Content-Type}, {@code Cache-Control}, {@code Retry-After}); empty when valid
 * @param jsonBody a small JSON error body when rejected, always the keys {@code error} then
 *     {@code message}, e.g. {@code {"error":"invalid_token","message":"..."}}; {@code error} is
 *     null when the request carried no credentials (RFC 6750 §3.1); null when valid
 */
public record AuthResult(
    ValidationResult validation,
    @Nullable String clientIp,
    int status,
    Map<String, String> headers,
    @Nullable String jsonBody) {

  public AuthResult {
    if (validation == null) throw new InvalidArgumentException("validation", "must not be null");
    headers = Map.copyOf(headers);
  }

  /** Whether the request may proceed. */
  public boolean isAuthenticated() {
    return validation.isValid();
  }

  /** The token that authenticated the request, or null if rejected. */
  public @Nullable Token principalOrNull() {
    return validation.principalOrNull();
  }

  /** The exact rejection reason for logs, or null if valid. Do not send it to the caller. */
  public @Nullable Reason reasonOrNull() {
    return validation.reasonOrNull();
  }

  @Override
  public String toString() {
    return "AuthResult[status=" + status + ", reason=" + validation.reasonOrNull() + ", clientIp="
        + clientIp + "]";
  }
}
