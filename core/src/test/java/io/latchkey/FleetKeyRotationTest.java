package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The hashing-key rollout of the README ("Rotating the hashing key") across a fleet: in a rolling
 * deploy two neighbouring configurations run side by side. In every such pair, every valid token
 * validates on both instances, and each token is re-hashed at most once in the whole rollout.
 */
class FleetKeyRotationTest {
  /** The rollout, one configuration per step. */
  static final List<UnaryOperator<Latchkey.Builder>> STEPS = List.of(
      b -> b.hashingKey(Harness.K1),                                   // before
      b -> b.hashingKey(Harness.K1).hashingKey(Harness.K2),            // 1: k2 accepted
      b -> b.hashingKey(Harness.K2).hashingKey(Harness.K1),            // 2: k2 primary, k1 accepted
      b -> b.hashingKey(Harness.K2).retiringHashingKey(Harness.K1));   // 3: k1 retiring

  @Test
  void rollout_everyNeighbouringPairValidatesEveryTokenAndReHashesEachAtMostOnce() throws Exception {
    try (Harness base = Harness.create()) {
      List<IssuedToken> tokens = new ArrayList<>();
      Map<TokenId, Integer> rehashes = new HashMap<>();
      tokens.add(base.issue("ws", "before the rollout"));
      for (int step = 0; step + 1 < STEPS.size(); step++) {
        try (Harness old = base.sibling(STEPS.get(step));
            Harness upgraded = base.sibling(STEPS.get(step + 1))) {
          tokens.add(old.issue("ws", "issued at step " + step));
          tokens.add(upgraded.issue("ws", "issued at step " + (step + 1)));
          for (int round = 0; round < 5; round++) {
            for (IssuedToken t : tokens) {
              for (Harness instance : List.of(old, upgraded, old)) {
                ValidationResult r = instance.validator().validate(t.secret());
                assertThat(r.isValid()).as("step %d/%d, round %d, token %s: %s", step, step + 1,
                    round, t.id(), r).isTrue();
              }
            }
          }
          if (step + 1 == STEPS.size() - 1) {
            // k1 is retiring on the upgraded instance: wait for the re-hashes it scheduled in the
            // background (a loaded machine can take longer than any fixed pause).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (tokens.stream().anyMatch(t -> !base.record(t.id()).keyId().equals("k2"))
                && System.nanoTime() < deadline) {
              Thread.sleep(10);
            }
          }
          Thread.sleep(50); // let any other re-hash that was scheduled finish
          for (Harness instance : List.of(old, upgraded)) {
            for (TokenEvent e : instance.events(TokenEvent.Type.REHASHED)) {
              rehashes.merge(e.tokenId(), 1, Integer::sum);
            }
          }
        }
      }
      assertThat(rehashes.values()).as("re-hashes per token").allMatch(n -> n == 1);
      // After step 3 every token that was used is on k2: k1 is left only as the tag of old ids.
      for (IssuedToken t : tokens) assertThat(base.record(t.id()).keyId()).isEqualTo("k2");
      assertThat(rehashes).as("the four tokens issued under k1 were moved, once each").hasSize(4);
    }
  }

  @Test
  void differentPrimaries_neverMoveATokenBackAndForth() throws Exception {
    try (Harness base = Harness.create();
        Harness a = base.sibling(b -> b.hashingKey(Harness.K1).hashingKey(Harness.K2));
        Harness b2 = base.sibling(b -> b.hashingKey(Harness.K2).hashingKey(Harness.K1))) {
      IssuedToken t1 = a.issue("ws", "on k1");
      IssuedToken t2 = b2.issue("ws", "on k2");
      long v1 = base.record(t1.id()).version();
      long v2 = base.record(t2.id()).version();
      for (int i = 0; i < 100; i++) {
        assertThat(a.validator().validate(t1.secret()).isValid()).isTrue();
        assertThat(b2.validator().validate(t1.secret()).isValid()).isTrue();
        assertThat(a.validator().validate(t2.secret()).isValid()).isTrue();
        assertThat(b2.validator().validate(t2.secret()).isValid()).isTrue();
        a.latchkey.invalidateCache();
        b2.latchkey.invalidateCache();
      }
      Thread.sleep(50);
      assertThat(a.events(TokenEvent.Type.REHASHED)).isEmpty();
      assertThat(b2.events(TokenEvent.Type.REHASHED)).isEmpty();
      assertThat(base.record(t1.id()).version()).isEqualTo(v1);
      assertThat(base.record(t2.id()).version()).isEqualTo(v2);
    }
  }

  @Test
  void build_refusesARetiringPrimaryAndAllKeysRetiring() {
    assertThatThrownBy(() -> Latchkey.builder().store(new MapTokenStore())
        .retiringHashingKey(Harness.K1).build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("hashingKey must include an active key");
    assertThatThrownBy(() -> Latchkey.builder().store(new MapTokenStore())
        .hashingKey(Harness.K2).retiringHashingKey(Harness.K1).primaryHashingKey("k1").build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("primaryHashingKey names key k1, which is retiring");
    assertThatThrownBy(() -> Latchkey.builder().hashingKey(Harness.K1)
        .retiringHashingKey(HashingKey.of("k1", Harness.bytes(7))))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("hashingKey id k1 was already added");
  }

  @Test
  void retiringKeyAddedFirst_isNotThePrimary() throws Exception {
    try (Harness base = Harness.create();
        Harness h = base.sibling(b -> b.retiringHashingKey(Harness.K1).hashingKey(Harness.K2))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(base.record(t.id()).keyId()).isEqualTo("k2");
    }
  }
}
