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
 * {@code ::ffff:a.b.c.d} (and an IPv4 {@code /n} as {@code /96+n}). The families stay apart as in
 * Python's {@code ipaddress}: an IPv6 range never admits a plain IPv4 client, whatever its length
 * ({@code ::/0} included), and an IPv4 range admits IPv4 clients and, by the one documented
 * exception, IPv4-mapped IPv6 clients ({@code ::ffff:a.b.c.d}). A range written in IPv4-mapped
 * IPv6 form of at least {@code /96} is the IPv4 range it spells (and is stored as such).
 *
 * <p>A request's address may carry surrounding blanks and, for IPv6, a zone id ({@code
 * fe80::1%eth0}); both are ignored for matching. Matching allocates nothing and keeps no per-thread
 * state.
 *
 * <p>A range with host bits set ({@code 10.0.0.7/8}) is refused with the network it probably
 * meant, rather than silently widened: it is most often a typo for a single address.
 */
public final class IpRanges {
  private static final long V4_MAPPED_HI = 0L;
  private static final long V4_MAPPED_LO = 0x0000_ffff_0000_0000L;
  /** The longest address text: a full IPv6 address with an embedded IPv4 address. */
  private static final int MAX_ADDRESS = 45;
  /** The longest zone id accepted after {@code %} (an interface name or index). */
  private static final int MAX_ZONE = 64;
  private static final int VALID = 0;
  private static final int HIGH = 1;
  private static final int LOW = 2;

  /**
   * Per range four longs: network high, network low, mask high, mask low (one object to load). The
   * IPv4 ranges come first: a plain IPv4 client is compared with those only.
   */
  private final long[] ranges;
  /** How many longs of {@link #ranges} hold IPv4 ranges. */
  private final int v4End;

  private IpRanges(long[] ranges, int v4End) {
    this.ranges = ranges;
    this.v4End = v4End;
  }

  /** Compiles canonical entries; null if the list is empty (any address allowed). */
  public static @Nullable IpRanges compile(List<String> canonical) {
    if (canonical.isEmpty()) return null;
    long[] v4 = new long[4 * canonical.size()];
    long[] v6 = new long[4 * canonical.size()];
    int n4 = 0;
    int n6 = 0;
    long[] addr = new long[2];
    for (String entry : canonical) {
      int bits = parseRange(entry, addr);
      if (bits < 0) throw new IllegalStateException("stored allowlist entry is malformed");
      boolean isV4 = isV4Range(addr[0], addr[1], bits);
      long[] into = isV4 ? v4 : v6;
      int at = isV4 ? n4 : n6;
      into[at] = addr[0];
      into[at + 1] = addr[1];
      into[at + 2] = mask(bits, 0);
      into[at + 3] = mask(bits, 64);
      if (isV4) n4 += 4;
      else n6 += 4;
    }
    long[] all = new long[n4 + n6];
    System.arraycopy(v4, 0, all, 0, n4);
    System.arraycopy(v6, 0, all, n4, n6);
    return new IpRanges(all, n4);
  }

  /** Whether a range lies in the IPv4-mapped space, so it is (written as) an IPv4 range. */
  private static boolean isV4Range(long hi, long lo, int bits) {
    return bits >= 96 && hi == V4_MAPPED_HI && (lo >>> 32) == 0xffffL;
  }

  /**
   * Whether {@code ip} parses and lies in one of the ranges of its family (see the class
   * documentation). Never throws, allocates nothing.
   */
  public boolean matches(@Nullable String ip) {
    return matches(ranges, v4End, ip);
  }

  /** The compiled ranges, for a holder that keeps them itself (one object fewer to reach). */
  long[] ranges() {
    return ranges;
  }

  /** How many longs of {@link #ranges()} hold IPv4 ranges. */
  int v4End() {
    return v4End;
  }

  /** {@link #matches(String)} over ranges taken from {@link #ranges()} and {@link #v4End()}. */
  static boolean matches(long[] r, int v4End, @Nullable String ip) {
    long v4 = v4(ip);
    if (v4 >= 0) {
      long lo = V4_MAPPED_LO | v4;
      for (int i = 0; i + 3 < v4End; i += 4) {
        if ((lo & r[i + 3]) == r[i + 1] && r[i] == V4_MAPPED_HI) return true;
      }
      return false;
    }
    if (v4 != V6_TEXT || !isV6(ip)) return false;
    long hi = high(ip);
    long lo = low(ip);
    for (int i = 0; i + 3 < r.length; i += 4) {
      if ((hi & r[i + 2]) == r[i] && (lo & r[i + 3]) == r[i + 1]) return true;
    }
    return false;
  }

