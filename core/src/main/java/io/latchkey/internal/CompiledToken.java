package io.latchkey.internal;

import io.latchkey.Token;
import io.latchkey.ValidationResult;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A record as the validator keeps it in the cache: everything a check needs, precomputed. IP
 * ranges are numbers, granted permissions a hash set, the key an index, and the valid result is
 * built once so a valid request allocates nothing for it.
 */
final class CompiledToken {
  /** The cached answer for an id that does not exist. */
  static final CompiledToken UNKNOWN = new CompiledToken();
  /** The answer for an id that fails the checks made before a store read: not cached. */
  static final CompiledToken MALFORMED = new CompiledToken();

  final String id;
  final String workspace;
  final StoredState state;
  final long expiresAtMillis;
  final int keyIndex;
  final byte[] hash;
  final @Nullable IpRanges ips;
  final Set<String> granted;
  final ValidationResult.@Nullable Valid valid;
  final UsageBuffer.@Nullable Slot usage;
  final long loadedAtNanos;
  /** The record's version, to tell whether a record read elsewhere is newer than this. */
  final long version;
  /** The validator's feed generation when the read began; an older one must be read again. */
  final long generation;
  /**
   * Set when a change of this id was announced: the entry is neither fresh nor servable from
   * then on, even before it is removed from the cache.
   */
  volatile boolean changed;
  final AtomicBoolean rehashing = new AtomicBoolean();
  /**
   * SHA-256 of id and secret, set once a presented secret's HMAC matched {@link #hash}: later
   * requests compare this one digest block instead of the four of the HMAC. Dies with the entry,
   * which every change to the record replaces (docs/architecture.md, "Verifier").
   */
  volatile byte @Nullable [] verifier;
  /** The legacy hash an imported record still holds (its key id is {@code legacy:...}), or null. */
  final @Nullable LegacyHash legacy;
  /** For a legacy record: the keyed hash of the key that verified, until the upgrade is read back. */
  volatile byte @Nullable [] verifiedMac;
  /** What this entry holds in memory, estimated in bytes: the cache is bounded by its sum. */
  final int weight;

  private CompiledToken() {
    id = "";
    workspace = "";
    state = StoredState.REVOKED;
    expiresAtMillis = 0;
    keyIndex = -1;
    hash = new byte[0];
    ips = null;
    granted = Set.of();
    valid = null;
    usage = null;
    loadedAtNanos = 0;
    version = -1;
    generation = -1;
    legacy = null;
    weight = 0;
  }

  CompiledToken(TokenRecord r, Token principal, int keyIndex, UsageBuffer.Slot usage,
      long loadedAtNanos, long generation, @Nullable LegacyHash legacy) {
    this.id = r.id();
    this.workspace = r.workspace();
    this.state = r.state();
    this.expiresAtMillis = r.expiresAt().toEpochMilli();
    this.keyIndex = keyIndex;
    this.hash = r.hash();
    this.ips = IpRanges.compile(r.allowedIps());
    Set<String> g = new HashSet<>();
    for (Map.Entry<String, Boolean> e : r.permissions().entrySet()) {
      if (e.getValue()) g.add(e.getKey());
    }
    this.granted = g;
    this.valid = new ValidationResult.Valid(principal);
    this.usage = usage;
    this.loadedAtNanos = loadedAtNanos;
    this.version = r.version();
    this.generation = generation;
    this.legacy = legacy;
    this.weight = estimateBytes(r);
  }

  /**
   * The bytes an entry compiled from {@code r} keeps reachable, estimated from its content (64-bit
   * JVM, compressed references): the public {@code Token} with its strings, immutable map and list
   * copies; the permission set, IP ranges, hash and result; the cache's node and key. A maximal
   * record (100 ranges, 256 permissions, 64 metadata values of 1 KiB) weighs about 110 KiB, a
   * typical one well under 1 KiB. {@code CacheWeightTest} compares it with the heap it takes.
   */
  static int estimateBytes(TokenRecord r) {
    long b = 608; // the entry, Token, Valid, TokenId, instants, hash, verifier, flags, slot, node
    // A legacy hash (up to 512 bytes) is kept as bytes and parsed once more.
    b += 2L * Math.max(0, r.hash().length - 32);
    b += string(r.id()) + string(r.workspace()) + string(r.name()) + string(r.description())
        + string(r.hint()) + string(r.createdBy());
    if (r.lastUsedIp() != null) b += string(r.lastUsedIp());
    if (r.lastUsedIntegration() != null) b += string(r.lastUsedIntegration());
    int permissions = r.permissions().size();
    // Map.copyOf: a table of 4 references per entry; the granted HashSet: a 32-byte node and
    // about two table slots per entry; the names are shared by both.
    b += 32 + 16L * permissions + 64 + 40L * permissions;
    for (String p : r.permissions().keySet()) b += string(p);
    int ips = r.allowedIps().size();
    b += 16 + 4L * ips + 40 + 32L * ips; // List.copyOf, and the compiled ranges
    for (String ip : r.allowedIps()) b += string(ip);
    b += 32 + 16L * r.metadata().size();
    for (Map.Entry<String, String> e : r.metadata().entrySet()) {
      b += string(e.getKey()) + string(e.getValue());
    }
    return (int) Math.min(Integer.MAX_VALUE, b);
  }

  /** A String: 24 bytes, and its array of one byte per character (two if any is above U+00FF). */
  private static long string(String s) {
    boolean latin1 = true;
    for (int i = 0; i < s.length() && latin1; i++) latin1 = s.charAt(i) <= 0xff;
    long array = 16L + (latin1 ? s.length() : 2L * s.length());
    return 24 + ((array + 7) & ~7L);
  }

  boolean isUnknown() {
    return this == UNKNOWN;
  }
}
