package io.latchkey.internal;

import io.latchkey.HashingKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * HMAC-SHA256 (RFC 2104) of a token's id and secret, keyed by the configured hashing keys, and the
 * keyed tag that ends every id (docs/architecture.md, "Token format" and "Hashing keys").
 *
 * <p>Keys come in order: the primary first (new tokens use it), then the other active keys
 * (accepted: their tokens validate and stay on them), then the retiring keys (their tokens validate
 * and are re-hashed with the primary). Re-hashing never moves a token between two keys in use.
 *
 * <p>HMAC is built here from the JDK's SHA-256 {@link MessageDigest} rather than taken from {@code
 * javax.crypto.Mac}: the same four compressions, but {@code Mac.doFinal(byte[], int)} allocates a
 * fresh array for every result, and this runs on every validation. The digests and buffers live in
 * a small striped pool, not in a {@code ThreadLocal}: a host that runs each request on a fresh
 * virtual thread would otherwise build a digest per request. A caller takes a free slot with one
 * compare-and-set, and the slot's buffers are wiped before it is released, so no id or secret stays
 * in memory after the call. {@code HasherTest} checks the results against {@code Mac}.
 */
public final class Hasher {
  public static final int HASH_LENGTH = 32;
  private static final int BLOCK = 64;
  private static final byte[] LEGACY_DOMAIN = "latchkey-legacy\0".getBytes(StandardCharsets.US_ASCII);
  /** What each key's tag key is derived from: {@code HMAC(key, TAG_LABEL)}. */
  private static final byte[] TAG_LABEL = "latchkey id tag v1".getBytes(StandardCharsets.US_ASCII);
  private static final VarHandle BUSY;

