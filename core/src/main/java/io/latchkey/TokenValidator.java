package io.latchkey;

/**
 * Checks a request's token: format, existence, secret, state and expiry, workspace, client
 * address and permissions, in that order, stopping at the first failure. Thread-safe, never
 * throws for bad input, never blocks on a write.
 */
public interface TokenValidator {

  /**
   * Validates a request. A null request or token is {@link Reason#MALFORMED}.
   *
   * @return valid with the token, or rejected with the reason
   * @param request the token and what it must satisfy
   */
  ValidationResult validate(ValidationRequest request);

  /**
   * Validates a bare token with no workspace, address or permission requirements.
   *
   * @param token the presented token
   * @return the result
   */
  default ValidationResult validate(String token) {
    return validate(ValidationRequest.of(token));
  }
}
