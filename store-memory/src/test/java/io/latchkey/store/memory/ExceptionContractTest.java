package io.latchkey.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.LatchkeyException;
import io.latchkey.NewToken;
import io.latchkey.RequestAuthenticator;
import io.latchkey.TokenId;
import io.latchkey.TokenManager;
import io.latchkey.TokenQuery;
import io.latchkey.TokenUpdate;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.latchkey.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The README promises that every exception a caller of the public API sees is a {@link
 * LatchkeyException}. This walks the API's failure paths — bad arguments to every builder and
 * value, calls on unknown or revoked tokens, an interrupted retry, a store's bad limit — and
 * checks the type of what each throws. (The SPI's records and store methods reject null
 * arguments with {@link NullPointerException}, as the README says; that is not walked here.)
 */
class ExceptionContractTest {
  private static final String WS = "ws-1";

  private InMemoryTokenStore store;
  private Latchkey latchkey;
  private TokenManager tokens;
  private TokenId revoked;

  @BeforeEach
  void open() {
    store = new InMemoryTokenStore();
    latchkey = builder().store(store).build();
    tokens = latchkey.tokens().as("contract");
    revoked = tokens.issue(NewToken.in(WS).name("revoked")).id();
    tokens.revoke(revoked);
  }

  @AfterEach
  void close() {
    latchkey.close();
    store.close();
  }

  private static Latchkey.Builder builder() {
    return Latchkey.builder().hashingKey(HashingKey.generate("k1"));
  }

  private static DynamicTest throwsLatchkeyException(String call, ThrowingCallable callable) {
    return DynamicTest.dynamicTest(call, () -> assertThatThrownBy(callable)
        .as(call)
        .isInstanceOf(LatchkeyException.class));
  }

  @TestFactory
  Stream<DynamicTest> builder_badSettings() {
    return Stream.of(
        throwsLatchkeyException("build() without a store", () -> builder().build()),
        throwsLatchkeyException("build() without a hashing key",
            () -> Latchkey.builder().store(new InMemoryTokenStore()).build()),
        throwsLatchkeyException("store(null)", () -> builder().store(null)),
        throwsLatchkeyException("tokenPrefix(null)", () -> builder().tokenPrefix(null)),
        throwsLatchkeyException("tokenPrefix(\"Bad!\")", () -> builder().tokenPrefix("Bad!")),
        throwsLatchkeyException("tokenPrefix twice",
            () -> builder().tokenPrefix("a").tokenPrefix("b")),
        throwsLatchkeyException("hashingKey(null)", () -> builder().hashingKey(null)),
        throwsLatchkeyException("hashingKey with a taken id",
            () -> builder().hashingKey(HashingKey.generate("k1"))),
        throwsLatchkeyException("hashingKey(id, short key)",
            () -> builder().hashingKey("k2", new byte[3])),
        throwsLatchkeyException("primaryHashingKey(unknown id)",
            () -> builder().store(new InMemoryTokenStore()).primaryHashingKey("k9").build()),
        throwsLatchkeyException("clock(null)", () -> builder().clock(null)),
        throwsLatchkeyException("defaultLifetime(negative)",
            () -> builder().defaultLifetime(Duration.ofSeconds(-1))),
        throwsLatchkeyException("defaultLifetime(null period)",
            () -> builder().defaultLifetime((Period) null)),
        throwsLatchkeyException("maxLifetime(zero)", () -> builder().maxLifetime(Duration.ZERO)),
        throwsLatchkeyException("listener(null)", () -> builder().listener(null)),
        throwsLatchkeyException("cacheMaximumSize(-1)", () -> builder().cacheMaximumSize(-1)),
        throwsLatchkeyException("cacheTtl(null)", () -> builder().cacheTtl(null)),
        throwsLatchkeyException("cacheTtl(negative)",
            () -> builder().cacheTtl(Duration.ofSeconds(-1))),
        throwsLatchkeyException("negativeCache(-1, 1s)",
            () -> builder().negativeCache(-1, Duration.ofSeconds(1))),
        throwsLatchkeyException("serveStaleFor(negative)",
            () -> builder().serveStaleFor(Duration.ofSeconds(-1))),
        throwsLatchkeyException("usageFlushInterval(zero)",
            () -> builder().usageFlushInterval(Duration.ZERO)),
        throwsLatchkeyException("RequestAuthenticator without a validator",
            () -> RequestAuthenticator.builder().build()),
        throwsLatchkeyException("RequestAuthenticator.realm(null)",
            () -> RequestAuthenticator.builder().realm(null)),
        throwsLatchkeyException("RequestAuthenticator.integrationHeader(\"bad header\")",
            () -> RequestAuthenticator.builder().integrationHeader("bad header")),
        throwsLatchkeyException("RequestAuthenticator.trustedProxies(host name)",
            () -> RequestAuthenticator.builder().trustedProxies("proxy.example")),
        throwsLatchkeyException("RequestAuthenticator.trustedProxies(null list)",
            () -> RequestAuthenticator.builder().trustedProxies((List<String>) null)));
  }

