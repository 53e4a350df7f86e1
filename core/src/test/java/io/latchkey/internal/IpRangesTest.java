package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IpRangesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      // IPv4 addresses and ranges
      "192.0.2.1|192.0.2.1",
      "192.0.2.1/32|192.0.2.1",
      "192.0.2.0/24|192.0.2.0/24",
      "192.0.2.128/25|192.0.2.128/25",
      "10.0.0.0/8|10.0.0.0/8",
      "172.16.0.0/12|172.16.0.0/12",
      "0.0.0.0/0|0.0.0.0/0",
      "255.255.255.255|255.255.255.255",
      "'  10.0.0.0/8 '|10.0.0.0/8",
      // IPv6: RFC 5952 canonical text
      "2001:0DB8:0000:0000:0000:0000:0000:0001|2001:db8::1",
      "2001:db8:0:0:1:0:0:1|2001:db8::1:0:0:1",
      "2001:db8:0:0:1:0:0:0|2001:db8:0:0:1::",
      "2001:db8:0:1:1:1:1:1|2001:db8:0:1:1:1:1:1",
      "2001:db8::0:1|2001:db8::1",
      "2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:FFFF|2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
      "0:0:0:0:0:0:0:1|::1",
      "0:0:0:0:0:0:0:0|::",
      "::|::",
      "1::|1::",
      "1:0:0:0:0:0:0:0|1::",
      "2001:db8::1/128|2001:db8::1",
      "2001:db8::/32|2001:db8::/32",
      "2001:DB8:0::/48|2001:db8::/48",
      "fe80::/10|fe80::/10",
      "::/0|::/0",
      "2001:db8::8000:0:0:0/65|2001:db8:0:0:8000::/65",
      // embedded IPv4; IPv4-mapped addresses and ranges are written as IPv4
      "::ffff:192.0.2.1|192.0.2.1",
      "::FFFF:c000:0201|192.0.2.1",
      "0:0:0:0:0:ffff:192.0.2.1|192.0.2.1",
      "::ffff:10.0.0.0/104|10.0.0.0/8",
      "::ffff:0.0.0.0/96|0.0.0.0/0",
      "64:ff9b::192.0.2.1|64:ff9b::c000:201",
      "1:2:3:4:5:6:1.2.3.4|1:2:3:4:5:6:102:304"})
  void canonicalize_writesTheCanonicalForm(String input, String canonical) {
    assertThat(IpRanges.canonicalize("allowIp", input)).isEqualTo(canonical);
    assertThat(IpRanges.canonicalize("allowIp", canonical)).as("idempotent").isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "example.com", "host-1", "printer.local", "1.2.3.com",
      "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.4/33", "1.2.3.4/",
      "1.2.3.4/08", "1.2.3.4/-1", "1.2.3.4/1000", "1.2.3.4/a", "1.2.3.4//8", "2001:db8::/129",
      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", ":1::", "1::2:", "12345::",
      "g::1", "fe80::1%", "fe80::/10%eth0", "10.0.0.1%eth0", "[2001:db8::1]", "::ffff:1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4",
      "::1.2.3", "1.2.3.4:80", "0x7f.0.0.1", "127.1", "2130706433", " ", "  \t",
      "１.２.３.４"})
  void canonicalize_rejectsWhatIsNotAnAddressOrRange(String input) {
    assertThatThrownBy(() -> IpRanges.canonicalize("allowIp", input))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("allowIp"))
        .hasMessageStartingWith("allowIp \"" + input.strip() + "\" ");
  }

  @Test
  void canonicalize_refusesHostNamesEvenWhenTheyResolve() {
    // "localhost" resolves on every machine: accepting it would mean a name lookup happened.
    assertThatThrownBy(() -> IpRanges.canonicalize("allowIp", "localhost"))
        .hasMessage("allowIp \"localhost\" is not an IPv4 or IPv6 address or CIDR range"
            + " (host names are not accepted)");
  }

  @Test
  void canonicalize_rejectsNullAndHugeInput() {
    assertThatThrownBy(() -> IpRanges.canonicalize("allowedIps", null))
        .isInstanceOf(InvalidArgumentException.class).hasMessage("allowedIps must not be null");
    String huge = "1".repeat(1 << 20);
    assertThatThrownBy(() -> IpRanges.canonicalize("allowedIps", huge))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("allowedIps \"" + "1".repeat(64) + "...\"")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
  }

  @ParameterizedTest(name = "{0} -> did you mean {1}")
  @CsvSource(delimiter = '|', value = {
      "10.0.0.7/8|10.0.0.0/8",
      "192.0.2.1/24|192.0.2.0/24",
      "192.0.2.200/25|192.0.2.128/25",
      "1.2.3.4/0|0.0.0.0/0",
      "2001:db8::1/32|2001:db8::/32",
      "2001:db8:1234:5678::/33|2001:db8:0:0::/33",
      "2001:db8::8001:0:0:0/65|2001:db8:0:0:8000::/65",
      "::ffff:10.1.2.3/104|10.0.0.0/8"})
  void canonicalize_rejectsHostBitsAndSuggestsTheNetwork(String input, String network) {
    String expected = IpRanges.canonicalize("x", network);
    assertThatThrownBy(() -> IpRanges.canonicalize("allowIp", input))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("allowIp \"" + input + "\" has host bits set; did you mean " + expected + "?");
  }

  static Stream<Arguments> matching() {
    return Stream.of(
        // IPv4 ranges of several lengths
        Arguments.of("10.0.0.0/8", "10.1.2.3", true),
        Arguments.of("10.0.0.0/8", "10.255.255.255", true),
        Arguments.of("10.0.0.0/8", "11.0.0.0", false),
        Arguments.of("10.0.0.0/8", "9.255.255.255", false),
        Arguments.of("192.0.2.128/25", "192.0.2.127", false),
        Arguments.of("192.0.2.128/25", "192.0.2.128", true),
        Arguments.of("192.0.2.128/25", "192.0.2.255", true),
        Arguments.of("203.0.113.0/24", "203.0.113.9", true),
        Arguments.of("203.0.113.0/24", "203.0.114.9", false),
        Arguments.of("172.16.0.0/12", "172.31.255.1", true),
        Arguments.of("172.16.0.0/12", "172.32.0.1", false),
        Arguments.of("192.0.2.1", "192.0.2.1", true),
        Arguments.of("192.0.2.1", "192.0.2.2", false),
        Arguments.of("0.0.0.0/0", "1.2.3.4", true),
        Arguments.of("0.0.0.0/0", "2001:db8::1", false),
        // IPv6 ranges of several lengths, compressed and full client forms
        Arguments.of("2001:db8::/32", "2001:db8:ffff::1", true),
        Arguments.of("2001:db8::/32", "2001:0DB8:0000:0000:0000:0000:0000:0001", true),
        Arguments.of("2001:db8::/32", "2001:db9::1", false),
        Arguments.of("2001:db8:8000::/33", "2001:db8:8000::1", true),
        Arguments.of("2001:db8:8000::/33", "2001:db8:7fff::1", false),
        Arguments.of("2001:db8:0:0:8000::/65", "2001:db8::8000:0:0:1", true),
        Arguments.of("2001:db8:0:0:8000::/65", "2001:db8::7fff:0:0:1", false),
        Arguments.of("2001:db8::/127", "2001:db8::1", true),
        Arguments.of("2001:db8::/127", "2001:db8::2", false),
        Arguments.of("2001:db8::1", "2001:db8:0:0:0:0:0:1", true),
        Arguments.of("::1", "::1", true),
        Arguments.of("::1", "127.0.0.1", false),
        Arguments.of("::/0", "2001:db8::1", true),
        // an IPv4-mapped IPv6 client matches an IPv4 range, and the other way round
        Arguments.of("10.0.0.0/8", "::ffff:10.1.2.3", true),
        Arguments.of("10.0.0.0/8", "::FFFF:a01:203", true),
        Arguments.of("10.0.0.0/8", "0:0:0:0:0:ffff:10.1.2.3", true),
        Arguments.of("10.0.0.0/8", "::ffff:11.1.2.3", false),
        Arguments.of("::ffff:10.0.0.0/104", "10.1.2.3", true),
        Arguments.of("::ffff:10.0.0.0/104", "11.1.2.3", false),
        Arguments.of("::ffff:192.0.2.1", "192.0.2.1", true),
        // an IPv4-compatible or NAT64 address is not its IPv4 form
        Arguments.of("10.0.0.0/8", "::10.1.2.3", false),
        Arguments.of("10.0.0.0/8", "64:ff9b::10.1.2.3", false));
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @MethodSource("matching")
  void matches_rangesOfBothFamilies(String range, String client, boolean expected) {
    IpRanges ranges = IpRanges.compile(List.of(IpRanges.canonicalize("allowIp", range)));
    assertThat(ranges).isNotNull();
    assertThat(ranges.matches(client)).isEqualTo(expected);
  }

  @Test
  void matches_anyOfSeveralRanges() {
    IpRanges ranges = IpRanges.compile(List.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"));
    assertThat(ranges.matches("10.9.9.9")).isTrue();
    assertThat(ranges.matches("2001:db8::5")).isTrue();
    assertThat(ranges.matches("192.0.2.7")).isTrue();
    assertThat(ranges.matches("192.0.2.8")).isFalse();
  }

  @Test
  void compile_emptyListAllowsAnyAddress() {
    assertThat(IpRanges.compile(List.of())).isNull();
  }

  static Stream<String> garbageClients() {
    List<String> garbage = new ArrayList<>(Arrays.asList(null, "", " ", "garbage", "localhost",
        "10.0.0.1/8", "10.0.0.256", "10.0.0", "010.0.0.1",
        "10.0.0.1%eth0", "fe80::1%", "[::1]", "::1:", "1::2::3", "::ffff:10.0.0.1.2", "10.0.0.1\u0000",
        "１０.０.０.１", "\ud83d", "10.0.0.1,10.0.0.2", "unknown"));
    garbage.add("1".repeat(1 << 20));
    garbage.add("1:".repeat(10_000) + "1");
    return garbage.stream();
  }

  @ParameterizedTest
  @MethodSource("garbageClients")
  void matches_garbageClientAddressIsFalseWithoutThrowing(String client) {
    IpRanges ranges = IpRanges.compile(List.of("0.0.0.0/0", "::/0"));
    assertThatCode(() -> assertThat(ranges.matches(client)).isFalse())
        .doesNotThrowAnyException();
    assertThatCode(() -> assertThat(IpRanges.isAddress(client)).isFalse())
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @NullAndEmptySource
  void isAddress_rejectsNullAndEmpty(String ip) {
    assertThat(IpRanges.isAddress(ip)).isFalse();
  }
}
