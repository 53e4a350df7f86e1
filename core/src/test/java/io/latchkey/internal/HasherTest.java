package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.Harness;
import io.latchkey.HashingKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HasherTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final HashingKey K1 = Harness.K1;
  static final HashingKey K2 = Harness.K2;

  static String token(TokenFormat f) {
    return f.assemble(TokenFormat.newId(System.currentTimeMillis(), RANDOM, Harness.TAGGER),
        TokenFormat.newSecret(RANDOM));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lk", "acme_live"})
  void hashPrimary_isHmacSha256OfIdAndSecretUnderThePrimaryKey(String prefix) throws Exception {
    TokenFormat format = new TokenFormat(prefix);
    Hasher hasher = new Hasher(List.of(K1, K2));
    for (int i = 0; i < 20; i++) {
      String token = token(format);
      byte[] hash = hasher.hashPrimary(token, format.idOffset());
      assertThat(hash).hasSize(32).isEqualTo(Harness.hmac(K1, token, prefix));
      assertThat(hasher.matches(0, hash, token, format.idOffset())).isTrue();
    }
    assertThat(hasher.primaryKeyId()).isEqualTo("k1");
  }

  @Test
  void matches_onlyUnderTheKeyThatMadeTheHash() throws Exception {
    TokenFormat format = new TokenFormat("lk");
    Hasher hasher = new Hasher(List.of(K2, K1));
    String token = token(format);
    byte[] underK1 = Harness.hmac(K1, token, "lk");

    assertThat(hasher.indexOf("k1")).isEqualTo(1);
    assertThat(hasher.indexOf("k2")).isZero();
    assertThat(hasher.indexOf("k3")).isEqualTo(-1);
    assertThat(hasher.matches(1, underK1, token, format.idOffset())).isTrue();
    assertThat(hasher.matches(0, underK1, token, format.idOffset())).isFalse();
    assertThat(hasher.matches(-1, underK1, token, format.idOffset())).isFalse();
    assertThat(hasher.matches(2, underK1, token, format.idOffset())).isFalse();
    assertThat(hasher.matches(1, new byte[0], token, format.idOffset())).isFalse();
    byte[] flipped = underK1.clone();
    flipped[31] ^= 1;
    assertThat(hasher.matches(1, flipped, token, format.idOffset())).isFalse();
  }

  @Test
  void hashPrimary_differsForAnotherSecretWithTheSameId() {
    TokenFormat format = new TokenFormat("lk");
    Hasher hasher = new Hasher(List.of(K1));
    String id = TokenFormat.newId(1L, RANDOM, Harness.TAGGER);
    String a = format.assemble(id, TokenFormat.newSecret(RANDOM));
    String b = format.assemble(id, TokenFormat.newSecret(RANDOM));
    byte[] hashA = hasher.hashPrimary(a, format.idOffset());
    assertThat(hasher.hashPrimary(b, format.idOffset())).isNotEqualTo(hashA);
    assertThat(hasher.matches(0, hashA, b, format.idOffset())).isFalse();
  }

  @Test
  void hashPrimary_isCorrectFromManyThreadsAtOnce() throws Exception {
    TokenFormat format = new TokenFormat("lk");
    Hasher hasher = new Hasher(List.of(K1, K2));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            String token = token(format);
            byte[] expected = Harness.hmac(K1, token, "lk");
            if (!java.util.Arrays.equals(hasher.hashPrimary(token, format.idOffset()), expected)
                || !hasher.matches(1, Harness.hmac(K2, token, "lk"), token, format.idOffset())) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) assertThat(f.get()).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {32, 63, 64, 65, 100, 128, 200})
  void hashPrimary_matchesMacForKeysShorterAndLongerThanABlock(int keyLength) throws Exception {
    byte[] bytes = new byte[keyLength];
    RANDOM.nextBytes(bytes);
    HashingKey key = HashingKey.of("long", bytes);
    TokenFormat format = new TokenFormat("lk");
    Hasher hasher = new Hasher(List.of(key));
    String token = token(format);
    assertThat(hasher.hashPrimary(token, format.idOffset()))
        .isEqualTo(Harness.hmac(key, token, "lk"));
  }

  @Test
  void constructor_rejectsNoKeys() {
    assertThatThrownBy(() -> new Hasher(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
