package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A manager bound to one workspace treats a token of another workspace as an unknown id, for
 * every by-id method, and refuses to issue, list or revoke-all elsewhere.
 */
class ScopedTokenManagerTest {
  final Harness h = Harness.create();
  final TokenManager acme = h.tokens().as("alice").in("acme");

  @AfterEach
  void close() {
    h.close();
  }

  static Arguments call(String name, BiConsumer<TokenManager, TokenId> call) {
    return Arguments.of(name, call);
  }

  static Stream<Arguments> byIdCalls() {
    return Stream.of(
        call("get", TokenManager::get),
        call("permissions", TokenManager::permissions),
        call("update", (m, id) -> m.update(id, TokenUpdate.create().name("x"))),
        call("setPermissions", (m, id) -> m.setPermissions(id, Map.of("a", true))),
        call("updatePermissions", (m, id) -> m.updatePermissions(id, Map.of("a", true))),
        call("disable", TokenManager::disable),
        call("enable", TokenManager::enable),
        call("revoke", TokenManager::revoke),
        call("delete", TokenManager::delete),
        call("rotate", TokenManager::rotate),
        call("rotate(overlap)", (m, id) -> m.rotate(id, Duration.ZERO)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("byIdCalls")
  void byIdCall_onAnotherWorkspacesToken_answersAsForAnUnknownIdAndChangesNothing(String name,
      BiConsumer<TokenManager, TokenId> call) {
    IssuedToken other = h.issue(NewToken.in("globex").name("theirs").permission("r", true));
    TokenRecord before = h.record(other.id());
    TokenId unknown = new TokenId(other.id().value().substring(0, 15)
        + (other.id().value().endsWith("A") ? "B" : "A"));
    h.events.clear();

    Throwable forOther = catchThrowable(() -> call.accept(acme, other.id()));
    Throwable forUnknown = catchThrowable(() -> call.accept(acme, unknown));

    assertThat(forOther).isInstanceOf(TokenNotFoundException.class)
        .hasMessage(forUnknown.getMessage().replace(unknown.value(), other.id().value()));
    assertThat(forUnknown).isInstanceOf(TokenNotFoundException.class);
    assertThat(h.record(other.id())).isEqualTo(before);
    assertThat(h.store.all()).hasSize(1);
    assertThat(h.events).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("byIdCalls")
  void byIdCall_onItsOwnWorkspacesToken_works(String name, BiConsumer<TokenManager, TokenId> call) {
    IssuedToken own = acme.issue(NewToken.in("acme").name("ours"));
    h.events.clear();

    call.accept(acme, own.id());

    assertThat(h.events).allSatisfy(e -> {
      assertThat(e.workspace()).isEqualTo("acme");
      assertThat(e.actor()).isEqualTo("alice");
    });
  }

  @Test
  void revokeByToken_ofAnotherWorkspace_answersAsUnknownAndChangesNothing() {
    IssuedToken other = h.issue("globex", "theirs");
    TokenRecord before = h.record(other.id());

    assertThatThrownBy(() -> acme.revokeByToken(other.secret()))
        .isInstanceOf(TokenNotFoundException.class)
        .hasMessage("token " + other.id() + " not found");
    assertThat(h.record(other.id())).isEqualTo(before);
    assertThat(acme.idOf(other.secret())).isEqualTo(other.id()); // the id is not secret
  }

  @Test
  void find_onAnotherWorkspacesToken_isEmpty() {
    IssuedToken other = h.issue("globex", "theirs");
    IssuedToken own = acme.issue(NewToken.in("acme").name("ours"));

    assertThat(acme.find(other.id())).isEmpty();
    assertThat(acme.find(own.id())).isPresent();
    assertThat(h.tokens().find(other.id())).isPresent();
  }

  @Test
  void issue_inAnotherWorkspace_isRefusedNamingTheWorkspace() {
    assertThatThrownBy(() -> acme.issue(NewToken.in("globex").name("n")))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("workspace"))
        .hasMessage("workspace must be acme for this manager, was globex");
    assertThat(h.store.all()).isEmpty();
  }

  @Test
  void list_isBoundToTheWorkspace() {
    acme.issue(NewToken.in("acme").name("ours"));
    h.issue("globex", "theirs");

    assertThat(acme.list(TokenQuery.in("acme")).tokens()).extracting(Token::name)
        .containsExactly("ours");
    assertThatThrownBy(() -> acme.list(TokenQuery.in("globex")))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("workspace"));
  }

  @Test
  void revokeAll_isBoundToTheWorkspace() {
    IssuedToken own = acme.issue(NewToken.in("acme").name("ours"));
    IssuedToken other = h.issue("globex", "theirs");

    assertThatThrownBy(() -> acme.revokeAll("globex"))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("workspace"));
    assertThat(h.tokens().get(other.id()).state()).isEqualTo(TokenState.ACTIVE);

    assertThat(acme.revokeAll("acme")).isEqualTo(1);
    assertThat(h.tokens().get(own.id()).state()).isEqualTo(TokenState.REVOKED);
    assertThat(h.tokens().get(other.id()).state()).isEqualTo(TokenState.ACTIVE);
  }

  @Test
  void rotate_keepsTheNewTokenInTheWorkspace() {
    IssuedToken own = acme.issue(NewToken.in("acme").name("ours"));

    IssuedToken fresh = acme.rotate(own.id());

    assertThat(fresh.token().workspace()).isEqualTo("acme");
    assertThat(acme.get(fresh.id()).name()).isEqualTo("ours");
  }

  @Test
  void scope_neverWidensOrMoves() {
    assertThat(h.tokens().workspace()).isEmpty();
    assertThat(acme.workspace()).contains("acme");
    assertThat(acme.as("bob").workspace()).contains("acme");
    assertThat(acme.as("bob").actor()).isEqualTo("bob");
    assertThat(acme.in("acme")).isSameAs(acme);
    assertThatThrownBy(() -> acme.in("globex"))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("workspace"));
    assertThatThrownBy(() -> h.tokens().in(" "))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("workspace"));
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected an exception");
  }
}
