package io.latchkey.store.memory;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.WeakHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A record as the in-memory store keeps it: instants as epoch milliseconds (records carry no
 * finer precision) and every value that many tokens share (workspace, key id, creator,
 * permissions, allowlist, metadata, last client address and integration) as one canonical
 * instance. A {@link TokenRecord} holds three
 * instants and two sorted maps of its own; at a million tokens this form is about half the heap.
 *
 * <p>Every field of {@link TokenRecord} must be here: {@link #record} must give back a record
 * equal to the one stored (the contract kit checks it).
 */
final class Compact {
  private static final long NONE = Long.MIN_VALUE;

  final String workspace;
  private final String name;
  private final String description;
  private final String hint;
  private final String keyId;
  private final byte[] hash;
  private final StoredState state;
  private final Map<String, Boolean> permissions;
  private final java.util.List<String> allowedIps;
  private final Map<String, String> metadata;
  private final long createdAt;
  private final String createdBy;
  private final long updatedAt;
  private final long expiresAt;
  private final long lifetime;
  private final long lastUsedAt;
  private final @Nullable String lastUsedIp;
  private final @Nullable String lastUsedIntegration;
  final long version;
  private final long importedAt;

  private Compact(TokenRecord r, long lastUsedAt, @Nullable String lastUsedIp,
      @Nullable String lastUsedIntegration) {
    this.workspace = Interner.intern(r.workspace());
    this.name = r.name();
    this.description = Interner.intern(r.description());
    this.hint = r.hint();
    this.keyId = Interner.intern(r.keyId());
    this.hash = r.hash(); // a copy already
    this.state = r.state();
    this.permissions = Interner.intern(r.permissions());
    this.allowedIps = Interner.intern(r.allowedIps());
    this.metadata = Interner.intern(r.metadata());
    this.createdAt = r.createdAt().toEpochMilli();
    this.createdBy = Interner.intern(r.createdBy());
    this.updatedAt = r.updatedAt().toEpochMilli();
    this.expiresAt = r.expiresAt().toEpochMilli();
    this.lifetime = r.lifetime().toMillis();
    this.lastUsedAt = lastUsedAt;
    this.lastUsedIp = lastUsedIp == null ? null : Interner.intern(lastUsedIp);
    this.lastUsedIntegration =
        lastUsedIntegration == null ? null : Interner.intern(lastUsedIntegration);
    this.version = r.version();
    Instant imported = r.importedAt();
    this.importedAt = imported == null ? NONE : imported.toEpochMilli();
  }

  private Compact(Compact c, long lastUsedAt, @Nullable String lastUsedIp,
      @Nullable String lastUsedIntegration) {
    this.workspace = c.workspace;
    this.name = c.name;
    this.description = c.description;
    this.hint = c.hint;
    this.keyId = c.keyId;
    this.hash = c.hash;
    this.state = c.state;
    this.permissions = c.permissions;
    this.allowedIps = c.allowedIps;
    this.metadata = c.metadata;
    this.createdAt = c.createdAt;
    this.createdBy = c.createdBy;
    this.updatedAt = c.updatedAt;
    this.expiresAt = c.expiresAt;
    this.lifetime = c.lifetime;
    this.lastUsedAt = lastUsedAt;
    this.lastUsedIp = lastUsedIp == null ? null : Interner.intern(lastUsedIp);
    this.lastUsedIntegration =
        lastUsedIntegration == null ? null : Interner.intern(lastUsedIntegration);
    this.version = c.version;
    this.importedAt = c.importedAt;
  }

  /** The whole record, usage included. */
  static Compact of(TokenRecord r) {
    Instant used = r.lastUsedAt();
    return new Compact(r, used == null ? NONE : used.toEpochMilli(), r.lastUsedIp(),
        r.lastUsedIntegration());
  }

  /** {@code r}'s content with this record's usage fields (a replace never writes usage). */
  Compact replacedBy(TokenRecord r) {
    return new Compact(r, lastUsedAt, lastUsedIp, lastUsedIntegration);
  }

  /** This record with a later use, or itself if {@code usedAt} is not later. */
  Compact usedAt(Instant usedAt, @Nullable String ip, @Nullable String integration) {
    long at = usedAt.toEpochMilli();
    if (lastUsedAt != NONE && at <= lastUsedAt) return this;
    return new Compact(this, at, ip, integration);
  }

  TokenRecord record(String id) {
    return TokenRecord.builder()
        .id(id)
        .workspace(workspace)
        .name(name)
        .description(description)
        .hint(hint)
        .keyId(keyId)
        .hash(hash)
        .state(state)
        .permissions(permissions)
        .allowedIps(allowedIps)
        .metadata(metadata)
        .createdAt(Instant.ofEpochMilli(createdAt))
        .createdBy(createdBy)
        .updatedAt(Instant.ofEpochMilli(updatedAt))
        .expiresAt(Instant.ofEpochMilli(expiresAt))
        .lifetime(Duration.ofMillis(lifetime))
        .lastUsedAt(lastUsedAt == NONE ? null : Instant.ofEpochMilli(lastUsedAt))
        .lastUsedIp(lastUsedIp)
        .lastUsedIntegration(lastUsedIntegration)
        .version(version)
        .importedAt(importedAt == NONE ? null : Instant.ofEpochMilli(importedAt))
        .build();
  }

  /** Whether the stored state is REVOKED. */
  boolean revoked() {
    return state == StoredState.REVOKED;
  }

  /** When Latchkey wrote this record ({@link io.latchkey.spi.RevocationWatermarks#writtenAt}). */
  long writtenAtMillis(String id) {
    return io.latchkey.spi.RevocationWatermarks.writtenAtMillis(id, hint,
        importedAt == NONE ? null : Instant.ofEpochMilli(importedAt));
  }

  /**
   * Canonical instances of equal immutable values, held weakly: a value lives as long as a record
   * uses it. Records' maps and lists are unmodifiable, so sharing them is safe.
   */
  private static final class Interner {
    private static final Map<Object, WeakReference<Object>> VALUES = new WeakHashMap<>();

    @SuppressWarnings("unchecked")
    static synchronized <T> T intern(T value) {
      WeakReference<Object> ref = VALUES.get(value);
      Object canonical = ref == null ? null : ref.get();
      if (canonical != null) return (T) canonical;
      VALUES.put(value, new WeakReference<>(value));
      return value;
    }
  }
}
