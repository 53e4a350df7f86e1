package io.latchkey.internal;

import io.latchkey.HashingKey;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 of a token's id and secret, keyed by the configured hashing keys. The first key is
 * the primary: new tokens use it. Each thread keeps its own {@link Mac} per key and its own
 * buffers, so hashing allocates nothing after warm-up.
 */
public final class Hasher {
  public static final int HASH_LENGTH = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final HashingKey[] keys;
  private final ThreadLocal<State> state;

  public Hasher(List<HashingKey> keys) {
    if (keys.isEmpty()) throw new IllegalArgumentException("no hashing key");
    this.keys = keys.toArray(new HashingKey[0]);
    this.state = ThreadLocal.withInitial(State::new);
  }

  public String primaryKeyId() {
    return keys[0].id();
  }

  /** The index of a configured key id, or -1 if not configured. */
  public int indexOf(String keyId) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].id().equals(keyId)) return i;
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
    if (keyIndex < 0 || keyIndex >= keys.length) return false;
    State s = state.get();
    s.compute(keyIndex, token, offset);
    return MessageDigest.isEqual(s.out, expected);
  }

  private final class State {
    final Mac[] macs = new Mac[keys.length];
    final byte[] in = new byte[TokenFormat.BODY_LENGTH];
    final byte[] out = new byte[HASH_LENGTH];

    void compute(int keyIndex, String token, int offset) {
      Mac mac = macs[keyIndex];
      try {
        if (mac == null) {
          mac = Mac.getInstance(ALGORITHM);
          mac.init(new SecretKeySpec(keys[keyIndex].bytes(), ALGORITHM));
          macs[keyIndex] = mac;
        }
        // The body is ASCII (base62), checked by TokenFormat before we get here.
        for (int i = 0; i < in.length; i++) in[i] = (byte) token.charAt(offset + i);
        mac.update(in, 0, in.length);
        mac.doFinal(out, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
      }
    }
  }
}
