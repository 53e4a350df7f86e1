package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every public method names the bad argument, and a refused call changes nothing. */
class TokenManagerArgumentsTest {
  private static final TokenId UNKNOWN = TokenId.of("0000000000000000");

  static Stream<Arguments> badCalls() {
    Map<String, Boolean> nullValue = new HashMap<>();
    nullValue.put("a", null);
    return Stream.of(
        bad("find(null)", "tokenId", (TokenManager m) -> m.find(null)),
        bad("get(null)", "tokenId", m -> m.get(null)),
        bad("issue(null)", "spec", m -> m.issue(null)),
        bad("issue without name", "name", m -> m.issue(NewToken.in("ws"))),
        bad("issue expiresAt past", "expiresAt",
            m -> m.issue(NewToken.in("ws").name("n").expiresAt(Instant.EPOCH))),
        bad("issue beyond max", "expiresIn",
            m -> m.issue(NewToken.in("ws").name("n").expiresIn(Duration.ofDays(800)))),
        bad("list(null)", "query", m -> m.list(null)),
        bad("update(null id)", "tokenId", m -> m.update(null, TokenUpdate.create())),
        bad("update(null)", "update", m -> m.update(UNKNOWN, null)),
        bad("setPermissions(null)", "permissions", m -> m.setPermissions(UNKNOWN, null)),
        bad("setPermissions bad name", "permissions",
            m -> m.setPermissions(UNKNOWN, Map.of("in voices", true))),
        bad("updatePermissions null value", "permissions",
            m -> m.updatePermissions(UNKNOWN, nullValue)),
        bad("disable(null)", "tokenId", m -> m.disable(null)),
        bad("enable(null)", "tokenId", m -> m.enable(null)),
        bad("revoke(null)", "tokenId", m -> m.revoke(null)),
        bad("revokeAll(null)", "workspace", m -> m.revokeAll(null)),
        bad("revokeAll(blank)", "workspace", m -> m.revokeAll(" ")),
        bad("delete(null)", "tokenId", m -> m.delete(null)),
        bad("rotate(null)", "tokenId", m -> m.rotate(null)),
        bad("rotate negative overlap", "overlap", m -> m.rotate(UNKNOWN, Duration.ofHours(-1))),
        bad("as(blank)", "actor", m -> m.as("  ")),
        bad("as(too long)", "actor", m -> m.as("a".repeat(129))),
        bad("TokenId.of(garbage)", "tokenId", m -> TokenId.of("not-an-id")),
        bad("NewToken.in(null)", "workspace", m -> NewToken.in(null)),
        bad("name too long", "name", m -> NewToken.in("ws").name("n".repeat(129))),
        bad("description too long", "description",
            m -> NewToken.in("ws").description("d".repeat(1025))),
        bad("hostname allowlist", "allowIp", m -> NewToken.in("ws").allowIp("example.com")),
        bad("metadata key", "metadata key", m -> NewToken.in("ws").metadata("bad key", "v")),
        bad("query limit", "limit", m -> TokenQuery.in("ws").limit(0)),
        bad("query cursor", "cursor", m -> TokenQuery.in("ws").after("x")));
  }

  private static Arguments bad(String name, String field, Consumer<TokenManager> call) {
    return Arguments.of(name, field, call);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCalls")
  void badArgument_namesTheField(String name, String field, Consumer<TokenManager> call) {
    try (Harness h = Harness.create()) {
      assertThatThrownBy(() -> call.accept(h.tokens()))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo(field))
          .hasMessageStartingWith(field + " ");
      assertThat(h.store.all()).isEmpty();
    }
  }

  @Test
  void unknownId_everyMethod_throwsTokenNotFound() {
    try (Harness h = Harness.create()) {
      TokenManager m = h.tokens();
      List<Runnable> calls = List.of(() -> m.get(UNKNOWN), () -> m.permissions(UNKNOWN),
          () -> m.update(UNKNOWN, TokenUpdate.create().name("x")),
          () -> m.setPermissions(UNKNOWN, Map.of()), () -> m.updatePermissions(UNKNOWN, Map.of()),
          () -> m.disable(UNKNOWN), () -> m.enable(UNKNOWN), () -> m.revoke(UNKNOWN),
          () -> m.delete(UNKNOWN), () -> m.rotate(UNKNOWN));
      for (Runnable call : calls) {
        assertThatThrownBy(call::run).isInstanceOf(TokenNotFoundException.class)
            .hasMessageContaining(UNKNOWN.value());
      }
      assertThat(m.find(UNKNOWN)).isEmpty();
    }
  }

  @Test
  void failedChange_leavesRecordAsItWas() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("n").permission("a", true));
      TokenRecord before = h.record(t.id());
      Map<String, Boolean> tooMany = new HashMap<>();
      for (int i = 0; i < 256; i++) tooMany.put("p" + i, true);
      assertThatThrownBy(() -> h.tokens().updatePermissions(t.id(), tooMany))
          .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("permissions");
      h.tokens().revoke(t.id());
      TokenRecord revoked = h.record(t.id());
      assertThatThrownBy(() -> h.tokens().rotate(t.id()))
          .isInstanceOf(IllegalTransitionException.class)
          .hasMessageContaining(t.id().value()).hasMessageContaining("REVOKED")
          .hasMessageContaining("rotate");
      assertThat(h.record(t.id())).isEqualTo(revoked);
      assertThat(h.store.all()).hasSize(1); // rotate issued nothing
      assertThat(before.version()).isEqualTo(1);
      assertThat(revoked.version()).isEqualTo(2);
    }
  }
}
