package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The seven checks run cheapest first and stop at the first failure; answers are safe. */
class ValidationPipelineTest {

  @Test
  void order_stateBeforeWorkspaceBeforeIpBeforePermission() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws-1").name("n").permission("a", true)
          .allowIp("203.0.113.0/24"));
      ValidationRequest everythingWrong = ValidationRequest.of(t.secret()).workspace("ws-2")
          .clientIp("198.51.100.1").require("b");
      assertThat(reason(h, everythingWrong)).isEqualTo(Reason.WORKSPACE_MISMATCH);
      assertThat(reason(h, ValidationRequest.of(t.secret()).workspace("ws-1")
          .clientIp("198.51.100.1").require("b"))).isEqualTo(Reason.IP_NOT_ALLOWED);
      assertThat(reason(h, ValidationRequest.of(t.secret()).clientIp("203.0.113.7").require("b")))
          .isEqualTo(Reason.PERMISSION_DENIED);
      assertThat(reason(h, ValidationRequest.of(t.secret()).clientIp("::ffff:203.0.113.7")
          .require("a"))).isNull();
      h.tokens().disable(t.id());
      assertThat(reason(h, everythingWrong)).isEqualTo(Reason.DISABLED);
      h.tokens().revoke(t.id());
      assertThat(reason(h, everythingWrong)).isEqualTo(Reason.REVOKED);
      h.clock.advance(Duration.ofDays(365 * 3));
      assertThat(reason(h, everythingWrong)).as("revoked stays revoked after expiry")
          .isEqualTo(Reason.REVOKED);
    }
  }

  @Test
  void expired_winsOverDisabled() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("n").expiresIn(Duration.ofMinutes(1)));
      h.tokens().disable(t.id());
      h.clock.advance(Duration.ofMinutes(1));
      assertThat(reason(h, ValidationRequest.of(t.secret()))).isEqualTo(Reason.EXPIRED);
    }
  }

  @Test
  void wrongSecretForKnownId_isUnknown_likeAnUnknownId() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "n");
      IssuedToken other = h.issue("ws", "m");
      // The id of t with the secret of other, re-checksummed: well formed, wrong secret.
      String forged = reformat(t.secret().substring(0, 3 + 16) + other.secret().substring(3 + 16,
          3 + 16 + 33));
      assertThat(reason(h, ValidationRequest.of(forged))).isEqualTo(Reason.UNKNOWN);
      h.tokens().delete(other.id());
      assertThat(reason(h, ValidationRequest.of(other.secret()))).isEqualTo(Reason.UNKNOWN);
    }
  }

  /** Appends a valid CRC32 checksum to {@code lk_<id><secret>}. */
  private static String reformat(String withoutChecksum) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(withoutChecksum.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    long v = crc.getValue();
    String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char[] out = new char[6];
    for (int i = 5; i >= 0; i--) {
      out[i] = digits.charAt((int) (v % 62));
      v /= 62;
    }
    return withoutChecksum + new String(out);
  }

  static Stream<Arguments> statuses() {
    return Stream.of(
        Arguments.of(Reason.MALFORMED, 401), Arguments.of(Reason.UNKNOWN, 401),
        Arguments.of(Reason.DISABLED, 401), Arguments.of(Reason.REVOKED, 401),
        Arguments.of(Reason.EXPIRED, 401), Arguments.of(Reason.WORKSPACE_MISMATCH, 401),
        Arguments.of(Reason.IP_NOT_ALLOWED, 403), Arguments.of(Reason.PERMISSION_DENIED, 403),
        Arguments.of(Reason.UNAVAILABLE, 503));
  }

  @ParameterizedTest
  @MethodSource("statuses")
  void reason_mapsToStatus(Reason reason, int status) {
    assertThat(reason.httpStatus()).isEqualTo(status);
    assertThat(ValidationResult.rejected(reason).httpStatus()).isEqualTo(status);
    assertThat(ValidationResult.rejected(reason).reasonOrNull()).isEqualTo(reason);
  }

  @Test
  void publicMessages_doNotTellWhetherATokenExists() {
    Set<String> messages = Stream.of(Reason.MALFORMED, Reason.UNKNOWN, Reason.DISABLED,
        Reason.REVOKED, Reason.EXPIRED, Reason.WORKSPACE_MISMATCH)
        .map(Reason::publicMessage).collect(Collectors.toSet());
    assertThat(messages).hasSize(1);
    assertThat(messages.iterator().next()).doesNotContainIgnoringCase("revoked token")
        .doesNotContainIgnoringCase("unknown");
    assertThat(Reason.PERMISSION_DENIED.publicMessage()).isNotEqualTo(messages.iterator().next());
  }

  @Test
  void validate_garbage_neverThrows_andIsMalformedOrIpNotAllowed() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("n").allowIp("10.0.0.0/8"));
      assertThat(h.validator().validate((ValidationRequest) null).reasonOrNull())
          .isEqualTo(Reason.MALFORMED);
      for (String token : new String[] {null, "", " ", "lk_", "x".repeat(1 << 20), "lk_ünïcødé",
          t.secret() + "x", t.secret().substring(1), "\u0000" + t.secret()}) {
        assertThat(h.validator().validate(ValidationRequest.of(token)).reasonOrNull())
            .as("%s", token == null ? null : token.length() > 80 ? "1 MB" : token)
            .isEqualTo(Reason.MALFORMED);
      }
      for (String ip : new String[] {null, "", "localhost", "10.0.0.256", "::g", "1.2.3",
          "10.0.0.1/8", "[10.0.0.1]", "10.0.0.1%eth0", "x".repeat(10_000)}) {
        assertThat(h.validator().validate(ValidationRequest.of(t.secret()).clientIp(ip))
            .reasonOrNull()).as("ip %s", ip).isEqualTo(Reason.IP_NOT_ALLOWED);
      }
      assertThat(h.validator().validate(ValidationRequest.of(t.secret()).clientIp("10.1.2.3")
          .require("x", null)).reasonOrNull()).isEqualTo(Reason.PERMISSION_DENIED);
      assertThat(h.validator().validate(ValidationRequest.of(t.secret()).clientIp("10.1.2.3")
          .integration("\u0000bad").require((String[]) null)).isValid()).isTrue();
    }
  }

  @Test
  void valid_carriesThePrincipal_andWritesNothingSynchronously() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("n").permission("a", true)
          .permission("b", false).metadata("team", "x"));
      ValidationResult r = h.validator().validate(ValidationRequest.of(t.secret())
          .integration("zapier").require("a"));
      Token principal = r.principalOrNull();
      assertThat(principal).isNotNull();
      assertThat(principal.id()).isEqualTo(t.id());
      assertThat(principal.permissions()).isEqualTo(Map.of("a", true, "b", false));
      assertThat(principal.granted("b")).isFalse();
      assertThat(principal.metadata()).containsEntry("team", "x");
      assertThat(h.record(t.id()).lastUsedAt()).isNull();
      assertThat(h.latchkey.flushUsage()).isEqualTo(1);
      assertThat(h.record(t.id()).lastUsedIntegration()).isEqualTo("zapier");
    }
  }

  private static Reason reason(Harness h, ValidationRequest request) {
    return h.validator().validate(request).reasonOrNull();
  }
}
