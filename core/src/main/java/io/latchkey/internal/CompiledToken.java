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
  }

  CompiledToken(TokenRecord r, Token principal, int keyIndex, UsageBuffer.Slot usage,
      long loadedAtNanos, long generation) {
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
  }

  boolean isUnknown() {
    return this == UNKNOWN;
  }
}
