package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One Latchkey over a {@link MapTokenStore} and a {@link TestClock}, with a listener that keeps
 * every event. Usage is flushed only when a test asks (the periodic flush is an hour away).
 */
public final class Harness implements AutoCloseable {
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  public static final HashingKey K1 = HashingKey.of("k1", bytes(1));
  public static final HashingKey K2 = HashingKey.of("k2", bytes(101));
  /** Tags ids as a deployment on {@link #K1} does: for well-formed ids of unknown tokens. */
  public static final io.latchkey.internal.Hasher TAGGER =
      new io.latchkey.internal.Hasher(java.util.List.of(K1));

  public final TestClock clock;
  public final MapTokenStore store;
  public final List<TokenEvent> events = new CopyOnWriteArrayList<>();
  public final Latchkey latchkey;

  private Harness(MapTokenStore store, TestClock clock, UnaryOperator<Latchkey.Builder> config,
      boolean defaultKey) {
    this.store = store;
    this.clock = clock;
    Latchkey.Builder b = Latchkey.builder().store(store).clock(clock)
        .usageFlushInterval(Duration.ofHours(1)).listener(events::add);
    if (defaultKey) b.hashingKey(K1);
    this.latchkey = config.apply(b).build();
  }

  /** Prefix {@code lk}, key {@link #K1}. */
  public static Harness create() {
    return create(b -> b);
  }

  public static Harness create(UnaryOperator<Latchkey.Builder> config) {
    return new Harness(new MapTokenStore(), new TestClock(START), config, true);
  }

  /** Another Latchkey over the same store and clock, with only the keys {@code config} adds. */
  public Harness sibling(UnaryOperator<Latchkey.Builder> config) {
    return new Harness(store, clock, config, false);
  }

  public static byte[] bytes(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) b[i] = (byte) (seed + i);
    return b;
  }

  public TokenManager tokens() {
    return latchkey.tokens();
  }

  public TokenValidator validator() {
    return latchkey.validator();
  }

  public IssuedToken issue(NewToken spec) {
    return latchkey.tokens().issue(spec);
  }

  /** Issues a token named {@code name} in {@code workspace} with no further settings. */
  public IssuedToken issue(String workspace, String name) {
    return issue(NewToken.in(workspace).name(name));
  }

  public TokenRecord record(TokenId id) {
    TokenRecord r = store.record(id);
    assertThat(r).as("stored record of %s", id).isNotNull();
    return r;
  }

  public List<TokenEvent> events(TokenEvent.Type type) {
    List<TokenEvent> out = new ArrayList<>();
    for (TokenEvent e : events) if (e.type() == type) out.add(e);
    return out;
  }

  /** HMAC-SHA256 of the token's id and secret (the ASCII text after the prefix's underscore). */
  public static byte[] hmac(HashingKey key, String plaintext, String prefix) throws Exception {
    String idAndSecret = plaintext.substring(prefix.length() + 1, plaintext.length() - 6);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
    return mac.doFinal(idAndSecret.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** Polls until the condition holds, failing after five seconds. */
  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  @Override
  public void close() {
    latchkey.close();
  }
}
