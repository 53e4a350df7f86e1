package io.latchkey.servlet;

import io.latchkey.InvalidArgumentException;
import java.util.Arrays;

/**
 * A path pattern of a route rule: segments separated by {@code /}, where {@code *} matches one
 * segment and {@code **} any number of them (including none). Matched against the request's path
 * inside the application (servlet path plus path info: decoded and normalised by the container,
 * so {@code /a/../b} and {@code ;jsessionid} cannot dodge a rule).
 */
final class PathPattern {
  private final String text;
  private final String[] segments;

  private PathPattern(String text) {
    this.text = text;
    this.segments = split(text);
  }

  static PathPattern parse(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      throw new InvalidArgumentException("pathPattern", "must start with '/'");
    }
    for (String segment : split(pattern)) {
      if (!segment.equals("*") && !segment.equals("**")
          && (segment.indexOf('*') >= 0 || segment.indexOf('?') >= 0)) {
        throw new InvalidArgumentException("pathPattern",
            "'*' and '**' must stand for a whole segment: " + pattern);
      }
    }
    return new PathPattern(pattern);
  }

  boolean matches(String path) {
    return matches(segments, 0, split(path), 0);
  }

  private static boolean matches(String[] pattern, int p, String[] path, int i) {
    while (p < pattern.length) {
      String seg = pattern[p];
      if (seg.equals("**")) {
        if (p == pattern.length - 1) return true;
        for (int k = i; k <= path.length; k++) {
          if (matches(pattern, p + 1, path, k)) return true;
        }
        return false;
      }
      if (i >= path.length) return false;
      if (!seg.equals("*") && !seg.equals(path[i])) return false;
      p++;
      i++;
    }
    return i == path.length;
  }

  private static String[] split(String path) {
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  @Override
  public String toString() {
    return text;
  }
}