  @TestFactory
  Stream<DynamicTest> values_badArguments() {
    return Stream.of(
        throwsLatchkeyException("HashingKey.of(null, key)",
            () -> HashingKey.of(null, new byte[32])),
        throwsLatchkeyException("HashingKey.of(id, null)", () -> HashingKey.of("k", null)),
        throwsLatchkeyException("HashingKey.of(id, short)", () -> HashingKey.of("k", new byte[3])),
        throwsLatchkeyException("HashingKey.fromBase64(id, not base64)",
            () -> HashingKey.fromBase64("k", "!!not base64!!")),
        throwsLatchkeyException("HashingKey.fromBase64(id, null)",
            () -> HashingKey.fromBase64("k", null)),
        throwsLatchkeyException("HashingKey.generate(\"\")", () -> HashingKey.generate("")),
        throwsLatchkeyException("TokenId.of(null)", () -> TokenId.of(null)),
        throwsLatchkeyException("TokenId.of(\"short\")", () -> TokenId.of("short")),
        throwsLatchkeyException("NewToken.in(null)", () -> NewToken.in(null)),
        throwsLatchkeyException("NewToken.name(null)", () -> NewToken.in(WS).name(null)),
        throwsLatchkeyException("NewToken.description(null)",
            () -> NewToken.in(WS).description(null)),
        throwsLatchkeyException("NewToken.permission(null)",
            () -> NewToken.in(WS).permission(null, true)),
        throwsLatchkeyException("NewToken.permissions(null)",
            () -> NewToken.in(WS).permissions(null)),
        throwsLatchkeyException("NewToken.allowIp(host name)",
            () -> NewToken.in(WS).allowIp("host.example")),
        throwsLatchkeyException("NewToken.allowIp(host bits set)",
            () -> NewToken.in(WS).allowIp("10.0.0.7/8")),
        throwsLatchkeyException("NewToken.allowIps(null)", () -> NewToken.in(WS).allowIps(null)),
        throwsLatchkeyException("NewToken.metadata(null, v)",
            () -> NewToken.in(WS).metadata(null, "v")),
        throwsLatchkeyException("NewToken.metadata(null map)",
            () -> NewToken.in(WS).metadata((Map<String, String>) null)),
        throwsLatchkeyException("NewToken.expiresIn(negative)",
            () -> NewToken.in(WS).expiresIn(Duration.ofDays(-1))),
        throwsLatchkeyException("NewToken.expiresAt(null)", () -> NewToken.in(WS).expiresAt(null)),
        throwsLatchkeyException("NewToken.createdBy(\"\")", () -> NewToken.in(WS).createdBy("")),
        throwsLatchkeyException("TokenUpdate.name(\"\")", () -> TokenUpdate.create().name("")),
        throwsLatchkeyException("TokenUpdate.allowedIps(null)",
            () -> TokenUpdate.create().allowedIps(null)),
        throwsLatchkeyException("TokenUpdate.metadata(null)",
            () -> TokenUpdate.create().metadata(null)),
        throwsLatchkeyException("TokenQuery.in(null)", () -> TokenQuery.in(null)),
        throwsLatchkeyException("TokenQuery.limit(0)", () -> TokenQuery.in(WS).limit(0)),
        throwsLatchkeyException("TokenQuery.limit(too many)",
            () -> TokenQuery.in(WS).limit(TokenQuery.MAX_LIMIT + 1)),
        throwsLatchkeyException("TokenQuery.after(garbage)", () -> TokenQuery.in(WS).after("x")),
        throwsLatchkeyException("TokenQuery.state(null)",
            () -> TokenQuery.in(WS).state((io.latchkey.TokenState[]) null)),
        throwsLatchkeyException("TokenQuery.nameContains(null)",
            () -> TokenQuery.in(WS).nameContains(null)));
  }

