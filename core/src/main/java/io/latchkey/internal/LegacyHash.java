package io.latchkey.internal;

import io.latchkey.InvalidArgumentException;
import io.latchkey.LegacyLimits;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.jspecify.annotations.Nullable;

/**
 * A hash imported from the system a host is leaving, and how to check a presented key against it.
 * The one home of the legacy hash formats:
 *
 * <ul>
 *   <li>{@code sha256:<hex|base64>}, {@code sha512:<hex|base64>}, a bare 64- or 128-digit hex
 *       digest, or Django's {@code sha512$$<hex>} (DRF-API-Key 3): an unsalted digest of the key;
 *   <li>{@code pbkdf2_sha256$<iterations>$<salt>$<base64>} (Django): PBKDF2-HMAC-SHA256 from the
 *       JDK;
 *   <li>{@code $2a$}, {@code $2b$}, {@code $2y$} bcrypt;
 *   <li>{@code $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>} (the PHC-style spelling of passlib);
 *   <li>{@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>} and {@code $argon2i$}
 *       (PHC strings, optionally with Django's {@code argon2} in front).
 * </ul>
 *
 * <p>bcrypt, scrypt and Argon2 come from Bouncy Castle: the JDK has none of them. Parsing checks
 * every field and the cost parameters against {@link LegacyLimits}, so what is stored can be
 * verified without further checks; {@link #encoded()} is the canonical string a store keeps. A
 * message never contains the hash or any part of it.
 */
public abstract sealed class LegacyHash {
  /** Stored hashes longer than this are refused: the stores size their hash column for it. */
  public static final int MAX_ENCODED_LENGTH = 512;
  private static final HexFormat HEX = HexFormat.of();

  private final String algorithm;
  private final String encoded;

  private LegacyHash(String algorithm, String encoded) {
    this.algorithm = algorithm;
    this.encoded = encoded;
  }

  /** The algorithm's name: {@code sha256}, {@code sha512}, {@code pbkdf2_sha256}, {@code bcrypt}, {@code scrypt}, {@code argon2id}, {@code argon2i}. */
  public final String algorithm() {
    return algorithm;
  }

  /** The canonical string, as stored. */
  public final String encoded() {
    return encoded;
  }

  /** Whether checking a key costs a deliberate amount of work (everything but the plain digests). */
  public abstract boolean slow();

  /** Whether {@code key} is the key this hash was made from. Never throws. */
  public abstract boolean matches(String key);

  /** Shows the algorithm only. */
  @Override
  public final String toString() {
    return "LegacyHash[" + algorithm + "]";
  }

  /**
   * Parses a stored hash.
   *
   * @param field the name to use in messages (e.g. {@code "row 3 hash"})
   * @throws InvalidArgumentException naming {@code field} if it is malformed, of an unknown
   *     algorithm, or above a cost ceiling
   */
  public static LegacyHash parse(String field, @Nullable String stored, LegacyLimits limits) {
    if (stored == null || stored.isBlank()) throw bad(field, "must not be blank");
    String s = stored.strip();
    if (s.length() > MAX_ENCODED_LENGTH) {
      throw bad(field, "is longer than " + MAX_ENCODED_LENGTH + " characters");
    }
    if (s.startsWith("$2")) return Bcrypt.of(field, s, limits);
    if (s.startsWith("argon2$argon2")) s = s.substring("argon2".length()); // Django
    if (s.startsWith("$argon2id$") || s.startsWith("$argon2i$")) return Argon2.of(field, s, limits);
    if (s.startsWith("$argon2")) throw bad(field, "is an Argon2 variant other than argon2id or argon2i");
    if (s.startsWith("$scrypt$")) return Scrypt.of(field, s, limits);
    if (s.startsWith("pbkdf2_sha256$")) return Pbkdf2.of(field, s, limits);
    if (s.startsWith("sha512$$")) return Digest.of(field, "sha512", s.substring(8));
    if (s.startsWith("sha256:")) return Digest.of(field, "sha256", s.substring(7));
    if (s.startsWith("sha512:")) return Digest.of(field, "sha512", s.substring(7));
    if (s.length() == 64 || s.length() == 128) {
      if (isHex(s)) return Digest.of(field, s.length() == 64 ? "sha256" : "sha512", s);
    }
    throw bad(field, "is not a supported hash (sha256:, sha512:, pbkdf2_sha256$, $2a$/$2b$/$2y$ bcrypt,"
        + " $scrypt$, $argon2id$ or $argon2i$)");
  }

