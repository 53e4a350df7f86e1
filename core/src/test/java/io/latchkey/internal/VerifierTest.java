package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.Harness;
import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.TokenEvent;
import io.latchkey.TokenUpdate;
import io.latchkey.ValidationResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #17: once a secret's HMAC matched, the cached entry keeps SHA-256(id ‖ secret) and later
 * requests compare that one block; a wrong secret is rejected exactly as before.
 */
class VerifierTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final TokenFormat LK = new TokenFormat("lk");

  static DefaultTokenValidator validator(Harness h) {
    return (DefaultTokenValidator) h.latchkey.validator();
  }

  static byte[] sha256OfIdAndSecret(String token) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(token.substring(3, 3 + 49)
        .getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aMatchedHmac_leavesTheOneBlockVerifier_andLaterRequestsUseIt() throws Exception {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("t"));
      String id = t.id().value();
      String wrong = LK.assemble(id, TokenFormat.newSecret(RANDOM));

      assertThat(h.validator().validate(wrong).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
      assertThat(validator(h).cached(id).verifier()).as("a wrong secret sets nothing").isNull();

      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
      byte[] verifier = validator(h).cached(id).verifier();
      assertThat(verifier).isEqualTo(sha256OfIdAndSecret(t.secret()));
      assertThat(verifier).isNotEqualTo(h.record(t.id()).hash());

      // From now on the entry's hash is not consulted: spoil it, and the verifier still decides.
      byte[] stored = validator(h).cached(id).hash;
      java.util.Arrays.fill(stored, (byte) 0);
      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
      ValidationResult r = h.validator().validate(wrong);
      assertThat(r.reasonOrNull()).isEqualTo(Reason.UNKNOWN);
      assertThat(r.httpStatus()).isEqualTo(401);
      assertThat(h.events(TokenEvent.Type.VALIDATION_REJECTED)).extracting(TokenEvent::reason)
          .containsExactly(Reason.UNKNOWN, Reason.UNKNOWN);
    }
  }

  @Test
  void everyChange_dropsTheVerifierWithItsEntry() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("t"));
      String id = t.id().value();
      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
      CompiledToken before = validator(h).cached(id);
      assertThat(before.verifier()).isNotNull();

      h.tokens().update(t.id(), TokenUpdate.create().name("renamed"));
      assertThat(validator(h).cached(id)).isNull();
      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
      assertThat(validator(h).cached(id)).isNotSameAs(before);

      h.tokens().revoke(t.id());
      assertThat(h.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
      h.tokens().delete(t.id());
      assertThat(h.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
    }
  }

  @Test
  void aReHash_replacesTheEntry() throws Exception {
    try (Harness h = Harness.create();
        Harness rotated = h.sibling(b -> b.hashingKey(Harness.K2).retiringHashingKey(Harness.K1))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(rotated.validator().validate(t.secret()).isValid()).isTrue();
      Harness.await("re-hash", () -> "k2".equals(h.record(t.id()).keyId()));
      Harness.await("entry replaced", () -> validator(rotated).cached(t.id().value()) == null);
      assertThat(rotated.validator().validate(t.secret()).isValid()).isTrue();
      assertThat(validator(rotated).cached(t.id().value()).keyIndex).isZero();
    }
  }

  @Test
  void theVerifier_isOneDigestOfIdAndSecretOnly() throws Exception {
    Hasher hasher = new Hasher(List.of(Harness.K1));
    String token = LK.assemble(TokenFormat.newId(1_000L, RANDOM, hasher),
        TokenFormat.newSecret(RANDOM));
    assertThat(hasher.verifier(token, LK.idOffset())).isEqualTo(sha256OfIdAndSecret(token));
    assertThat(hasher.verifierMatches(sha256OfIdAndSecret(token), token, LK.idOffset())).isTrue();
    String other = LK.assemble(token.substring(3, 19), TokenFormat.newSecret(RANDOM));
    assertThat(hasher.verifierMatches(sha256OfIdAndSecret(token), other, LK.idOffset())).isFalse();
  }
}
