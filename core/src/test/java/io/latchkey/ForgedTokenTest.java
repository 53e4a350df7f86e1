package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.internal.TokenFormat;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Forged well-formed tokens (right prefix, length, alphabet and CRC, which are public) are turned
 * away by the keyed tag of the id before any store read; ids from the future are malformed.
 */
class ForgedTokenTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final TokenFormat LK = new TokenFormat("lk");

  /** A random id and secret with a correct checksum: what anyone can make from the format. */
  static String randomWellFormed() {
    char[] body = new char[TokenFormat.BODY_LENGTH];
    for (int i = 0; i < body.length; i++) body[i] = ALPHABET.charAt(RANDOM.nextInt(62));
    String s = new String(body);
    return LK.assemble(s.substring(0, 16), s.substring(16));
  }

  /** An id in today's layout (version 1, the current time) with a random tag. */
  static String forgedCurrent(long millis) {
    String real = TokenFormat.newId(millis, RANDOM, Harness.TAGGER);
    char[] id = real.toCharArray();
    for (int i = TokenFormat.TAGGED_LENGTH; i < id.length; i++) {
      id[i] = ALPHABET.charAt(RANDOM.nextInt(62));
    }
    return LK.assemble(new String(id), TokenFormat.newSecret(RANDOM));
  }

  @Test
  void tenThousandRandomForgedTokens_costAtMostTenStoreReads() {
    try (Harness h = Harness.create()) {
      IssuedToken real = h.issue("ws", "t");
      h.store.finds.set(0);
      for (int i = 0; i < 10_000; i++) {
        String forged = i % 2 == 0 ? randomWellFormed() : forgedCurrent(h.clock.millis());
        assertThat(LK.isWellFormed(forged)).isTrue();
        assertThat(h.validator().validate(forged).isValid()).isFalse();
      }
      assertThat(h.store.finds.get()).isLessThanOrEqualTo(10);
      assertThat(h.validator().validate(real.secret()).isValid()).isTrue();
    }
  }

  @Test
  void forgedTokens_withTheCacheOff_costNoStoreRead() {
    try (Harness h = Harness.create(b -> b.cacheTtl(Duration.ZERO))) {
      IssuedToken real = h.issue("ws", "t");
      h.store.finds.set(0);
      for (int i = 0; i < 2_000; i++) h.validator().validate(forgedCurrent(h.clock.millis()));
      assertThat(h.store.finds.get()).isLessThanOrEqualTo(2);
      assertThat(h.validator().validate(real.secret()).isValid()).isTrue();
      assertThat(h.store.finds.get()).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void anIdFarInTheFuture_isMalformed() {
    try (Harness h = Harness.create()) {
      long now = h.clock.millis();
      String ahead = LK.assemble(TokenFormat.newId(now + Duration.ofDays(2).toMillis(), RANDOM,
          Harness.TAGGER), TokenFormat.newSecret(RANDOM));
      String skewed = LK.assemble(TokenFormat.newId(now + Duration.ofMinutes(5).toMillis(), RANDOM,
          Harness.TAGGER), TokenFormat.newSecret(RANDOM));
      h.store.finds.set(0);
      assertThat(h.validator().validate(ahead).reasonOrNull()).isEqualTo(Reason.MALFORMED);
      assertThat(h.store.finds).hasValue(0);
      assertThat(h.validator().validate(skewed).reasonOrNull())
          .as("a few minutes of clock skew is an unknown id, looked up").isEqualTo(Reason.UNKNOWN);
      assertThat(h.store.finds).hasValue(1);
    }
  }

  @Test
  void legacyIds_areRefusedUnreadUnlessTheHostAcceptsThem() {
    String legacy = LK.assemble(TokenFormat.newLegacyId(Harness.START.toEpochMilli(), RANDOM),
        TokenFormat.newSecret(RANDOM));
    try (Harness h = Harness.create()) {
      h.store.finds.set(0);
      assertThat(h.validator().validate(legacy).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
      assertThat(h.store.finds).hasValue(0);
    }
    try (Harness h = Harness.create(b -> b.acceptLegacyTokenIds(true))) {
      h.store.finds.set(0);
      assertThat(h.validator().validate(legacy).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
      assertThat(h.store.finds).as("looked up").hasValue(1);
    }
  }

  @Test
  void aLegacyToken_validatesWhenAccepted() throws Exception {
    try (Harness h = Harness.create(b -> b.acceptLegacyTokenIds(true))) {
      IssuedToken t = h.issue("ws", "t");
      // Re-create the record under a legacy id, as an earlier Latchkey would have issued it.
      String legacyId = TokenFormat.newLegacyId(h.clock.millis(), RANDOM);
      String legacyToken = LK.assemble(legacyId, TokenFormat.newSecret(RANDOM));
      h.store.insert(h.record(t.id()).toBuilder().id(legacyId)
          .hash(Harness.hmac(Harness.K1, legacyToken, "lk")).build());
      assertThat(h.validator().validate(legacyToken).isValid()).isTrue();
      try (Harness strict = h.sibling(b -> b.hashingKey(Harness.K1))) {
        assertThat(strict.validator().validate(legacyToken).reasonOrNull())
            .isEqualTo(Reason.UNKNOWN);
      }
    }
  }
}