  /**
   * The hash of a plaintext key, for the full-key lookup of unsalted digests: {@code
   * sha256:<hex>}.
   */
  public static String digestLookup(String algorithm, String key) {
    return algorithm + ":" + HEX.formatHex(digest(algorithm, key.getBytes(StandardCharsets.UTF_8)));
  }

  private static InvalidArgumentException bad(String field, String problem) {
    return new InvalidArgumentException(field, problem);
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) return false;
    }
    return true;
  }

  static byte[] digest(String algorithm, byte[] input) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512").digest(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is unavailable in this JDK", e);
    }
  }

  /** Standard or passlib ({@code .} for {@code +}) base64, padding optional. */
  private static byte[] base64(String field, String part, String value) {
    try {
      return Base64.getDecoder().decode(value.replace('.', '+'));
    } catch (IllegalArgumentException e) {
      throw bad(field, "has a " + part + " that is not base64");
    }
  }

  private static String b64(byte[] raw) {
    return Base64.getEncoder().withoutPadding().encodeToString(raw);
  }

  private static int integer(String field, String part, String value) {
    if (value.isEmpty() || value.length() > 10) throw bad(field, "has a malformed " + part);
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') throw bad(field, "has a malformed " + part);
    }
    long v = Long.parseLong(value);
    if (v > Integer.MAX_VALUE) throw bad(field, "has a " + part + " out of range");
    return (int) v;
  }

  private static byte[] utf8(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** An unsalted SHA-256 or SHA-512 digest of the key. */
  static final class Digest extends LegacyHash {
    private final byte[] expected;

    private Digest(String algorithm, byte[] expected) {
      super(algorithm, algorithm + ":" + HEX.formatHex(expected));
      this.expected = expected;
    }

    static Digest of(String field, String algorithm, String value) {
      int length = algorithm.equals("sha256") ? 32 : 64;
      byte[] raw;
      if (value.length() == length * 2 && isHex(value)) {
        raw = HEX.parseHex(value.toLowerCase(Locale.ROOT));
      } else {
        raw = base64(field, algorithm + " digest", value);
      }
      if (raw.length != length) {
        throw bad(field, "has a " + algorithm + " digest of " + raw.length + " bytes, not " + length);
      }
      return new Digest(algorithm, raw);
    }

    @Override
    public boolean slow() {
      return false;
    }

    @Override
    public boolean matches(String key) {
      return MessageDigest.isEqual(expected, digest(algorithm(), utf8(key)));
    }
  }

  /** Django's {@code pbkdf2_sha256$iterations$salt$hash}; the salt is text. */
  static final class Pbkdf2 extends LegacyHash {
    private final int iterations;
    private final byte[] salt;
    private final byte[] expected;

    private Pbkdf2(String encoded, int iterations, byte[] salt, byte[] expected) {
      super("pbkdf2_sha256", encoded);
      this.iterations = iterations;
      this.salt = salt;
      this.expected = expected;
    }

    static Pbkdf2 of(String field, String s, LegacyLimits limits) {
      String[] parts = s.split("\\$", -1);
      if (parts.length != 4) throw bad(field, "is not pbkdf2_sha256$<iterations>$<salt>$<hash>");
      int iterations = integer(field, "iteration count", parts[1]);
      if (iterations < 1) throw bad(field, "has an iteration count below 1");
      if (iterations > limits.maxIterations()) {
        throw bad(field, "has " + iterations + " PBKDF2 iterations, above the ceiling of "
            + limits.maxIterations() + " (LegacyLimits.maxIterations)");
      }
      if (parts[2].isEmpty()) throw bad(field, "has an empty salt");
      byte[] expected = base64(field, "hash", parts[3]);
      if (expected.length < 16) throw bad(field, "has a hash shorter than 16 bytes");
      return new Pbkdf2(s, iterations, utf8(parts[2]), expected);
    }

    @Override
    public boolean slow() {
      return true;
    }

    @Override
    public boolean matches(String key) {
      return MessageDigest.isEqual(expected, derive(key.toCharArray(), salt, iterations, expected.length));
    }

    /** PBKDF2-HMAC-SHA256 from the JDK, which encodes the password as UTF-8. */
    static byte[] derive(char[] password, byte[] salt, int iterations, int length) {
      PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, length * 8);
      try {
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("PBKDF2WithHmacSHA256 is unavailable in this JDK", e);
      } finally {
        spec.clearPassword();
        Arrays.fill(password, '\0');
      }
    }
  }

  /** bcrypt, {@code $2a$}, {@code $2b$} or {@code $2y$}: the same algorithm for keys of ASCII. */
  static final class Bcrypt extends LegacyHash {
    private static final String ALPHABET =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Bcrypt(String encoded) {
      super("bcrypt", encoded);
    }

    static Bcrypt of(String field, String s, LegacyLimits limits) {
      if (s.length() != 60 || s.charAt(3) != '$' || s.charAt(6) != '$') {
        throw bad(field, "is not a bcrypt hash ($2b$<cost>$ and 53 characters)");
      }
      char v = s.charAt(2);
      if (v != 'a' && v != 'b' && v != 'y') {
        throw bad(field, "has bcrypt version $2" + v + "$; only $2a$, $2b$ and $2y$ are supported");
      }
      int cost = integer(field, "bcrypt cost", s.substring(4, 6));
      if (cost < 4) throw bad(field, "has a bcrypt cost below 4");
      if (cost > limits.maxBcryptCost()) {
        throw bad(field, "has bcrypt cost " + cost + ", above the ceiling of "
            + limits.maxBcryptCost() + " (LegacyLimits.maxBcryptCost)");
      }
      for (int i = 7; i < 60; i++) {
        if (ALPHABET.indexOf(s.charAt(i)) < 0) throw bad(field, "has a character outside bcrypt's base64");
      }
      return new Bcrypt(s);
    }

    @Override
    public boolean slow() {
      return true;
    }

    @Override
    public boolean matches(String key) {
      byte[] k = utf8(key);
      // bcrypt reads at most 72 bytes of a key; Bouncy Castle refuses longer ones instead.
      if (k.length > 72) k = Arrays.copyOf(k, 72);
      try {
        return OpenBSDBCrypt.checkPassword(encoded(), k);
      } catch (RuntimeException e) {
        return false;
      } finally {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  /** scrypt (RFC 7914) in passlib's spelling. */
  static final class Scrypt extends LegacyHash {
    private final int n;
    private final int r;
    private final int p;
    private final byte[] salt;
    private final byte[] expected;

    private Scrypt(String encoded, int n, int r, int p, byte[] salt, byte[] expected) {
      super("scrypt", encoded);
      this.n = n;
      this.r = r;
      this.p = p;
      this.salt = salt;
      this.expected = expected;
    }

    static Scrypt of(String field, String s, LegacyLimits limits) {
      String[] parts = s.split("\\$", -1);
      if (parts.length != 5 || !parts[0].isEmpty()) {
        throw bad(field, "is not $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>");
      }
      String[] params = parts[2].split(",", -1);
      if (params.length != 3 || !params[0].startsWith("ln=") || !params[1].startsWith("r=")
          || !params[2].startsWith("p=")) {
        throw bad(field, "has scrypt parameters not of the form ln=<log2 N>,r=<r>,p=<p>");
      }
      int ln = integer(field, "scrypt ln", params[0].substring(3));
      int r = integer(field, "scrypt r", params[1].substring(2));
      int p = integer(field, "scrypt p", params[2].substring(2));
      if (ln < 1 || ln > 40 || r < 1 || p < 1) throw bad(field, "has scrypt parameters out of range");
      // Memory is 128 * r * N bytes; computed in KiB as r * 2^ln / 8 without overflow.
      double kib = (double) r * Math.pow(2, ln) / 8;
      if (kib > limits.maxMemoryKiB()) {
        throw bad(field, "needs " + (long) kib + " KiB for scrypt, above the ceiling of "
            + limits.maxMemoryKiB() + " KiB (LegacyLimits.maxMemoryKiB)");
      }
      if (p > limits.maxPasses()) {
        throw bad(field, "has scrypt p=" + p + ", above the ceiling of " + limits.maxPasses()
            + " (LegacyLimits.maxPasses)");
      }
      byte[] salt = base64(field, "salt", parts[3]);
      byte[] expected = base64(field, "hash", parts[4]);
      if (expected.length < 16) throw bad(field, "has a hash shorter than 16 bytes");
      String canonical = "$scrypt$ln=" + ln + ",r=" + r + ",p=" + p + "$" + b64(salt) + "$" + b64(expected);
      return new Scrypt(canonical, 1 << ln, r, p, salt, expected);
    }

    @Override
    public boolean slow() {
      return true;
    }

    @Override
    public boolean matches(String key) {
      byte[] k = utf8(key);
      try {
        return MessageDigest.isEqual(expected, SCrypt.generate(k, salt, n, r, p, expected.length));
      } catch (RuntimeException e) {
        return false;
      } finally {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  /** Argon2id and Argon2i (RFC 9106) as PHC strings. */
  static final class Argon2 extends LegacyHash {
    private final int type;
    private final int version;
    private final int memoryKiB;
    private final int passes;
    private final int lanes;
    private final byte[] salt;
    private final byte[] expected;

    private Argon2(String algorithm, String encoded, int type, int version, int memoryKiB,
        int passes, int lanes, byte[] salt, byte[] expected) {
      super(algorithm, encoded);
      this.type = type;
      this.version = version;
      this.memoryKiB = memoryKiB;
      this.passes = passes;
      this.lanes = lanes;
      this.salt = salt;
      this.expected = expected;
    }

    static Argon2 of(String field, String s, LegacyLimits limits) {
      String[] parts = s.split("\\$", -1);
      // "", variant, [v=19], m=..,t=..,p=.., salt, hash
      if (parts.length != 6 && parts.length != 5) {
        throw bad(field, "is not $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>");
      }
      String variant = parts[1];
      int version = Argon2Parameters.ARGON2_VERSION_10;
      int i = 2;
      if (parts.length == 6) {
        if (!parts[2].startsWith("v=")) throw bad(field, "has a malformed Argon2 version");
        version = integer(field, "Argon2 version", parts[2].substring(2));
        if (version != 19 && version != 16) throw bad(field, "has Argon2 version " + version + ", not 19 or 16");
        i = 3;
      }
      String[] params = parts[i].split(",", -1);
      if (params.length != 3 || !params[0].startsWith("m=") || !params[1].startsWith("t=")
          || !params[2].startsWith("p=")) {
        throw bad(field, "has Argon2 parameters not of the form m=<KiB>,t=<passes>,p=<lanes>");
      }
      long m = integer(field, "Argon2 m", params[0].substring(2));
      int t = integer(field, "Argon2 t", params[1].substring(2));
      int p = integer(field, "Argon2 p", params[2].substring(2));
      if (p < 1 || t < 1 || m < 8L * p) throw bad(field, "has Argon2 parameters out of range");
      if (m > limits.maxMemoryKiB()) {
        throw bad(field, "needs " + m + " KiB for Argon2, above the ceiling of "
            + limits.maxMemoryKiB() + " KiB (LegacyLimits.maxMemoryKiB)");
      }
      if (t > limits.maxPasses()) {
        throw bad(field, "has Argon2 t=" + t + ", above the ceiling of " + limits.maxPasses()
            + " (LegacyLimits.maxPasses)");
      }
      if (p > limits.maxParallelism()) {
        throw bad(field, "has Argon2 p=" + p + ", above the ceiling of " + limits.maxParallelism()
            + " (LegacyLimits.maxParallelism)");
      }
      byte[] salt = base64(field, "salt", parts[i + 1]);
      byte[] expected = base64(field, "hash", parts[i + 2]);
      if (salt.length < 8) throw bad(field, "has an Argon2 salt shorter than 8 bytes");
      if (expected.length < 4) throw bad(field, "has an Argon2 hash shorter than 4 bytes");
      int type = variant.equals("argon2id") ? Argon2Parameters.ARGON2_id : Argon2Parameters.ARGON2_i;
      String canonical = "$" + variant + "$v=" + version + "$m=" + m + ",t=" + t + ",p=" + p
          + "$" + b64(salt) + "$" + b64(expected);
      return new Argon2(variant, canonical, type, version, (int) m, t, p, salt, expected);
    }

    @Override
    public boolean slow() {
      return true;
    }

    @Override
    public boolean matches(String key) {
      byte[] k = utf8(key);
      try {
        return MessageDigest.isEqual(expected,
            derive(type, version, memoryKiB, passes, lanes, k, salt, null, null, expected.length));
      } catch (RuntimeException e) {
        return false;
      } finally {
        Arrays.fill(k, (byte) 0);
      }
    }

    /** Argon2 with Bouncy Castle; {@code secret} and {@code ad} are RFC 9106's K and X. */
    static byte[] derive(int type, int version, int memoryKiB, int passes, int lanes,
        byte[] password, byte[] salt, byte @Nullable [] secret, byte @Nullable [] ad, int length) {
      Argon2Parameters.Builder b = new Argon2Parameters.Builder(type)
          .withVersion(version)
          .withMemoryAsKB(memoryKiB)
          .withIterations(passes)
          .withParallelism(lanes)
          .withSalt(salt);
      if (secret != null) b.withSecret(secret);
      if (ad != null) b.withAdditional(ad);
      Argon2BytesGenerator g = new Argon2BytesGenerator();
      g.init(b.build());
      byte[] out = new byte[length];
      g.generateBytes(password, out);
      return out;
    }
  }
}
