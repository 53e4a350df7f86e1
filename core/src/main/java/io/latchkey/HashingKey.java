package io.latchkey;

import io.latchkey.internal.Checks;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A server-side secret (pepper) that keys the HMAC of every token's secret, with an id so keys can
 * rotate: a record remembers which key hashed it. Keep it out of the store, e.g. in the host's
 * secret manager or an environment variable, as Base64. {@link #toString()} shows only the id.
 */
public final class HashingKey {
  /** Keys shorter than this are refused: HMAC-SHA256 wants at least its output size. */
  public static final int MIN_LENGTH_BYTES = 32;

  private final String id;
  private final byte[] key;

  private HashingKey(String id, byte[] key) {
    this.id = id;
    this.key = key;
  }

  /**
   * A key from raw bytes (copied).
   *
   * @throws InvalidArgumentException if the id is malformed or the key is shorter than 32 bytes
   * @param id the key's id, stored with every hash it makes
   * @param key the secret bytes, at least {@value #MIN_LENGTH_BYTES}; copied
   * @return the key
   */
  public static HashingKey of(String id, byte[] key) {
    Checks.keyId(id);
    if (key == null) throw new InvalidArgumentException("hashingKey", "must not be null");
    if (key.length < MIN_LENGTH_BYTES) {
      throw new InvalidArgumentException("hashingKey",
          "must be at least " + MIN_LENGTH_BYTES + " bytes, was " + key.length);
    }
    return new HashingKey(id, key.clone());
  }

  /**
   * A key from its Base64 form (standard or URL-safe alphabet), as produced by {@link #toBase64()}.
   *
   * @throws InvalidArgumentException if the id is malformed, the text is not Base64 or too short
   * @param id the key's id, stored with every hash it makes
   * @param base64 the secret, as {@link #toBase64()} wrote it
   * @return the key
   */
  public static HashingKey fromBase64(String id, String base64) {
    if (base64 == null) throw new InvalidArgumentException("hashingKey", "must not be null");
    String text = base64.strip();
    byte[] bytes;
    try {
      bytes = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(text)
          : Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("hashingKey", "is not valid Base64");
    }
    return of(id, bytes);
  }

  /**
   * A new random 256-bit key from {@link SecureRandom}.
   *
   * @param id the key's id
   * @return a new random key
   */
  public static HashingKey generate(String id) {
    byte[] bytes = new byte[MIN_LENGTH_BYTES];
    new SecureRandom().nextBytes(bytes);
    return of(id, bytes);
  }

  /**
   * The key's id, stored beside every hash this key makes.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * The key's bytes (a copy).
   *
   * @return a copy of the secret bytes
   */
  public byte[] bytes() {
    return key.clone();
  }

  /**
   * The key in standard Base64, for storing it in the host's secret manager.
   *
   * @return the secret in base64, for a secret manager; never log it
   */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HashingKey k && id.equals(k.id) && Arrays.equals(key, k.key);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "HashingKey[id=" + id + "]";
  }
}
