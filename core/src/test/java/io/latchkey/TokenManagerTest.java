package io.latchkey;

import io.latchkey.spi.TokenStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenManagerTest {
  final Harness h = Harness.create();
  final TokenManager tokens = h.tokens().as("alice");

  @AfterEach
  void close() {
    h.close();
  }

  static NewToken fullSpec() {
    return NewToken.in("workspace-7").name("  billing-sync ").description("syncs invoices")
        .permission("invoices:read", true).permission("invoices:write", false)
        .allowIp("203.0.113.0/24").allowIp("2001:DB8::/32")
        .metadata("team", "billing").expiresIn(Duration.ofDays(30));
  }

  @Test
  void issue_returnsThePlaintextOnceAndStoresOnlyItsHash() throws Exception {
    IssuedToken issued = tokens.issue(fullSpec());
    String secret = issued.secret();
    Token t = issued.token();

    assertThat(secret).matches("lk_[0-9A-Za-z]{55}");
    assertThat(secret.substring(3, 19)).isEqualTo(t.id().value());
    assertThat(t.workspace()).isEqualTo("workspace-7");
    assertThat(t.name()).isEqualTo("billing-sync");
    assertThat(t.description()).isEqualTo("syncs invoices");
    assertThat(t.permissions()).containsExactlyInAnyOrderEntriesOf(
        Map.of("invoices:read", true, "invoices:write", false));
    assertThat(t.allowedIps()).containsExactly("203.0.113.0/24", "2001:db8::/32");
    assertThat(t.metadata()).containsExactlyEntriesOf(Map.of("team", "billing"));
    assertThat(t.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(t.createdAt()).isEqualTo(Harness.START);
    assertThat(t.updatedAt()).isEqualTo(Harness.START);
    assertThat(t.expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(30)));
    assertThat(t.createdBy()).isEqualTo("alice");
    assertThat(t.hint()).isEqualTo("lk_..." + secret.substring(secret.length() - 4));
    assertThat(t.lastUsedAt()).isNull();

    TokenRecord r = h.record(issued.id());
    assertThat(r.keyId()).isEqualTo("k1");
    assertThat(r.hash()).isEqualTo(Harness.hmac(Harness.K1, secret, "lk"));
    assertThat(r.version()).isEqualTo(1);
    assertThat(r.state()).isEqualTo(StoredState.ACTIVE);
    assertThat(r.toString()).doesNotContain(secret).doesNotContain(secret.substring(19, 52));
    assertThat(tokens.get(issued.id())).isEqualTo(t);
    assertThat(h.validator().validate(ValidationRequest.of(secret).clientIp("203.0.113.1"))
        .isValid()).isTrue();
  }

  @Test
  void issue_createdByOverridesTheActor() {
    IssuedToken issued = tokens.issue(NewToken.in("ws").name("t").createdBy("bob"));
    assertThat(issued.token().createdBy()).isEqualTo("bob");
    assertThat(h.tokens().issue(NewToken.in("ws").name("u")).token().createdBy())
        .isEqualTo("system");
  }

  @Test
  void issue_makesDistinctIdsAndSecretsInIssueOrder() {
    IssuedToken previous = null;
    for (int i = 0; i < 50; i++) {
      IssuedToken t = tokens.issue(NewToken.in("ws").name("t" + i));
      if (previous != null) {
        assertThat(t.id()).isGreaterThan(previous.id());
        assertThat(t.secret().substring(19)).isNotEqualTo(previous.secret().substring(19));
      }
      previous = t;
      if (i % 10 == 0) h.clock.advance(Duration.ofMillis(1));
    }
  }

  @Test
  void issuedToken_toStringHidesTheSecret() {
    IssuedToken issued = tokens.issue(fullSpec());
    assertThat(issued.toString())
        .isEqualTo("IssuedToken[id=" + issued.id() + ", hint=" + issued.token().hint()
            + ", secret=<hidden>]")
        .doesNotContain(issued.secret().substring(19, 52));
  }

  @Test
  void find_knownAndUnknown() {
    IssuedToken issued = tokens.issue(fullSpec());
    assertThat(tokens.find(issued.id())).contains(issued.token());
    TokenId unknown = TokenId.of("0000000000000000");
    assertThat(tokens.find(unknown)).isEmpty();
    assertThatThrownBy(() -> tokens.get(unknown))
        .isInstanceOfSatisfying(TokenNotFoundException.class,
            e -> assertThat(e.tokenId()).isEqualTo(unknown))
        .hasMessage("token 0000000000000000 not found");
  }

  static Stream<Arguments> methodsTakingAnId() {
    return Stream.of(
        Arguments.of("get", (BiConsumer<TokenManager, TokenId>) TokenManager::get),
        Arguments.of("update", (BiConsumer<TokenManager, TokenId>) (m, id) ->
            m.update(id, TokenUpdate.create().name("x"))),
        Arguments.of("update (empty)", (BiConsumer<TokenManager, TokenId>) (m, id) ->
            m.update(id, TokenUpdate.create())),
        Arguments.of("permissions", (BiConsumer<TokenManager, TokenId>) TokenManager::permissions),
        Arguments.of("setPermissions", (BiConsumer<TokenManager, TokenId>) (m, id) ->
            m.setPermissions(id, Map.of("a", true))),
        Arguments.of("updatePermissions", (BiConsumer<TokenManager, TokenId>) (m, id) ->
            m.updatePermissions(id, Map.of("a", true))),
        Arguments.of("disable", (BiConsumer<TokenManager, TokenId>) TokenManager::disable),
        Arguments.of("enable", (BiConsumer<TokenManager, TokenId>) TokenManager::enable),
        Arguments.of("revoke", (BiConsumer<TokenManager, TokenId>) TokenManager::revoke),
        Arguments.of("delete", (BiConsumer<TokenManager, TokenId>) TokenManager::delete),
        Arguments.of("rotate", (BiConsumer<TokenManager, TokenId>) TokenManager::rotate),
        Arguments.of("rotate with overlap", (BiConsumer<TokenManager, TokenId>) (m, id) ->
            m.rotate(id, Duration.ofHours(1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methodsTakingAnId")
  void method_unknownIdThrowsTokenNotFound(String name, BiConsumer<TokenManager, TokenId> call) {
    tokens.issue(fullSpec());
    TokenId unknown = TokenId.of("0VbnqkQ4EXqWUGDl");
    List<TokenRecord> before = h.store.all();
    assertThatThrownBy(() -> call.accept(tokens, unknown))
        .isInstanceOfSatisfying(TokenNotFoundException.class,
            e -> assertThat(e.tokenId()).isEqualTo(unknown))
        .hasMessageContaining(unknown.value());
    assertThat(h.store.all()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void update_changesOnlyTheGivenFields() {
    IssuedToken issued = tokens.issue(fullSpec());
    h.clock.advance(Duration.ofMinutes(5));

    Token after = tokens.update(issued.id(), TokenUpdate.create().name("renamed")
        .allowedIps(List.of("192.0.2.1/32", "192.0.2.1")));

    assertThat(after.name()).isEqualTo("renamed");
    assertThat(after.allowedIps()).containsExactly("192.0.2.1");
    assertThat(after.description()).isEqualTo("syncs invoices");
    assertThat(after.metadata()).isEqualTo(Map.of("team", "billing"));
    assertThat(after.permissions()).isEqualTo(issued.token().permissions());
    assertThat(after.updatedAt()).isEqualTo(Harness.START.plus(Duration.ofMinutes(5)));
    assertThat(after.createdAt()).isEqualTo(Harness.START);
    assertThat(tokens.get(issued.id())).isEqualTo(after);
    assertThat(h.record(issued.id()).version()).isEqualTo(2);

    Token again = tokens.update(issued.id(), TokenUpdate.create().description("")
        .metadata(Map.of("a", "1", "b", "2")).allowedIps(List.of()));
    assertThat(again.description()).isEmpty();
    assertThat(again.metadata()).isEqualTo(Map.of("a", "1", "b", "2"));
    assertThat(again.allowedIps()).isEmpty();
    assertThat(again.name()).isEqualTo("renamed");
  }

  @Test
  void update_emptyChangesNothing() {
    IssuedToken issued = tokens.issue(fullSpec());
    TokenRecord before = h.record(issued.id());
    int events = h.events.size();
    assertThat(tokens.update(issued.id(), TokenUpdate.create())).isEqualTo(issued.token());
    assertThat(h.record(issued.id())).isEqualTo(before);
    assertThat(h.events).hasSize(events);
  }

  @Test
  void delete_removesTheRecordAndValidationAnswersUnknown() {
    IssuedToken issued = tokens.issue(NewToken.in("ws").name("t"));
    assertThat(h.validator().validate(issued.secret()).isValid()).isTrue(); // now cached

    tokens.delete(issued.id());

    assertThat(h.store.record(issued.id())).isNull();
    assertThat(tokens.find(issued.id())).isEmpty();
    assertThat(h.validator().validate(issued.secret()).reason()).contains(Reason.UNKNOWN);
    assertThatThrownBy(() -> tokens.delete(issued.id()))
        .isInstanceOf(TokenNotFoundException.class);
  }

  @Test
  void rotate_issuesANewTokenWithTheSameSettingsAndTheOldExpiresAfter24Hours() {
    IssuedToken old = tokens.issue(fullSpec());
    h.clock.advance(Duration.ofDays(1));
    Instant rotatedAt = h.clock.instant();

    IssuedToken fresh = h.tokens().as("bob").rotate(old.id());

    Token n = fresh.token();
    Token o = old.token();
    assertThat(fresh.id()).isNotEqualTo(old.id()).isGreaterThan(old.id());
    assertThat(fresh.secret()).isNotEqualTo(old.secret()).startsWith("lk_");
    assertThat(n.workspace()).isEqualTo(o.workspace());
    assertThat(n.name()).isEqualTo(o.name());
    assertThat(n.description()).isEqualTo(o.description());
    assertThat(n.permissions()).isEqualTo(o.permissions());
    assertThat(n.allowedIps()).isEqualTo(o.allowedIps());
    assertThat(n.metadata()).isEqualTo(o.metadata());
    assertThat(n.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(n.createdAt()).isEqualTo(rotatedAt);
    assertThat(n.createdBy()).isEqualTo("bob");
    assertThat(n.expiresAt()).as("same 30-day lifetime").isEqualTo(rotatedAt.plus(Duration.ofDays(30)));
    assertThat(n.hint()).isEqualTo("lk_..." + fresh.secret().substring(fresh.secret().length() - 4));
    assertThat(tokens.get(old.id()).expiresAt()).isEqualTo(rotatedAt.plus(Duration.ofHours(24)));

    ValidationRequest fromAllowed = ValidationRequest.of(old.secret()).clientIp("203.0.113.5");
    h.clock.advance(Duration.ofHours(24).minusMillis(1));
    assertThat(h.validator().validate(fromAllowed).isValid()).isTrue();
    assertThat(h.validator().validate(ValidationRequest.of(fresh.secret()).clientIp("203.0.113.5"))
        .isValid()).isTrue();
    h.clock.advance(Duration.ofMillis(1));
    assertThat(h.validator().validate(fromAllowed).reason()).contains(Reason.EXPIRED);
    assertThat(tokens.get(old.id()).state()).isEqualTo(TokenState.EXPIRED);
    assertThat(h.validator().validate(ValidationRequest.of(fresh.secret()).clientIp("203.0.113.5"))
        .isValid()).isTrue();
  }

  @Test
  void rotate_zeroOverlapStopsTheOldTokenAtOnce() {
    IssuedToken old = tokens.issue(fullSpec());
    tokens.rotate(old.id(), Duration.ZERO);
    assertThat(tokens.get(old.id()).state()).isEqualTo(TokenState.EXPIRED);
    assertThat(h.validator().validate(old.secret()).reason()).contains(Reason.EXPIRED);
  }

  @Test
  void rotate_overlapLongerThanTheRemainingLifetimeKeepsTheOldExpiry() {
    IssuedToken old = tokens.issue(NewToken.in("ws").name("t").expiresIn(Duration.ofHours(2)));
    tokens.rotate(old.id(), Duration.ofDays(3));
    assertThat(tokens.get(old.id()).expiresAt()).isEqualTo(Harness.START.plus(Duration.ofHours(2)));
  }

  @Test
  void rotate_refusedUnlessActiveAndNothingIsIssued() {
    IssuedToken old = tokens.issue(fullSpec());
    tokens.disable(old.id());
    List<TokenRecord> before = h.store.all();
    assertThatThrownBy(() -> tokens.rotate(old.id()))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage("cannot rotate token " + old.id() + ": it is DISABLED");
    assertThat(h.store.all()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void rotate_failingWriteLeavesNoNewTokenAndTheOldUnchanged() {
    IssuedToken old = tokens.issue(fullSpec());
    TokenRecord before = h.record(old.id());
    h.store.replaceDown = true;

    assertThatThrownBy(() -> tokens.rotate(old.id())).isInstanceOf(StoreUnavailableException.class);

    assertThat(h.store.all()).containsExactly(before);
    assertThat(h.events(TokenEvent.Type.ROTATED)).isEmpty();
  }

  @Test
  void rotate_again_saysTheTokenWasRotatedBefore() {
    IssuedToken old = tokens.issue(fullSpec());
    tokens.rotate(old.id());
    assertThat(h.events(TokenEvent.Type.ROTATED).get(0).detail()).doesNotContain("rotated before");
    tokens.rotate(old.id());
    assertThat(h.events(TokenEvent.Type.ROTATED).get(1).detail())
        .contains("it had been rotated before, so an earlier replacement may still be live");
  }

  @Test
  void rotate_retireWriteAppliedButItsReplyLost_succeeds() {
    Harness lossy = Harness.create();
    IssuedToken old = lossy.issue(fullSpec());
    TokenStore store = new ForwardingStore(lossy.store) {
      @Override
      public boolean replace(TokenRecord updated, long expectedVersion) {
        super.replace(updated, expectedVersion);
        throw new StoreUnavailableException("connection reset after the write (test)", null);
      }
    };
    try (Latchkey l = Latchkey.builder().store(store).clock(lossy.clock).hashingKey(Harness.K1)
        .build()) {
      IssuedToken fresh = l.tokens().rotate(old.id(), Duration.ofHours(1));
      assertThat(lossy.store.record(fresh.id())).isNotNull();
      assertThat(lossy.store.record(old.id()).expiresAt())
          .isEqualTo(Harness.START.plus(Duration.ofHours(1)));
      assertThat(l.validator().validate(ValidationRequest.of(fresh.secret())
          .clientIp("203.0.113.9")).isValid()).isTrue();
    } finally {
      lossy.close();
    }
  }

  @Test
  void issue_storeDownLeavesNothingBehind() {
    h.store.down = true;
    assertThatThrownBy(() -> tokens.issue(fullSpec())).isInstanceOf(StoreUnavailableException.class);
    h.store.down = false;
    assertThat(h.store.all()).isEmpty();
    assertThat(h.events).isEmpty();
  }

  @Test
  void updatePermissions_overTheLimitLeavesTheRecordAsItWas() {
    Map<String, Boolean> many = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) many.put("p" + i, true);
    IssuedToken issued = tokens.issue(NewToken.in("ws").name("t").permissions(many));
    TokenRecord before = h.record(issued.id());
    Map<String, Boolean> more = new LinkedHashMap<>();
    for (int i = 0; i < 57; i++) more.put("q" + i, true);

    assertThatThrownBy(() -> tokens.updatePermissions(issued.id(), more))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("permissions must have at most 256 entries, was 257");

    assertThat(h.record(issued.id())).isEqualTo(before);
    assertThat(h.events(TokenEvent.Type.PERMISSIONS_CHANGED)).isEmpty();
    more.remove("q0");
    assertThat(tokens.updatePermissions(issued.id(), more).permissions()).hasSize(256);
  }

  @Test
  void update_storeDownLeavesTheRecordAsItWas() {
    IssuedToken issued = tokens.issue(fullSpec());
    TokenRecord before = h.record(issued.id());
    h.store.replaceDown = true;
    assertThatThrownBy(() -> tokens.update(issued.id(), TokenUpdate.create().name("x")))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(h.record(issued.id())).isEqualTo(before);
    assertThat(h.events(TokenEvent.Type.UPDATED)).isEmpty();
  }

  @Test
  void as_recordsTheActorAndRejectsABadOne() {
    assertThat(h.tokens().actor()).isEqualTo("system");
    assertThat(h.tokens().as(" alice ").actor()).isEqualTo("alice");
    assertThat(tokens.as("carol").actor()).isEqualTo("carol");
  }

  @Test
  void changes_areSeenByOtherManagersAndConcurrentWritersLoseNothing() throws Exception {
    IssuedToken issued = tokens.issue(NewToken.in("ws").name("t"));
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      int n = t;
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 25; i++) {
          h.tokens().as("w" + n).updatePermissions(issued.id(), Map.of("p" + n + "_" + i, true));
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) t.join();
    assertThat(tokens.permissions(issued.id())).hasSize(100);
    assertThat(h.record(issued.id()).version()).isEqualTo(101);
  }
}
