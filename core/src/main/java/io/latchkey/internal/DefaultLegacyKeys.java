package io.latchkey.internal;

import io.latchkey.ImportReport;
import io.latchkey.InvalidArgumentException;
import io.latchkey.LegacyKey;
import io.latchkey.LegacyKeys;
import io.latchkey.LegacyLimits;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.TokenListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Imports legacy keys: checks each row, derives its id from the lookup part ({@link LegacyIds}),
 * and stores a record whose key id is {@code legacy:<algorithm>} and whose hash is the canonical
 * legacy hash ({@link LegacyHash#encoded()}), until the validator upgrades it. A plaintext key is
 * stored already upgraded: as Latchkey's keyed hash, never as itself.
 */
public final class DefaultLegacyKeys implements LegacyKeys {
  /** The prefix of the key id of a record that still holds its legacy hash. */
  public static final String LEGACY_KEY_ID_PREFIX = "legacy:";
  static final Period DEFAULT_LIFETIME = Period.ofYears(2);
  private static final int LIST_BATCH = 500;

  private final TokenStore store;
  private final LongSupplier notBefore;
  private final Hasher hasher;
  private final Clock clock;
  private final TokenListener listener;
  private final TemporalAmount maxLifetime;
  private final LegacyLimits limits;
  private final Consumer<String> invalidate;
  private final LongSupplier slowVerifications;

  public DefaultLegacyKeys(TokenStore store, Hasher hasher, Clock clock, TokenListener listener,
      TemporalAmount maxLifetime, LegacyLimits limits, Consumer<String> invalidate,
      LongSupplier slowVerifications) {
    this(store, hasher, clock, listener, maxLifetime, limits, invalidate, slowVerifications,
        () -> Long.MIN_VALUE);
  }

  /**
   * As above; {@code notBefore} is the earliest import time to record (the highest revocation
   * watermark known), so a key imported after a revoke-all this instance knows is not covered.
   */
  public DefaultLegacyKeys(TokenStore store, Hasher hasher, Clock clock, TokenListener listener,
      TemporalAmount maxLifetime, LegacyLimits limits, Consumer<String> invalidate,
      LongSupplier slowVerifications, LongSupplier notBefore) {
    this.notBefore = notBefore;
    this.store = store;
    this.hasher = hasher;
    this.clock = clock;
    this.listener = listener;
    this.maxLifetime = maxLifetime;
    this.limits = limits;
    this.invalidate = invalidate;
    this.slowVerifications = slowVerifications;
  }

  @Override
  public TokenId importKey(LegacyKey key) {
    if (key == null) throw new InvalidArgumentException("key", "must not be null");
    Prepared p = prepare(1, key, new HashMap<>(), new ArrayList<>());
    if (p.problem != null) throw new InvalidArgumentException(p.problem.field(), p.problem.problem());
    TokenRecord r = p.record;
    if (store.insert(r)) {
      imported(r, p.algorithm);
      return new TokenId(r.id());
    }
    ImportReport.Problem conflict = conflict(1, r, key);
    if (conflict == null) return new TokenId(r.id());
    throw new InvalidArgumentException(conflict.field(), conflict.problem());
  }

  @Override
  public ImportReport importAll(List<LegacyKey> keys, ImportReport.Mode mode) {
    if (keys == null) throw new InvalidArgumentException("keys", "must not be null");
    if (mode == null) throw new InvalidArgumentException("mode", "must not be null");
    List<ImportReport.Problem> problems = new ArrayList<>();
    List<Prepared> rows = new ArrayList<>();
    Map<String, Integer> rowOfId = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      Prepared p = prepare(i + 1, keys.get(i), rowOfId, problems);
      if (p.problem == null) rows.add(p);
    }
    if (mode == ImportReport.Mode.ALL_OR_NOTHING && !problems.isEmpty()) {
      return new ImportReport(List.of(), 0, problems);
    }
    List<TokenRecord> stored = new ArrayList<>();
    int already = 0;
    try {
      for (Prepared p : rows) {
        if (store.insert(p.record)) {
          stored.add(p.record);
          invalidate.accept(p.record.id());
          continue;
        }
        ImportReport.Problem conflict = conflict(p.row, p.record, p.key);
        if (conflict == null) {
          already++;
        } else {
          problems.add(conflict);
          if (mode == ImportReport.Mode.ALL_OR_NOTHING) {
            undo(stored, null);
            return new ImportReport(List.of(), 0, problems);
          }
        }
      }
    } catch (RuntimeException e) {
      if (mode == ImportReport.Mode.ALL_OR_NOTHING) undo(stored, e);
      throw e;
    }
    List<TokenId> ids = new ArrayList<>();
    java.util.Set<String> storedIds = new java.util.HashSet<>();
    for (TokenRecord r : stored) {
      ids.add(new TokenId(r.id()));
      storedIds.add(r.id());
    }
    for (Prepared p : rows) {
      if (storedIds.contains(p.record.id())) imported(p.record, p.algorithm);
    }
    problems.sort((a, b) -> Integer.compare(a.row(), b.row()));
    return new ImportReport(ids, already, problems);
  }

  @Override
  public long pending(String workspace) {
    String ws = Checks.workspace(workspace);
    long count = 0;
    String after = null;
    while (true) {
      List<TokenRecord> page = store.list(ws, after, LIST_BATCH);
      for (TokenRecord r : page) {
        if (r.keyId().startsWith(LEGACY_KEY_ID_PREFIX)) count++;
      }
      if (page.size() < LIST_BATCH) return count;
      after = page.get(page.size() - 1).id();
    }
  }

  @Override
  public long slowVerifications() {
    return slowVerifications.getAsLong();
  }

  /** Removes what an all-or-nothing import stored; a failure is added to {@code cause}. */
  private void undo(List<TokenRecord> stored, @Nullable RuntimeException cause) {
    for (TokenRecord r : stored) {
      try {
        store.delete(r.id());
      } catch (RuntimeException e) {
        if (cause == null) throw e;
        cause.addSuppressed(e);
      } finally {
        invalidate.accept(r.id());
      }
    }
  }

  /** Null if the stored record is this key imported before; else the problem. */
  private ImportReport.@Nullable Problem conflict(int row, TokenRecord mine, LegacyKey key) {
    Optional<TokenRecord> existing = store.find(mine.id());
    if (existing.isPresent() && existing.get().workspace().equals(mine.workspace())
        && existing.get().name().equals(mine.name())) {
      return null;
    }
    return new ImportReport.Problem(row, "lookup", existing.isPresent()
        ? "is already used by token " + existing.get().id()
        : "could not be stored (the record vanished meanwhile); import the row again");
  }

  private void imported(TokenRecord r, String algorithm) {
    invalidate.accept(r.id()); // an earlier lookup may have cached the id as unknown
    if (listener != TokenListener.NONE) {
      Records.emit(listener, new TokenEvent(TokenEvent.Type.ISSUED, clock.instant(), r.createdBy(),
          new TokenId(r.id()), r.workspace(), null, null,
          "imported with a legacy " + algorithm + " hash, expires " + r.expiresAt()));
    }
  }

  private static final class Prepared {
    final int row;
    final LegacyKey key;
    @Nullable TokenRecord record;
    String algorithm = "";
    ImportReport.@Nullable Problem problem;

    Prepared(int row, LegacyKey key) {
      this.row = row;
      this.key = key;
    }
  }

  private Prepared prepare(int row, @Nullable LegacyKey key, Map<String, Integer> rowOfId,
      List<ImportReport.Problem> problems) {
    Prepared p = new Prepared(row, key);
    try {
      if (key == null) throw new InvalidArgumentException("key", "must not be null");
      build(p, key);
      String id = p.record.id();
      Integer earlier = rowOfId.putIfAbsent(id, row);
      if (earlier != null) {
        throw new InvalidArgumentException("lookup", "repeats the lookup part of row " + earlier);
      }
    } catch (InvalidArgumentException e) {
      String problem = e.getMessage().startsWith(e.field() + " ")
          ? e.getMessage().substring(e.field().length() + 1) : e.getMessage();
      p.problem = new ImportReport.Problem(row, e.field(), problem);
      problems.add(p.problem);
    }
    return p;
  }

  private void build(Prepared p, LegacyKey key) {
    if (key.name() == null) throw new InvalidArgumentException("name", "must be set");
    String lookup = key.lookup();
    String keyId;
    byte[] hash;
    if (key.plaintext() != null) {
      if (lookup == null) throw new InvalidArgumentException("lookup", "must be set for a plaintext key");
      keyId = hasher.primaryKeyId();
      hash = hasher.hashLegacy(0, key.plaintext());
      p.algorithm = "plaintext";
    } else if (key.hash() != null) {
      LegacyHash h = LegacyHash.parse("hash", key.hash(), limits);
      if (lookup == null) {
        if (h instanceof LegacyHash.Digest) {
          lookup = h.encoded(); // found by the digest of the whole key
        } else {
          throw new InvalidArgumentException("lookup", "must be set for a " + h.algorithm() + " hash");
        }
      }
      keyId = LEGACY_KEY_ID_PREFIX + h.algorithm();
      hash = h.encoded().getBytes(StandardCharsets.UTF_8);
      p.algorithm = h.algorithm();
    } else {
      throw new InvalidArgumentException("hash", "must be set (or plaintext)");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant createdAt = key.createdAt() == null ? now : key.createdAt().truncatedTo(ChronoUnit.MILLIS);
    if (createdAt.isAfter(now)) throw new InvalidArgumentException("createdAt", "must not be in the future");
    Instant expiresAt = key.expiresAt() != null ? key.expiresAt().truncatedTo(ChronoUnit.MILLIS)
        : plus(createdAt, DEFAULT_LIFETIME);
    Instant max = plus(now, maxLifetime);
    if (expiresAt.isAfter(max)) expiresAt = max;
    if (!expiresAt.isAfter(createdAt)) {
      throw new InvalidArgumentException("expiresAt", "must be after createdAt");
    }
    p.record = TokenRecord.builder()
        .id(LegacyIds.idFor(lookup))
        .workspace(key.workspace())
        .name(key.name())
        .description(key.description())
        .hint(hint(lookup))
        .keyId(keyId)
        .hash(hash)
        .state(StoredState.ACTIVE)
        .permissions(key.permissions())
        .allowedIps(key.allowedIps())
        .metadata(key.metadata())
        .createdAt(createdAt)
        .createdBy(key.createdBy() == null ? "import" : key.createdBy())
        .updatedAt(now)
        .expiresAt(expiresAt)
        .version(1)
        // Its createdAt is the old system's: revocation watermarks compare this instead.
        .importedAt(Instant.ofEpochMilli(Math.max(now.toEpochMilli(), notBefore.getAsLong())))
        .build();
  }

  /** A non-secret hint: the lookup part (a public prefix), shortened; a digest is not shown. */
  static String hint(String lookup) {
    if (lookup.startsWith("sha256:") || lookup.startsWith("sha512:")) {
      return "legacy " + lookup.substring(0, 6) + " digest";
    }
    return "legacy " + (lookup.length() <= 24 ? lookup : lookup.substring(0, 24) + "...");
  }

  private static Instant plus(Instant at, TemporalAmount amount) {
    try {
      return at.atZone(ZoneOffset.UTC).plus(amount).toInstant();
    } catch (DateTimeException | ArithmeticException e) {
      return Instant.ofEpochMilli(Long.MAX_VALUE / 2);
    }
  }
}
