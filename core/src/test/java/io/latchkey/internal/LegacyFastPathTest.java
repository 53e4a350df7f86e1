package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.Harness;
import io.latchkey.InvalidArgumentException;
import io.latchkey.LegacyFormat;
import io.latchkey.LegacyKey;
import io.latchkey.Reason;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #16, performance: an upgraded legacy key of a format split without a regex is found from
 * its lookup part through the validator's index and checked with the one-block verifier of the
 * whole key; the index follows the cache, and a wrong secret is rejected as before.
 */
class LegacyFastPathTest {
  static final String KEY = "Ab3dEf9h.kJ2mNp5qRs8tUv1wXy4zA7bC0dE";
  static final String WRONG = "Ab3dEf9h.kJ2mNp5qRs8tUv1wXy4zA7bC0dF";
  static final LegacyFormat DRF = LegacyFormat.separated(".", 8);

  static DefaultTokenValidator validator(Harness h) {
    return (DefaultTokenValidator) h.validator();
  }

  static TokenId importPlaintext(Harness h) {
    return h.latchkey.legacyKeys().importKey(LegacyKey.in("acme").name("old").lookup("Ab3dEf9h")
        .plaintext(KEY).permissions(Map.of("read", true)));
  }

  static byte[] legacyVerifier(String key) throws Exception {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    in.write(1); // the kind byte of an ASCII key
    in.write(key.getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.getInstance("SHA-256").digest(in.toByteArray());
  }

  @Test
  void separated_findsThePartBeforeTheSeparator_withoutARegex() {
    assertThat(DRF.lookupPart(KEY)).isEqualTo("Ab3dEf9h");
    assertThat(DRF.lookupPart("Ab3dEf9h.")).as("no secret").isNull();
    assertThat(DRF.lookupPart("Ab3dEf9.secret")).as("a part of another length").isNull();
    assertThat(DRF.lookupPart("Ab3dEf9hsecret")).as("no separator").isNull();
    assertThat(DRF.lookupPart(".secret")).as("no part").isNull();
    assertThat(DRF.lookupPart("Ab3dEf9h." + "x".repeat(1016))).as("longer than 1024").isNull();
    LegacyFormat any = LegacyFormat.separated("::", 0);
    assertThat(any.lookupPart("pfx::s::t")).isEqualTo("pfx");
    assertThat(any.lookupPart("x".repeat(256) + "::s")).as("a part above 255").isNull();
    assertThatThrownBy(() -> LegacyFormat.separated("", 8))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("separator");
    assertThatThrownBy(() -> LegacyFormat.separated(".", 256))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("lookupLength");
  }

  @Test
  void leading_takesTheCharactersAfterTheStart() {
    LegacyFormat live = LegacyFormat.leading("sk_live_", 8);
    assertThat(live.lookupPart("sk_live_Ab3dEf9hSECRET")).isEqualTo("Ab3dEf9h");
    assertThat(live.lookupPart("sk_test_Ab3dEf9hSECRET")).isNull();
    assertThat(live.lookupPart("sk_live_Ab3dEf9h")).as("no secret").isNull();
    assertThat(LegacyFormat.leading("", 4).lookupPart("abcdefg")).isEqualTo("abcd");
    assertThatThrownBy(() -> LegacyFormat.leading("sk_", 0))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("lookupLength");
  }

  @Test
  void anUpgradedKey_isCheckedByItsOneBlockVerifier_andAWrongSecretIsRejectedAsBefore()
      throws Exception {
    try (Harness h = Harness.create(b -> b.legacyFormat(DRF))) {
      TokenId id = importPlaintext(h);
      assertThat(validator(h).legacyIndexSize()).isZero();
      assertThat(h.validator().validate(WRONG).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
      assertThat(validator(h).cached(id.value()).verifier()).as("a wrong key sets nothing")
          .isNull();
      assertThat(validator(h).legacyIndexSize()).isZero();

      assertThat(h.validator().validate(ValidationRequest.of(KEY).require("read")).isValid())
          .isTrue();
      CompiledToken entry = validator(h).cached(id.value());
      assertThat(entry.verifier()).isEqualTo(legacyVerifier(KEY));
      assertThat(entry.lookupPart).isEqualTo("Ab3dEf9h");
      assertThat(validator(h).legacyIndexSize()).isOne();

      // From now on the keyed hash is not consulted: spoil it, and the verifier still decides.
      java.util.Arrays.fill(entry.hash, (byte) 0);
      assertThat(h.validator().validate(ValidationRequest.of(KEY).require("read")).isValid())
          .isTrue();
      ValidationResult wrong = h.validator().validate(WRONG);
      assertThat(wrong.reasonOrNull()).isEqualTo(Reason.UNKNOWN);
      assertThat(wrong.httpStatus()).isEqualTo(401);
      assertThat(h.validator().validate(ValidationRequest.of(KEY).require("write")).reasonOrNull())
          .isEqualTo(Reason.PERMISSION_DENIED);
      assertThat(h.events(TokenEvent.Type.VALIDATION_REJECTED)).extracting(TokenEvent::reason)
          .containsExactly(Reason.UNKNOWN, Reason.UNKNOWN, Reason.PERMISSION_DENIED);
      assertThat(h.events(TokenEvent.Type.VALIDATION_REJECTED).get(1).tokenId()).isEqualTo(id);
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isZero();
    }
  }

  @Test
  void theIndex_followsTheCache_revokeAndInvalidationDropIt() throws Exception {
    try (Harness h = Harness.create(b -> b.legacyFormat(DRF))) {
      TokenId id = importPlaintext(h);
      assertThat(h.validator().validate(KEY).isValid()).isTrue();
      assertThat(validator(h).legacyIndexSize()).isOne();

      h.tokens().revoke(id);
      assertThat(validator(h).legacyIndexSize()).as("the entry left the cache").isZero();
      assertThat(h.validator().validate(KEY).reasonOrNull()).isEqualTo(Reason.REVOKED);
      assertThat(validator(h).cached(id.value()).state)
          .isEqualTo(io.latchkey.spi.StoredState.REVOKED);
      assertThat(validator(h).legacyIndexSize()).as("the revoked record's entry").isOne();
      assertThat(h.validator().validate(KEY).reasonOrNull()).isEqualTo(Reason.REVOKED);
      assertThat(h.validator().validate(WRONG).reasonOrNull()).isEqualTo(Reason.UNKNOWN);

      try (Harness other = Harness.create(b -> b.legacyFormat(DRF))) {
        importPlaintext(other);
        assertThat(other.validator().validate(KEY).isValid()).isTrue();
        assertThat(validator(other).legacyIndexSize()).isOne();
        other.latchkey.invalidateCache();
        assertThat(validator(other).legacyIndexSize()).isZero();
        assertThat(other.validator().validate(KEY).isValid()).isTrue();
        assertThat(validator(other).legacyIndexSize()).isOne();
      }
    }
  }

  @Test
  void aReHash_replacesTheEntry_andItsIndexEntry() throws Exception {
    try (Harness h = Harness.create(b -> b.legacyFormat(DRF));
        Harness rotated = h.sibling(b -> b.legacyFormat(DRF).hashingKey(Harness.K2)
            .retiringHashingKey(Harness.K1))) {
      TokenId id = importPlaintext(h);
      assertThat(rotated.validator().validate(KEY).isValid()).isTrue();
      Harness.await("re-hash", () -> "k2".equals(h.record(id).keyId()));
      Harness.await("entry replaced", () -> validator(rotated).cached(id.value()) == null);
      Harness.await("index entry dropped", () -> validator(rotated).legacyIndexSize() == 0);
      assertThat(rotated.validator().validate(KEY).isValid()).isTrue();
      assertThat(validator(rotated).cached(id.value()).keyIndex).isZero();
      assertThat(rotated.validator().validate(WRONG).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
    }
  }

  @Test
  void eviction_dropsTheIndexEntry() throws Exception {
    try (Harness h = Harness.create(b -> b.legacyFormat(DRF).cacheMaximumSize(4))) {
      for (int i = 0; i < 40; i++) {
        String part = String.format("P%07d", i);
        h.latchkey.legacyKeys().importKey(LegacyKey.in("acme").name("k" + i).lookup(part)
            .plaintext(part + ".secret" + i));
        assertThat(h.validator().validate(part + ".secret" + i).isValid()).isTrue();
      }
      validator(h).usageSlots(); // runs the cache's pending maintenance
      assertThat(validator(h).legacyIndexSize()).isLessThanOrEqualTo(
          (int) validator(h).cachedCount());
    }
  }

  @Test
  void aFormatThatNeedsItsOwnCode_comesFirst_andStillDecides() throws Exception {
    // A host function before the split format: the cached path cannot know what it would say, so
    // the whole way runs, and the function's answer wins.
    LegacyFormat everythingUnknown = key -> key.startsWith("Ab3d") ? "nothing-here" : null;
    try (Harness h = Harness.create(b -> b.legacyFormat(everythingUnknown).legacyFormat(DRF))) {
      importPlaintext(h);
      assertThat(h.validator().validate(KEY).isValid()).isTrue();
      assertThat(h.validator().validate(KEY).isValid()).isTrue();
      assertThat(h.validator().validate(WRONG).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
    }
  }
}
