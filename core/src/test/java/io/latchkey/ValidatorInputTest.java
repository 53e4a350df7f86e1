package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.internal.TokenFormat;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a request presents, token and address, checked end to end through the validator. */
class ValidatorInputTest {
  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  final Harness h = Harness.create(b -> b.tokenPrefix("acme_live"));

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void validate_everySingleCharacterChangeIsMalformedBeforeAnyLookup() {
    IssuedToken t = h.issue("ws", "t");
    String valid = t.secret();
    assertThat(h.validator().validate(valid).isValid()).isTrue();
    int finds = h.store.finds.get();
    h.events.clear();
    int changes = 0;
    for (int i = 0; i < valid.length(); i++) {
      StringBuilder others = new StringBuilder(ALPHABET).append("-_. é\u0000\uff10");
      for (char c : others.toString().toCharArray()) {
        if (c == valid.charAt(i)) continue;
        String changed = valid.substring(0, i) + c + valid.substring(i + 1);
        ValidationResult r = h.validator().validate(changed);
        assertThat(r.reasonOrNull()).as("%s", changed).isEqualTo(Reason.MALFORMED);
        changes++;
      }
    }
    assertThat(changes).isGreaterThan(valid.length() * 61);
    assertThat(h.store.finds.get()).as("no store lookup for a malformed token").isEqualTo(finds);
    assertThat(h.events).hasSize(changes).allSatisfy(e -> {
      assertThat(e.type()).isEqualTo(TokenEvent.Type.VALIDATION_REJECTED);
      assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(e.tokenId()).isNull();
    });
  }

  static Stream<Arguments> malformed() {
    String sample = new TokenFormat("acme_live").assemble(
        TokenFormat.newId(1L, new SecureRandom(), Harness.TAGGER), TokenFormat.newSecret(new SecureRandom()));
    String other = new TokenFormat("lk").assemble(
        TokenFormat.newId(1L, new SecureRandom(), Harness.TAGGER), TokenFormat.newSecret(new SecureRandom()));
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of("null", null));
    cases.add(Arguments.of("empty", ""));
    cases.add(Arguments.of("another prefix", other));
    cases.add(Arguments.of("truncated", sample.substring(0, sample.length() - 1)));
    cases.add(Arguments.of("too long", sample + "A"));
    cases.add(Arguments.of("non-ASCII", sample.replace(sample.charAt(30), 'ü')));
    cases.add(Arguments.of("Bearer left in", "Bearer " + sample));
    cases.add(Arguments.of("1 MB", "acme_live_" + "0".repeat(1 << 20)));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void validate_malformedNeverThrows(String what, String token) {
    assertThatCode(() -> {
      ValidationResult r = h.validator().validate(ValidationRequest.of(token)
          .clientIp("not an ip").workspace("ws").require("x", null).integration("\u0000"));
      assertThat(r.reasonOrNull()).isEqualTo(Reason.MALFORMED);
      assertThat(r.httpStatus()).isEqualTo(401);
      assertThat(r.isValid()).isFalse();
      assertThat(r.token()).isEmpty();
    }).doesNotThrowAnyException();
    assertThat(h.store.finds).hasValue(0);
  }

