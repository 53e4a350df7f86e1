package io.latchkey.store.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of strings as one value: one per line, a backslash and a line break inside an element
 * escaped, so any text round-trips and the list {@code [""]} stays distinct from an absent field.
 */
final class Lines {
  private Lines() {}

  static String join(List<String> elements) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) b.append('\n');
      String e = elements.get(i);
      for (int j = 0; j < e.length(); j++) {
        char c = e.charAt(j);
        if (c == '\\') {
          b.append("\\\\");
        } else if (c == '\n') {
          b.append("\\n");
        } else {
          b.append(c);
        }
      }
    }
    return b.toString();
  }

  /** The inverse of {@link #join}. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.add(b.toString());
        b.setLength(0);
      } else if (c == '\\' && i + 1 < text.length()) {
        char n = text.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    out.add(b.toString());
    return out;
  }
}