  /**
   * {@link #matches(String)} for an allowlist of one range, held by its holder as four longs
   * (network high and low, mask high and low) and whether it is an IPv4 range.
   */
  static boolean matches(long netHigh, long netLow, long maskHigh, long maskLow, boolean v4Range,
      @Nullable String ip) {
    long v4 = v4(ip);
    if (v4 >= 0) {
      return v4Range && ((V4_MAPPED_LO | v4) & maskLow) == netLow && netHigh == V4_MAPPED_HI;
    }
    return v4 == V6_TEXT && isV6(ip) && (high(ip) & maskHigh) == netHigh
        && (low(ip) & maskLow) == netLow;
  }

  /** {@link #v4}: the text has a colon, so it can only be an IPv6 address. */
  static final long V6_TEXT = -2;

  /**
   * The IPv4 address {@code ip} spells (blanks around it allowed), as a number; {@link #V6_TEXT} if
   * it can only be IPv6; -1 if it is no address. Parses the text once.
   */
  static long v4(@Nullable String ip) {
    if (ip == null) return -1;
    int from = start(ip);
    int to = end(ip, from);
    if (to < 0) return -1;
    return hasColon(ip, from, to) ? V6_TEXT : parseV4(ip, from, to);
  }

  /**
   * Whether {@code ip} is a well-formed IPv4 or IPv6 address (blanks around it and an IPv6 zone id
   * are allowed). Never throws, allocates nothing.
   */
  public static boolean isAddress(@Nullable String ip) {
    long v4 = v4(ip);
    return v4 >= 0 || (v4 == V6_TEXT && isV6(ip));
  }

  /** For a text {@link #v4} found {@link #V6_TEXT}: whether it is a well-formed IPv6 address. */
  static boolean isV6(String ip) {
    int from = start(ip);
    return v6(ip, from, end(ip, from), VALID) != 0;
  }

  /** The low 64 bits of the IPv4 address {@link #v4} returned, as IPv6 (IPv4 mapped). */
  static long mappedLow(long v4) {
    return V4_MAPPED_LO | v4;
  }

  /** The high 64 bits of an address {@link #isAddress} accepted, as IPv6 (IPv4 mapped). */
  static long high(String ip) {
    int from = start(ip);
    int to = end(ip, from);
    return hasColon(ip, from, to) ? v6(ip, from, to, HIGH) : V4_MAPPED_HI;
  }

  /** The low 64 bits of an address {@link #isAddress} accepted, as IPv6 (IPv4 mapped). */
  static long low(String ip) {
    int from = start(ip);
    int to = end(ip, from);
    return hasColon(ip, from, to) ? v6(ip, from, to, LOW) : V4_MAPPED_LO | parseV4(ip, from, to);
  }

  private static int start(String ip) {
    int from = 0;
    while (from < ip.length() && Character.isWhitespace(ip.charAt(from))) from++;
    return from;
  }

  /** Where the address ends: before trailing blanks and a zone id; -1 if it is too long. */
  private static int end(String ip, int from) {
    int to = ip.length();
    while (to > from && Character.isWhitespace(ip.charAt(to - 1))) to--;
    if (to - from > MAX_ADDRESS + 1 + MAX_ZONE) return -1;
    for (int i = from; i < to; i++) {
      if (ip.charAt(i) == '%') {
        // A zone id names an interface of the host that saw the address; it is not part of it.
        if (i == to - 1 || !hasColon(ip, from, i)) return -1;
        return i - from > MAX_ADDRESS ? -1 : i;
      }
    }
    return to - from > MAX_ADDRESS ? -1 : to;
  }

