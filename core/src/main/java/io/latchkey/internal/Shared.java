package io.latchkey.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One instance of each value that many cached entries hold equal copies of: a workspace, a
 * permission map, an allowlist, metadata, who issued them. Read from a remote store, every record
 * brings its own copies (a three-permission map alone is about 100 bytes); cached a million times,
 * they are most of the cache. Values are immutable. Bounded: when the table holds {@link #LIMIT}
 * values or about {@link #MAX_CHARS} characters it starts over, so a host whose values rarely
 * repeat loses nothing but the table, and a large value is never kept by it alone. Used when an
 * entry is compiled, never on the cached path.
 */
final class Shared {
  static final int LIMIT = 4_096;
  static final long MAX_CHARS = 1L << 20;
  private final ConcurrentHashMap<Object, Object> values = new ConcurrentHashMap<>();
  private final AtomicLong chars = new AtomicLong();

  String of(String value) {
    return of(value, value.length());
  }

  @Nullable String ofNullable(@Nullable String value) {
    return value == null ? null : of(value);
  }

  /** An immutable map's shared instance. */
  <V> Map<String, V> of(Map<String, V> value) {
    if (value.isEmpty()) return value;
    long n = 0;
    for (Map.Entry<String, V> e : value.entrySet()) {
      n += 8 + e.getKey().length() + (e.getValue() instanceof String s ? s.length() : 0);
    }
    return of(value, n);
  }

  /** An immutable list's shared instance. */
  List<String> of(List<String> value) {
    if (value.isEmpty()) return value;
    long n = 0;
    for (String s : value) n += 8 + s.length();
    return of(value, n);
  }

  @SuppressWarnings("unchecked")
  private <T> T of(T value, long weight) {
    if (weight > MAX_CHARS / 64) return value; // large: rarely repeated, and never kept alone
    Object had = values.get(value);
    if (had != null) return (T) had;
    if (values.size() >= LIMIT || chars.addAndGet(weight) > MAX_CHARS) {
      values.clear();
      chars.set(weight);
    }
    had = values.putIfAbsent(value, value);
    return had != null ? (T) had : value;
  }

  /** How many values the table holds (for tests). */
  int size() {
    return values.size();
  }
}
