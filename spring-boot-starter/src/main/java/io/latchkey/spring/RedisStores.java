package io.latchkey.spring;

import io.latchkey.spi.TokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import io.lettuce.core.RedisClient;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** Kept apart so the auto-configuration loads without Lettuce on the classpath. */
final class RedisStores {
  private RedisStores() {}

  /** Over the application's Lettuce {@link RedisClient} bean if it has one, else the URI. */
  static TokenStore create(LatchkeyProperties.Redis redis, BeanFactory beanFactory) {
    RedisTokenStore.Builder b = RedisTokenStore.builder();
    RedisClient client = beanFactory.getBeanProvider(RedisClient.class).getIfUnique();
    String uri = redis.getUri();
    if (client != null) {
      b.client(client);
    } else if (uri != null && !uri.isBlank()) {
      // The URI may hold a password: messages name the property, never its value.
      LatchkeyAutoConfiguration.set("latchkey.redis.uri", "<hidden>", () -> b.uri(uri));
    } else {
      throw new InvalidConfigurationPropertyValueException("latchkey.redis.uri", null,
          "must be set (redis://host:6379) when the application has no Lettuce RedisClient bean");
    }
    String keyPrefix = redis.getKeyPrefix();
    if (keyPrefix != null) {
      LatchkeyAutoConfiguration.set("latchkey.redis.key-prefix", keyPrefix,
          () -> b.keyPrefix(keyPrefix));
    }
    return LatchkeyAutoConfiguration.build("latchkey.redis.uri", "<hidden>", b::build);
  }
}
