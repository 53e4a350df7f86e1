package io.latchkey.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.latchkey.LegacyFormat;
import io.latchkey.LegacyLimits;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Checks presented keys against imported legacy hashes for {@link DefaultTokenValidator}, keeping
 * the slow ones (bcrypt, scrypt, Argon2, PBKDF2) from becoming a denial of service:
 *
 * <ul>
 *   <li>they run only on the bounded {@code verifiers} executor (a full queue answers UNAVAILABLE);
 *   <li>one flight per record: while a key is being checked against a record, other requests for
 *       that record wait for the answer instead of starting their own;
 *   <li>a record that just failed a check refuses every not-yet-verified key for {@code
 *       negativeTtl}, so a flood of wrong guesses for one lookup part costs one slow check per
 *       period;
 *   <li>a key that verified is remembered on the cached entry as its keyed hash, so later requests
 *       cost one HMAC even before the upgraded record is read back.
 * </ul>
 *
 * <p>The price of the negative cache: while someone floods a not-yet-upgraded key's lookup part
 * with wrong guesses, its owner's first use may be refused for up to one period. Once a key is
 * upgraded it never comes here again.
 */
public final class LegacyVerification {
  /** How long a request waits for a slow check before it is answered UNAVAILABLE. */
  static final long WAIT_MILLIS = 10_000;

  enum Verdict { VALID, VALID_FIRST, INVALID, UNAVAILABLE }

  private final List<LegacyFormat> formats;
  private final LegacyLimits limits;
  private final Hasher hasher;
  private final Executor verifiers;
  private final Cache<String, Boolean> failed;
  private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();
  private final AtomicLong slowRuns = new AtomicLong();

  public LegacyVerification(List<LegacyFormat> formats, LegacyLimits limits, Hasher hasher,
      Executor verifiers, Duration negativeTtl, Ticker ticker) {
    this.formats = List.copyOf(formats);
    this.limits = limits;
    this.hasher = hasher;
    this.verifiers = verifiers;
    this.failed = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumSize(100_000)
        .expireAfterWrite(negativeTtl.toNanos(), TimeUnit.NANOSECONDS)
        .ticker(ticker)
        .build();
  }

  List<LegacyFormat> formats() {
    return formats;
  }

  /** How many slow checks ran. */
  public long slowRuns() {
    return slowRuns.get();
  }

  /** The legacy hash a record holds, or null if it holds none (or one that no longer parses). */
  @Nullable LegacyHash parse(String keyId, byte[] hash) {
    if (!keyId.startsWith(DefaultLegacyKeys.LEGACY_KEY_ID_PREFIX)) return null;
    try {
      return LegacyHash.parse("hash", new String(hash, java.nio.charset.StandardCharsets.UTF_8), limits);
    } catch (RuntimeException e) {
      return null; // refused as unknown; the row was checked at import, so this is a changed ceiling
    }
  }

  /** The lookup part of the first format that recognises {@code key}, or null. Never throws. */
  static @Nullable String lookupPart(LegacyFormat format, String key) {
    try {
      return format.lookupPart(key);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Checks {@code key} against the legacy hash of {@code entry}. */
  Verdict verify(CompiledToken entry, LegacyHash legacy, String key) {
    byte[] mac = hasher.hashLegacy(0, key);
    if (remembered(entry, mac)) return Verdict.VALID;
    if (!legacy.slow()) {
      if (!legacy.matches(key)) return Verdict.INVALID;
      entry.setVerifier(CompiledToken.LEGACY_MAC, mac);
      return Verdict.VALID_FIRST;
    }
    for (int round = 0; round < 4; round++) {
      if (failed.getIfPresent(entry.id) != null) return Verdict.INVALID;
      Flight mine = new Flight(mac);
      Flight flight = flights.putIfAbsent(entry.id, mine);
      if (flight == null) {
        flight = mine;
        try {
          verifiers.execute(() -> run(entry, legacy, key, mine));
        } catch (RejectedExecutionException e) {
          flights.remove(entry.id, mine);
          mine.result.complete(null);
          return Verdict.UNAVAILABLE;
        }
      }
      Boolean ok;
      try {
        ok = flight.result.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Verdict.UNAVAILABLE;
      } catch (ExecutionException | TimeoutException e) {
        return Verdict.UNAVAILABLE;
      }
      if (ok == null) return Verdict.UNAVAILABLE;
      if (flight == mine) return ok ? Verdict.VALID_FIRST : Verdict.INVALID;
      if (MessageDigest.isEqual(flight.mac, mac)) return ok ? Verdict.VALID : Verdict.INVALID;
      if (remembered(entry, mac)) return Verdict.VALID;
      // Another key was checked against this record: if it failed, the negative cache now
      // answers; if it was the right one, ours is not, but is checked in the next round.
    }
    return Verdict.INVALID;
  }

  private static boolean remembered(CompiledToken entry, byte[] mac) {
    return entry.verifierMatches(CompiledToken.LEGACY_MAC, mac);
  }

  private void run(CompiledToken entry, LegacyHash legacy, String key, Flight flight) {
    boolean ok = false;
    try {
      slowRuns.incrementAndGet();
      ok = legacy.matches(key);
      if (ok) {
        entry.setVerifier(CompiledToken.LEGACY_MAC, flight.mac);
      } else {
        failed.put(entry.id, Boolean.TRUE);
      }
    } finally {
      flights.remove(entry.id, flight);
      flight.result.complete(ok);
    }
  }

  private static final class Flight {
    final byte[] mac;
    final CompletableFuture<@Nullable Boolean> result = new CompletableFuture<>();

    Flight(byte[] mac) {
      this.mac = mac;
    }
  }
}
