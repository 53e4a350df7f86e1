package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Last-used time, address and integration: buffered by validate, written by flush and close. */
class UsageTest {
  final Harness h = Harness.create();

  @AfterEach
  void close() {
    h.close();
  }

  ValidationResult use(IssuedToken t, String ip, String integration) {
    return h.validator().validate(ValidationRequest.of(t.secret()).clientIp(ip)
        .integration(integration));
  }

  @Test
  void validate_writesNothingUntilFlush() {
    IssuedToken t = h.issue("ws", "t");
    TokenRecord before = h.record(t.id());
    h.clock.advance(Duration.ofSeconds(1));

    assertThat(use(t, "203.0.113.9", "zapier").isValid()).isTrue();

    assertThat(h.record(t.id())).isEqualTo(before);
    assertThat(h.tokens().get(t.id()).lastUsedAt()).isNull();

    assertThat(h.latchkey.flushUsage()).isEqualTo(1);

    TokenRecord after = h.record(t.id());
    assertThat(after.lastUsedAt()).isEqualTo(Harness.START.plusSeconds(1));
    assertThat(after.lastUsedIp()).isEqualTo("203.0.113.9");
    assertThat(after.lastUsedIntegration()).isEqualTo("zapier");
    assertThat(after.version()).as("usage is not a change").isEqualTo(before.version());
    Token seen = h.tokens().get(t.id());
    assertThat(seen.lastUsedAt()).isEqualTo(Harness.START.plusSeconds(1));
    assertThat(seen.lastUsedIp()).isEqualTo("203.0.113.9");
    assertThat(seen.lastUsedIntegration()).isEqualTo("zapier");
    assertThat(h.latchkey.flushUsage()).as("nothing left to write").isZero();
  }

  @Test
  void flush_latestUseWins() {
    IssuedToken t = h.issue("ws", "t");
    h.clock.advance(Duration.ofSeconds(1));
    use(t, "192.0.2.1", "first");
    h.clock.advance(Duration.ofSeconds(1));
    use(t, "192.0.2.2", "second");
    Instant latest = h.clock.instant();
    h.clock.set(latest.minusMillis(500)); // a request stamped earlier arrives late
    use(t, "192.0.2.3", "late");
    h.latchkey.flushUsage();

    TokenRecord r = h.record(t.id());
    assertThat(r.lastUsedAt()).isEqualTo(latest);
    assertThat(r.lastUsedIp()).isEqualTo("192.0.2.2");
    assertThat(r.lastUsedIntegration()).isEqualTo("second");

    h.clock.set(latest.plusSeconds(5));
    use(t, null, null);
    h.latchkey.flushUsage();
    r = h.record(t.id());
    assertThat(r.lastUsedAt()).isEqualTo(latest.plusSeconds(5));
    assertThat(r.lastUsedIp()).isNull();
    assertThat(r.lastUsedIntegration()).isNull();
  }

  @Test
  void close_flushesBufferedUsage() {
    Harness other = Harness.create();
    IssuedToken t = other.issue("ws", "t");
    other.clock.advance(Duration.ofMinutes(1));
    other.validator().validate(ValidationRequest.of(t.secret()).clientIp("2001:db8::7"));
    assertThat(other.record(t.id()).lastUsedAt()).isNull();

    other.close();

    assertThat(other.record(t.id()).lastUsedAt()).isEqualTo(Harness.START.plusSeconds(60));
    assertThat(other.record(t.id()).lastUsedIp()).isEqualTo("2001:db8::7");
  }

  @Test
  void flush_manyTokensInOneBatch() {
    IssuedToken a = h.issue("ws", "a");
    IssuedToken b = h.issue("other", "b");
    IssuedToken c = h.issue("ws", "c");
    h.clock.advance(Duration.ofSeconds(3));
    use(a, null, "x");
    use(c, null, "y");
    assertThat(h.latchkey.flushUsage()).isEqualTo(2);
    assertThat(h.record(a.id()).lastUsedIntegration()).isEqualTo("x");
    assertThat(h.record(b.id()).lastUsedAt()).isNull();
    assertThat(h.record(c.id()).lastUsedIntegration()).isEqualTo("y");
  }