  @Test
  void validate_validChecksumWithAWrongSecretIsUnknown() {
    IssuedToken t = h.issue("ws", "t");
    TokenFormat format = new TokenFormat("acme_live");
    String forged = format.assemble(t.id().value(), TokenFormat.newSecret(new SecureRandom()));
    assertThat(format.isWellFormed(forged)).isTrue();
    assertThat(h.validator().validate(forged).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
    String unknownId = format.assemble(TokenFormat.newId(5L, new SecureRandom(), Harness.TAGGER),
        TokenFormat.newSecret(new SecureRandom()));
    assertThat(h.validator().validate(unknownId).reasonOrNull()).isEqualTo(Reason.UNKNOWN);
  }

  @Test
  void validate_emptyAllowlistAllowsAnyAddressEvenNone() {
    IssuedToken t = h.issue("ws", "t");
    for (String ip : new String[] {null, "", "192.0.2.1", "2001:db8::1", "garbage"}) {
      assertThat(h.validator().validate(ValidationRequest.of(t.secret()).clientIp(ip)).isValid())
          .as("ip %s", ip).isTrue();
    }
  }

  static Stream<Arguments> allowlists() {
    return Stream.of(
        Arguments.of(List.of("203.0.113.0/24"), "203.0.113.200", true),
        Arguments.of(List.of("203.0.113.0/24"), "203.0.112.1", false),
        Arguments.of(List.of("203.0.113.0/24"), "::ffff:203.0.113.7", true),
        Arguments.of(List.of("::ffff:203.0.113.0/120"), "203.0.113.7", true),
        Arguments.of(List.of("2001:DB8:0:0::/64"), "2001:db8::abcd", true),
        Arguments.of(List.of("2001:db8::/64"), "2001:db8:0:1::1", false),
        Arguments.of(List.of("2001:db8::1"), "2001:0db8:0000:0000:0000:0000:0000:0001", true),
        Arguments.of(List.of("10.0.0.0/8", "2001:db8::/32"), "2001:db8:1::1", true),
        Arguments.of(List.of("10.0.0.0/8", "2001:db8::/32"), "11.0.0.1", false),
        Arguments.of(List.of("10.0.0.0/8"), null, false),
        Arguments.of(List.of("10.0.0.0/8"), "", false),
        Arguments.of(List.of("10.0.0.0/8"), "10.0.0.1, 10.0.0.2", false),
        Arguments.of(List.of("10.0.0.0/8"), "x".repeat(100_000), false),
        // IPv6 ranges never admit a plain IPv4 client; a zone id and blanks are ignored
        Arguments.of(List.of("::/0"), "239.187.54.133", false),
        Arguments.of(List.of("::/80"), "10.0.0.1", false),
        Arguments.of(List.of("::/0"), "::ffff:239.187.54.133", true),
        Arguments.of(List.of("fe80::/10"), "fe80::1%eth0", true),
        Arguments.of(List.of("10.0.0.0/8"), " 10.0.0.1 ", true));
  }

  @ParameterizedTest(name = "{0} with {1}: {2}")
  @MethodSource("allowlists")
  void validate_clientAddressAgainstTheAllowlist(List<String> allowlist, String ip, boolean ok) {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").allowIps(allowlist));
    ValidationResult r = h.validator().validate(ValidationRequest.of(t.secret()).clientIp(ip));
    if (ok) {
      assertThat(r.isValid()).isTrue();
    } else {
      assertThat(r.reasonOrNull()).isEqualTo(Reason.IP_NOT_ALLOWED);
      assertThat(r.httpStatus()).isEqualTo(403);
    }
  }

  @Test
  void update_allowlistTakesEffectAtOnceAndIsLimited() {
    IssuedToken t = h.issue("ws", "t");
    ValidationRequest from = ValidationRequest.of(t.secret()).clientIp("192.0.2.9");
    assertThat(h.validator().validate(from).isValid()).isTrue();

    h.tokens().update(t.id(), TokenUpdate.create().allowedIps(List.of("10.0.0.0/8")));
    assertThat(h.validator().validate(from).reasonOrNull()).isEqualTo(Reason.IP_NOT_ALLOWED);

    List<String> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) hundred.add("192.0." + i + ".0/24");
    assertThat(h.tokens().update(t.id(), TokenUpdate.create().allowedIps(hundred)).allowedIps())
        .hasSize(100);
    assertThat(h.validator().validate(from).isValid()).isTrue();
    List<String> tooMany = new ArrayList<>(hundred);
    tooMany.add("198.51.100.0/24");
    assertThatThrownBy(() -> TokenUpdate.create().allowedIps(tooMany))
        .hasMessage("allowedIps must have at most 100 entries, was 101");
  }

  @Test
  void issue_allowlistIsStoredCanonical() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").allowIp("2001:0DB8::0/32")
        .allowIp("::ffff:10.0.0.0/104").allowIp("10.0.0.0/8").allowIp("192.0.2.1/32"));
    assertThat(h.record(t.id()).allowedIps())
        .containsExactly("2001:db8::/32", "10.0.0.0/8", "192.0.2.1");
  }
}
