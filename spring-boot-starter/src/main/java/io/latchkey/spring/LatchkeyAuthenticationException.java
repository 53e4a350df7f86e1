package io.latchkey.spring;

import io.latchkey.AuthResult;
import org.springframework.security.core.AuthenticationException;

/**
 * A token was refused (or could not be checked: the store is down); {@link #result()} is the answer
 * to send, 401, 403 or 503 as {@link io.latchkey.RequestAuthenticator} wrote it.
 */
public final class LatchkeyAuthenticationException extends AuthenticationException {
  private static final long serialVersionUID = 1L;

  private final transient AuthResult result;

  /**
   * A refusal carrying the answer to send.
   *
   * @param result the authenticator's answer: 401, 403 or 503 with its headers and body
   */
  public LatchkeyAuthenticationException(AuthResult result) {
    super("Latchkey refused the request: HTTP " + result.status());
    this.result = result;
  }

  /**
   * The answer to send for this refusal.
   *
   * @return the authenticator's answer, as {@link io.latchkey.RequestAuthenticator} wrote it
   */
  public AuthResult result() {
    return result;
  }
}
