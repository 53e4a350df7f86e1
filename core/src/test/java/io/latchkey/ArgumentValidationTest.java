package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point refuses null, blank, oversized and malformed arguments with an {@link
 * InvalidArgumentException} whose message starts with the field's name, and changes nothing.
 */
class ArgumentValidationTest {

  /** A call against a manager and the id of a token that exists. */
  @FunctionalInterface
  interface Call {
    void run(TokenManager tokens, TokenId existing) throws Exception;
  }

  static Arguments bad(String what, String field, Call call) {
    return Arguments.of(what, field, call);
  }

  static String longer(int n) {
    return "a".repeat(n);
  }

  static Map<String, Boolean> permissionsWithNullValue() {
    Map<String, Boolean> m = new HashMap<>();
    m.put("read", null);
    return m;
  }

  static Map<String, Boolean> permissionsWithNullKey() {
    Map<String, Boolean> m = new HashMap<>();
    m.put(null, true);
    return m;
  }

  static Map<String, Boolean> manyPermissions(int n) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) m.put("p" + i, true);
    return m;
  }

  static Map<String, String> manyMetadata(int n) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) m.put("k" + i, "v");
    return m;
  }

  static List<String> manyIps(int n) {
    List<String> ips = new ArrayList<>();
    for (int i = 0; i < n; i++) ips.add("10.0." + (i / 256) + "." + (i % 256));
    return ips;
  }

  static Stream<Arguments> managerCalls() {
    return Stream.of(
        bad("as(null)", "actor", (m, id) -> m.as(null)),
        bad("as blank", "actor", (m, id) -> m.as("  ")),
        bad("as too long", "actor", (m, id) -> m.as(longer(129))),
        bad("as with control character", "actor", (m, id) -> m.as("al\u0000ice")),
        bad("issue(null)", "spec", (m, id) -> m.issue(null)),
        bad("issue without name", "name", (m, id) -> m.issue(NewToken.in("ws"))),
        bad("issue expiresIn over max", "expiresIn",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresIn(Duration.ofDays(731)))),
        bad("issue expiresIn overflowing", "expiresIn",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresIn(Duration.ofSeconds(Long.MAX_VALUE)))),
        bad("issue expiresIn under a millisecond", "expiresIn",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresIn(Duration.ofNanos(1)))),
        bad("issue expiresAt over max", "expiresAt",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresAt(Instant.parse("2028-01-01T00:00:00.001Z")))),
        bad("issue expiresAt far future", "expiresAt",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresAt(Instant.MAX))),
        bad("issue expiresAt now", "expiresAt",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresAt(Harness.START))),
        bad("issue expiresAt past", "expiresAt",
            (m, id) -> m.issue(NewToken.in("ws").name("t").expiresAt(Instant.EPOCH))),
        bad("find(null)", "tokenId", (m, id) -> m.find(null)),
        bad("get(null)", "tokenId", (m, id) -> m.get(null)),
        bad("list(null)", "query", (m, id) -> m.list(null)),
        bad("update(null, ...)", "tokenId", (m, id) -> m.update(null, TokenUpdate.create().name("x"))),
        bad("update(id, null)", "update", (m, id) -> m.update(id, null)),
        bad("permissions(null)", "tokenId", (m, id) -> m.permissions(null)),
        bad("setPermissions(null, ...)", "tokenId", (m, id) -> m.setPermissions(null, Map.of())),
        bad("setPermissions(id, null)", "permissions", (m, id) -> m.setPermissions(id, null)),
        bad("setPermissions bad name", "permissions", (m, id) -> m.setPermissions(id, Map.of("a b", true))),
        bad("setPermissions null value", "permissions", (m, id) -> m.setPermissions(id, permissionsWithNullValue())),
        bad("setPermissions null key", "permissions", (m, id) -> m.setPermissions(id, permissionsWithNullKey())),
        bad("setPermissions too many", "permissions", (m, id) -> m.setPermissions(id, manyPermissions(257))),
        bad("updatePermissions(null, ...)", "tokenId", (m, id) -> m.updatePermissions(null, Map.of())),
        bad("updatePermissions(id, null)", "permissions", (m, id) -> m.updatePermissions(id, null)),
        bad("updatePermissions too long name", "permissions",
            (m, id) -> m.updatePermissions(id, Map.of(longer(129), true))),
        bad("updatePermissions null value", "permissions", (m, id) -> m.updatePermissions(id, permissionsWithNullValue())),
        bad("disable(null)", "tokenId", (m, id) -> m.disable(null)),
        bad("enable(null)", "tokenId", (m, id) -> m.enable(null)),
        bad("revoke(null)", "tokenId", (m, id) -> m.revoke(null)),
        bad("revokeAll(null)", "workspace", (m, id) -> m.revokeAll(null)),
        bad("revokeAll blank", "workspace", (m, id) -> m.revokeAll(" ")),
        bad("revokeAll too long", "workspace", (m, id) -> m.revokeAll(longer(129))),
        bad("revokeAll malformed", "workspace", (m, id) -> m.revokeAll("ws 1")),
        bad("delete(null)", "tokenId", (m, id) -> m.delete(null)),
        bad("rotate(null)", "tokenId", (m, id) -> m.rotate(null)),
        bad("rotate(null, overlap)", "tokenId", (m, id) -> m.rotate(null, Duration.ZERO)),
        bad("rotate(id, null)", "overlap", (m, id) -> m.rotate(id, null)),
        bad("rotate negative overlap", "overlap", (m, id) -> m.rotate(id, Duration.ofSeconds(-1))),
        bad("rotate overlap over max", "overlap", (m, id) -> m.rotate(id, Duration.ofDays(800))),
        bad("rotate overlap overflowing", "overlap",
            (m, id) -> m.rotate(id, Duration.ofSeconds(Long.MAX_VALUE))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("managerCalls")
  void managerMethod_rejectsBadArgumentNamingTheField(String what, String field, Call call) {
    try (Harness h = Harness.create()) {
      TokenManager tokens = h.tokens().as("alice");
      TokenId existing = tokens.issue(NewToken.in("ws").name("t").permission("read", true)).id();
      List<TokenRecord> before = h.store.all();
      int events = h.events.size();

      assertThatThrownBy(() -> call.run(tokens, existing))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo(field))
          .hasMessageStartingWith(field + " ");

      assertThat(h.store.all()).containsExactlyInAnyOrderElementsOf(before);
      assertThat(h.events).hasSize(events);
    }
  }

  @FunctionalInterface
  interface Setting {
    void run() throws Exception;
  }

  static Arguments badValue(String what, String field, Setting setting) {
    return Arguments.of(what, field, setting);
  }

  static Stream<Arguments> valueCalls() {
    return Stream.of(
        badValue("NewToken.in(null)", "workspace", () -> NewToken.in(null)),
        badValue("NewToken.in empty", "workspace", () -> NewToken.in("")),
        badValue("NewToken.in blank", "workspace", () -> NewToken.in("  ")),
        badValue("NewToken.in too long", "workspace", () -> NewToken.in(longer(129))),
        badValue("NewToken.in space", "workspace", () -> NewToken.in("work space")),
        badValue("NewToken.in non-ASCII", "workspace", () -> NewToken.in("wörk")),
        badValue("name(null)", "name", () -> NewToken.in("ws").name(null)),
        badValue("name blank", "name", () -> NewToken.in("ws").name(" \t ")),
        badValue("name too long", "name", () -> NewToken.in("ws").name(longer(129))),
        badValue("name with newline", "name", () -> NewToken.in("ws").name("a\nb")),
        badValue("description(null)", "description", () -> NewToken.in("ws").description(null)),
        badValue("description too long", "description", () -> NewToken.in("ws").description(longer(1025))),
        badValue("description with NUL", "description", () -> NewToken.in("ws").description("a\u0000")),
        badValue("permission(null)", "permission", () -> NewToken.in("ws").permission(null, true)),
        badValue("permission empty", "permission", () -> NewToken.in("ws").permission("", true)),
        badValue("permission space", "permission", () -> NewToken.in("ws").permission("a b", true)),
        badValue("permission non-ASCII", "permission", () -> NewToken.in("ws").permission("lesé", true)),
        badValue("permission too long", "permission", () -> NewToken.in("ws").permission(longer(129), true)),
        badValue("permissions(null)", "permissions", () -> NewToken.in("ws").permissions(null)),
        badValue("permissions too many", "permissions", () -> NewToken.in("ws").permissions(manyPermissions(257))),
        badValue("allowIp(null)", "allowIp", () -> NewToken.in("ws").allowIp(null)),
        badValue("allowIp host name", "allowIp", () -> NewToken.in("ws").allowIp("example.com")),
        badValue("allowIp host bits", "allowIp", () -> NewToken.in("ws").allowIp("10.0.0.7/8")),
        badValue("allowIps(null)", "allowIps", () -> NewToken.in("ws").allowIps(null)),
        badValue("allowIps too many", "allowedIps", () -> NewToken.in("ws").allowIps(manyIps(101))),
        badValue("metadata null key", "metadata key", () -> NewToken.in("ws").metadata(null, "v")),
        badValue("metadata empty key", "metadata key", () -> NewToken.in("ws").metadata("", "v")),
        badValue("metadata long key", "metadata key", () -> NewToken.in("ws").metadata(longer(65), "v")),
        badValue("metadata bad key", "metadata key", () -> NewToken.in("ws").metadata("a b", "v")),
        badValue("metadata null value", "metadata", () -> NewToken.in("ws").metadata("k", null)),
        badValue("metadata long value", "metadata", () -> NewToken.in("ws").metadata("k", longer(1025))),
        badValue("metadata(null map)", "metadata", () -> NewToken.in("ws").metadata(null)),
        badValue("metadata too many", "metadata", () -> NewToken.in("ws").metadata(manyMetadata(65))),
        badValue("expiresIn(null)", "expiresIn", () -> NewToken.in("ws").expiresIn(null)),
        badValue("expiresIn zero", "expiresIn", () -> NewToken.in("ws").expiresIn(Duration.ZERO)),
        badValue("expiresIn negative", "expiresIn", () -> NewToken.in("ws").expiresIn(Duration.ofDays(-1))),
        badValue("expiresAt(null)", "expiresAt", () -> NewToken.in("ws").expiresAt(null)),
        badValue("createdBy(null)", "createdBy", () -> NewToken.in("ws").createdBy(null)),
        badValue("createdBy blank", "createdBy", () -> NewToken.in("ws").createdBy(" ")),
        badValue("createdBy too long", "createdBy", () -> NewToken.in("ws").createdBy(longer(129))),
        badValue("TokenUpdate.name(null)", "name", () -> TokenUpdate.create().name(null)),
        badValue("TokenUpdate.name blank", "name", () -> TokenUpdate.create().name("")),
        badValue("TokenUpdate.description(null)", "description", () -> TokenUpdate.create().description(null)),
        badValue("TokenUpdate.allowedIps(null)", "allowedIps", () -> TokenUpdate.create().allowedIps(null)),
        badValue("TokenUpdate.allowedIps null entry", "allowedIps",
            () -> TokenUpdate.create().allowedIps(Arrays.asList("10.0.0.1", null))),
        badValue("TokenUpdate.allowedIps host name", "allowedIps",
            () -> TokenUpdate.create().allowedIps(List.of("localhost"))),
        badValue("TokenUpdate.allowedIps too many", "allowedIps",
            () -> TokenUpdate.create().allowedIps(manyIps(101))),
        badValue("TokenUpdate.metadata(null)", "metadata", () -> TokenUpdate.create().metadata(null)),
        badValue("TokenUpdate.metadata too many", "metadata", () -> TokenUpdate.create().metadata(manyMetadata(65))),
        badValue("TokenQuery.in(null)", "workspace", () -> TokenQuery.in(null)),
        badValue("TokenQuery.in blank", "workspace", () -> TokenQuery.in(" ")),
        badValue("limit 0", "limit", () -> TokenQuery.in("ws").limit(0)),
        badValue("limit 1001", "limit", () -> TokenQuery.in("ws").limit(1001)),
        badValue("after(null)", "cursor", () -> TokenQuery.in("ws").after(null)),
        badValue("after garbage", "cursor", () -> TokenQuery.in("ws").after("page-2")),
        badValue("nameContains(null)", "nameContains", () -> TokenQuery.in("ws").nameContains(null)),
        badValue("nameContains too long", "nameContains", () -> TokenQuery.in("ws").nameContains(longer(129))),
        badValue("state(null array)", "state", () -> TokenQuery.in("ws").state((TokenState[]) null)),
        badValue("state(null entry)", "state", () -> TokenQuery.in("ws").state(TokenState.ACTIVE, null)),
        badValue("TokenId.of(null)", "tokenId", () -> TokenId.of(null)),
        badValue("TokenId.of empty", "tokenId", () -> TokenId.of("")),
        badValue("TokenId.of 15 chars", "tokenId", () -> TokenId.of("0".repeat(15))),
        badValue("TokenId.of 17 chars", "tokenId", () -> TokenId.of("0".repeat(17))),
        badValue("TokenId.of non-base62", "tokenId", () -> TokenId.of("000000000000000-")),
        badValue("TokenId.of whole token", "tokenId",
            () -> TokenId.of("lk_0VbnqkQ4EXqWUGDl4jWd6ndGU4MtqcYHGYuU5YSLmqf6eRjim3Z6RUX")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCalls")
  void valueSetter_rejectsBadArgumentNamingTheField(String what, String field, Setting setting) {
    assertThatThrownBy(setting::run)
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith(field + " ");
  }

  @Test
  void permissionName_badNameIsInTheMessage() {
    assertThatThrownBy(() -> NewToken.in("ws").permission("invoices read", true))
        .hasMessage("permission \"invoices read\" is not a valid permission name: use 1 to 128"
            + " letters, digits or _ . : * / -");
    assertThatThrownBy(() -> NewToken.in("ws").permissions(Map.of("ok", true, "bad\u0007", false)))
        .hasMessageStartingWith("permissions \"bad\\u0007\" is not a valid permission name");
    String tooLong = "x".repeat(129);
    assertThatThrownBy(() -> NewToken.in("ws").permission(tooLong, true))
        .hasMessageStartingWith("permission \"" + "x".repeat(64) + "...\" is not a valid");
  }

  @Test
  void newToken_failedSetterLeavesTheSpecAsItWas() {
    NewToken spec = NewToken.in("ws").name("t").permissions(manyPermissions(256))
        .allowIps(manyIps(100)).metadata(manyMetadata(64));

    assertThatThrownBy(() -> spec.permission("one-too-many", true))
        .hasMessage("permissions must have at most 256 entries, was 257");
    assertThatThrownBy(() -> spec.permissions(Map.of("x1", true, "x2", true)))
        .hasMessage("permissions must have at most 256 entries, was 258");
    assertThatThrownBy(() -> spec.allowIp("192.0.2.1"))
        .hasMessage("allowedIps must have at most 100 entries, was 101");
    assertThatThrownBy(() -> spec.allowIps(List.of("192.0.2.2", "not an ip")))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> spec.metadata("one-too-many", "v"))
        .hasMessage("metadata must have at most 64 entries, was 65");
    assertThatThrownBy(() -> spec.metadata(Map.of("m1", "v")))
        .hasMessage("metadata must have at most 64 entries, was 65");

    assertThat(spec.permissions()).hasSize(256).doesNotContainKeys("one-too-many", "x1", "x2");
    assertThat(spec.allowedIps()).hasSize(100).doesNotContain("192.0.2.1", "192.0.2.2");
    assertThat(spec.metadata()).hasSize(64).doesNotContainKeys("one-too-many", "m1");
    try (Harness h = Harness.create()) {
      Token t = h.issue(spec).token();
      assertThat(t.permissions()).hasSize(256);
      assertThat(t.allowedIps()).hasSize(100);
      assertThat(t.metadata()).hasSize(64);
    }
  }

  @Test
  void newToken_repeatedEntriesDoNotCountTwice() {
    NewToken spec = NewToken.in("ws").permissions(manyPermissions(256)).allowIps(manyIps(100))
        .metadata(manyMetadata(64));
    spec.permission("p0", false).allowIp("10.0.0.0/32").metadata("k0", "changed");
    assertThat(spec.permissions()).hasSize(256).containsEntry("p0", false);
    assertThat(spec.allowedIps()).hasSize(100);
    assertThat(spec.metadata()).hasSize(64).containsEntry("k0", "changed");
  }

  @Test
  void issue_lifetimeExactlyAtTheMaximumIsAllowed() {
    try (Harness h = Harness.create(b -> b.maxLifetime(Period.ofDays(10)))) {
      assertThat(h.issue(NewToken.in("ws").name("a").expiresIn(Duration.ofDays(10))).token()
          .expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(10)));
      assertThat(h.issue(NewToken.in("ws").name("b").expiresAt(Harness.START.plus(Duration.ofDays(10))))
          .token().expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(10)));
      assertThatThrownBy(() -> h.issue(NewToken.in("ws").name("c")
          .expiresIn(Duration.ofDays(10).plusMillis(1))))
          .hasMessageStartingWith("expiresIn exceeds the maximum lifetime of P10D");
    }
  }
}
