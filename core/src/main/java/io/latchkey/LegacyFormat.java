package io.latchkey;

import io.latchkey.internal.LegacyHash;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How a presented key of the system a host is leaving finds its imported record: it returns the
 * key's <em>lookup part</em>, the same string given as {@link LegacyKey#lookup(String)} at import.
 * Configured with {@link Latchkey.Builder#legacyFormat(LegacyFormat)}; without one, a key not in
 * Latchkey's format is rejected as {@link Reason#MALFORMED} before any lookup.
 *
 * <p>Implementations must be thread-safe, fast, and must not throw; they see the secret key, so
 * they must not log or keep it.
 */
@FunctionalInterface
public interface LegacyFormat {

  /** The lookup part of {@code key}, or null if the key is not of this format. */
  @Nullable String lookupPart(String key);

  /**
   * Keys that match {@code pattern} as a whole; the lookup part is its group named {@code lookup},
   * or else its first group. For DRF-API-Key's {@code prefix.secret}: {@code
   * Pattern.compile("(?<lookup>[A-Za-z0-9]{8})\\.[A-Za-z0-9]{32}")}.
   *
   * @throws InvalidArgumentException if the pattern has no capturing group
   */
  static LegacyFormat pattern(Pattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    if (pattern.matcher("").groupCount() < 1) {
      throw new InvalidArgumentException("pattern", "must have a group for the lookup part");
    }
    boolean named = pattern.pattern().contains("(?<lookup>");
    return key -> {
      if (key.length() > 1024) return null;
      Matcher m = pattern.matcher(key);
      if (!m.matches()) return null;
      String part = named ? m.group("lookup") : m.group(1);
      return part == null || part.isEmpty() ? null : part;
    };
  }

  /**
   * Any key, looked up by its unsalted SHA-256 digest ({@code sha256:<hex>}): for keys imported
   * with only a {@code sha256:} hash and no lookup part.
   */
  static LegacyFormat sha256Digest() {
    return key -> key.isEmpty() || key.length() > 1024 ? null : LegacyHash.digestLookup("sha256", key);
  }

  /** As {@link #sha256Digest()}, for SHA-512 ({@code sha512:<hex>}). */
  static LegacyFormat sha512Digest() {
    return key -> key.isEmpty() || key.length() > 1024 ? null : LegacyHash.digestLookup("sha512", key);
  }
}
