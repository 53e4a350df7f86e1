package io.latchkey;

import io.latchkey.internal.LegacyHash;
import io.latchkey.internal.LegacySplit;
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

  /**
   * The lookup part of {@code key}, or null if the key is not of this format.
   *
   * @param key the presented key, secret
   * @return the lookup part, or null if {@code key} is not of this format
   */
  @Nullable String lookupPart(String key);

  /**
   * Keys of the form <i>lookup</i> {@code separator} <i>secret</i>, split without a regular
   * expression: the lookup part is everything before the first {@code separator}, and the secret
   * after it must not be empty. For DRF-API-Key's {@code prefix.secret} (an 8-character prefix):
   * {@code separated(".", 8)}. Prefer this (or {@link #leading}) to {@link #pattern}: a key of
   * such a format, once upgraded, is validated at the cost of a native token (its lookup part is
   * found with {@code indexOf} and looked up without hashing it), where a pattern runs on every
   * request.
   *
   * @param separator the text between lookup part and secret, not empty
   * @param lookupLength the length the lookup part must have, or 0 for any length from 1 to 255
   * @return a format that answers null for keys without the separator, with a lookup part of
   *     another length, with nothing after the separator, or longer than 1024 characters
   * @throws InvalidArgumentException if {@code separator} is null or empty ({@code "separator"}),
   *     or {@code lookupLength} is outside 0..255 ({@code "lookupLength"})
   */
  static LegacyFormat separated(String separator, int lookupLength) {
    return LegacySplit.separated(separator, lookupLength);
  }

  /**
   * Keys that start with {@code start} and then a lookup part of {@code lookupLength} characters,
   * followed by a non-empty secret, split without a regular expression: for keys such as {@code
   * sk_live_Ab3dEf9h...} whose old table held {@code Ab3dEf9h}, {@code leading("sk_live_", 8)};
   * when it held {@code sk_live_Ab3dEf9h}, {@code leading("", 16)}. The lookup part does not
   * include {@code start}. As fast as {@link #separated} once a key is upgraded.
   *
   * @param start the text every key of the format starts with (may be empty)
   * @param lookupLength the length of the lookup part after {@code start}, 1 to 255
   * @return a format that answers null for keys not starting with {@code start}, with nothing
   *     after the lookup part, or longer than 1024 characters
   * @throws InvalidArgumentException if {@code start} is null ({@code "start"}) or {@code
   *     lookupLength} is outside 1..255 ({@code "lookupLength"})
   */
  static LegacyFormat leading(String start, int lookupLength) {
    return LegacySplit.leading(start, lookupLength);
  }

  /**
   * Keys that match {@code pattern} as a whole; the lookup part is its group named {@code lookup},
   * or else its first group. For DRF-API-Key's {@code prefix.secret}: {@code
   * Pattern.compile("(?<lookup>[A-Za-z0-9]{8})\\.[A-Za-z0-9]{32}")}.
   *
   * @param pattern the whole-key pattern, with a group for the lookup part
   * @return a format that answers null for keys not matching, or longer than 1024 characters
   * @throws NullPointerException if {@code pattern} is null
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
   *
   * @return a format that answers null only for an empty key or one longer than 1024 characters
   */
  static LegacyFormat sha256Digest() {
    return key -> key.isEmpty() || key.length() > 1024 ? null : LegacyHash.digestLookup("sha256", key);
  }

  /**
   * As {@link #sha256Digest()}, for SHA-512 ({@code sha512:<hex>}).
   *
   * @return a format that answers null only for an empty key or one longer than 1024 characters
   */
  static LegacyFormat sha512Digest() {
    return key -> key.isEmpty() || key.length() > 1024 ? null : LegacyHash.digestLookup("sha512", key);
  }
}
