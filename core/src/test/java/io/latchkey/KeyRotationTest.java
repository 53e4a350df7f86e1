package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import org.junit.jupiter.api.Test;

/** Hashing keys rotate: old records validate under an older key and move to the primary. */
class KeyRotationTest {

  @Test
  void validate_underAnOlderKeyRehashesTheRecordWithThePrimary() throws Exception {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("t").permission("read", true));
      TokenRecord before = h.record(t.id());
      assertThat(before.keyId()).isEqualTo("k1");
      assertThat(before.hash()).isEqualTo(Harness.hmac(Harness.K1, t.secret(), "lk"));

      try (Harness rotated = h.sibling(b -> b.hashingKey(Harness.K2).retiringHashingKey(Harness.K1))) {
        ValidationResult r = rotated.validator().validate(
            ValidationRequest.of(t.secret()).require("read"));
        assertThat(r.isValid()).isTrue();
        Harness.await("re-hash to k2", () -> "k2".equals(h.record(t.id()).keyId()));

        TokenRecord after = h.record(t.id());
        assertThat(after.hash()).isEqualTo(Harness.hmac(Harness.K2, t.secret(), "lk"));
        assertThat(after.version()).isEqualTo(before.version() + 1);
        assertThat(after.toBuilder().keyId("k1").hash(before.hash()).version(before.version())
            .updatedAt(before.updatedAt()).build())
            .as("nothing but the key, hash and version changed").isEqualTo(before);
        Harness.await("REHASHED event", () -> !rotated.events(TokenEvent.Type.REHASHED).isEmpty());
        TokenEvent e = rotated.events(TokenEvent.Type.REHASHED).get(0);
        assertThat(e.actor()).isEqualTo("validator");
        assertThat(e.tokenId()).isEqualTo(t.id());
        assertThat(e.detail()).contains("k2");

        // Still valid through the instance that re-hashed it, now from the k2 record.
        assertThat(rotated.validator().validate(t.secret()).isValid()).isTrue();
        assertThat(rotated.events(TokenEvent.Type.REHASHED)).hasSize(1);
      }
      // The record is on k2 now, but the id's tag was made with k1: while a token issued under k1
      // lives, k1 stays configured (retiring), and dropping it turns such a token away unread.
      try (Harness k2Only = h.sibling(b -> b.hashingKey(Harness.K2))) {
        assertThat(k2Only.validator().validate(t.secret()).reason()).contains(Reason.UNKNOWN);
        assertThatThrownBy(() -> k2Only.tokens().idOf(t.secret()))
            .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("token");
      }
      try (Harness k1Only = h.sibling(b -> b.hashingKey(Harness.K1))) {
        assertThat(k1Only.validator().validate(t.secret()).reason()).contains(Reason.UNKNOWN);
      }
    }
  }

  @Test
  void validate_withoutTheRecordsKeyIsUnknownAndChangesNothing() throws Exception {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      TokenRecord before = h.record(t.id());
      try (Harness k2Only = h.sibling(b -> b.hashingKey(Harness.K2))) {
        ValidationResult r = k2Only.validator().validate(t.secret());
        assertThat(r.reason()).contains(Reason.UNKNOWN);
        assertThat(r.httpStatus()).isEqualTo(401);
        Thread.sleep(50); // a re-hash, if one were wrongly scheduled, would have run by now
        assertThat(h.record(t.id())).isEqualTo(before);
        assertThat(k2Only.events(TokenEvent.Type.REHASHED)).isEmpty();
        assertThat(k2Only.events(TokenEvent.Type.VALIDATION_REJECTED))
            .extracting(TokenEvent::reason).containsExactly(Reason.UNKNOWN);
      }
    }
  }

  @Test
  void validate_wrongSecretUnderAnOlderKeyDoesNotRehash() throws Exception {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      TokenRecord before = h.record(t.id());
      String id = t.id().value();
      io.latchkey.internal.TokenFormat format = new io.latchkey.internal.TokenFormat("lk");
      String forged = format.assemble(id,
          io.latchkey.internal.TokenFormat.newSecret(new java.security.SecureRandom()));
      try (Harness rotated = h.sibling(b -> b.hashingKey(Harness.K2).retiringHashingKey(Harness.K1))) {
        assertThat(rotated.validator().validate(forged).reason()).contains(Reason.UNKNOWN);
        Thread.sleep(50);
        assertThat(h.record(t.id())).isEqualTo(before);
      }
    }
  }

  @Test
  void issue_usesThePrimaryKey() throws Exception {
    try (Harness h = Harness.create(b -> b.hashingKey(Harness.K2).primaryHashingKey("k2"))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(h.record(t.id()).keyId()).isEqualTo("k2");
      assertThat(h.record(t.id()).hash()).isEqualTo(Harness.hmac(Harness.K2, t.secret(), "lk"));
      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
    }
  }
}
