package io.latchkey.spring;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import io.latchkey.Latchkey;
import io.latchkey.MetricsRecorder;
import io.latchkey.RequestAuthenticator;
import io.latchkey.TokenListener;
import io.latchkey.TokenManager;
import io.latchkey.TokenValidator;
import io.latchkey.micrometer.LatchkeyMetrics;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Builds a {@link Latchkey} from {@code latchkey.*} properties, over the store they name, and
 * exposes its {@link TokenManager}, {@link TokenValidator} and a {@link RequestAuthenticator}. Each
 * bean backs off when the application defines its own. A missing or bad setting stops startup with
 * a message naming the property.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "latchkey.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LatchkeyProperties.class)
public class LatchkeyAutoConfiguration {
  private static final String REDIS_STORE = "io.latchkey.store.redis.RedisTokenStore";

  /**
   * The store {@code latchkey.store} names. For {@code jdbc} it is the application's own
   * DataSource (never a second pool); Latchkey never closes the host's pool.
   *
   * @param properties the {@code latchkey.*} settings
   * @param dataSource the application's DataSource, used when {@code latchkey.store=jdbc}
   * @param beanFactory where a Lettuce {@code RedisClient} bean is looked up for {@code redis}
   * @return the token store
   * @throws InvalidConfigurationPropertyValueException naming the property that is missing or
   *     wrong, e.g. {@code latchkey.store} when it is not set or its backend is missing
   */
  @Bean
  @ConditionalOnMissingBean({TokenStore.class, Latchkey.class})
  public TokenStore latchkeyTokenStore(LatchkeyProperties properties,
      ObjectProvider<DataSource> dataSource, BeanFactory beanFactory) {
    LatchkeyProperties.StoreType type = properties.getStore();
    if (type == null) {
      throw new InvalidConfigurationPropertyValueException("latchkey.store", null,
          "must be set to memory, jdbc (the application's DataSource) or redis");
    }
    switch (type) {
      case MEMORY:
        return new InMemoryTokenStore();
      case JDBC: {
        DataSource ds = dataSource.getIfUnique();
        if (ds == null) {
          throw new InvalidConfigurationPropertyValueException("latchkey.store", "jdbc",
              "needs exactly one DataSource bean: set spring.datasource.url or define one");
        }
        JdbcTokenStore.Builder b = JdbcTokenStore.builder().dataSource(ds);
        LatchkeyProperties.Jdbc jdbc = properties.getJdbc();
        if (jdbc.getTablePrefix() != null) {
          set("latchkey.jdbc.table-prefix", jdbc.getTablePrefix(),
              () -> b.tablePrefix(jdbc.getTablePrefix()));
        }
        b.migrate(jdbc.isMigrate());
        return build("latchkey.store", "jdbc", b::build);
      }
      case REDIS: {
        if (!ClassUtils.isPresent(REDIS_STORE, getClass().getClassLoader())) {
          throw new InvalidConfigurationPropertyValueException("latchkey.store", "redis",
              "needs io.latchkey:latchkey-store-redis on the classpath");
        }
        return RedisStores.create(properties.getRedis(), beanFactory);
      }
      default:
        throw new InvalidConfigurationPropertyValueException("latchkey.store", type,
            "must be memory, jdbc or redis");
    }
  }

