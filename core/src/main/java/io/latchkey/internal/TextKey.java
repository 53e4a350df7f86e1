package io.latchkey.internal;

import org.jspecify.annotations.Nullable;

/**
 * A reusable probe for a map keyed by {@code String}: it stands for a region of a presented token
 * (bytes already copied to a scratch buffer) or of a presented key, so the validator finds a cached
 * entry without making a {@code String} of the region.
 *
 * <p>It works with maps that hash the key they are asked for and call its {@code equals} with the
 * stored key: {@code ConcurrentHashMap.get} does, and so does Caffeine's bounded cache for strong
 * keys ({@code getIfPresentQuietly} hands the key straight to its {@code ConcurrentHashMap}).
 * {@link #hashCode} is {@link String#hashCode} of the region; {@link #equals} is true for a {@code
 * String} with the region's characters. The relation is one-sided (a {@code String} never equals a
 * probe), which those lookups never ask. {@code TextKeyTest} checks both maps. A probe belongs to
 * one thread at a time (a slot of {@link Hasher}'s pool) and is cleared when the slot is released.
 */
final class TextKey {
  private byte @Nullable [] bytes;
  private @Nullable String text;
  private int from;
  private int length;
  private int hash;

  /** Stands for {@code bytes[from, from + length)}, each byte a character below U+0080. */
  TextKey bytes(byte[] bytes, int from, int length) {
    this.bytes = bytes;
    this.text = null;
    this.from = from;
    this.length = length;
    int h = 0;
    for (int i = from; i < from + length; i++) h = 31 * h + (bytes[i] & 0xff);
    this.hash = h;
    return this;
  }

  /** Stands for {@code text[from, from + length)}. */
  TextKey text(String text, int from, int length) {
    this.bytes = null;
    this.text = text;
    this.from = from;
    this.length = length;
    int h = 0;
    for (int i = from; i < from + length; i++) h = 31 * h + text.charAt(i);
    this.hash = h;
    return this;
  }

  /** Drops the reference to the presented text. */
  void clear() {
    bytes = null;
    text = null;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof String)) return false;
    String s = (String) o;
    if (s.length() != length) return false;
    String t = text;
    if (t != null) return t.regionMatches(from, s, 0, length);
    byte[] b = bytes;
    if (b == null) return false;
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) != (b[from + i] & 0xff)) return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return "TextKey"; // never the presented text
  }
}