  @TestFactory
  Stream<DynamicTest> manager_failures() {
    TokenId unknown = TokenId.of("0000000000000000");
    return Stream.of(
        throwsLatchkeyException("as(null)", () -> tokens.as(null)),
        throwsLatchkeyException("issue(null)", () -> tokens.issue(null)),
        throwsLatchkeyException("issue without a name", () -> tokens.issue(NewToken.in(WS))),
        throwsLatchkeyException("find(null)", () -> tokens.find(null)),
        throwsLatchkeyException("get(unknown)", () -> tokens.get(unknown)),
        throwsLatchkeyException("list(null)", () -> tokens.list(null)),
        throwsLatchkeyException("update(unknown)",
            () -> tokens.update(unknown, TokenUpdate.create().name("x"))),
        throwsLatchkeyException("update(id, null)", () -> tokens.update(revoked, null)),
        throwsLatchkeyException("permissions(unknown)", () -> tokens.permissions(unknown)),
        throwsLatchkeyException("setPermissions(id, null)",
            () -> tokens.setPermissions(revoked, null)),
        throwsLatchkeyException("updatePermissions(id, bad name)",
            () -> tokens.updatePermissions(revoked, Map.of("bad name", true))),
        throwsLatchkeyException("disable(revoked)", () -> tokens.disable(revoked)),
        throwsLatchkeyException("enable(revoked)", () -> tokens.enable(revoked)),
        throwsLatchkeyException("rotate(revoked)", () -> tokens.rotate(revoked)),
        throwsLatchkeyException("rotate(id, negative overlap)",
            () -> tokens.rotate(revoked, Duration.ofSeconds(-1))),
        throwsLatchkeyException("revoke(unknown)", () -> tokens.revoke(unknown)),
        throwsLatchkeyException("revokeAll(null)", () -> tokens.revokeAll(null)),
        throwsLatchkeyException("delete(unknown)", () -> tokens.delete(unknown)),
        throwsLatchkeyException("store list(limit 0)", () -> store.list(WS, null, 0)));
  }

  @Test
  void interruptedRetry_throwsLatchkeyExceptionAndKeepsTheInterrupt() {
    // A store that loses every compare-and-set forces the retry loop to back off and sleep.
    InMemoryTokenStore records = new InMemoryTokenStore();
    TokenStore losing = new TokenStore() {
      @Override public boolean insert(TokenRecord record) { return records.insert(record); }
      @Override public Optional<TokenRecord> find(String id) { return records.find(id); }
      @Override public boolean replace(TokenRecord updated, long expected) { return false; }
      @Override public boolean delete(String id) { return records.delete(id); }
      @Override public List<TokenRecord> list(String workspace, String afterId, int limit) {
        return records.list(workspace, afterId, limit);
      }
      @Override public void applyUsage(Collection<UsageUpdate> updates) {
        records.applyUsage(updates);
      }
    };
    try (Latchkey contended = builder().store(losing).build()) {
      TokenManager manager = contended.tokens();
      IssuedToken issued = manager.issue(NewToken.in(WS).name("contended"));
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> manager.disable(issued.id()))
            .isInstanceOf(LatchkeyException.class)
            .hasMessageContaining("interrupted");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(manager.get(issued.id()).state()).isEqualTo(io.latchkey.TokenState.ACTIVE);
    }
  }

  @Test
  void close_afterItsStore_throwsLatchkeyException() {
    InMemoryTokenStore first = new InMemoryTokenStore();
    Latchkey l = builder().store(first).build();
    IssuedToken t = l.tokens().issue(NewToken.in(WS).name("usage"));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue(); // usage buffered
    first.close();
    assertThatThrownBy(l::close).isInstanceOf(LatchkeyException.class);
  }

  @Test
  void storeLimit_isAnInvalidArgumentNamingIt() {
    assertThatThrownBy(() -> store.list(WS, null, 0))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("limit"));
  }

  @Test
  void mutableClock_withZone_movesWithTheOriginal() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    java.time.Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofHours(1));
    assertThat(paris.instant()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(Optional.of(clock.withZone(clock.getZone()))).containsSame(clock);
  }
}
