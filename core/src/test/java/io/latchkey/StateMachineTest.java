package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** docs/architecture.md's state table, driven through the manager with the clock making tokens expire. */
class StateMachineTest {
  final Harness h = Harness.create();
  final TokenManager tokens = h.tokens().as("alice");

  @AfterEach
  void close() {
    h.close();
  }

  /** A token issued to expire in one hour, then put into {@code state}. */
  IssuedToken tokenIn(TokenState state) {
    IssuedToken t = tokens.issue(NewToken.in("ws").name("t").expiresIn(Duration.ofHours(1)));
    switch (state) {
      case ACTIVE -> { }
      case DISABLED -> tokens.disable(t.id());
      case REVOKED -> tokens.revoke(t.id());
      case EXPIRED -> h.clock.advance(Duration.ofHours(1));
    }
    assertThat(tokens.get(t.id()).state()).isEqualTo(state);
    return t;
  }

  enum Action {
    DISABLE((m, id) -> m.disable(id)),
    ENABLE((m, id) -> m.enable(id)),
    REVOKE((m, id) -> m.revoke(id)),
    ROTATE((m, id) -> m.rotate(id).token());

    final BiFunction<TokenManager, TokenId, Token> call;

    Action(BiFunction<TokenManager, TokenId, Token> call) {
      this.call = call;
    }
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        Arguments.of(Action.DISABLE, TokenState.ACTIVE, TokenState.DISABLED),
        Arguments.of(Action.ENABLE, TokenState.DISABLED, TokenState.ACTIVE),
        Arguments.of(Action.REVOKE, TokenState.ACTIVE, TokenState.REVOKED),
        Arguments.of(Action.REVOKE, TokenState.DISABLED, TokenState.REVOKED),
        Arguments.of(Action.REVOKE, TokenState.EXPIRED, TokenState.REVOKED));
  }

  @ParameterizedTest(name = "{0} from {1} -> {2}")
  @MethodSource("changes")
  void action_changesState(Action action, TokenState from, TokenState to) {
    IssuedToken t = tokenIn(from);
    long version = h.record(t.id()).version();

    Token after = action.call.apply(tokens, t.id());

    assertThat(after.state()).isEqualTo(to);
    assertThat(tokens.get(t.id()).state()).isEqualTo(to);
    assertThat(h.record(t.id()).version()).isEqualTo(version + 1);
  }

  static Stream<Arguments> noOps() {
    return Stream.of(
        Arguments.of(Action.DISABLE, TokenState.DISABLED),
        Arguments.of(Action.ENABLE, TokenState.ACTIVE),
        Arguments.of(Action.REVOKE, TokenState.REVOKED));
  }

  @ParameterizedTest(name = "{0} from {1} is a no-op")
  @MethodSource("noOps")
  void action_noOpWritesNothing(Action action, TokenState state) {
    IssuedToken t = tokenIn(state);
    TokenRecord before = h.record(t.id());
    int events = h.events.size();

    assertThat(action.call.apply(tokens, t.id()).state()).isEqualTo(state);

    assertThat(h.record(t.id())).isEqualTo(before);
    assertThat(h.events).hasSize(events);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(Action.DISABLE, TokenState.REVOKED),
        Arguments.of(Action.DISABLE, TokenState.EXPIRED),
        Arguments.of(Action.ENABLE, TokenState.REVOKED),
        Arguments.of(Action.ENABLE, TokenState.EXPIRED),
        Arguments.of(Action.ROTATE, TokenState.DISABLED),
        Arguments.of(Action.ROTATE, TokenState.REVOKED),
        Arguments.of(Action.ROTATE, TokenState.EXPIRED));
  }

  @ParameterizedTest(name = "{0} from {1} is refused")
  @MethodSource("refused")
  void action_refusedNamesIdStateAndActionAndChangesNothing(Action action, TokenState state) {
    IssuedToken t = tokenIn(state);
    TokenRecord before = h.record(t.id());
    int events = h.events.size();
    String verb = action.name().toLowerCase(java.util.Locale.ROOT);

    assertThatThrownBy(() -> action.call.apply(tokens, t.id()))
        .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
          assertThat(e.tokenId()).isEqualTo(t.id());
          assertThat(e.state()).isEqualTo(state);
          assertThat(e.action()).isEqualTo(verb);
        })
        .hasMessage("cannot " + verb + " token " + t.id() + ": it is " + state);

    assertThat(h.store.all()).containsExactly(before);
    assertThat(h.events).hasSize(events);
  }

  @ParameterizedTest
  @EnumSource(TokenState.class)
  void delete_removesFromAnyState(TokenState state) {
    IssuedToken t = tokenIn(state);
    tokens.delete(t.id());
    assertThat(tokens.find(t.id())).isEmpty();
    assertThat(h.validator().validate(t.secret()).reason()).contains(Reason.UNKNOWN);
  }

  @Test
  void revoked_isFinal() {
    IssuedToken t = tokenIn(TokenState.REVOKED);
    assertThatThrownBy(() -> tokens.enable(t.id())).isInstanceOf(IllegalTransitionException.class);
    assertThat(h.validator().validate(t.secret()).reason()).contains(Reason.REVOKED);
    h.clock.advance(Duration.ofDays(1));
    assertThat(tokens.get(t.id()).state()).as("revoked wins over expired")
        .isEqualTo(TokenState.REVOKED);
  }

  @Test
  void expired_isDerivedFromTheClockAndWinsOverActiveAndDisabled() {
    IssuedToken active = tokens.issue(NewToken.in("ws").name("a").expiresIn(Duration.ofHours(1)));
    IssuedToken disabled = tokens.issue(NewToken.in("ws").name("d").expiresIn(Duration.ofHours(1)));
    tokens.disable(disabled.id());

    h.clock.advance(Duration.ofHours(1).minusMillis(1));
    assertThat(tokens.get(active.id()).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(tokens.get(disabled.id()).state()).isEqualTo(TokenState.DISABLED);
    assertThat(h.validator().validate(active.secret()).isValid()).isTrue();

    h.clock.advance(Duration.ofMillis(1)); // now == expiresAt
    assertThat(tokens.get(active.id()).state()).isEqualTo(TokenState.EXPIRED);
    assertThat(tokens.get(disabled.id()).state()).isEqualTo(TokenState.EXPIRED);
    assertThat(h.validator().validate(active.secret()).reason()).contains(Reason.EXPIRED);
    assertThat(h.validator().validate(disabled.secret()).reason()).contains(Reason.EXPIRED);
    assertThat(h.record(active.id()).state()).as("never stored")
        .isEqualTo(io.latchkey.spi.StoredState.ACTIVE);
  }

  @Test
  void lifetime_defaultIsTwoYearsAndShorterPerToken() {
    Token byDefault = tokens.issue(NewToken.in("ws").name("a")).token();
    Token in = tokens.issue(NewToken.in("ws").name("b").expiresIn(Duration.ofDays(7))).token();
    Token at = tokens.issue(NewToken.in("ws").name("c")
        .expiresAt(Harness.START.plus(Duration.ofMinutes(90)))).token();

    assertThat(byDefault.expiresAt())
        .isEqualTo(Harness.START.atZone(ZoneOffset.UTC).plus(Period.ofYears(2)).toInstant())
        .isEqualTo(java.time.Instant.parse("2028-01-01T00:00:00Z"));
    assertThat(in.expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(7)));
    assertThat(at.expiresAt()).isEqualTo(Harness.START.plus(Duration.ofMinutes(90)));
  }

  @Test
  void lifetime_configuredDefaultAndMaximum() {
    try (Harness h2 = Harness.create(b -> b.defaultLifetime(Duration.ofDays(30))
        .maxLifetime(Period.ofDays(90)))) {
      assertThat(h2.issue("ws", "t").token().expiresAt())
          .isEqualTo(Harness.START.plus(Duration.ofDays(30)));
      assertThatThrownBy(() -> h2.issue(NewToken.in("ws").name("t").expiresIn(Duration.ofDays(91))))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo("expiresIn"))
          .hasMessage("expiresIn exceeds the maximum lifetime of P90D (latest allowed "
              + Harness.START.plus(Duration.ofDays(90)) + ")");
      assertThatThrownBy(() -> h2.issue(NewToken.in("ws").name("t")
          .expiresAt(Harness.START.plus(Duration.ofDays(91)))))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo("expiresAt"))
          .hasMessageStartingWith("expiresAt exceeds the maximum lifetime of P90D");
      assertThat(h2.store.all()).as("only the first, valid token").hasSize(1);
    }
  }

  @Test
  void revoke_concurrentWithEnableNeverLeavesTheTokenUsable() throws Exception {
    for (int round = 0; round < 20; round++) {
      IssuedToken t = tokenIn(TokenState.DISABLED);
      Thread enabler = new Thread(() -> {
        try {
          tokens.enable(t.id());
        } catch (IllegalTransitionException expected) {
          // lost to the revoke
        }
      });
      enabler.start();
      tokens.revoke(t.id());
      enabler.join();
      assertThat(tokens.get(t.id()).state()).isEqualTo(TokenState.REVOKED);
      assertThat(h.validator().validate(t.secret()).reason()).contains(Reason.REVOKED);
    }
  }
}
