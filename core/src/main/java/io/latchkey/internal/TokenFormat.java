package io.latchkey.internal;

import java.security.SecureRandom;
import org.jspecify.annotations.Nullable;

/**
 * The one home of the token format: {@code {prefix}_{id}{secret}{checksum}}.
 *
 * <ul>
 *   <li>{@code id}: 16 base62 characters, 8 of the issue time in milliseconds (so ids sort by issue
 *       time) and 8 random. Not secret.
 *   <li>{@code secret}: 33 random base62 characters from {@link SecureRandom}, 196 bits.
 *   <li>{@code checksum}: CRC32 of everything before it, as 6 base62 characters, so a typo or a
 *       random string is rejected before any cache or store lookup.
 * </ul>
 *
 * <p>Parsing is pure, never throws and allocates only the id it returns.
 */
public final class TokenFormat {
  public static final int ID_LENGTH = 16;
  public static final int SECRET_LENGTH = 33;
  public static final int CHECKSUM_LENGTH = 6;
  static final int TIME_LENGTH = 8;
  public static final int BODY_LENGTH = ID_LENGTH + SECRET_LENGTH;
  public static final int MAX_PREFIX_LENGTH = 32;

  private final String prefix;
  private final int bodyOffset; // prefix + '_'
  private final int length;

  public TokenFormat(String prefix) {
    if (!isValidPrefix(prefix)) {
      throw new IllegalArgumentException("tokenPrefix is malformed");
    }
    this.prefix = prefix;
    this.bodyOffset = prefix.length() + 1;
    this.length = bodyOffset + BODY_LENGTH + CHECKSUM_LENGTH;
  }

  /** Lowercase letters, digits and {@code _}; starts with a letter, does not end with {@code _}. */
  public static boolean isValidPrefix(@Nullable String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH) return false;
    if (prefix.charAt(0) < 'a' || prefix.charAt(0) > 'z') return false;
    if (prefix.charAt(prefix.length() - 1) == '_') return false;
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  }

  public static boolean isValidId(@Nullable String id) {
    return id != null && id.length() == ID_LENGTH && Base62.isBase62(id, 0, ID_LENGTH);
  }

  public String prefix() {
    return prefix;
  }

  /** The length of every token of this format. */
  public int length() {
    return length;
  }

  /** Where the id starts in a token; the secret follows it directly. */
  public int idOffset() {
    return bodyOffset;
  }

  /** A new id: 8 base62 characters of {@code millis}, then 8 random ones. */
  public static String newId(long millis, SecureRandom random) {
    char[] id = new char[ID_LENGTH];
    long t = Math.max(0, millis);
    for (int i = TIME_LENGTH - 1; i >= 0; i--) {
      id[i] = Base62.digit((int) (t % 62));
      t /= 62;
    }
    Base62.randomChars(random, id, TIME_LENGTH, ID_LENGTH - TIME_LENGTH);
    return new String(id);
  }

  /** A new secret of {@link #SECRET_LENGTH} random base62 characters. */
  public static String newSecret(SecureRandom random) {
    char[] secret = new char[SECRET_LENGTH];
    Base62.randomChars(random, secret, 0, SECRET_LENGTH);
    return new String(secret);
  }

  /** Joins prefix, id and secret and appends the checksum. */
  public String assemble(String id, String secret) {
    StringBuilder sb = new StringBuilder(length);
    sb.append(prefix).append('_').append(id).append(secret);
    long crc = Crc32.of(sb, 0, sb.length());
    Base62.appendFixed(sb, crc, CHECKSUM_LENGTH);
    return sb.toString();
  }

  /** The non-secret hint shown in listings: the prefix and the token's last four characters. */
  public String hint(String token) {
    return prefix + "_..." + token.substring(token.length() - 4);
  }

  /**
   * Checks prefix, length, alphabet and checksum.
   *
   * @return true if {@code token} is well formed for this format
   */
  public boolean isWellFormed(@Nullable String token) {
    if (token == null || token.length() != length || !token.startsWith(prefix)
        || token.charAt(bodyOffset - 1) != '_') {
      return false;
    }
    if (!Base62.isBase62(token, bodyOffset, length)) return false;
    int checksumOffset = length - CHECKSUM_LENGTH;
    long expected = Crc32.of(token, 0, checksumOffset);
    return Base62.decodeFixed(token, checksumOffset, CHECKSUM_LENGTH) == expected;
  }

  /** Returns the id of a well-formed token, or null if it is not well formed. */
  public @Nullable String extractId(@Nullable String token) {
    return isWellFormed(token) ? token.substring(bodyOffset, bodyOffset + ID_LENGTH) : null;
  }
}
