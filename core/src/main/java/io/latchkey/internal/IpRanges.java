package io.latchkey.internal;

import io.latchkey.InvalidArgumentException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An IP allowlist compiled to numbers, and the parsing and canonical text of addresses and CIDR
 * ranges. Parsing is hand-written: it never resolves a name (no {@code InetAddress.getByName}) and
 * never throws on a request's address.
 *
 * <p>Every address is held as 128 bits; IPv4 {@code a.b.c.d} is held as its IPv4-mapped IPv6 form
 * {@code ::ffff:a.b.c.d} (and an IPv4 {@code /n} as {@code /96+n}), so a mapped address matches its
 * IPv4 range and the other way round.
 *
 * <p>A range with host bits set ({@code 10.0.0.7/8}) is refused with the network it probably
 * meant, rather than silently widened: it is most often a typo for a single address.
 */
public final class IpRanges {
  private static final long V4_MAPPED_HI = 0L;
  private static final long V4_MAPPED_LO = 0x0000_ffff_0000_0000L;
  private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[2]);

  /** Per range four longs: network high, network low, mask high, mask low (one object to load). */
  private final long[] ranges;

  private IpRanges(int n) {
    ranges = new long[4 * n];
  }

  /** Compiles canonical entries; null if the list is empty (any address allowed). */
  public static @Nullable IpRanges compile(List<String> canonical) {
    if (canonical.isEmpty()) return null;
    IpRanges r = new IpRanges(canonical.size());
    long[] addr = new long[2];
    for (int i = 0; i < canonical.size(); i++) {
      String entry = canonical.get(i);
      int bits = parseRange(entry, addr);
      if (bits < 0) throw new IllegalStateException("stored allowlist entry is malformed");
      r.ranges[4 * i] = addr[0];
      r.ranges[4 * i + 1] = addr[1];
      r.ranges[4 * i + 2] = mask(bits, 0);
      r.ranges[4 * i + 3] = mask(bits, 64);
    }
    return r;
  }

  /** Whether {@code ip} parses and lies in one of the ranges. Never throws, no allocation. */
  public boolean matches(@Nullable String ip) {
    if (ip == null) return false;
    long[] a = SCRATCH.get();
    if (!parseAddress(ip, 0, ip.length(), a)) return false;
    long[] r = ranges;
    for (int i = 0; i + 3 < r.length; i += 4) {
      if ((a[0] & r[i + 2]) == r[i] && (a[1] & r[i + 3]) == r[i + 1]) return true;
    }
    return false;
  }

  /** Whether {@code ip} is a well-formed IPv4 or IPv6 address. Never throws, no allocation. */
  public static boolean isAddress(@Nullable String ip) {
    return ip != null && ip.length() <= 45 && parseAddress(ip, 0, ip.length(), SCRATCH.get());
  }

  /**
   * The canonical text of an address or range: IPv4 dotted or RFC 5952 IPv6, with {@code /bits}
   * unless it is a single address, IPv4-mapped ranges written as IPv4.
   *
   * @throws InvalidArgumentException naming {@code field} if it is not an address or range, or if
   *     host bits are set
   */
  public static String canonicalize(String field, @Nullable String text) {
    if (text == null) throw new InvalidArgumentException(field, "must not be null");
    String s = text.strip();
    if (s.length() > 49) {
      throw new InvalidArgumentException(field, "\"" + Checks.printable(s) + "\" is too long for an IP address or CIDR range");
    }
    long[] addr = new long[2];
    int bits = parseRange(s, addr);
    if (bits < 0) {
      throw new InvalidArgumentException(field, "\"" + Checks.printable(s)
          + "\" is not an IPv4 or IPv6 address or CIDR range (host names are not accepted)");
    }
    long mh = mask(bits, 0);
    long ml = mask(bits, 64);
    if ((addr[0] & ~mh) != 0 || (addr[1] & ~ml) != 0) {
      String network = format(addr[0] & mh, addr[1] & ml, bits);
      throw new InvalidArgumentException(field, "\"" + s + "\" has host bits set; did you mean "
          + network + "?");
    }
    return format(addr[0], addr[1], bits);
  }

  /** Parses {@code addr} or {@code addr/bits}; returns the 128-bit prefix length or -1. */
  static int parseRange(String s, long[] out) {
    int slash = s.indexOf('/');
    int end = slash < 0 ? s.length() : slash;
    if (!parseAddress(s, 0, end, out)) return -1;
    boolean v4 = s.indexOf(':', 0) < 0 || s.indexOf(':') > end;
    int max = v4 ? 32 : 128;
    int bits = max;
    if (slash >= 0) {
      int len = s.length() - slash - 1;
      if (len < 1 || len > 3) return -1;
      bits = 0;
      for (int i = slash + 1; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') return -1;
        bits = bits * 10 + (c - '0');
      }
      if (len > 1 && s.charAt(slash + 1) == '0') return -1;
      if (bits > max) return -1;
    }
    return v4 ? 96 + bits : bits;
  }

  /** Parses an IPv4 or IPv6 address in {@code s[from, to)} into two longs. */
  static boolean parseAddress(String s, int from, int to, long[] out) {
    if (to - from < 2 || to - from > 45) return false;
    boolean hasColon = false;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') {
        hasColon = true;
        break;
      }
    }
    if (!hasColon) {
      long v4 = parseV4(s, from, to);
      if (v4 < 0) return false;
      out[0] = V4_MAPPED_HI;
      out[1] = V4_MAPPED_LO | v4;
      return true;
    }
    return parseV6(s, from, to, out);
  }

  /** Dotted quad, no leading zeros; returns the 32-bit value or -1. */
  private static long parseV4(String s, int from, int to) {
    long value = 0;
    int parts = 0;
    int i = from;
    while (i <= to) {
      int start = i;
      int n = 0;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        n = n * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) return -1;
      }
      int digits = i - start;
      if (digits == 0 || n > 255 || (digits > 1 && s.charAt(start) == '0')) return -1;
      value = (value << 8) | n;
      parts++;
      if (i == to) break;
      if (s.charAt(i) != '.' || parts == 4) return -1;
      i++;
    }
    return parts == 4 ? value : -1;
  }

  /**
   * Parses IPv6 text into two longs without allocating: groups are packed into {@code out} in the
   * order read, and the groups after a {@code ::} are then shifted to the end.
   */
  private static boolean parseV6(String s, int from, int to, long[] out) {
    out[0] = 0;
    out[1] = 0;
    int count = 0;
    int gap = -1;
    int i = from;
    if (s.charAt(i) == ':') {
      if (to - i < 2 || s.charAt(i + 1) != ':') return false;
      gap = 0;
      i += 2;
      if (i == to) return true;
    }
    while (i < to) {
      if (count == 8) return false;
      int start = i;
      int v = 0;
      while (i < to && hex(s.charAt(i)) >= 0) {
        v = (v << 4) | hex(s.charAt(i));
        i++;
        if (i - start > 4) return false;
      }
      if (i < to && s.charAt(i) == '.') {
        // embedded IPv4 in the last 32 bits
        if (count > 6) return false;
        long v4 = parseV4(s, start, to);
        if (v4 < 0) return false;
        setGroup(out, count++, (int) (v4 >>> 16));
        setGroup(out, count++, (int) (v4 & 0xffff));
        i = to;
        break;
      }
      if (i == start) return false;
      setGroup(out, count++, v);
      if (i == to) break;
      if (s.charAt(i) != ':') return false;
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) return false;
        gap = count;
        i++;
        if (i == to) break;
      } else if (i == to) {
        return false; // trailing single colon
      }
    }
    if (gap < 0) return count == 8;
    if (count > 7) return false;
    // Move groups [gap, count) to [8 - tail, 8), highest first so none is overwritten unread.
    int tail = count - gap;
    for (int k = tail - 1; k >= 0; k--) {
      int v = group(out, gap + k);
      setGroup(out, gap + k, 0);
      setGroup(out, 8 - tail + k, v);
    }
    return true;
  }

  private static int group(long[] a, int k) {
    return (int) ((a[k >> 2] >>> (48 - 16 * (k & 3))) & 0xffff);
  }

  private static void setGroup(long[] a, int k, int v) {
    int shift = 48 - 16 * (k & 3);
    a[k >> 2] = (a[k >> 2] & ~(0xffffL << shift)) | ((long) v << shift);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  /** The mask of a /bits prefix for the 64-bit half starting at {@code offset} (0 or 64). */
  private static long mask(int bits, int offset) {
    int n = Math.max(0, Math.min(64, bits - offset));
    return n == 0 ? 0L : -1L << (64 - n);
  }

  static String format(long hi, long lo, int bits) {
    if (hi == V4_MAPPED_HI && (lo >>> 32) == 0xffffL && bits >= 96) {
      long v4 = lo & 0xffff_ffffL;
      String a = ((v4 >>> 24) & 255) + "." + ((v4 >>> 16) & 255) + "." + ((v4 >>> 8) & 255) + "."
          + (v4 & 255);
      return bits == 128 ? a : a + "/" + (bits - 96);
    }
    int[] g = new int[8];
    for (int k = 0; k < 4; k++) g[k] = (int) ((hi >>> (48 - 16 * k)) & 0xffff);
    for (int k = 0; k < 4; k++) g[4 + k] = (int) ((lo >>> (48 - 16 * k)) & 0xffff);
    int bestStart = -1;
    int bestLen = 1;
    for (int k = 0; k < 8; ) {
      if (g[k] != 0) {
        k++;
        continue;
      }
      int start = k;
      while (k < 8 && g[k] == 0) k++;
      if (k - start > bestLen) {
        bestStart = start;
        bestLen = k - start;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < 8; k++) {
      if (k == bestStart) {
        sb.append("::");
        k += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
      sb.append(Integer.toHexString(g[k]));
    }
    return bits == 128 ? sb.toString() : sb + "/" + bits;
  }
}
