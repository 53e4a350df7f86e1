package io.latchkey.internal;

import java.security.SecureRandom;

/** Base62 in ASCII order ({@code 0-9A-Za-z}), so fixed-width strings sort like their numbers. */
final class Base62 {
  private static final char[] DIGITS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < DIGITS.length; i++) VALUES[DIGITS[i]] = (byte) i;
  }

  private Base62() {}

  static char digit(int value) {
    return DIGITS[value];
  }

  static int value(char c) {
    return c < 128 ? VALUES[c] : -1;
  }

  static boolean isBase62(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (value(s.charAt(i)) < 0) return false;
    }
    return true;
  }

  /** Fills {@code out[from, from+count)} with uniformly random digits (rejection sampling). */
  static void randomChars(SecureRandom random, char[] out, int from, int count) {
    byte[] buf = new byte[count + 16];
    int filled = 0;
    while (filled < count) {
      random.nextBytes(buf);
      for (int i = 0; i < buf.length && filled < count; i++) {
        int b = buf[i] & 0xff;
        if (b < 248) { // 248 = 4 * 62: keeps every digit equally likely
          out[from + filled++] = DIGITS[b % 62];
        }
      }
    }
  }

  static void appendFixed(StringBuilder sb, long value, int width) {
    char[] out = new char[width];
    for (int i = width - 1; i >= 0; i--) {
      out[i] = DIGITS[(int) (value % 62)];
      value /= 62;
    }
    sb.append(out);
  }

  /** Decodes {@code width} digits; the caller has checked they are base62. */
  static long decodeFixed(CharSequence s, int from, int width) {
    long v = 0;
    for (int i = from; i < from + width; i++) v = v * 62 + value(s.charAt(i));
    return v;
  }
}
