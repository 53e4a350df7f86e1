package io.latchkey.spring;

import io.latchkey.RequestAuthenticator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * The Spring Security side: a {@link LatchkeyAuthenticationProvider} bean for {@link
 * LatchkeyConfigurer}, when Spring Security is on the classpath of a servlet application.
 */
@AutoConfiguration(after = LatchkeyAutoConfiguration.class)
@ConditionalOnClass(HttpSecurity.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(RequestAuthenticator.class)
public class LatchkeySecurityAutoConfiguration {

  /**
   * The authentication provider, unless the application defines one.
   *
   * @param authenticator the context's request authenticator
   * @return a provider that {@link LatchkeyConfigurer} adds to the chain
   */
  @Bean
  @ConditionalOnMissingBean
  public LatchkeyAuthenticationProvider latchkeyAuthenticationProvider(
      RequestAuthenticator authenticator) {
    return new LatchkeyAuthenticationProvider(authenticator);
  }
}