  private static boolean hasColon(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == ':') return true;
    }
    return false;
  }

  /**
   * The canonical text of an address or range: IPv4 dotted or RFC 5952 IPv6, with {@code /bits}
   * unless it is a single address, IPv4-mapped ranges written as IPv4. Surrounding blanks and the
   * zone id of a single IPv6 address are dropped.
   *
   * @throws InvalidArgumentException naming {@code field} if it is not an address or range, or if
   *     host bits are set
   */
  public static String canonicalize(String field, @Nullable String text) {
    if (text == null) throw new InvalidArgumentException(field, "must not be null");
    String s = text.strip();
    int zone = s.indexOf('%');
    if (zone >= 0 && s.indexOf('/') < 0 && isAddress(s)) s = s.substring(0, zone);
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

  /**
   * Whether a canonical range covers a whole address family ({@code 0.0.0.0/0} or {@code ::/0}).
   */
  public static boolean coversAFamily(String canonical) {
    long[] addr = new long[2];
    int bits = parseRange(canonical, addr);
    return bits == 0 || (bits == 96 && isV4Range(addr[0], addr[1], bits));
  }

  /** Parses {@code addr} or {@code addr/bits}; returns the 128-bit prefix length or -1. */
  static int parseRange(String s, long[] out) {
    int slash = s.indexOf('/');
    int end = slash < 0 ? s.length() : slash;
    if (!parseAddress(s, 0, end, out)) return -1;
    boolean v4 = !hasColon(s, 0, end);
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
    if (to - from < 2 || to - from > MAX_ADDRESS) return false;
    if (!hasColon(s, from, to)) {
      long v4 = parseV4(s, from, to);
      if (v4 < 0) return false;
      out[0] = V4_MAPPED_HI;
      out[1] = V4_MAPPED_LO | v4;
      return true;
    }
    if (v6(s, from, to, VALID) == 0) return false;
    out[0] = v6(s, from, to, HIGH);
    out[1] = v6(s, from, to, LOW);
    return true;
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
   * Parses IPv6 text in {@code s[from, to)} without allocating and answers one thing about it:
   * {@link #VALID} (1 or 0), or the {@link #HIGH} or {@link #LOW} 64 bits of a valid address. The
   * groups before a {@code ::} and those after it are gathered as two 128-bit numbers in locals,
   * and the first is shifted past the second at the end. Three calls for one address cost less
   * than the per-thread scratch array they replace on a virtual thread.
   */
  private static long v6(String s, int from, int to, int what) {
    if (to - from < 2 || to - from > MAX_ADDRESS) return 0;
    long headHi = 0;
    long headLo = 0;
    long tailHi = 0;
    long tailLo = 0;
    int count = 0;
    int gap = -1;
    int i = from;
    if (s.charAt(i) == ':') {
      if (to - i < 2 || s.charAt(i + 1) != ':') return 0;
      gap = 0;
      i += 2;
    }
    while (i < to) {
      if (count == 8) return 0;
      int start = i;
      int v = 0;
      while (i < to && hex(s.charAt(i)) >= 0) {
        v = (v << 4) | hex(s.charAt(i));
        i++;
        if (i - start > 4) return 0;
      }
      int groups = 1;
      if (i < to && s.charAt(i) == '.') {
        // embedded IPv4 in the last 32 bits: two groups
        if (count > 6) return 0;
        long v4 = parseV4(s, start, to);
        if (v4 < 0) return 0;
        v = (int) v4;
        groups = 2;
        i = to;
      } else if (i == start) {
        return 0;
      }
      int shift = 16 * groups;
      long mask = groups == 2 ? 0xffff_ffffL : 0xffffL;
      if (gap < 0) {
        headHi = (headHi << shift) | (headLo >>> (64 - shift));
        headLo = (headLo << shift) | (v & mask);
      } else {
        tailHi = (tailHi << shift) | (tailLo >>> (64 - shift));
        tailLo = (tailLo << shift) | (v & mask);
      }
      count += groups;
      if (i == to) break;
      if (s.charAt(i) != ':') return 0;
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) return 0;
        gap = count;
        i++;
      } else if (i == to) {
        return 0; // trailing single colon
      }
    }
    if (gap < 0 ? count != 8 : count > 7) return 0;
    if (what == VALID) return 1;
    if (gap < 0) return what == HIGH ? headHi : headLo;
    // head holds `gap` groups; they belong in the top of the address
    int k = 16 * (8 - gap);
    long hi;
    long lo;
    if (k >= 128) {
      hi = 0;
      lo = 0;
    } else if (k >= 64) {
      hi = headLo << (k - 64);
      lo = 0;
    } else if (k == 0) {
      hi = headHi;
      lo = headLo;
    } else {
      hi = (headHi << k) | (headLo >>> (64 - k));
      lo = headLo << k;
    }
    return what == HIGH ? hi | tailHi : lo | tailLo;
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
