package io.latchkey.spring;

import io.latchkey.HttpRequestView;
import io.latchkey.InvalidArgumentException;
import io.latchkey.RequestAuthenticator;
import io.latchkey.servlet.LatchkeyFilter;
import io.latchkey.servlet.ServletRequestView;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationContext;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.CsrfConfigurer;
import org.springframework.security.config.annotation.web.configurers.ExceptionHandlingConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

/**
 * Protects a {@code SecurityFilterChain} with Latchkey tokens in one line:
 *
 * <pre>{@code
 * @Bean
 * SecurityFilterChain api(HttpSecurity http) throws Exception {
 *   return http
 *       .authorizeHttpRequests(a -> a
 *           .requestMatchers(HttpMethod.GET, "/invoices/**").hasAuthority("invoices:read")
 *           .anyRequest().authenticated())
 *       .with(LatchkeyConfigurer.latchkey(), Customizer.withDefaults())
 *       .build();
 * }
 * }</pre>
 *
 * <p>It adds {@link LatchkeyAuthenticationFilter}, makes the chain stateless (no {@code
 * HttpSession}, no {@code Set-Cookie}), exempts requests that carry a token from CSRF checks (a
 * header token is not sent by browsers on their own), and answers "not authenticated" and "access
 * denied" with the same RFC 6750 401 and 403 {@code insufficient_scope} bodies as every Latchkey
 * integration. The {@link RequestAuthenticator} and {@link LatchkeyAuthenticationProvider} are the
 * application context's beans unless set here.
 */
public final class LatchkeyConfigurer
    extends AbstractHttpConfigurer<LatchkeyConfigurer, HttpSecurity> {
  private @Nullable RequestAuthenticator authenticator;

  /**
   * A configurer using the application context's beans.
   *
   * @return a new configurer, for {@code http.with(latchkey(), Customizer.withDefaults())}
   */
  public static LatchkeyConfigurer latchkey() {
    return new LatchkeyConfigurer();
  }

  /**
   * Uses this authenticator instead of the context's {@link RequestAuthenticator} bean.
   *
   * @param authenticator the authenticator for this chain
   * @return this configurer
   * @throws io.latchkey.InvalidArgumentException if the authenticator is null
   */
  public LatchkeyConfigurer authenticator(RequestAuthenticator authenticator) {
    if (authenticator == null) {
      throw new InvalidArgumentException("authenticator", "must not be null");
    }
    this.authenticator = authenticator;
    return this;
  }

  /**
   * Makes the chain stateless as soon as {@code http.with(latchkey(), ...)} applies this
   * configurer: the default configurers derive their request cache, context repository and session
   * strategies from the policy in their own {@code init}, which runs before this one's.
   */
  @Override
  public void setBuilder(HttpSecurity http) {
    super.setBuilder(http);
    try {
      http.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    } catch (Exception e) {
      // Spring Security declares Exception here; a failure is Spring's wiring failure.
      throw new IllegalStateException(
          "LatchkeyConfigurer could not make the security filter chain stateless", e);
    }
  }

  @Override
  public void init(HttpSecurity http) {
    RequestAuthenticator auth = authenticator(http);
    @SuppressWarnings("unchecked")
    CsrfConfigurer<HttpSecurity> csrf = http.getConfigurer(CsrfConfigurer.class);
    if (csrf != null) {
      csrf.ignoringRequestMatchers(r -> carriesToken(auth, ServletRequestView.of(r)));
    }
    AuthenticationEntryPoint entryPoint = (request, response, e) -> LatchkeyFilter.writeRejection(
        e instanceof LatchkeyAuthenticationException refused ? refused.result()
            : auth.authenticate(ServletRequestView.of(request)),
        response);
    AccessDeniedHandler denied = (request, response, e) ->
        LatchkeyFilter.writeRejection(auth.insufficientScope(), response);
    @SuppressWarnings("unchecked")
    ExceptionHandlingConfigurer<HttpSecurity> exceptions =
        http.getConfigurer(ExceptionHandlingConfigurer.class);
    if (exceptions != null) {
      exceptions.defaultAuthenticationEntryPointFor(entryPoint, AnyRequestMatcher.INSTANCE);
      exceptions.defaultAccessDeniedHandlerFor(denied, AnyRequestMatcher.INSTANCE);
    }
  }

  @Override
  public void configure(HttpSecurity http) {
    RequestAuthenticator auth = authenticator(http);
    ApplicationContext context = http.getSharedObject(ApplicationContext.class);
    LatchkeyAuthenticationProvider provider = context == null ? null
        : context.getBeanProvider(LatchkeyAuthenticationProvider.class).getIfUnique();
    if (provider == null) provider = new LatchkeyAuthenticationProvider(auth);
    LatchkeyAuthenticationFilter filter =
        new LatchkeyAuthenticationFilter(auth, new ProviderManager(provider));
    http.addFilterBefore(postProcess(filter), AnonymousAuthenticationFilter.class);
  }

  private RequestAuthenticator authenticator(HttpSecurity http) {
    if (authenticator != null) return authenticator;
    ApplicationContext context = http.getSharedObject(ApplicationContext.class);
    RequestAuthenticator bean = context == null ? null
        : context.getBeanProvider(RequestAuthenticator.class).getIfUnique();
    if (bean == null) {
      // Not a property's value at fault but a missing bean (Latchkey disabled or not configured):
      // Spring's own wiring exception, naming the properties that provide the bean.
      throw new IllegalStateException("LatchkeyConfigurer needs a RequestAuthenticator bean: set "
          + "latchkey.store and latchkey.hashing-keys (and leave latchkey.enabled true), or pass "
          + "one with authenticator(...)");
    }
    authenticator = bean;
    return bean;
  }

  /** Whether the request carries a token where the authenticator looks for one. */
  static boolean carriesToken(RequestAuthenticator authenticator, HttpRequestView request) {
    try {
      return authenticator.tokenSource().token(request) != null;
    } catch (RuntimeException e) {
      return false; // the authenticator treats a failing source as "no token" too
    }
  }
}
