package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.InvalidArgumentException;
import io.latchkey.RequestAuthenticator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Address families stay apart as in Python's {@code ipaddress}: an IPv6 range never admits a plain
 * IPv4 client. The one documented exception: an IPv4-mapped IPv6 client matches its IPv4 range.
 */
class IpFamiliesTest {

  /**
   * Whether the one-range allowlist admits {@code client}; checked in both forms a cached entry
   * may hold it: the ranges' array, and the four longs of a one-range allowlist.
   */
  static boolean matches(String range, String client) {
    IpRanges r = IpRanges.compile(List.of(IpRanges.canonicalize("allowedIps", range)));
    boolean viaArray = r.matches(client);
    long[] a = r.ranges();
    assertThat(IpRanges.matches(a[0], a[1], a[2], a[3], r.v4End() != 0, client))
        .as("one range held as four longs: %s in %s", client, range).isEqualTo(viaArray);
    return viaArray;
  }

  @ParameterizedTest
  @CsvSource({
      "::/0, 239.187.54.133, false",
      "::/1, 10.0.0.1, false",
      "::/8, 10.0.0.1, false",
      "::/64, 10.0.0.1, false",
      "::/80, 10.0.0.1, false",
      "::/0, ::ffff:239.187.54.133, true",
      "::/80, ::ffff:10.0.0.1, true",
      "::/0, 2001:db8::1, true",
      "0.0.0.0/0, 10.0.0.1, true",
      "0.0.0.0/0, ::ffff:10.0.0.1, true",
      "0.0.0.0/0, 2001:db8::1, false",
      "0.0.0.0/0, ::a00:1, false",
      "10.0.0.0/8, ::ffff:10.1.2.3, true",
      "10.0.0.0/8, ::ffff:11.1.2.3, false",
      "::ffff:10.0.0.0/104, 10.9.9.9, true",
      "::a00:0/104, 10.9.9.9, false",
      "fe80::/10, fe80::1%eth0, true",
      "fe80::/10, ' fe80::1%25 ', true",
      "10.0.0.0/8, ' 10.0.0.1 ', true",
      "10.0.0.0/8, '\t10.0.0.1\n', true",
      "10.0.0.0/8, 10.0.0.1%eth0, false"})
  void matches_keepsTheFamiliesApart(String range, String client, boolean expected) {
    assertThat(matches(range, client)).as("%s in %s", client, range).isEqualTo(expected);
  }

  /** 3,000 cases answered by Python's ipaddress (ip_families.py beside the CSV made them). */
  @Test
  void matches_agreesWithPythonsIpaddress() throws Exception {
    int rows = 0;
    int exceptions = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        IpFamiliesTest.class.getResourceAsStream("/ip/ip-families.csv"), StandardCharsets.UTF_8))) {
      in.readLine();
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.split(",");
        boolean python = Boolean.parseBoolean(f[2]);
        boolean expected = Boolean.parseBoolean(f[3]);
        assertThat(matches(f[0], f[1])).as("%s in %s (python: %s)", f[1], f[0], python)
            .isEqualTo(expected);
        if (python != expected) exceptions++;
        rows++;
      }
    }
    assertThat(rows).isEqualTo(3_000);
    assertThat(exceptions).as("only IPv4-mapped clients of IPv4 ranges differ").isBetween(1, 100);
  }

  /** A model on numbers (no parsing), over many random ranges and clients. */
  @Test
  void matches_agreesWithTheModelOnRandomCases() {
    Random random = new Random(42);
    BigInteger mappedPrefix = BigInteger.valueOf(0xffffL).shiftLeft(32);
    for (int i = 0; i < 100_000; i++) {
      boolean rangeV4 = random.nextInt(3) == 0;
      int bits = rangeV4 ? random.nextInt(33) : random.nextInt(129);
      BigInteger net = rangeV4 ? BigInteger.valueOf(random.nextInt() & 0xffffffffL)
          : randomV6(random, mappedPrefix);
      int width = rangeV4 ? 32 : 128;
      net = net.shiftRight(width - bits).shiftLeft(width - bits);
      String range = (rangeV4 ? v4(net.longValue()) : v6(net)) + "/" + bits;
      // A range in the mapped space of /96 or longer is the IPv4 range it spells.
      if (!rangeV4 && bits >= 96 && net.shiftRight(32).equals(BigInteger.valueOf(0xffffL))) {
        rangeV4 = true;
        bits -= 96;
        net = net.and(BigInteger.valueOf(0xffffffffL));
        width = 32;
      }
      int kind = random.nextInt(3);
      BigInteger client;
      String text;
      boolean clientV4 = kind == 0;
      if (kind == 0) {
        client = BigInteger.valueOf(random.nextInt() & 0xffffffffL);
        text = v4(client.longValue());
      } else if (kind == 1) {
        client = mappedPrefix.or(BigInteger.valueOf(random.nextInt() & 0xffffffffL));
        text = "::ffff:" + v4(client.longValue() & 0xffffffffL);
      } else {
        client = randomV6(random, mappedPrefix);
        text = v6(client);
      }
      boolean clientMapped = !clientV4 && client.shiftRight(32).equals(BigInteger.valueOf(0xffffL));
      boolean expected;
      if (rangeV4) {
        BigInteger v4 = clientV4 ? client : clientMapped ? client.and(BigInteger.valueOf(0xffffffffL)) : null;
        expected = v4 != null && v4.shiftRight(32 - bits).equals(net.shiftRight(32 - bits));
      } else {
        expected = !clientV4 && client.shiftRight(128 - bits).equals(net.shiftRight(128 - bits));
      }
      assertThat(matches(range, text)).as("%s in %s", text, range).isEqualTo(expected);
    }
  }

  private static BigInteger randomV6(Random random, BigInteger mappedPrefix) {
    switch (random.nextInt(4)) {
      case 0:
        return BigInteger.ZERO.or(BigInteger.valueOf(random.nextInt(1 << 16)));
      case 1:
        return mappedPrefix.or(BigInteger.valueOf(random.nextInt() & 0xffffffffL));
      default:
        return new BigInteger(128, random).shiftRight(random.nextInt(4) * 32);
    }
  }

  private static String v4(long v) {
    return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
  }

  private static String v6(BigInteger v) {
    StringBuilder sb = new StringBuilder();
    for (int g = 7; g >= 0; g--) {
      sb.append(Integer.toHexString(v.shiftRight(16 * g).intValue() & 0xffff));
      if (g > 0) sb.append(':');
    }
    return sb.toString();
  }

  @Test
  void isAddress_acceptsBlanksAndAnIpv6ZoneLikeTheAuthenticator() {
    assertThat(IpRanges.isAddress(" 10.0.0.1 ")).isTrue();
    assertThat(IpRanges.isAddress("fe80::1%eth0")).isTrue();
    assertThat(IpRanges.isAddress("10.0.0.1%eth0")).isFalse();
    assertThat(IpRanges.canonicalize("clientIp", " fe80::1%eth0 ")).isEqualTo("fe80::1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0", "::/0", "::ffff:0:0/96", " 0.0.0.0/0 "})
  void trustedProxies_coveringAWholeFamilyAreRefused(String everything) {
    assertThatThrownBy(() -> RequestAuthenticator.builder().trustedProxies(everything))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("trustedProxies"))
        .hasMessageContaining("covers every address");
    RequestAuthenticator.builder().trustedProxies("0.0.0.0/1", "10.0.0.0/8", "::/1");
  }
}
