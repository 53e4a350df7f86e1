package io.latchkey.internal;

import io.latchkey.Token;
import io.latchkey.ValidationResult;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A record as the validator keeps it in the cache: everything a check needs, precomputed. IP
 * ranges are numbers, granted permissions an immutable set ({@code Set.copyOf}: one or two names
 * held in the set object itself), the key an index, the verifier four longs in the entry, and the
 * valid result is built once so a valid request allocates nothing for it. With a million entries
 * every object a request touches is a cache miss, so the cached path reads as few as it can.
 */
final class CompiledToken {
  /** {@link #verifiedKind}: no verifier yet. */
  static final int NOT_VERIFIED = 0;
  /** {@link #verifiedKind}: SHA-256(id ‖ secret) of a native token. */
  static final int NATIVE = 1;
  /** {@link #verifiedKind}: the verifier of a whole legacy key ({@link Hasher#legacyVerifier}). */
  static final int LEGACY = 2;
  /**
   * {@link #verifiedKind}: a record still holding its legacy hash, the keyed hash of the key that
   * matched it ({@link LegacyVerification}), kept until the upgrade is read back.
   */
  static final int LEGACY_MAC = 3;
  private static final byte ANY_ADDRESS = 0;
  private static final byte ONE_RANGE = 1;
  private static final byte RANGES = 2;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle REHASHING;

