package io.latchkey.internal;

import java.security.SecureRandom;
import org.jspecify.annotations.Nullable;

/**
 * The one home of the token format: {@code {prefix}_{id}{secret}{checksum}}.
 *
 * <ul>
 *   <li>{@code id}: 16 base62 characters: the version {@code 1}, 7 of the issue time in
 *       milliseconds (so ids sort by issue time; good until 2081), 4 random, and a 4-character tag
 *       keyed by the deployment's hashing keys ({@link Hasher#tag}), so a forged id is turned away
 *       before any store read. Not secret. Ids made before the tag (version {@code 0}: 8 time and 8
 *       random characters) are accepted only when the host asks for it.
 *   <li>{@code secret}: 33 random base62 characters from {@link SecureRandom}, 196 bits.
 *   <li>{@code checksum}: CRC32 of everything before it, as 6 base62 characters, so a typo or a
 *       random string is rejected before any cache or store lookup, and a secret scanner can
 *       recognise a token offline by prefix and checksum.
 * </ul>
 *
 * <p>Parsing is pure, never throws and allocates only the id it returns.
 */
public final class TokenFormat {
  public static final int ID_LENGTH = 16;
  public static final int SECRET_LENGTH = 33;
  public static final int CHECKSUM_LENGTH = 6;
  /** The version character of a tagged id; a legacy id starts with {@code 0} (its time). */
  static final char VERSION_TAGGED = '1';
  static final char VERSION_LEGACY = '0';
  static final int TIME_LENGTH = 7;
  static final int LEGACY_TIME_LENGTH = 8;
  static final int RANDOM_LENGTH = 4;
  /** How many leading characters of an id its tag covers. */
  public static final int TAGGED_LENGTH = 1 + TIME_LENGTH + RANDOM_LENGTH;
  public static final int TAG_LENGTH = ID_LENGTH - TAGGED_LENGTH;
  /** 62^4: tags are uniform in {@code [0, TAG_RANGE)}. */
  public static final long TAG_RANGE = 62L * 62 * 62 * 62;
  /** The last millisecond 7 base62 characters can hold (in 2081). */
  static final long MAX_MILLIS = 62L * 62 * 62 * 62 * 62 * 62 * 62 - 1;
  /**
   * How far ahead of this instance's clock an id's issue time may be (clock skew in a fleet); an id
   * further in the future is malformed.
   */
  public static final long MAX_FUTURE_MILLIS = 24L * 60 * 60 * 1000;

  /** {@link #checkId}: the id may be looked up. */
  public static final int ID_OK = 0;
  /** {@link #checkId}: unknown version or an issue time far in the future. */
  public static final int ID_MALFORMED = 1;
  /** {@link #checkId}: no configured key made its tag (or a legacy id, not accepted). */
  public static final int ID_FOREIGN = 2;
  public static final int BODY_LENGTH = ID_LENGTH + SECRET_LENGTH;
  public static final int MAX_PREFIX_LENGTH = 32;
  /** The longest token of any format: the longest prefix, {@code _}, id, secret, checksum. */
  public static final int MAX_LENGTH = MAX_PREFIX_LENGTH + 1 + BODY_LENGTH + CHECKSUM_LENGTH;

  private final String prefix;
  private final int bodyOffset; // prefix + '_'
  private final int length;
  private final boolean acceptLegacyIds;

  /** A format that refuses ids made before the tag. */
  public TokenFormat(String prefix) {
    this(prefix, false);
  }

