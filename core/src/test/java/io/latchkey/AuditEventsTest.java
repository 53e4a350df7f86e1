package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every change and rejection produces one event with its actor, and no event carries a secret. */
class AuditEventsTest {

  @Test
  void everyEventType_hasItsFields_andNoSecretInToString() throws Exception {
    try (Harness h = Harness.create(); Harness rotated = h.sibling(b -> b.hashingKey(Harness.K2)
        .retiringHashingKey(Harness.K1))) {
      TokenManager alice = h.tokens().as("alice");
      IssuedToken t = alice.issue(NewToken.in("ws-1").name("n").permission("a", true));
      alice.update(t.id(), TokenUpdate.create().name("renamed"));
      alice.updatePermissions(t.id(), Map.of("b", true));
      alice.disable(t.id());
      alice.enable(t.id());
      IssuedToken fresh = alice.rotate(t.id(), Duration.ofMinutes(5));
      alice.revoke(t.id());
      h.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.9"));
      h.validator().validate("lk_garbage");
      // A sibling whose primary key is k2 re-hashes the k1 record of the fresh token.
      assertThat(rotated.validator().validate(fresh.secret()).isValid()).isTrue();
      Harness.await("re-hash", () -> rotated.events.stream()
          .anyMatch(e -> e.type() == TokenEvent.Type.REHASHED));
      assertThat(alice.revokeAll("ws-1")).isEqualTo(1); // fresh
      alice.delete(fresh.id());

      List<TokenEvent> all = new java.util.ArrayList<>(h.events);
      all.addAll(rotated.events);
      Set<TokenEvent.Type> seen = EnumSet.noneOf(TokenEvent.Type.class);
      all.forEach(e -> seen.add(e.type()));
      assertThat(seen).containsExactlyInAnyOrder(TokenEvent.Type.values());

      for (TokenEvent e : all) {
        assertThat(e.at()).isNotNull();
        assertThat(e.detail()).isNotBlank();
        if (e.type() == TokenEvent.Type.VALIDATION_REJECTED) {
          assertThat(e.actor()).isEqualTo("validator");
          assertThat(e.reason()).isNotNull();
        } else if (e.type() == TokenEvent.Type.REHASHED) {
          assertThat(e.actor()).isEqualTo("validator");
          assertThat(e.tokenId()).isEqualTo(fresh.id());
        } else if (e.type() == TokenEvent.Type.REVOKED_ALL) {
          assertThat(e.actor()).isEqualTo("alice");
          assertThat(e.tokenId()).isEqualTo(new TokenId("0000000000000000"));
          assertThat(e.workspace()).isEqualTo("ws-1");
          assertThat(e.detail()).startsWith("revoked 1 tokens");
        } else {
          assertThat(e.actor()).as("%s", e).isEqualTo("alice");
          assertThat(e.tokenId()).isIn(t.id(), fresh.id());
          assertThat(e.workspace()).isEqualTo("ws-1");
          assertThat(e.reason()).isNull();
        }
      }
      TokenEvent revokedRejection = h.events(TokenEvent.Type.VALIDATION_REJECTED).get(0);
      assertThat(revokedRejection.reason()).isEqualTo(Reason.REVOKED);
      assertThat(revokedRejection.tokenId()).isEqualTo(t.id());
      assertThat(revokedRejection.clientIp()).isEqualTo("203.0.113.9");
      assertThat(h.events(TokenEvent.Type.VALIDATION_REJECTED).get(1).reason())
          .isEqualTo(Reason.MALFORMED);
      assertThat(h.events(TokenEvent.Type.DISABLED).get(0).detail()).isEqualTo("ACTIVE -> DISABLED");

      for (TokenEvent e : all) {
        String text = e.toString();
        for (IssuedToken issued : List.of(t, fresh)) {
          String secretPart = issued.secret().substring(3 + 16, 3 + 16 + 33);
          assertThat(text).doesNotContain(issued.secret()).doesNotContain(secretPart);
          byte[] hash = Harness.hmac(Harness.K1, issued.secret(), "lk");
          assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(hash))
              .doesNotContain(HexFormat.of().formatHex(hash));
        }
      }
      assertThat(h.store.record(fresh.id().value())).isNull(); // deleted at the end
    }
  }

  @Test
  void listenerThatThrows_doesNotBreakTheChange() {
    try (Harness h = Harness.create(b -> b.listener(e -> {
      throw new IllegalStateException("listener bug");
    }))) {
      IssuedToken t = h.issue("ws", "n");
      assertThat(h.tokens().disable(t.id()).state()).isEqualTo(TokenState.DISABLED);
      assertThat(h.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.DISABLED);
      assertThat(h.events(TokenEvent.Type.DISABLED)).hasSize(1); // the other listener still ran
    }
  }

  @Test
  void noOpChange_emitsNoEvent() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "n");
      h.tokens().disable(t.id());
      h.tokens().disable(t.id());
      h.tokens().setPermissions(t.id(), Map.of("a", true));
      h.tokens().setPermissions(t.id(), Map.of("a", true));
      assertThat(h.events(TokenEvent.Type.DISABLED)).hasSize(1);
      assertThat(h.events(TokenEvent.Type.PERMISSIONS_CHANGED)).hasSize(1);
    }
  }
}
