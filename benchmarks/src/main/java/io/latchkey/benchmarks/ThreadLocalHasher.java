package io.latchkey.benchmarks;

import io.latchkey.HashingKey;
import io.latchkey.internal.TokenFormat;
import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;

/**
 * The hasher as it was before the security review (issue #10): each thread's digest and buffers
 * in a {@code ThreadLocal}, never wiped. Kept here only so {@link HasherBenchmark} can compare the
 * striped pool that replaced it, in one JVM and one run.
 */
final class ThreadLocalHasher {
  public static final int HASH_LENGTH = 32;
  private static final int BLOCK = 64;

  private final String[] keyIds;
  /** Per key, the key (hashed if longer than a block) padded to a block and XORed with 0x36. */
  private final byte[][] innerPads;
  /** The same with 0x5c. */
  private final byte[][] outerPads;
  private final ThreadLocal<State> state;

  ThreadLocalHasher(List<HashingKey> keys) {
    if (keys.isEmpty()) throw new IllegalArgumentException("no hashing key");
    int n = keys.size();
    this.keyIds = new String[n];
    this.innerPads = new byte[n][];
    this.outerPads = new byte[n][];
    for (int k = 0; k < n; k++) {
      keyIds[k] = keys.get(k).id();
      byte[] key = keys.get(k).bytes();
      if (key.length > BLOCK) key = sha256().digest(key);
      byte[] ipad = new byte[BLOCK];
      byte[] opad = new byte[BLOCK];
      for (int i = 0; i < BLOCK; i++) {
        byte b = i < key.length ? key[i] : 0;
        ipad[i] = (byte) (b ^ 0x36);
        opad[i] = (byte) (b ^ 0x5c);
      }
      innerPads[k] = ipad;
      outerPads[k] = opad;
    }
    this.state = ThreadLocal.withInitial(State::new);
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

  /** Hashes id and secret of {@code token} (both starting at {@code offset}) with the primary key. */
  public byte[] hashPrimary(String token, int offset) {
    State s = state.get();
    s.compute(0, token, offset);
    return s.out.clone();
  }

  /**
   * Compares in constant time the hash of {@code token} under key {@code keyIndex} with {@code
   * expected}. Allocates nothing.
   */
  public boolean matches(int keyIndex, byte[] expected, String token, int offset) {
    if (keyIndex < 0 || keyIndex >= keyIds.length) return false;
    State s = state.get();
    s.compute(keyIndex, token, offset);
    return MessageDigest.isEqual(s.out, expected);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }

  private final class State {
    final MessageDigest md = sha256();
    final byte[] in = new byte[TokenFormat.BODY_LENGTH];
    final byte[] inner = new byte[HASH_LENGTH];
    final byte[] out = new byte[HASH_LENGTH];

    void compute(int keyIndex, String token, int offset) {
      // The body is ASCII (base62), checked by TokenFormat before we get here.
      for (int i = 0; i < in.length; i++) in[i] = (byte) token.charAt(offset + i);
      try {
        md.update(innerPads[keyIndex]);
        md.update(in, 0, in.length);
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
