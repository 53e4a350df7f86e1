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

  /**
   * Whether the path matches. Walks the path's segments in place: no split, no array, nothing
   * allocated per request (empty segments, as in {@code //}, are skipped as the pattern's are).
   */
  boolean matches(String path) {
    return matches(0, path, 0);
  }

  private boolean matches(int p, String path, int at) {
    int i = at;
    while (p < segments.length) {
      String seg = segments[p];
      if (seg.equals("**")) {
        if (p == segments.length - 1) return true;
        // Zero or more segments: try the rest of the pattern after each segment boundary.
        int k = i;
        while (true) {
          if (matches(p + 1, path, k)) return true;
          int start = skipSlashes(path, k);
          if (start >= path.length()) return false;
          k = segmentEnd(path, start);
        }
      }
      int start = skipSlashes(path, i);
      if (start >= path.length()) return false;
      int end = segmentEnd(path, start);
      if (!seg.equals("*")
          && (end - start != seg.length() || !path.startsWith(seg, start))) {
        return false;
      }
      p++;
      i = end;
    }
    return skipSlashes(path, i) >= path.length();
  }

  private static int skipSlashes(String path, int i) {
    while (i < path.length() && path.charAt(i) == '/') i++;
    return i;
  }

  private static int segmentEnd(String path, int start) {
    int end = path.indexOf('/', start);
    return end < 0 ? path.length() : end;
  }

  private static String[] split(String path) {
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }

  @Override
  public String toString() {
    return text;
  }
}