  /**
   * The library instance, built from {@code latchkey.*}; closed with the context.
   *
   * @param properties the {@code latchkey.*} settings
   * @param store the token store
   * @param listeners every {@link TokenListener} bean, in order
   * @param metrics the {@link MetricsRecorder} bean, when there is exactly one
   * @return the library instance
   * @throws InvalidConfigurationPropertyValueException naming the property that is missing or
   *     wrong, e.g. {@code latchkey.hashing-keys} (never its value)
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Latchkey latchkey(LatchkeyProperties properties, TokenStore store,
      ObjectProvider<TokenListener> listeners, ObjectProvider<MetricsRecorder> metrics) {
    Latchkey.Builder b = Latchkey.builder().store(store);
    metrics.ifUnique(b::metrics);
    if (properties.getTokenPrefix() != null) {
      set("latchkey.token-prefix", properties.getTokenPrefix(),
          () -> b.tokenPrefix(properties.getTokenPrefix()));
    }
    Map<String, String> keys = properties.getHashingKeys();
    if (keys.isEmpty()) {
      throw new InvalidConfigurationPropertyValueException("latchkey.hashing-keys", null,
          "must hold at least one active key, "
              + "e.g. latchkey.hashing-keys.k1=${LATCHKEY_HASHING_KEY} (32+ random bytes in base64: `latchkey keygen` or `openssl rand -base64 32`)");
    }
    for (Map.Entry<String, String> key : keys.entrySet()) {
      // The value is secret: the message names the property, never the value.
      set("latchkey.hashing-keys." + key.getKey(), "<hidden>",
          () -> b.hashingKey(HashingKey.fromBase64(key.getKey(), key.getValue())));
    }
    for (Map.Entry<String, String> key : properties.getRetiringHashingKeys().entrySet()) {
      set("latchkey.retiring-hashing-keys." + key.getKey(), "<hidden>",
          () -> b.retiringHashingKey(HashingKey.fromBase64(key.getKey(), key.getValue())));
    }
    if (properties.getPrimaryHashingKey() != null) {
      set("latchkey.primary-hashing-key", properties.getPrimaryHashingKey(),
          () -> b.primaryHashingKey(properties.getPrimaryHashingKey()));
    } else if (keys.size() > 1) {
      throw new InvalidConfigurationPropertyValueException("latchkey.primary-hashing-key", null,
          "must name the key that hashes new tokens when there are several active ones: one of "
              + keys.keySet());
    }
    duration("latchkey.cache-ttl", properties.getCacheTtl(), b::cacheTtl);
    if (properties.getCacheMaximumSize() != null) {
      set("latchkey.cache-maximum-size", properties.getCacheMaximumSize(),
          () -> b.cacheMaximumSize(properties.getCacheMaximumSize()));
    }
    duration("latchkey.serve-stale-for", properties.getServeStaleFor(), b::serveStaleFor);
    duration("latchkey.default-lifetime", properties.getDefaultLifetime(), b::defaultLifetime);
    duration("latchkey.max-lifetime", properties.getMaxLifetime(), b::maxLifetime);
    duration("latchkey.usage-flush-interval", properties.getUsageFlushInterval(),
        b::usageFlushInterval);
    listeners.orderedStream().forEach(b::listener);
    return build("latchkey", null, b::build);
  }

  /**
   * Issues and manages tokens.
   *
   * @param latchkey the library instance
   * @return its token manager
   */
  @Bean
  @ConditionalOnMissingBean
  public TokenManager latchkeyTokenManager(Latchkey latchkey) {
    return latchkey.tokens();
  }

  /**
   * Validates presented tokens.
   *
   * @param latchkey the library instance
   * @return its validator
   */
  @Bean
  @ConditionalOnMissingBean
  public TokenValidator latchkeyTokenValidator(Latchkey latchkey) {
    return latchkey.validator();
  }

  /**
   * How every HTTP integration reads a request and words its answer.
   *
   * @param properties the {@code latchkey.http.*} settings
   * @param validator validates the token the request carries
   * @return the request authenticator
   * @throws InvalidConfigurationPropertyValueException naming the {@code latchkey.http.*}
   *     property that is wrong
   */
  @Bean
  @ConditionalOnMissingBean
  public RequestAuthenticator latchkeyRequestAuthenticator(LatchkeyProperties properties,
      TokenValidator validator) {
    LatchkeyProperties.Http http = properties.getHttp();
    RequestAuthenticator.Builder b = RequestAuthenticator.builder().validator(validator);
    if (http.getTokenHeader() != null && !http.getTokenHeader().isBlank()) {
      set("latchkey.http.token-header", http.getTokenHeader(),
          () -> b.tokenHeader(http.getTokenHeader()));
    }
    if (http.getRealm() != null) {
      set("latchkey.http.realm", http.getRealm(), () -> b.realm(http.getRealm()));
    }
    if (http.getIntegrationHeader() != null) {
      set("latchkey.http.integration-header", http.getIntegrationHeader(),
          () -> b.integrationHeader(http.getIntegrationHeader()));
    }
    set("latchkey.http.trusted-proxies", http.getTrustedProxies(),
        () -> b.trustedProxies(http.getTrustedProxies()));
    return b.build();
  }

  /**
   * Latchkey's meters when Micrometer and {@code latchkey-micrometer} are on the classpath; Spring
   * Boot binds every {@code MeterBinder} bean to the application's registry.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
      "io.latchkey.micrometer.LatchkeyMetrics"})
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean(MetricsRecorder.class)
    LatchkeyMetrics latchkeyMetrics() {
      return new LatchkeyMetrics();
    }
  }

  private static void duration(String property, @Nullable Duration value,
      Consumer<Duration> setter) {
    if (value != null) set(property, value, () -> setter.accept(value));
  }

  /** Applies one setting; the library's complaint becomes one naming the property. */
  static void set(String property, @Nullable Object value, Runnable apply) {
    try {
      apply.run();
    } catch (InvalidArgumentException e) {
      throw new InvalidConfigurationPropertyValueException(property, value, e.getMessage());
    }
  }

  interface Build<T> {
    T build();
  }

  static <T> T build(String property, @Nullable Object value, Build<T> build) {
    try {
      return build.build();
    } catch (InvalidArgumentException e) {
      throw new InvalidConfigurationPropertyValueException(
          property.equals("latchkey") ? "latchkey." + kebab(e.field()) : property, value,
          e.getMessage());
    }
  }

  /** {@code defaultLifetime} → {@code default-lifetime}. */
  static String kebab(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) sb.append('-').append(Character.toLowerCase(c));
      else sb.append(c);
    }
    return sb.toString();
  }
}