  static {
    try {
      REHASHING = MethodHandles.lookup().findVarHandle(CompiledToken.class, "rehashing",
          boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The cached answer for an id that does not exist. */
  static final CompiledToken UNKNOWN = new CompiledToken();
  /** The answer for an id that fails the checks made before a store read: not cached. */
  static final CompiledToken MALFORMED = new CompiledToken();

  final String id;
  final String workspace;
  final StoredState state;
  final long expiresAtMillis;
  final short keyIndex;
  /**
   * The stored hash: an HMAC of 32 bytes, or a legacy hash ({@link #legacy}). An array, not four
   * longs in the entry: it is read only until the verifier is set, and four more longs here put
   * the fields every cached request reads on one more cache line (measured: about 7 % slower over
   * a million tokens).
   */
  final byte[] hash;
  /**
   * The allowlist's compiled ranges ({@link IpRanges}) when it has two or more; null when any
   * address is allowed or when it has one, which is then kept in the four fields below (the usual
   * allowlist, checked without reaching another object).
   */
  private final long @Nullable [] ipRanges;
  /** How many longs of {@link #ipRanges} hold IPv4 ranges; for one range, 4 if it is IPv4. */
  private final short ipV4End;
  /** A one-range allowlist: network and mask, high and low 64 bits (IPv4 mapped). */
  private final long netHigh;
  private final long netLow;
  private final long maskHigh;
  private final long maskLow;
  /** {@link #ANY_ADDRESS}, {@link #ONE_RANGE} or {@link #RANGES}. */
  private final byte allowlist;
  /** Every granted permission when more than two are, else null (the two fields below hold them). */
  private final @Nullable Set<String> granted;
  /**
   * Two of the granted permissions (null when fewer are granted), kept in the entry: most tokens
   * have one or two, and then the check reads no set.
   */
  private final @Nullable String granted0;
  private final @Nullable String granted1;
  final ValidationResult.@Nullable Valid valid;
  /** Where a use is recorded: the entry's own slot when cached, the token's shared one when not. */
  final UsageBuffer.@Nullable Slot usage;
  final long loadedAtNanos;
  /** The record's version, to tell whether a record read elsewhere is newer than this. */
  final long version;
  /**
   * The validator's feed generation when the read began; an older one must be read again. An int:
   * the count comes round only after 2^32 feed resets, and the ttl retires an entry long before.
   */
  final int generation;
  /**
   * Set when a change of this id was announced: the entry is neither fresh nor servable from
   * then on, even before it is removed from the cache.
   */
  volatile boolean changed;
  /** Set while a re-hash under the primary key is scheduled ({@link #startRehash}). */
  private volatile boolean rehashing;
  /**
   * The verifier, set once a presented secret's HMAC matched {@link #hash}: SHA-256 of id and
   * secret for a native token, of the whole key for an upgraded legacy one; for a record still
   * holding its legacy hash, the keyed hash of the key that matched it ({@link #LEGACY_MAC}).
   * Later requests compare this one digest block instead of the four of the HMAC. Kept as four
   * longs in the entry rather than an array (one object fewer to reach), published by {@link
   * #verifiedKind}, written after them; two threads that set it write the same values (only the
   * one secret matches the hash). Dies with the entry, which every change to the record replaces
   * (docs/architecture.md, "Verifier").
   */
  private long v0;
  private long v1;
  private long v2;
  private long v3;
  /**
   * {@link #NOT_VERIFIED}, {@link #NATIVE}, {@link #LEGACY} or {@link #LEGACY_MAC}; a record's
   * hash matches one kind only.
   */
  private volatile byte verifiedKind;
  /**
   * For an upgraded legacy record reached through a lookup part: that part (public), so that the
   * validator's index from lookup parts to ids can drop it when the entry leaves the cache.
   */
  volatile @Nullable String lookupPart;
  /** The legacy hash an imported record still holds (its key id is {@code legacy:...}), or null. */
  final @Nullable LegacyHash legacy;

  private CompiledToken() {
    id = "";
    workspace = "";
    state = StoredState.REVOKED;
    expiresAtMillis = 0;
    keyIndex = -1;
    hash = new byte[0];
    ipRanges = null;
    ipV4End = 0;
    netHigh = 0;
    netLow = 0;
    maskHigh = 0;
    maskLow = 0;
    allowlist = ANY_ADDRESS;
    granted = null;
    granted0 = null;
    granted1 = null;
    valid = null;
    usage = null;
    loadedAtNanos = 0;
    version = -1;
    generation = -1;
    legacy = null;
  }

  /**
   * {@code shared}: the token's shared usage slot, or null if this entry is cached (it then makes
   * a slot of its own).
   */
  CompiledToken(TokenRecord r, Token principal, int keyIndex, UsageBuffer.@Nullable Slot shared,
      long loadedAtNanos, int generation, @Nullable LegacyHash legacy) {
    this.id = principal.id().value(); // the cache key's string, not a second copy (see Records)
    this.usage = shared != null ? shared : new UsageBuffer.Slot(id, false);
    this.workspace = principal.workspace(); // the principal's values may be shared (see Shared)
    this.state = r.state();
    this.expiresAtMillis = r.expiresAt().toEpochMilli();
    this.keyIndex = (short) keyIndex;
    this.hash = r.hash();
    IpRanges ips = IpRanges.compile(r.allowedIps());
    long[] ranges = ips == null ? null : ips.ranges();
    boolean one = ranges != null && ranges.length == 4;
    this.allowlist = ranges == null ? ANY_ADDRESS : one ? ONE_RANGE : RANGES;
    this.ipRanges = one ? null : ranges;
    this.ipV4End = (short) (ips == null ? 0 : ips.v4End());
    this.netHigh = one ? ranges[0] : 0;
    this.netLow = one ? ranges[1] : 0;
    this.maskHigh = one ? ranges[2] : 0;
    this.maskLow = one ? ranges[3] : 0;
    List<String> g = new ArrayList<>(principal.permissions().size());
    for (Map.Entry<String, Boolean> e : principal.permissions().entrySet()) {
      if (e.getValue()) g.add(e.getKey());
    }
    this.granted = g.size() > 2 ? Set.copyOf(g) : null;
    this.granted0 = g.size() > 0 ? g.get(0) : null;
    this.granted1 = g.size() > 1 ? g.get(1) : null;
    this.valid = new ValidationResult.Valid(principal);
    this.loadedAtNanos = loadedAtNanos;
    this.version = r.version();
    this.generation = generation;
    this.legacy = legacy;
  }

  /**
   * What this entry keeps reachable, estimated in bytes from its content (64-bit JVM, compressed
   * references): the public {@code Token} with its strings, immutable map and list copies; the
   * permission set, IP ranges, hash and result; the cache's node and key. The cache is bounded by
   * the sum, computed by its weigher when the entry is put, so the entry keeps no field for it. A
   * maximal record (100 ranges, 256 permissions, 64 metadata values of 1 KiB) weighs about 110
   * KiB, a typical one well under 1 KiB. Values shared with other entries ({@link Shared}) are
   * counted as this entry's own, so the figure is an upper bound. {@code CacheWeightTest}
   * compares it with the heap it takes.
   */
  int weight() {
    ValidationResult.Valid v = valid;
    if (v == null) return 0; // UNKNOWN and MALFORMED, never cached
    Token t = v.principal();
    long b = 552; // the entry, Token, Valid, TokenId, instants, hash, verifier, flags, slot, node
    // A legacy hash (up to 512 bytes) is kept as bytes and parsed once more.
    b += 2L * Math.max(0, hash.length - 32);
    b += string(t.id().value()) + string(t.workspace()) + string(t.name())
        + string(t.description()) + string(t.hint()) + string(t.createdBy());
    if (t.lastUsedIp() != null) b += string(t.lastUsedIp());
    if (t.lastUsedIntegration() != null) b += string(t.lastUsedIntegration());
    int permissions = t.permissions().size();
    int granted = 0;
    for (boolean g : t.permissions().values()) granted += g ? 1 : 0;
    // Map.copyOf: a table of 4 references per entry; the granted Set.copyOf, kept only for more
    // than two: a table of 2 references per name; the names are shared by both.
    b += 32 + 16L * permissions + (granted > 2 ? 40 + 8L * granted : 0);
    for (String p : t.permissions().keySet()) b += string(p);
    int ips = t.allowedIps().size();
    b += 16 + 4L * ips + 16 + 32L * ips; // List.copyOf, and the compiled ranges (one long[])
    for (String ip : t.allowedIps()) b += string(ip);
    b += 32 + 16L * t.metadata().size();
    for (Map.Entry<String, String> e : t.metadata().entrySet()) {
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

  /** Whether {@code permission} is granted. */
  boolean grants(String permission) {
    String a = granted0;
    if (a == null) return false;
    if (permission.equals(a)) return true;
    String b = granted1;
    if (b == null) return false;
    if (permission.equals(b)) return true;
    Set<String> more = granted;
    return more != null && more.contains(permission);
  }

  /** Claims this entry's re-hash: true for the one caller that is to schedule it. */
  boolean startRehash() {
    return (boolean) REHASHING.compareAndSet(this, false, true);
  }

  /** The scheduled re-hash failed: a later request may try again. */
  void rehashFailed() {
    rehashing = false;
  }

  /** Whether the allowlist allows {@code ip} (any address when there is none). */
  boolean allows(@Nullable String ip) {
    switch (allowlist) {
      case ANY_ADDRESS:
        return true;
      case ONE_RANGE:
        return IpRanges.matches(netHigh, netLow, maskHigh, maskLow, ipV4End != 0, ip);
      default:
        return IpRanges.matches(ipRanges, ipV4End, ip);
    }
  }

  /** Whether a verifier of {@code kind} is set. */
  boolean hasVerifier(int kind) {
    return verifiedKind == kind;
  }

  /** Sets the verifier to the 32 bytes in {@code digest}; the first match of a secret does. */
  void setVerifier(int kind, byte[] digest) {
    v0 = (long) LONGS.get(digest, 0);
    v1 = (long) LONGS.get(digest, 8);
    v2 = (long) LONGS.get(digest, 16);
    v3 = (long) LONGS.get(digest, 24);
    verifiedKind = (byte) kind; // publishes the four
  }

  /**
   * Compares {@code digest} with the verifier of {@code kind} in constant time: every word is
   * compared whatever the first differences are (as {@code MessageDigest.isEqual} does).
   */
  boolean verifierMatches(int kind, byte[] digest) {
    if (verifiedKind != kind) return false;
    long d = (v0 ^ (long) LONGS.get(digest, 0)) | (v1 ^ (long) LONGS.get(digest, 8))
        | (v2 ^ (long) LONGS.get(digest, 16)) | (v3 ^ (long) LONGS.get(digest, 24));
    return d == 0;
  }

  /** The verifier as bytes, or null if none is set (for tests). */
  byte @Nullable [] verifier() {
    if (verifiedKind == NOT_VERIFIED) return null;
    byte[] b = new byte[32];
    LONGS.set(b, 0, v0);
    LONGS.set(b, 8, v1);
    LONGS.set(b, 16, v2);
    LONGS.set(b, 24, v3);
    return b;
  }

  boolean isUnknown() {
    return this == UNKNOWN;
  }
}
