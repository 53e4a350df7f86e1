package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.TokenEvent.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each change makes exactly one event of its type, stamped by the clock, naming the actor. */
class AuditTrailTest {
  final Harness h = Harness.create();
  final TokenManager alice = h.tokens().as("alice");

  @AfterEach
  void close() {
    h.close();
  }

  static Arguments change(Type type, String detail, BiConsumer<TokenManager, TokenId> call) {
    return Arguments.of(type, detail, call);
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        change(Type.UPDATED, "changed name, metadata",
            (m, id) -> m.update(id, TokenUpdate.create().name("x").metadata(Map.of("a", "b")))),
        change(Type.PERMISSIONS_CHANGED, "set {read=false}",
            (m, id) -> m.setPermissions(id, Map.of("read", false))),
        change(Type.PERMISSIONS_CHANGED, "merged {write=true}",
            (m, id) -> m.updatePermissions(id, Map.of("write", true))),
        change(Type.DISABLED, "ACTIVE -> DISABLED", TokenManager::disable),
        change(Type.REVOKED, "ACTIVE -> REVOKED", TokenManager::revoke),
        change(Type.DELETED, "deleted", TokenManager::delete));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("changes")
  void change_emitsExactlyOneEventWithActorTimeAndDetail(Type type, String detail,
      BiConsumer<TokenManager, TokenId> call) {
    IssuedToken t = alice.issue(NewToken.in("ws-9").name("n").permission("read", true));
    h.clock.advance(Duration.ofMinutes(3));
    h.events.clear();

    call.accept(alice, t.id());

    assertThat(h.events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(type);
      assertThat(e.at()).isEqualTo(Harness.START.plus(Duration.ofMinutes(3)));
      assertThat(e.actor()).isEqualTo("alice");
      assertThat(e.tokenId()).isEqualTo(t.id());
      assertThat(e.workspace()).isEqualTo("ws-9");
      assertThat(e.reason()).isNull();
      assertThat(e.clientIp()).isNull();
      assertThat(e.detail()).isEqualTo(detail);
    });
  }

  @Test
  void issue_andEnable_emitOneEachWithTheActor() {
    IssuedToken t = alice.issue(NewToken.in("ws").name("n").expiresIn(Duration.ofDays(1)));
    alice.disable(t.id());
    h.events.clear();
    alice.enable(t.id());
    assertThat(h.events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(Type.ENABLED);
      assertThat(e.detail()).isEqualTo("DISABLED -> ACTIVE");
      assertThat(e.actor()).isEqualTo("alice");
    });
    h.events.clear();
    IssuedToken u = h.tokens().as("bob").issue(NewToken.in("ws").name("m"));
    assertThat(h.events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(Type.ISSUED);
      assertThat(e.actor()).isEqualTo("bob");
      assertThat(e.tokenId()).isEqualTo(u.id());
      assertThat(e.detail()).contains(u.token().expiresAt().toString());
    });
  }

  @Test
  void rotate_emitsIssuedForTheNewAndRotatedForTheOld() {
    IssuedToken t = alice.issue(NewToken.in("ws").name("n"));
    h.events.clear();
    IssuedToken fresh = alice.rotate(t.id());
    assertThat(h.events).extracting(TokenEvent::type, TokenEvent::tokenId, TokenEvent::actor)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Type.ISSUED, fresh.id(), "alice"),
            org.assertj.core.groups.Tuple.tuple(Type.ROTATED, t.id(), "alice"));
    assertThat(h.events.get(1).detail()).contains(fresh.id().value());
  }

  @Test
  void rejection_namesReasonAndAValidAddressButNoWorkspaceForUnknown() {
    IssuedToken t = h.issue(NewToken.in("ws").name("n").allowIp("10.0.0.0/8"));
    h.events.clear();
    h.validator().validate(ValidationRequest.of(t.secret()).clientIp("192.0.2.1"));
    h.validator().validate(ValidationRequest.of(t.secret()).clientIp("<script>alert(1)</script>"));
    io.latchkey.internal.TokenFormat f = new io.latchkey.internal.TokenFormat("lk");
    h.validator().validate(ValidationRequest.of(f.assemble(t.id().value(),
        io.latchkey.internal.TokenFormat.newSecret(new java.security.SecureRandom()))));

    List<TokenEvent> events = h.events;
    assertThat(events).hasSize(3).allSatisfy(e -> {
      assertThat(e.type()).isEqualTo(Type.VALIDATION_REJECTED);
      assertThat(e.actor()).isEqualTo("validator");
      assertThat(e.at()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
      assertThat(e.tokenId()).isEqualTo(t.id());
    });
    assertThat(events.get(0).reason()).isEqualTo(Reason.IP_NOT_ALLOWED);
    assertThat(events.get(0).clientIp()).isEqualTo("192.0.2.1");
    assertThat(events.get(0).workspace()).isEqualTo("ws");
    assertThat(events.get(1).clientIp()).as("garbage is not logged").isNull();
    assertThat(events.get(2).reason()).isEqualTo(Reason.UNKNOWN);
    assertThat(events.get(2).workspace()).as("a wrong secret learns nothing").isNull();
  }

  @Test
  void validSuccess_emitsNoEvent() {
    IssuedToken t = h.issue("ws", "n");
    h.events.clear();
    assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
    assertThat(h.events).isEmpty();
  }
}
