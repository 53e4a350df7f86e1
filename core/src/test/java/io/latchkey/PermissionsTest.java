package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PermissionsTest {
  final Harness h = Harness.create();
  final TokenManager tokens = h.tokens();

  @AfterEach
  void close() {
    h.close();
  }

  Reason check(IssuedToken t, String... required) {
    ValidationResult r = h.validator().validate(ValidationRequest.of(t.secret()).require(required));
    return r.reasonOrNull();
  }

  @Test
  void permissions_getReturnsGrantsAndExplicitDenies() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").permission("invoices:read", true)
        .permission("invoices:write", false).permissions(Map.of("reports/*", true)));
    assertThat(tokens.permissions(t.id())).containsOnly(Map.entry("invoices:read", true),
        Map.entry("invoices:write", false), Map.entry("reports/*", true));
    assertThat(t.token().granted("invoices:read")).isTrue();
    assertThat(t.token().granted("invoices:write")).isFalse();
    assertThat(t.token().grantedPermissions()).containsExactlyInAnyOrder("invoices:read", "reports/*");
  }

  @Test
  void setPermissions_replacesAll() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").permission("a", true).permission("b", true));
    Token after = tokens.setPermissions(t.id(), Map.of("c", true, "a", false));
    assertThat(after.permissions()).containsOnly(Map.entry("c", true), Map.entry("a", false));
    assertThat(tokens.permissions(t.id())).isEqualTo(after.permissions());
    assertThat(check(t, "c")).isNull();
    assertThat(check(t, "b")).isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(check(t, "a")).isEqualTo(Reason.PERMISSION_DENIED);

    assertThat(tokens.setPermissions(t.id(), Map.of()).permissions()).isEmpty();
    assertThat(check(t, "c")).isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(check(t)).isNull();
  }

  @Test
  void updatePermissions_mergesAndKeepsFalseAsAnExplicitDeny() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").permission("a", true).permission("b", true));
    Map<String, Boolean> change = new LinkedHashMap<>();
    change.put("b", false);
    change.put("c", true);
    Token after = tokens.updatePermissions(t.id(), change);
    assertThat(after.permissions()).containsOnly(Map.entry("a", true), Map.entry("b", false),
        Map.entry("c", true));
    assertThat(h.record(t.id()).permissions()).containsEntry("b", false);
    assertThat(check(t, "a", "c")).isNull();
    assertThat(check(t, "b")).isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(check(t, "a", "b")).isEqualTo(Reason.PERMISSION_DENIED);
  }

  @Test
  void updatePermissions_unchangedWritesNothing() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").permission("a", true));
    long version = h.record(t.id()).version();
    tokens.updatePermissions(t.id(), Map.of("a", true));
    tokens.setPermissions(t.id(), Map.of("a", true));
    assertThat(h.record(t.id()).version()).isEqualTo(version);
    assertThat(h.events(TokenEvent.Type.PERMISSIONS_CHANGED)).isEmpty();
  }

  @Test
  void validate_explicitDenyIsNotGrantedAndNamesAreExact() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").permission("read", false)
        .permission("Write", true).permission("reports/*", true));
    assertThat(check(t, "read")).isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(check(t, "write")).as("case-sensitive").isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(check(t, "reports/2024")).as("no wildcard matching").isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(check(t, "Write", "reports/*")).isNull();
  }
}
