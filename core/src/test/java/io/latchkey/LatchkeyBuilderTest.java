package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class LatchkeyBuilderTest {

  @Test
  void build_withoutHashingKeySaysHowToSupplyOne() {
    Latchkey.Builder b = Latchkey.builder().store(new MapTokenStore());
    assertThatThrownBy(b::build)
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("hashingKey"))
        .hasMessageStartingWith("hashingKey must be set")
        .hasMessageContaining("hashingKey(HashingKey.fromBase64(")
        .hasMessageContaining("HashingKey.generate(");
  }

  @Test
  void build_withoutStoreSaysWhatToPass() {
    Latchkey.Builder b = Latchkey.builder().hashingKey(Harness.K1);
    assertThatThrownBy(b::build)
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("store"))
        .hasMessageStartingWith("store must be set")
        .hasMessageContaining("TokenStore");
  }

  @Test
  void build_defaultLifetimeOverMaxFails() {
    Latchkey.Builder b = Latchkey.builder().store(new MapTokenStore()).hashingKey(Harness.K1)
        .defaultLifetime(Period.ofDays(91)).maxLifetime(Duration.ofDays(90));
    assertThatThrownBy(b::build)
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("defaultLifetime"))
        .hasMessage("defaultLifetime P91D exceeds maxLifetime PT2160H");
  }

  @Test
  void build_defaultLifetimeEqualToMaxIsAllowed() {
    try (Harness h = Harness.create(b -> b.defaultLifetime(Period.ofDays(90))
        .maxLifetime(Duration.ofDays(90)))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(t.token().expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(90)));
    }
  }

  @Test
  void build_defaultsToTwoYearsAndPrefixLk() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(Latchkey.DEFAULT_LIFETIME).isEqualTo(Period.ofYears(2));
      assertThat(t.token().expiresAt())
          .isEqualTo(Harness.START.atZone(ZoneOffset.UTC).plusYears(2).toInstant());
      assertThat(t.secret()).startsWith("lk_");
    }
  }

  @Test
  void build_onlyAShorterMaxLifetimeCapsTheDefault() {
    // The host set only a maximum: the two-year default must not make build() fail.
    try (Harness h = Harness.create(b -> b.maxLifetime(Period.ofDays(30)))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(t.token().expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(30)));
    }
  }

  @Test
  void build_primaryHashingKeyPicksTheKeyForNewTokens() {
    try (Harness h = Harness.create(b -> b.hashingKey(Harness.K2).primaryHashingKey("k2"))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(h.record(t.id()).keyId()).isEqualTo("k2");
    }
  }

  @Test
  void build_primaryHashingKeyMustBeAdded() {
    Latchkey.Builder b = Latchkey.builder().store(new MapTokenStore()).hashingKey(Harness.K1)
        .primaryHashingKey("k9");
    assertThatThrownBy(b::build).isInstanceOf(InvalidArgumentException.class)
        .hasMessage("primaryHashingKey names key k9, which was not added");
  }

  static Stream<Arguments> badSettings() {
    return Stream.<Arguments>of(
        bad("store(null)", b -> b.store(null), "store", "store must not be null"),
        bad("store twice", b -> b.store(new MapTokenStore()).store(new MapTokenStore()), "store",
            "store was already set"),
        bad("tokenPrefix(null)", b -> b.tokenPrefix(null), "tokenPrefix", "tokenPrefix must be"),
        bad("tokenPrefix upper case", b -> b.tokenPrefix("Acme"), "tokenPrefix", "tokenPrefix must be"),
        bad("tokenPrefix twice", b -> b.tokenPrefix("a").tokenPrefix("b"), "tokenPrefix",
            "tokenPrefix was already set to a"),
        bad("hashingKey(null)", b -> b.hashingKey(null), "hashingKey", "hashingKey must not be null"),
        bad("hashingKey id twice", b -> b.hashingKey(Harness.K1).hashingKey("k1", Harness.bytes(9)),
            "hashingKey", "hashingKey id k1 was already added"),
        bad("hashingKey short", b -> b.hashingKey("k1", new byte[16]), "hashingKey",
            "hashingKey must be at least 32 bytes, was 16"),
        bad("primaryHashingKey(null)", b -> b.primaryHashingKey(null), "primaryHashingKey",
            "primaryHashingKey must not be null"),
        bad("primaryHashingKey twice", b -> b.primaryHashingKey("a").primaryHashingKey("b"),
            "primaryHashingKey", "primaryHashingKey was already set to a"),
        bad("clock(null)", b -> b.clock(null), "clock", "clock must not be null"),
        bad("clock twice", b -> b.clock(new TestClock(Instant.EPOCH)).clock(new TestClock(Instant.EPOCH)),
            "clock", "clock was already set"),
        bad("defaultLifetime zero", b -> b.defaultLifetime(Duration.ZERO), "defaultLifetime",
            "defaultLifetime must be positive, was PT0S"),
        bad("defaultLifetime negative", b -> b.defaultLifetime(Period.ofDays(-1)), "defaultLifetime",
            "defaultLifetime must be positive, was P-1D"),
        bad("defaultLifetime null", b -> b.defaultLifetime((Period) null), "defaultLifetime",
            "defaultLifetime must not be null"),
        bad("defaultLifetime twice", b -> b.defaultLifetime(Period.ofDays(1)).defaultLifetime(Period.ofDays(2)),
            "defaultLifetime", "defaultLifetime was already set to P1D"),
        bad("maxLifetime zero", b -> b.maxLifetime(Period.ZERO), "maxLifetime",
            "maxLifetime must be positive, was P0D"),
        bad("maxLifetime null", b -> b.maxLifetime((Duration) null), "maxLifetime",
            "maxLifetime must not be null"),
        bad("maxLifetime overflowing", b -> b.maxLifetime(Duration.ofSeconds(Long.MAX_VALUE)),
            "maxLifetime", "maxLifetime is too long"),
        bad("maxLifetime twice", b -> b.maxLifetime(Period.ofDays(1)).maxLifetime(Period.ofDays(2)),
            "maxLifetime", "maxLifetime was already set to P1D"),
        bad("listener(null)", b -> b.listener(null), "listener", "listener must not be null"),
        bad("cacheMaximumSize 0", b -> b.cacheMaximumSize(0), "cacheMaximumSize",
            "cacheMaximumSize must be positive, was 0"),
        bad("cacheTtl negative", b -> b.cacheTtl(Duration.ofSeconds(-1)), "cacheTtl", "cacheTtl must not"),
        bad("cacheTtl null", b -> b.cacheTtl(null), "cacheTtl", "cacheTtl must not"),
        bad("negativeCache size 0", b -> b.negativeCache(0, Duration.ofSeconds(1)),
            "negativeCache maximumSize", "negativeCache maximumSize must be positive"),
        bad("negativeCache ttl 0", b -> b.negativeCache(1, Duration.ZERO), "negativeCache ttl",
            "negativeCache ttl must be positive"),
        bad("serveStaleFor negative", b -> b.serveStaleFor(Duration.ofMillis(-1)), "serveStaleFor",
            "serveStaleFor must not"),
        bad("usageFlushInterval 0", b -> b.usageFlushInterval(Duration.ZERO), "usageFlushInterval",
            "usageFlushInterval must be at least 1 ms"),
        bad("usageFlushInterval null", b -> b.usageFlushInterval(null), "usageFlushInterval",
            "usageFlushInterval must be at least 1 ms"),
        bad("cacheMaximumSize twice", b -> b.cacheMaximumSize(10).cacheMaximumSize(20),
            "cacheMaximumSize", "cacheMaximumSize was already set to 10"),
        bad("cacheTtl twice", b -> b.cacheTtl(Duration.ofSeconds(1)).cacheTtl(Duration.ZERO),
            "cacheTtl", "cacheTtl was already set to PT1S"),
        bad("negativeCache twice", b -> b.negativeCache(5, Duration.ofSeconds(1))
            .negativeCache(6, Duration.ofSeconds(2)), "negativeCache",
            "negativeCache was already set to 5, PT1S"),
        bad("serveStaleFor twice", b -> b.serveStaleFor(Duration.ofSeconds(1))
            .serveStaleFor(Duration.ofSeconds(2)), "serveStaleFor",
            "serveStaleFor was already set to PT1S"),
        bad("usageFlushInterval twice", b -> b.usageFlushInterval(Duration.ofSeconds(1))
            .usageFlushInterval(Duration.ofSeconds(2)), "usageFlushInterval",
            "usageFlushInterval was already set to PT1S"));
  }

  private static Arguments bad(String what, ThrowingConsumer<Latchkey.Builder> setting, String field,
      String message) {
    return Arguments.of(what, setting, field, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void setting_rejectsBadValueNamingIt(String what, ThrowingConsumer<Latchkey.Builder> setting,
      String field, String message) {
    assertThatThrownBy(() -> setting.accept(Latchkey.builder()))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith(message);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"1acme", "acme_", "ac-me", "abcdefghijklmnopqrstuvwxyz0123456"})
  void tokenPrefix_rejectsMalformed(String prefix) {
    assertThatThrownBy(() -> Latchkey.builder().tokenPrefix(prefix))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("tokenPrefix must be 1 to 32 lowercase letters, digits or _, start with a letter"
            + " and not end with _");
  }

  @Test
  void build_acceptsDurationsTooLongForNanoseconds() {
    Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
    try (Harness h = Harness.create(b -> b.cacheTtl(forever).serveStaleFor(forever)
        .negativeCache(10, forever))) {
      IssuedToken t = h.issue("ws", "t");
      assertThat(h.validator().validate(t.secret()).isValid()).isTrue();
      h.clock.advance(Duration.ofDays(365));
      h.store.down = true;
      assertThat(h.validator().validate(t.secret()).isValid()).as("cached for ever").isTrue();
      h.store.down = false; // so close() can write the usage
    }
    Latchkey l = Latchkey.builder().store(new MapTokenStore()).hashingKey(Harness.K1)
        .usageFlushInterval(forever).build();
    l.close();
  }

  @Test
  void close_isIdempotentAndLeavesTheHostsStoreOpen() {
    Harness h = Harness.create();
    h.close();
    h.close();
    assertThat(h.store.closes).hasValue(0);
  }
}
