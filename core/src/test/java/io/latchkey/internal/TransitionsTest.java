package io.latchkey.internal;

import static io.latchkey.TokenState.ACTIVE;
import static io.latchkey.TokenState.DISABLED;
import static io.latchkey.TokenState.EXPIRED;
import static io.latchkey.TokenState.REVOKED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.IllegalTransitionException;
import io.latchkey.TokenId;
import io.latchkey.TokenState;
import io.latchkey.internal.Transitions.Action;
import io.latchkey.spi.StoredState;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state table of docs/architecture.md, cell by cell. */
class TransitionsTest {
  static final TokenId ID = TokenId.of("0VbnqkQ4EXqWUGDl");

  static Stream<Arguments> allowed() {
    return Stream.of(
        Arguments.of(Action.DISABLE, ACTIVE, StoredState.DISABLED),
        Arguments.of(Action.DISABLE, DISABLED, null),
        Arguments.of(Action.ENABLE, DISABLED, StoredState.ACTIVE),
        Arguments.of(Action.ENABLE, ACTIVE, null),
        Arguments.of(Action.REVOKE, ACTIVE, StoredState.REVOKED),
        Arguments.of(Action.REVOKE, DISABLED, StoredState.REVOKED),
        Arguments.of(Action.REVOKE, EXPIRED, StoredState.REVOKED),
        Arguments.of(Action.REVOKE, REVOKED, null),
        Arguments.of(Action.ROTATE, ACTIVE, StoredState.ACTIVE));
  }

  @ParameterizedTest(name = "{0} from {1} -> {2}")
  @MethodSource("allowed")
  void next_allowed(Action action, TokenState from, StoredState to) {
    assertThat(Transitions.next(action, ID, from)).isEqualTo(to);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(Action.DISABLE, REVOKED),
        Arguments.of(Action.DISABLE, EXPIRED),
        Arguments.of(Action.ENABLE, REVOKED),
        Arguments.of(Action.ENABLE, EXPIRED),
        Arguments.of(Action.ROTATE, DISABLED),
        Arguments.of(Action.ROTATE, REVOKED),
        Arguments.of(Action.ROTATE, EXPIRED));
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("refused")
  void next_refusedNamesIdStateAndAction(Action action, TokenState from) {
    assertThatThrownBy(() -> Transitions.next(action, ID, from))
        .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
          assertThat(e.tokenId()).isEqualTo(ID);
          assertThat(e.state()).isEqualTo(from);
          assertThat(e.action()).isEqualTo(action.verb());
          assertThat(e.getMessage()).isEqualTo(
              "cannot " + action.verb() + " token " + ID.value() + ": it is " + from);
        });
  }

  static Stream<Arguments> effective() {
    return Stream.of(
        Arguments.of(StoredState.ACTIVE, 999L, ACTIVE),
        Arguments.of(StoredState.ACTIVE, 1000L, EXPIRED),
        Arguments.of(StoredState.ACTIVE, 1001L, EXPIRED),
        Arguments.of(StoredState.DISABLED, 999L, DISABLED),
        Arguments.of(StoredState.DISABLED, 1000L, EXPIRED),
        Arguments.of(StoredState.REVOKED, 999L, REVOKED),
        Arguments.of(StoredState.REVOKED, 1000L, REVOKED),
        Arguments.of(StoredState.REVOKED, 5000L, REVOKED));
  }

  @ParameterizedTest(name = "{0} at {1} (expires at 1000) is {2}")
  @MethodSource("effective")
  void effective_expiredFromTheClockWinsOverActiveAndDisabled(StoredState stored, long now,
      TokenState expected) {
    assertThat(Transitions.effective(stored, 1000L, now)).isEqualTo(expected);
  }
}