  static {
    try {
      BUSY = MethodHandles.lookup().findVarHandle(Scratch.class, "busy", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String[] keyIds;
  /** Keys at this index and above are retiring. */
  private final int activeCount;
  /** Per key, the key (hashed if longer than a block) padded to a block and XORed with 0x36. */
  private final byte[][] innerPads;
  /** The same with 0x5c. */
  private final byte[][] outerPads;
  /** Per key, the pads of its tag key. */
  private final byte[][] tagInnerPads;
  private final byte[][] tagOuterPads;
  private final Scratch[] pool;
  /** What slots made when the pool was busy counted before they were dropped. */
  private final java.util.concurrent.atomic.LongAdder overflowCounted =
      new java.util.concurrent.atomic.LongAdder();
  private final int poolMask;

  /** Every key active, the first the primary. */
  public Hasher(List<HashingKey> keys) {
    this(keys, keys.size());
  }

  /**
   * @param keys the primary first, then the other active keys, then the retiring ones
   * @param activeCount how many of {@code keys} are active (at least one: the primary)
   */
  public Hasher(List<HashingKey> keys, int activeCount) {
    if (keys.isEmpty()) throw new IllegalArgumentException("no hashing key");
    if (activeCount < 1 || activeCount > keys.size()) {
      throw new IllegalArgumentException("activeCount " + activeCount + " of " + keys.size());
    }
    int n = keys.size();
    this.keyIds = new String[n];
    this.activeCount = activeCount;
    this.innerPads = new byte[n][];
    this.outerPads = new byte[n][];
    this.tagInnerPads = new byte[n][];
    this.tagOuterPads = new byte[n][];
    int slots = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 8 - 1) << 1;
    slots = Math.min(256, Math.max(8, slots));
    this.pool = new Scratch[slots];
    this.poolMask = slots - 1;
    for (int i = 0; i < slots; i++) pool[i] = new Scratch(true);
    MessageDigest md = sha256();
    for (int k = 0; k < n; k++) {
      keyIds[k] = keys.get(k).id();
      byte[] key = keys.get(k).bytes();
      pads(md, key, k, innerPads, outerPads);
      byte[] tagKey = new byte[HASH_LENGTH];
      hmac(md, innerPads[k], outerPads[k], TAG_LABEL, TAG_LABEL.length, new byte[HASH_LENGTH],
          tagKey);
      pads(md, tagKey, k, tagInnerPads, tagOuterPads);
      Arrays.fill(key, (byte) 0);
      Arrays.fill(tagKey, (byte) 0);
    }
  }

  private static void pads(MessageDigest md, byte[] key, int k, byte[][] inner, byte[][] outer) {
    if (key.length > BLOCK) key = md.digest(key);
    byte[] ipad = new byte[BLOCK];
    byte[] opad = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      byte b = i < key.length ? key[i] : 0;
      ipad[i] = (byte) (b ^ 0x36);
      opad[i] = (byte) (b ^ 0x5c);
    }
    inner[k] = ipad;
    outer[k] = opad;
  }

  public String primaryKeyId() {
    return keyIds[0];
  }

  /** The index of a configured key id, or -1 if not configured. */
  public int indexOf(String keyId) {
    for (int i = 0; i < keyIds.length; i++) {
      if (keyIds[i].equals(keyId)) return i;
    }
    return -1;
  }

  /** Whether tokens on the key at {@code keyIndex} are moved to the primary when used. */
  public boolean isRetiring(int keyIndex) {
    return keyIndex >= activeCount;
  }

  /** Hashes id and secret of {@code token} (both starting at {@code offset}) with the primary key. */
  public byte[] hashPrimary(String token, int offset) {
    Scratch s = acquire();
    try {
      s.body(token, offset);
      s.compute(0, s.bytes, 0);
      return s.out.clone();
    } finally {
      release(s);
    }
  }

  /**
   * Compares in constant time the hash of {@code token} under key {@code keyIndex} with {@code
   * expected}. Allocates nothing.
   */
  public boolean matches(int keyIndex, byte[] expected, String token, int offset) {
    if (!hasKey(keyIndex)) return false;
    Scratch s = acquire();
    try {
      s.body(token, offset);
      return matches(s, keyIndex, expected, 0);
    } finally {
      release(s);
    }
  }

  /**
   * The verifier of a token whose HMAC matched: SHA-256 of its id and secret, one compression
   * block (49 bytes and the padding fit in 64). Not reversible; see docs/architecture.md,
   * "Verifier".
   */
  public byte[] verifier(String token, int offset) {
    Scratch s = acquire();
    try {
      s.body(token, offset);
      s.oneBlock(s.bytes, 0, TokenFormat.BODY_LENGTH);
      return s.out.clone();
    } finally {
      release(s);
    }
  }

  /** Compares in constant time the verifier of {@code token} with {@code expected}. */
  public boolean verifierMatches(byte[] expected, String token, int offset) {
    Scratch s = acquire();
    try {
      s.body(token, offset);
      s.oneBlock(s.bytes, 0, TokenFormat.BODY_LENGTH);
      return MessageDigest.isEqual(s.out, expected);
    } finally {
      release(s);
    }
  }

  /**
   * For the validator, which does several steps on one token under one slot ({@link #acquire}):
   * the HMAC of the id and secret already in {@code s.bytes[from...]} under key {@code keyIndex},
   * compared in constant time with {@code expected}.
   */
  boolean matches(Scratch s, int keyIndex, byte[] expected, int from) {
    if (!hasKey(keyIndex)) return false;
    s.compute(keyIndex, s.bytes, from);
    return MessageDigest.isEqual(s.out, expected);
  }

  /** The one-block verifier of the id and secret in {@code s.bytes[from...]}, left in {@code s.out}. */
  void verifier(Scratch s, int from) {
    s.oneBlock(s.bytes, from, TokenFormat.BODY_LENGTH);
  }

  /**
   * The verifier of a whole presented key of a legacy format, once its keyed hash matched, left in
   * {@code s.out}: SHA-256 of a kind byte and the key (one byte per character when every
   * character is ASCII, else two, big-endian), so that the encoding is injective. One compression
   * block for an ASCII key of up to 54 characters (DRF-API-Key's are 41). Never equal to a native
   * verifier's input, which is 49 base62 characters with no kind byte; and kept on a different
   * entry anyway.
   */
  void legacyVerifier(Scratch s, String key) {
    boolean ascii = true;
    int n = key.length();
    for (int i = 0; i < n && ascii; i++) ascii = key.charAt(i) < 0x80;
    byte[] b = s.bytes;
    MessageDigest md = s.md;
    try {
      md.update(ascii ? (byte) 1 : (byte) 2);
      if (ascii) {
        for (int i = 0; i < n; i += b.length) {
          int end = Math.min(n, i + b.length);
          ascii(key, i, end, b);
          md.update(b, 0, end - i);
        }
      } else {
        int chunk = b.length / 2;
        for (int i = 0; i < n; i += chunk) {
          int end = Math.min(n, i + chunk);
          for (int j = i; j < end; j++) {
            char c = key.charAt(j);
            b[2 * (j - i)] = (byte) (c >>> 8);
            b[2 * (j - i) + 1] = (byte) c;
          }
          md.update(b, 0, 2 * (end - i));
        }
      }
      md.digest(s.out, 0, HASH_LENGTH);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 digest failed", e);
    } finally {
      md.reset(); // wipes the digest's buffer, which ends holding the key's last block
    }
  }

  /** {@code b[0, to - from)} = the characters {@code s[from, to)}, each ASCII (checked). */
  @SuppressWarnings("deprecation") // the low byte of each char: exact for ASCII, and no allocation
  static void ascii(String s, int from, int to, byte[] b) {
    s.getBytes(from, to, b, 0);
  }

  /**
   * The tag of an id's first {@link TokenFormat#TAGGED_LENGTH} characters ({@code
   * chars[offset...]}) under the primary key's tag key, in {@code [0, 62^4)}.
   */
  public long tag(CharSequence chars, int offset) {
    return tag(0, chars, offset);
  }

  /** Whether the id at {@code chars[offset...]} ends in the tag of one of the configured keys. */
  public boolean tagMatches(CharSequence chars, int offset) {
    long presented = Base62.decodeFixed(chars, offset + TokenFormat.TAGGED_LENGTH,
        TokenFormat.TAG_LENGTH);
    boolean match = false;
    for (int k = 0; k < keyIds.length; k++) {
      match |= tag(k, chars, offset) == presented;
    }
    return match;
  }

  private long tag(int keyIndex, CharSequence chars, int offset) {
    Scratch s = acquire();
    try {
      byte[] in = s.bytes;
      for (int i = 0; i < TokenFormat.TAGGED_LENGTH; i++) in[i] = (byte) chars.charAt(offset + i);
      hmac(s.md, tagInnerPads[keyIndex], tagOuterPads[keyIndex], in, TokenFormat.TAGGED_LENGTH,
          s.inner, s.out);
      long v = ((s.out[0] & 0xffL) << 24) | ((s.out[1] & 0xffL) << 16) | ((s.out[2] & 0xffL) << 8)
          | (s.out[3] & 0xffL);
      return v % TokenFormat.TAG_RANGE;
    } finally {
      release(s);
    }
  }

  /**
   * A free slot of the pool, or (when every slot is taken) a fresh one that is then dropped. The
   * caller must {@link #release} it, in a {@code finally}.
   */
  @SuppressWarnings("deprecation") // Thread.getId: deprecated from JDK 19, which has threadId()
  Scratch acquire() {
    long tid = Thread.currentThread().getId(); // threadId() from JDK 19; the same number
    int start = (int) (tid * 0x9E3779B97F4A7C15L >>> 40);
    for (int i = 0; i < 4; i++) {
      Scratch s = pool[(start + i) & poolMask];
      if (s.busy == 0 && BUSY.compareAndSet(s, 0, 1)) return s;
    }
    return new Scratch(false);
  }

  /**
   * The sum of every slot's {@link Scratch#counted}: what the validator counted on slots it held
   * (its cache lookups). A plain field of a slot its holder owns costs no shared write, where a
   * counter of the validator's own would cost an atomic add per request.
   */
  long counted() {
    long n = overflowCounted.sum();
    for (Scratch s : pool) n += s.counted;
    return n;
  }

  void release(Scratch s) {
    if (!s.pooled && s.counted != 0) overflowCounted.add(s.counted); // a slot made for one call
    // Wipe what held id and secret (or a whole token or key) before anyone else may take the slot,
    // and drop the probes' references to the presented text. The digests left in inner and out
    // cannot be inverted to a 196-bit secret, and the MessageDigest's own buffer ends each HMAC
    // holding the inner digest, not the message (a single block is reset: see oneBlock).
    Arrays.fill(s.bytes, (byte) 0);
    s.probe.clear();
    BUSY.setRelease(s, 0);
  }

  private static void hmac(MessageDigest md, byte[] ipad, byte[] opad, byte[] in, int len,
      byte[] inner, byte[] out) {
    try {
      md.update(ipad);
      md.update(in, 0, len);
      md.digest(inner, 0, HASH_LENGTH);
      md.update(opad);
      md.update(inner, 0, HASH_LENGTH);
      md.digest(out, 0, HASH_LENGTH);
    } catch (DigestException e) {
      md.reset();
      throw new IllegalStateException("SHA-256 digest failed", e);
    }
  }

  /**
   * The keyed hash of a whole presented key of a legacy format (imported, see {@link
   * LegacyHash}), under key {@code keyIndex}. The input is prefixed so that it can never equal a
   * native token's id and secret.
   */
  public byte[] hashLegacy(int keyIndex, String key) {
    byte[] in = key.getBytes(StandardCharsets.UTF_8);
    Scratch s = acquire();
    try {
      MessageDigest md = s.md;
      md.update(innerPads[keyIndex]);
      md.update(LEGACY_DOMAIN);
      md.update(in);
      byte[] inner = md.digest();
      md.update(outerPads[keyIndex]);
      md.update(inner);
      return md.digest();
    } finally {
      release(s);
      Arrays.fill(in, (byte) 0);
    }
  }

  /** Compares in constant time {@link #hashLegacy} of {@code key} with {@code expected}. */
  public boolean matchesLegacy(int keyIndex, byte[] expected, String key) {
    if (!hasKey(keyIndex)) return false;
    return MessageDigest.isEqual(hashLegacy(keyIndex, key), expected);
  }

  /** Whether {@code keyIndex} is one of the keys' (a record's key may be unknown here: -1). */
  private boolean hasKey(int keyIndex) {
    return keyIndex >= 0 && keyIndex < keyIds.length;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }

  /**
   * A slot of the pool: a digest and buffers for one caller at a time. {@code bytes} holds a whole
   * presented token (the validator checks its checksum with {@code crc} and looks its id up with
   * {@code probe} without making a String) or a token's id and secret.
   */
  final class Scratch {
    @SuppressWarnings("unused") // through BUSY
    volatile int busy;
    final MessageDigest md = sha256();
    final byte[] bytes = new byte[TokenFormat.MAX_LENGTH];
    final byte[] inner = new byte[HASH_LENGTH];
    final byte[] out = new byte[HASH_LENGTH];
    final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    final TextKey probe = new TextKey();
    /**
     * Allocated last, so that (as allocated) the next slot's first object, written by another
     * thread, does not share a cache line with this slot's probe. Never written.
     */
    @SuppressWarnings("unused")
    private final byte[] spacer = new byte[64];
    /** Whether this slot is one of the pool's (else it was made for one call). */
    final boolean pooled;
    /** A count its holder adds to ({@link #counted()}); written only while held. */
    long counted;

    Scratch(boolean pooled) {
      this.pooled = pooled;
    }

    /** {@code bytes[0, BODY_LENGTH)} = the id and secret of {@code token}. */
    void body(String token, int offset) {
      // The body is ASCII (base62), checked by TokenFormat before we get here.
      ascii(token, offset, offset + TokenFormat.BODY_LENGTH, bytes);
    }

    void oneBlock(byte[] src, int from, int len) {
      try {
        md.update(src, from, len);
        md.digest(out, 0, HASH_LENGTH);
      } catch (DigestException e) {
        throw new IllegalStateException("SHA-256 digest failed", e);
      } finally {
        // A single block leaves the message in the digest's own buffer (it is reset lazily, by the
        // next use), where an HMAC's outer pass would have overwritten it: reset now, which zeroes
        // the buffer and the message schedule.
        md.reset();
      }
    }

    void compute(int keyIndex, byte[] src, int from) {
      try {
        md.update(innerPads[keyIndex]);
        md.update(src, from, TokenFormat.BODY_LENGTH);
        md.digest(inner, 0, HASH_LENGTH);
        md.update(outerPads[keyIndex]);
        md.update(inner, 0, HASH_LENGTH);
        md.digest(out, 0, HASH_LENGTH);
      } catch (DigestException e) {
        md.reset();
        throw new IllegalStateException("SHA-256 digest failed", e);
      }
    }
  }
}
