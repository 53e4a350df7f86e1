package io.latchkey.spring;

import io.latchkey.Latchkey;
import io.latchkey.management.ManagementApi;
import io.latchkey.management.ManagementServlet;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Serves the management API ({@code latchkey-management}) under {@code latchkey.management.path}
 * when {@code latchkey.management.enabled=true}: a {@link ManagementApi} over the application's
 * {@link Latchkey} and a {@link ServletRegistrationBean} of its {@link ManagementServlet}. Each
 * backs off when the application defines its own ({@code ManagementApi} bean, or a bean named
 * {@code latchkeyManagementServlet}).
 *
 * <p>The API authenticates its callers itself, with Latchkey tokens granted {@code
 * latchkey:tokens:read} / {@code latchkey:tokens:write}. With Spring Security, a {@code
 * SecurityFilterChain} named {@code latchkeyManagementSecurityFilterChain}, ordered before the
 * application's own chains, matches only the management path and lets its requests through
 * (stateless, no CSRF token, no session), so the application's chain neither refuses {@code
 * /verify} and {@code /openapi.json}, which need no token, nor authenticates the others a second
 * time with other answers. The application replaces it by defining a bean of that name. This
 * configuration runs after Spring Boot's web security, so an application without a chain of its
 * own keeps Spring Boot's default chain for every other path.
 */
@AutoConfiguration(after = LatchkeyAutoConfiguration.class, afterName = {
    "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.actuate.web.servlet."
        + "ManagementWebSecurityAutoConfiguration"})
@ConditionalOnClass(ManagementApi.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "latchkey.management.enabled")
@ConditionalOnBean(Latchkey.class)
public class LatchkeyManagementAutoConfiguration {
  /** The bean name of the servlet's registration; a host bean of this name replaces ours. */
  public static final String SERVLET_BEAN = "latchkeyManagementServlet";
  /** The bean name of the management path's security chain; a host bean of this name wins. */
  public static final String SECURITY_CHAIN_BEAN = "latchkeyManagementSecurityFilterChain";

  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

  /**
   * The API over the application's Latchkey, configured from {@code latchkey.management.*}.
   *
   * @param latchkey the application's Latchkey
   * @param properties the {@code latchkey.*} settings
   * @return the management API
   */
  @Bean
  @ConditionalOnMissingBean
  public ManagementApi latchkeyManagementApi(Latchkey latchkey, LatchkeyProperties properties) {
    LatchkeyProperties.Management m = properties.getManagement();
    ManagementApi.Builder b = ManagementApi.builder(latchkey);
    if (m.getOperatorWorkspace() != null) {
      LatchkeyAutoConfiguration.set("latchkey.management.operator-workspace",
          m.getOperatorWorkspace(), () -> b.operatorWorkspace(m.getOperatorWorkspace()));
    }
    if (m.getMaxBodySize() != null) {
      long bytes = m.getMaxBodySize().toBytes();
      LatchkeyAutoConfiguration.set("latchkey.management.max-body-size", m.getMaxBodySize(),
          () -> b.maxBodyBytes((int) Math.min(bytes, Integer.MAX_VALUE - 1)));
    }
    if (m.getIdempotencyWindow() != null) {
      LatchkeyAutoConfiguration.set("latchkey.management.idempotency-window",
          m.getIdempotencyWindow(), () -> b.idempotencyWindow(m.getIdempotencyWindow()));
    }
    return b.build();
  }

  /**
   * The servlet, mapped at {@code <latchkey.management.path>/*}.
   *
   * @param api the management API it serves
   * @param properties the {@code latchkey.*} settings
   * @return the servlet's registration
   */
  @Bean(name = SERVLET_BEAN)
  @ConditionalOnMissingBean(name = SERVLET_BEAN)
  public ServletRegistrationBean<ManagementServlet> latchkeyManagementServlet(ManagementApi api,
      LatchkeyProperties properties) {
    ServletRegistrationBean<ManagementServlet> registration = new ServletRegistrationBean<>(
        new ManagementServlet(api), path(properties) + "/*");
    registration.setName(SERVLET_BEAN);
    return registration;
  }

  /** The configured path, checked: {@code /a/b}, without a trailing slash or wildcard. */
  static String path(LatchkeyProperties properties) {
    String path = properties.getManagement().getPath();
    if (path == null || !PATH.matcher(path).matches()) {
      throw new InvalidConfigurationPropertyValueException("latchkey.management.path", path,
          "must be a path such as /latchkey: segments of letters, digits, '.', '_', '~' or '-', "
              + "each after a '/', without a trailing '/'");
    }
    return path;
  }

  /** The management path's own security chain, when Spring Security protects the application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HttpSecurity.class)
  @ConditionalOnBean(HttpSecurity.class)
  static class Security {
    /**
     * Lets the management path through to the API, which authenticates it: no Latchkey filter of
     * the application's chain, no session, no CSRF token (callers send a bearer token, or none to
     * {@code /verify}, never a cookie), Spring Security's default response headers kept.
     */
    @Bean(name = SECURITY_CHAIN_BEAN)
    @ConditionalOnMissingBean(name = SECURITY_CHAIN_BEAN)
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    SecurityFilterChain latchkeyManagementSecurityFilterChain(HttpSecurity http,
        LatchkeyProperties properties) throws Exception {
      return http
          .securityMatcher(PathPatternRequestMatcher.withDefaults().matcher(path(properties) + "/**"))
          .authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .csrf(c -> c.disable())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .requestCache(c -> c.disable())
          .build();
    }
  }
}
