package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.internal.TokenFormat;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link TokenManager#idOf} and {@link TokenManager#revokeByToken}: leak reports carry plaintext. */
class TokenByPlaintextTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final TokenFormat LK = new TokenFormat("lk");

  @Test
  void idOf_readsTheIdWithoutAStoreRead() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      h.store.finds.set(0);
      assertThat(h.tokens().idOf(t.secret())).isEqualTo(t.id());
      assertThat(h.store.finds).hasValue(0);
    }
  }

  @Test
  void idOf_refusesWhatThisDeploymentDidNotIssueAndNeverEchoesIt() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      String typo = t.secret().substring(0, 20) + (t.secret().charAt(20) == 'a' ? 'b' : 'a')
          + t.secret().substring(21);
      String foreign;
      try (Harness k2 = h.sibling(b -> b.hashingKey(Harness.K2))) {
        foreign = k2.issue("ws", "k2").secret();
      }
      String future = LK.assemble(TokenFormat.newId(Harness.START.toEpochMilli()
          + Duration.ofDays(2).toMillis(), RANDOM, Harness.TAGGER), TokenFormat.newSecret(RANDOM));
      String legacy = LK.assemble(TokenFormat.newLegacyId(Harness.START.toEpochMilli(), RANDOM),
          TokenFormat.newSecret(RANDOM));
      for (String bad : new String[] {typo, foreign, future, legacy, "", "lk_x",
          "acme_" + t.secret().substring(3)}) {
        assertThatThrownBy(() -> h.tokens().idOf(bad))
            .isInstanceOf(InvalidArgumentException.class)
            .hasMessageStartingWith("token ")
            .satisfies(e -> {
              assertThat(((InvalidArgumentException) e).field()).isEqualTo("token");
              if (bad.length() > 8) {
                assertThat(e.getMessage()).doesNotContain(bad.substring(3, 20));
              }
            });
      }
      assertThatThrownBy(() -> h.tokens().idOf(null)).isInstanceOf(InvalidArgumentException.class)
          .hasMessage("token must not be null");
    }
  }

  @Test
  void idOf_acceptsLegacyIdsOnlyWhenAsked() {
    try (Harness h = Harness.create(b -> b.acceptLegacyTokenIds(true))) {
      String legacyId = TokenFormat.newLegacyId(Harness.START.toEpochMilli(), RANDOM);
      assertThat(h.tokens().idOf(LK.assemble(legacyId, TokenFormat.newSecret(RANDOM))).value())
          .isEqualTo(legacyId);
    }
  }

  @Test
  void revokeByToken_revokesTheTokenItNames() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "leaked");
      IssuedToken other = h.issue("ws", "other");
      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
      Token revoked = h.tokens().revokeByToken(t.secret());
      assertThat(revoked.id()).isEqualTo(t.id());
      assertThat(revoked.state()).isEqualTo(TokenState.REVOKED);
      assertThat(h.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
      assertThat(h.validator().validate(other.secret()).isValid()).isTrue();
      assertThat(h.events(TokenEvent.Type.REVOKED)).extracting(TokenEvent::tokenId)
          .containsExactly(t.id());
      assertThat(h.tokens().revokeByToken(t.secret()).state()).as("again: a no-op")
          .isEqualTo(TokenState.REVOKED);
      assertThat(h.events(TokenEvent.Type.REVOKED)).hasSize(1);
    }
  }

  @Test
  void revokeByToken_theIdAloneRevokesNothing() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      String sameIdOtherSecret = LK.assemble(t.id().value(), TokenFormat.newSecret(RANDOM));
      assertThatThrownBy(() -> h.tokens().revokeByToken(sameIdOtherSecret))
          .isInstanceOf(TokenNotFoundException.class);
      assertThat(h.tokens().get(t.id()).state()).isEqualTo(TokenState.ACTIVE);
      String unknown = LK.assemble(TokenFormat.newId(Harness.START.toEpochMilli(), RANDOM,
          Harness.TAGGER), TokenFormat.newSecret(RANDOM));
      assertThatThrownBy(() -> h.tokens().revokeByToken(unknown))
          .isInstanceOf(TokenNotFoundException.class);
      assertThatThrownBy(() -> h.tokens().revokeByToken("lk_nonsense"))
          .isInstanceOf(InvalidArgumentException.class);
      assertThat(h.events(TokenEvent.Type.REVOKED)).isEmpty();
    }
  }
}
