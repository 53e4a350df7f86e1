package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The probe the cached path looks ids and lookup parts up with: its hash is {@code String}'s, and
 * the two maps the validator probes (Caffeine's bounded cache built as the validator builds it, and
 * a {@code ConcurrentHashMap}) find a stored {@code String} key by it. If a Caffeine upgrade stopped
 * handing the key straight to its map, this fails (and the cached path would only miss, never
 * answer wrongly: a miss takes the whole way).
 */
class TextKeyTest {
  static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void hashCode_isStringsHashCode_ofTheRegion() {
    for (int i = 0; i < 1_000; i++) {
      String id = TokenFormat.newSecret(RANDOM).substring(0, 16);
      String around = "lk_" + id + "tail";
      byte[] bytes = around.getBytes(StandardCharsets.US_ASCII);
      assertThat(new TextKey().bytes(bytes, 3, 16).hashCode()).isEqualTo(id.hashCode());
      assertThat(new TextKey().text(around, 3, 16).hashCode()).isEqualTo(id.hashCode());
      assertThat(new TextKey().text(around, 3, 16).equals(id)).isTrue();
      assertThat(new TextKey().bytes(bytes, 3, 16).equals(id)).isTrue();
      assertThat(new TextKey().bytes(bytes, 4, 16).equals(id)).isFalse();
      assertThat(new TextKey().bytes(bytes, 3, 15).equals(id)).isFalse();
    }
    assertThat(new TextKey().text("é€x", 0, 3).hashCode()).isEqualTo("é€x".hashCode());
    assertThat(new TextKey().text("é€x", 0, 3).equals("é€x")).isTrue();
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void caffeinesBoundedCache_andConcurrentHashMap_findAStringKeyByTheProbe() {
    Cache<String, Integer> cache = Caffeine.newBuilder().executor(Runnable::run)
        .maximumWeight(1 << 20).weigher((String k, Integer v) -> 1)
        .expireAfterWrite(Duration.ofHours(1)).build();
    Policy raw = cache.policy();
    ConcurrentHashMap<String, Integer> map = new ConcurrentHashMap<>();
    String[] ids = new String[2_000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = TokenFormat.newSecret(RANDOM).substring(0, 16);
      cache.put(ids[i], i);
      map.put(ids[i], i);
    }
    TextKey probe = new TextKey();
    for (int i = 0; i < ids.length; i++) {
      byte[] token = ("lk_" + ids[i] + "secret").getBytes(StandardCharsets.US_ASCII);
      assertThat(raw.getIfPresentQuietly(probe.bytes(token, 3, 16))).isEqualTo(i);
      assertThat(map.get(probe.text("lk_" + ids[i] + "secret", 3, 16))).isEqualTo(i);
    }
    byte[] absent = "lk_0000000000000000secret".getBytes(StandardCharsets.US_ASCII);
    assertThat(raw.getIfPresentQuietly(probe.bytes(absent, 3, 16))).isNull();
    probe.clear();
    assertThat(probe.equals(ids[0])).isFalse();
    assertThat(probe.toString()).doesNotContain(ids[0]);
  }
}
