package io.latchkey.spring;

import io.latchkey.AuthResult;
import io.latchkey.InvalidArgumentException;
import io.latchkey.RequestAuthenticator;
import io.latchkey.Token;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;

/**
 * Authenticates a {@link LatchkeyAuthenticationRequest} with core's {@link RequestAuthenticator}:
 * a valid token becomes a {@link LatchkeyAuthentication}; anything else a {@link
 * LatchkeyAuthenticationException} carrying the exact answer to send.
 */
public final class LatchkeyAuthenticationProvider implements AuthenticationProvider {
  private final RequestAuthenticator authenticator;

  /**
   * A provider over core's authenticator.
   *
   * @param authenticator reads, validates and authorizes the request's token
   * @throws io.latchkey.InvalidArgumentException if the authenticator is null
   */
  public LatchkeyAuthenticationProvider(RequestAuthenticator authenticator) {
    if (authenticator == null) {
      throw new InvalidArgumentException("authenticator", "must not be null");
    }
    this.authenticator = authenticator;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    LatchkeyAuthenticationRequest request = (LatchkeyAuthenticationRequest) authentication;
    AuthResult result = authenticator.authenticate(request.request());
    Token token = result.principalOrNull();
    if (token == null) throw new LatchkeyAuthenticationException(result);
    return new LatchkeyAuthentication(token);
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return LatchkeyAuthenticationRequest.class.isAssignableFrom(authentication);
  }

  /**
   * The authenticator this provider uses.
   *
   * @return the authenticator given to the constructor
   */
  public RequestAuthenticator authenticator() {
    return authenticator;
  }
}
