package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The starter's part of the exception contract (README, "Errors"): a wrong or missing
 * {@code latchkey.*} property fails startup with Spring Boot's
 * {@link InvalidConfigurationPropertyValueException} naming the property (never a key's value),
 * inside Spring's {@link BeanCreationException}; a {@link LatchkeyConfigurer} with no
 * {@code RequestAuthenticator} to use fails with an {@link IllegalStateException} that names the
 * properties to set.
 */
class StarterExceptionContractTest {
  private static final String KEY = SecurityHttpTestBase.HASHING_KEY;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
          LatchkeySecurityAutoConfiguration.class));

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> all = new ArrayList<>();
    for (; t != null && !all.contains(t); t = t.getCause()) all.add(t);
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "latchkey.store        | " + KEY,
      "latchkey.hashing-keys | latchkey.store=memory",
      "latchkey.store        | latchkey.store=jdbc,                      " + KEY,
      "latchkey.hashing-keys.k1 | latchkey.store=memory,                 latchkey.hashing-keys.k1=c2hvcnQ=",
      "latchkey.token-prefix | latchkey.store=memory,                    latchkey.token-prefix=Not Valid!, " + KEY,
      "latchkey.http.realm   | latchkey.store=memory,                    latchkey.http.realm=a\"b, " + KEY})
  void badProperty_failsStartupWithSpringsPropertyException_namingIt(String property,
      String properties) {
    runner.withPropertyValues(properties.split(",\\s*")).run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      assertThat(failure).isInstanceOf(BeanCreationException.class);
      assertThat(causes(failure)).filteredOn(InvalidConfigurationPropertyValueException.class::isInstance)
          .singleElement()
          .satisfies(e -> {
            assertThat(((InvalidConfigurationPropertyValueException) e).getName())
                .isEqualTo(property);
            assertThat(e).hasMessageContaining(property).hasMessageNotContaining("c2hvcnQ=");
          });
    });
  }

  @Test
  void configurer_withoutRequestAuthenticator_failsStartupNamingTheProperties() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
            LatchkeySecurityAutoConfiguration.class))
        .withUserConfiguration(ChainWithLatchkey.class)
        .withPropertyValues("latchkey.enabled=false")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).isInstanceOf(BeanCreationException.class);
          assertThat(causes(context.getStartupFailure()))
              .filteredOn(IllegalStateException.class::isInstance)
              .anySatisfy(e -> assertThat(e).isExactlyInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("RequestAuthenticator")
                  .hasMessageContaining("latchkey.store")
                  .hasMessageContaining("latchkey.hashing-keys")
                  .hasMessageContaining("authenticator(...)"));
        });
  }

  /** A host's chain with the one Latchkey line, as the README shows it. */
  @Configuration(proxyBeanMethods = false)
  @EnableWebSecurity
  static class ChainWithLatchkey {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
      return http.with(LatchkeyConfigurer.latchkey(), Customizer.withDefaults()).build();
    }
  }
}
