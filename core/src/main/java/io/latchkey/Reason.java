package io.latchkey;

/**
 * Why a token was rejected. The exact reason goes to listeners and logs; callers of the host's API
 * should get only {@link #httpStatus()} and {@link #publicMessage()}, which do not tell whether an
 * unknown, revoked or expired token exists.
 */
public enum Reason {
  /** Null, empty, wrong prefix or length, bad characters, or a failed checksum. */
  MALFORMED(401),
  /** No such id, or the secret does not match its hash. The two are indistinguishable. */
  UNKNOWN(401),
  /** The token is disabled. */
  DISABLED(401),
  /** The token is revoked. */
  REVOKED(401),
  /** The token has expired. */
  EXPIRED(401),
  /** The token belongs to another workspace than the request names. */
  WORKSPACE_MISMATCH(401),
  /** The client address is missing, unparsable or outside the token's allowlist. */
  IP_NOT_ALLOWED(403),
  /** A required permission is not granted. */
  PERMISSION_DENIED(403),
  /** The store could not be reached and no usable cached entry was at hand (fail closed). */
  UNAVAILABLE(503);

  private static final String INVALID = "The API token is missing, invalid, expired or revoked.";

  private final int httpStatus;

  Reason(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  /**
   * The HTTP status a host should answer with: 401, 403 or 503.
   *
   * @return 401, 403 or 503
   */
  public int httpStatus() {
    return httpStatus;
  }

  /**
   * A message safe to show the caller. Every 401 reason shares one message, so a caller cannot
   * learn whether a token exists, was revoked or expired.
   *
   * @return the same text for every reason with this status
   */
  public String publicMessage() {
    switch (this) {
      case IP_NOT_ALLOWED:
        return "The API token may not be used from this address.";
      case PERMISSION_DENIED:
        return "The API token lacks a permission this request requires.";
      case UNAVAILABLE:
        return "Token validation is temporarily unavailable; retry later.";
      default:
        return INVALID;
    }
  }
}
