package io.latchkey.spring;

import io.latchkey.HttpRequestView;
import io.latchkey.RequestAuthenticator;
import io.latchkey.servlet.LatchkeyFilter;
import io.latchkey.servlet.ServletRequestView;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Spring Security's filter for Latchkey tokens. A request without a token passes on
 * unauthenticated (the authorization rules then decide, and the entry point answers 401). A request
 * with one is authenticated through the {@link AuthenticationManager}: success puts a {@link
 * LatchkeyAuthentication} in the security context for this request only (never in a session); a
 * refusal is answered at once, exactly as {@link RequestAuthenticator} worded it (401, 403 for the
 * client address, 503 when the store is down).
 */
public final class LatchkeyAuthenticationFilter extends OncePerRequestFilter {
  private final RequestAuthenticator authenticator;
  private final AuthenticationManager authenticationManager;
  private final SecurityContextHolderStrategy contexts =
      SecurityContextHolder.getContextHolderStrategy();
  private final SecurityContextRepository repository =
      new RequestAttributeSecurityContextRepository();

  /**
   * A filter that authenticates requests carrying a token through the manager.
   *
   * @param authenticator tells whether a request carries a token at all, and answers refusals
   * @param authenticationManager authenticates a {@link LatchkeyAuthenticationRequest}
   */
  public LatchkeyAuthenticationFilter(RequestAuthenticator authenticator,
      AuthenticationManager authenticationManager) {
    this.authenticator = authenticator;
    this.authenticationManager = authenticationManager;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    HttpRequestView view = ServletRequestView.of(request);
    if (!LatchkeyConfigurer.carriesToken(authenticator, view)) {
      chain.doFilter(request, response);
      return;
    }
    Authentication authentication;
    try {
      authentication = authenticationManager.authenticate(new LatchkeyAuthenticationRequest(view));
    } catch (LatchkeyAuthenticationException e) {
      contexts.clearContext();
      LatchkeyFilter.writeRejection(e.result(), response);
      return;
    }
    SecurityContext context = contexts.createEmptyContext();
    context.setAuthentication(authentication);
    contexts.setContext(context);
    repository.saveContext(context, request, response);
    chain.doFilter(request, response);
  }
}