  @Test
  void validate_rejectedRequestsRecordNoUsage() {
    IssuedToken t = h.issue(NewToken.in("ws").name("t").allowIp("10.0.0.0/8")
        .permission("read", true));
    h.clock.advance(Duration.ofSeconds(1));
    use(t, "192.0.2.1", "outside");
    h.validator().validate(ValidationRequest.of(t.secret()).clientIp("10.0.0.1").require("write"));
    h.validator().validate(ValidationRequest.of(t.secret()).clientIp("10.0.0.1").workspace("x"));
    assertThat(h.latchkey.flushUsage()).isZero();
    assertThat(h.record(t.id()).lastUsedAt()).isNull();
  }

  @Test
  void validate_recordUsageFalse_validButLeavesTheLastUseAsItWas() {
    IssuedToken t = h.issue("ws", "t");
    h.clock.advance(Duration.ofSeconds(1));
    use(t, "203.0.113.9", "zapier");
    h.latchkey.flushUsage();
    h.clock.advance(Duration.ofSeconds(1));

    ValidationResult r = h.validator().validate(ValidationRequest.of(t.secret())
        .clientIp("198.51.100.7").integration("operator").recordUsage(false));

    assertThat(r.isValid()).isTrue();
    assertThat(h.latchkey.flushUsage()).isZero();
    TokenRecord after = h.record(t.id());
    assertThat(after.lastUsedAt()).isEqualTo(Harness.START.plusSeconds(1));
    assertThat(after.lastUsedIp()).isEqualTo("203.0.113.9");
    assertThat(after.lastUsedIntegration()).isEqualTo("zapier");
    assertThat(ValidationRequest.of("x").recordUsage()).as("default").isTrue();
  }

  @Test
  void flush_storeDownKeepsUsageForTheNextFlush() {
    IssuedToken t = h.issue("ws", "t");
    h.clock.advance(Duration.ofSeconds(1));
    use(t, "192.0.2.1", "x");
    h.store.down = true;
    assertThat(h.latchkey.flushUsage()).isZero();
    h.store.down = false;
    assertThat(h.latchkey.flushUsage()).isEqualTo(1);
    assertThat(h.record(t.id()).lastUsedAt()).isEqualTo(Harness.START.plusSeconds(1));
  }

  @Test
  void flush_unusableAddressIsNotRecordedAndTheIntegrationIsSanitised() {
    IssuedToken t = h.issue("ws", "t"); // no allowlist: any address, even garbage, is allowed
    h.clock.advance(Duration.ofSeconds(1));
    assertThat(use(t, "<script>", "bad\u0000name").isValid()).isTrue();
    h.latchkey.flushUsage();
    TokenRecord r = h.record(t.id());
    assertThat(r.lastUsedAt()).isEqualTo(Harness.START.plusSeconds(1));
    assertThat(r.lastUsedIp()).isNull();
    assertThat(r.lastUsedIntegration()).isEqualTo("bad\uFFFDname");
  }

  @ParameterizedTest(name = "{0} is recorded as {1}")
  @CsvSource({
      "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
      "::FFFF:192.0.2.1, 192.0.2.1",
      "::ffff:c000:201, 192.0.2.1",
      "192.0.2.1, 192.0.2.1"})
  void flush_recordsTheClientAddressInCanonicalForm(String ip, String canonical) {
    IssuedToken open = h.issue("ws", "open");
    IssuedToken listed = h.issue(NewToken.in("ws").name("listed").allowIp("192.0.2.0/24")
        .allowIp("2001:db8::/32"));
    h.clock.advance(Duration.ofSeconds(1));
    assertThat(use(open, ip, null).isValid()).isTrue();
    assertThat(use(listed, ip, null).isValid()).isTrue();
    h.latchkey.flushUsage();
    assertThat(h.record(open.id()).lastUsedIp()).isEqualTo(canonical);
    assertThat(h.record(listed.id()).lastUsedIp()).isEqualTo(canonical);
  }
}
