package io.latchkey.internal;

import io.latchkey.InvalidArgumentException;
import io.latchkey.LegacyFormat;
import org.jspecify.annotations.Nullable;

/**
 * The legacy formats that find their lookup part without a regular expression, with {@code
 * indexOf} and {@code startsWith}: {@link LegacyFormat#separated} and {@link
 * LegacyFormat#leading}. The validator asks {@link #region} where the part lies, so that an
 * upgraded key's cached path makes no String of it (docs/architecture.md, "Legacy keys").
 */
public final class LegacySplit implements LegacyFormat {
  /** Keys longer than this are not of any legacy format (as for {@link LegacyFormat#pattern}). */
  static final int MAX_KEY = 1024;
  /** The longest lookup part {@code separated(separator, 0)} accepts. */
  static final int MAX_LOOKUP = 255;

  private final String start;
  private final @Nullable String separator;
  private final int lookupLength;

  private LegacySplit(String start, @Nullable String separator, int lookupLength) {
    this.start = start;
    this.separator = separator;
    this.lookupLength = lookupLength;
  }

  /** See {@link LegacyFormat#separated}. */
  public static LegacySplit separated(String separator, int lookupLength) {
    if (separator == null) throw new InvalidArgumentException("separator", "must not be null");
    if (separator.isEmpty()) throw new InvalidArgumentException("separator", "must not be empty");
    if (lookupLength < 0 || lookupLength > MAX_LOOKUP) {
      throw new InvalidArgumentException("lookupLength", "must be 0 (any) to " + MAX_LOOKUP);
    }
    return new LegacySplit("", separator, lookupLength);
  }

  /** See {@link LegacyFormat#leading}. */
  public static LegacySplit leading(String start, int lookupLength) {
    if (start == null) throw new InvalidArgumentException("start", "must not be null");
    if (lookupLength < 1 || lookupLength > MAX_LOOKUP) {
      throw new InvalidArgumentException("lookupLength", "must be 1 to " + MAX_LOOKUP);
    }
    return new LegacySplit(start, null, lookupLength);
  }

  /**
   * Where the lookup part of {@code key} lies: {@code (from << 32) | to}, or -1 if the key is not
   * of this format. Allocates nothing.
   */
  public long region(String key) {
    int n = key.length();
    if (n > MAX_KEY) return -1;
    String sep = separator;
    if (sep != null) {
      int at = key.indexOf(sep);
      if (at <= 0 || at + sep.length() >= n) return -1; // no part, or no secret after it
      if (lookupLength > 0 ? at != lookupLength : at > MAX_LOOKUP) return -1;
      return at;
    }
    int to = start.length() + lookupLength;
    if (n <= to || !key.startsWith(start)) return -1;
    return ((long) start.length() << 32) | to;
  }

  @Override
  public @Nullable String lookupPart(String key) {
    long r = region(key);
    return r < 0 ? null : key.substring((int) (r >>> 32), (int) r);
  }

  @Override
  public String toString() {
    return separator != null ? "LegacyFormat.separated(\"" + separator + "\", " + lookupLength + ")"
        : "LegacyFormat.leading(\"" + start + "\", " + lookupLength + ")";
  }
}
