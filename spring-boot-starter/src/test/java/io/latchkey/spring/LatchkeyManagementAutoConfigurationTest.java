package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.management.ManagementApi;
import io.latchkey.management.ManagementServlet;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.SecurityFilterChain;

/** {@code latchkey.management.*}: on, off, the path, the API's settings, and host beans winning. */
class LatchkeyManagementAutoConfigurationTest {
  private static final String KEY = SecurityHttpTestBase.HASHING_KEY;

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
          LatchkeyManagementAutoConfiguration.class))
      .withPropertyValues("latchkey.store=memory", KEY);

  @SuppressWarnings("unchecked")
  private static ServletRegistrationBean<ManagementServlet> registration(
      org.springframework.context.ApplicationContext context) {
    return context.getBean(LatchkeyManagementAutoConfiguration.SERVLET_BEAN,
        ServletRegistrationBean.class);
  }

  @Test
  void offByDefault() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(Latchkey.class).doesNotHaveBean(ManagementApi.class)
          .doesNotHaveBean(LatchkeyManagementAutoConfiguration.SERVLET_BEAN);
    });
  }

  @Test
  void enabled_servesTheApiAtTheDefaultPath() {
    runner.withPropertyValues("latchkey.management.enabled=true").run(context -> {
      assertThat(context).hasSingleBean(ManagementApi.class);
      assertThat(registration(context).getUrlMappings()).containsExactly("/latchkey/*");
      assertThat(registration(context).getServlet()).isInstanceOf(ManagementServlet.class);
    });
  }

  @Test
  void customPath() {
    runner.withPropertyValues("latchkey.management.enabled=true",
        "latchkey.management.path=/admin/tokens-api").run(context ->
        assertThat(registration(context).getUrlMappings()).containsExactly("/admin/tokens-api/*"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "latchkey.management.path=latchkey | latchkey.management.path",
      "latchkey.management.path=/latchkey/ | latchkey.management.path",
      "latchkey.management.path=/latchkey/* | latchkey.management.path",
      "latchkey.management.path=/ | latchkey.management.path",
      "latchkey.management.operator-workspace= | latchkey.management.operator-workspace",
      "latchkey.management.max-body-size=100B | latchkey.management.max-body-size",
      "latchkey.management.idempotency-window=30d | latchkey.management.idempotency-window"})
  void badSetting_failsStartupNamingTheProperty(String setting, String property) {
    runner.withPropertyValues("latchkey.management.enabled=true", setting).run(context -> {
      assertThat(context).hasFailed();
      StringBuilder messages = new StringBuilder();
      for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
        messages.append(t.getMessage()).append('\n');
      }
      assertThat(messages.toString()).contains("Property " + property + " with value");
    });
  }

  @Test
  void settingsReachTheApi() {
    runner.withPropertyValues("latchkey.management.enabled=true",
        "latchkey.management.operator-workspace=ops", "latchkey.management.max-body-size=2KB",
        "latchkey.management.idempotency-window=10m").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(ManagementApi.class);
          // The limit is the API's: a 3 KB body is refused before it is parsed.
          var answer = context.getBean(ManagementApi.class).handle(
              new io.latchkey.management.ApiRequest("POST", "/verify", null, Map.of(),
                  new byte[3 * 1024], null));
          assertThat(answer.status()).isEqualTo(413);
        });
  }

  @Test
  void hostBeansWin() {
    runner.withPropertyValues("latchkey.management.enabled=true")
        .withUserConfiguration(HostBeans.class).run(context -> {
          assertThat(context).hasSingleBean(ManagementApi.class);
          assertThat(context.getBean(ManagementApi.class))
              .isSameAs(context.getBean(HostBeans.class).api);
          assertThat(registration(context).getUrlMappings()).containsExactly("/mine/*");
        });
  }

  @Test
  void notAWebApplication_nothing() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
            LatchkeyManagementAutoConfiguration.class))
        .withPropertyValues("latchkey.store=memory", KEY, "latchkey.management.enabled=true")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ManagementApi.class));
  }

  @Test
  void withSpringSecurity_ownChainForThePath_andSpringBootsDefaultChainStays() {
    WebApplicationContextRunner secured = runner.withConfiguration(AutoConfigurations.of(
        SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class));
    secured.withPropertyValues("latchkey.management.enabled=true").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBeansOfType(SecurityFilterChain.class)).hasSize(2)
          .containsKey(LatchkeyManagementAutoConfiguration.SECURITY_CHAIN_BEAN);
    });
    secured.run(context -> assertThat(context.getBeansOfType(SecurityFilterChain.class))
        .hasSize(1).doesNotContainKey(LatchkeyManagementAutoConfiguration.SECURITY_CHAIN_BEAN));
  }

  @Test
  void configurationMetadata_describesEveryManagementProperty() throws Exception {
    JsonNode metadata;
    try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> byName = new HashMap<>();
    metadata.path("properties").forEach(p -> byName.put(p.path("name").asText(), p));
    for (String p : List.of("latchkey.management.enabled", "latchkey.management.path",
        "latchkey.management.operator-workspace", "latchkey.management.max-body-size",
        "latchkey.management.idempotency-window")) {
      assertThat(byName).containsKey(p);
      assertThat(byName.get(p).path("description").asText()).as(p).isNotBlank();
    }
    assertThat(byName.get("latchkey.management.path").path("defaultValue").asText())
        .isEqualTo("/latchkey");
    assertThat(byName.get("latchkey.management.enabled").path("defaultValue").asBoolean())
        .isFalse();
  }

  @Configuration(proxyBeanMethods = false)
  static class HostBeans {
    final InMemoryTokenStore store = new InMemoryTokenStore();
    final Latchkey latchkey = Latchkey.builder().store(store)
        .hashingKey(HashingKey.generate("host")).build();
    final ManagementApi api = ManagementApi.builder(latchkey).build();

    @Bean
    Latchkey hostLatchkey() {
      return latchkey;
    }

    @Bean
    ManagementApi hostManagementApi() {
      return api;
    }

    @Bean(name = LatchkeyManagementAutoConfiguration.SERVLET_BEAN)
    ServletRegistrationBean<ManagementServlet> hostRegistration() {
      return new ServletRegistrationBean<>(new ManagementServlet(api), "/mine/*");
    }
  }
}
