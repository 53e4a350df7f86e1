package io.latchkey.spring;

import io.latchkey.HttpRequestView;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * An unauthenticated request for {@link LatchkeyAuthenticationProvider}: the HTTP request as core's
 * {@link HttpRequestView}, so the token is read by the {@link io.latchkey.RequestAuthenticator}'s
 * token source and nowhere else.
 */
public final class LatchkeyAuthenticationRequest extends AbstractAuthenticationToken {
  private static final long serialVersionUID = 1L;

  private final transient HttpRequestView request;

  /**
   * An unauthenticated request.
   *
   * @param request the HTTP request, read only through the authenticator's token source
   */
  public LatchkeyAuthenticationRequest(HttpRequestView request) {
    super(List.of());
    this.request = request;
  }

  /**
   * The HTTP request to authenticate.
   *
   * @return the request as core's view of it
   */
  public HttpRequestView request() {
    return request;
  }

  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public Object getPrincipal() {
    return "";
  }
}