  /** @param acceptLegacyIds whether ids made before the tag (version 0) may be looked up */
  public TokenFormat(String prefix, boolean acceptLegacyIds) {
    if (!isValidPrefix(prefix)) {
      throw new IllegalArgumentException("tokenPrefix is malformed");
    }
    this.acceptLegacyIds = acceptLegacyIds;
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

  /**
   * Fills {@code id[0, TAGGED_LENGTH)}: the version, 7 base62 characters of {@code millis}, then 4
   * random ones. {@link #tag} completes it.
   */
  static void newUntaggedId(long millis, SecureRandom random, char[] id) {
    id[0] = VERSION_TAGGED;
    long t = Math.min(MAX_MILLIS, Math.max(0, millis));
    for (int i = TIME_LENGTH; i >= 1; i--) {
      id[i] = Base62.digit((int) (t % 62));
      t /= 62;
    }
    Base62.randomChars(random, id, 1 + TIME_LENGTH, RANDOM_LENGTH);
  }

  /** Writes the primary key's tag of {@code id[0, TAGGED_LENGTH)} into its last characters. */
  static void tag(char[] id, Hasher hasher) {
    long tag = hasher.tag(java.nio.CharBuffer.wrap(id), 0);
    for (int i = ID_LENGTH - 1; i >= TAGGED_LENGTH; i--) {
      id[i] = Base62.digit((int) (tag % 62));
      tag /= 62;
    }
  }

  /** A new tagged id issued at {@code millis}. */
  public static String newId(long millis, SecureRandom random, Hasher hasher) {
    char[] id = new char[ID_LENGTH];
    newUntaggedId(millis, random, id);
    tag(id, hasher);
    return new String(id);
  }

  /** An id in the format before tags: 8 base62 characters of {@code millis}, then 8 random. */
  public static String newLegacyId(long millis, SecureRandom random) {
    char[] id = new char[ID_LENGTH];
    long t = Math.min(MAX_MILLIS, Math.max(0, millis));
    for (int i = LEGACY_TIME_LENGTH - 1; i >= 0; i--) {
      id[i] = Base62.digit((int) (t % 62));
      t /= 62;
    }
    Base62.randomChars(random, id, LEGACY_TIME_LENGTH, ID_LENGTH - LEGACY_TIME_LENGTH);
    return new String(id);
  }

  /**
   * The checks on an id that need the clock and the keys, made before any store read: version,
   * issue time not far in the future, tag.
   *
   * @param id the id's characters at {@code chars[offset, offset + ID_LENGTH)}, already base62
   * @return {@link #ID_OK}, {@link #ID_MALFORMED} or {@link #ID_FOREIGN}
   */
  public int checkId(CharSequence chars, int offset, long nowMillis, Hasher hasher) {
    char version = chars.charAt(offset);
    long latest = nowMillis > Long.MAX_VALUE - MAX_FUTURE_MILLIS ? Long.MAX_VALUE
        : nowMillis + MAX_FUTURE_MILLIS;
    if (version == VERSION_TAGGED) {
      if (Base62.decodeFixed(chars, offset + 1, TIME_LENGTH) > latest) return ID_MALFORMED;
      return hasher.tagMatches(chars, offset) ? ID_OK : ID_FOREIGN;
    }
    if (version == VERSION_LEGACY) {
      if (Base62.decodeFixed(chars, offset, LEGACY_TIME_LENGTH) > latest) return ID_MALFORMED;
      return acceptLegacyIds ? ID_OK : ID_FOREIGN;
    }
    return ID_MALFORMED;
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

  /**
   * As {@link #isWellFormed(String)}, for the cached path: on success {@code bytes[0, length)}
   * holds the token (so the id and secret are at {@link #idOffset()}), copied in one go rather than
   * a character at a time, and the checksum is computed by {@code crc} (the JDK's CRC-32, an
   * intrinsic) over those bytes. Allocates nothing.
   *
   * @param bytes at least {@link #MAX_LENGTH} long
   */
  boolean isWellFormed(@Nullable String token, byte[] bytes, java.util.zip.CRC32 crc) {
    if (token == null || token.length() != length || !token.startsWith(prefix)
        || token.charAt(bodyOffset - 1) != '_') {
      return false;
    }
    if (!Base62.isBase62(token, bodyOffset, length)) return false;
    // Every character is ASCII now: the prefix equals ours (checked at construction), the rest is
    // base62. So the low byte of each is the character.
    Hasher.ascii(token, 0, length, bytes);
    int checksumOffset = length - CHECKSUM_LENGTH;
    crc.reset();
    crc.update(bytes, 0, checksumOffset);
    return Base62.decodeFixed(token, checksumOffset, CHECKSUM_LENGTH) == crc.getValue();
  }

  /** Returns the id of a well-formed token, or null if it is not well formed. */
  public @Nullable String extractId(@Nullable String token) {
    return isWellFormed(token) ? token.substring(bodyOffset, bodyOffset + ID_LENGTH) : null;
  }
}
