package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IssueCommandTest {
  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
  }

  @Test
  void issue_text_printsPlaintextOnceWithDetailsAndWarns() {
    CliHarness.Run r = cli.ok("issue", "-w", "acme", "-n", "billing-sync", "-p", "invoices:read");

    assertThat(r.out()).containsPattern("(?m)^token: +lk_[0-9A-Za-z]{55}$");
    assertThat(r.out()).containsPattern("(?m)^workspace: +acme$")
        .containsPattern("(?m)^name: +billing-sync$")
        .containsPattern("(?m)^permissions: +invoices:read$")
        .containsPattern("(?m)^state: +ACTIVE$");
    String token = r.out().lines().filter(l -> l.startsWith("token:")).findFirst().orElseThrow()
        .substring(6).strip();
    assertThat(r.out().split(token, -1)).hasSize(2); // exactly once
    assertThat(r.err()).isEqualTo("latchkey issue: the token is shown only now; store it safely"
        + System.lineSeparator());
  }

  @Test
  void issue_json_everyOptionLandsInTheToken() {
    JsonNode t = cli.issue("acme", "billing-sync",
        "--description", "nightly sync",
        "-p", "invoices:read", "--grant", "reports:read", "--deny", "invoices:write",
        "--allow-ip", "203.0.113.0/24", "--allow-ip", "2001:db8::/32",
        "--metadata", "team=billing", "--metadata", "ticket=OPS-1");

    assertThat(t.get("token").asText()).startsWith("lk_").hasSize(58);
    assertThat(t.get("id").asText()).hasSize(16);
    assertThat(t.get("token").asText()).startsWith("lk_" + t.get("id").asText());
    assertThat(t.get("workspace").asText()).isEqualTo("acme");
    assertThat(t.get("description").asText()).isEqualTo("nightly sync");
    assertThat(t.get("state").asText()).isEqualTo("ACTIVE");
    assertThat(t.get("permissions").get("invoices:read").asBoolean()).isTrue();
    assertThat(t.get("permissions").get("reports:read").asBoolean()).isTrue();
    assertThat(t.get("permissions").get("invoices:write").asBoolean()).isFalse();
    assertThat(t.get("allowedIps")).extracting(JsonNode::asText)
        .containsExactly("203.0.113.0/24", "2001:db8::/32");
    assertThat(t.get("metadata").get("team").asText()).isEqualTo("billing");
    assertThat(t.get("metadata").get("ticket").asText()).isEqualTo("OPS-1");
    assertThat(t.get("hint").asText()).isEqualTo("lk_..."
        + t.get("token").asText().substring(t.get("token").asText().length() - 4));
  }

  @Test
  void issue_issuedToken_validates() {
    String token = cli.issue("acme", "a", "-p", "x:read").get("token").asText();

    cli.stdin = token + "\n";
    assertThat(cli.run("validate", "-r", "x:read").exitCode()).isZero();
  }

  @Test
  void issue_expiresIn_setsExpiry() {
    JsonNode t = cli.issue("acme", "short", "--expires-in", "2h");

    Duration lifetime = Duration.between(Instant.parse(t.get("createdAt").asText()),
        Instant.parse(t.get("expiresAt").asText()));
    assertThat(lifetime).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void issue_expiresAt_setsExpiry() {
    java.time.LocalDate date = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(30);
    JsonNode t = cli.issue("acme", "dated", "--expires-at", date.toString());

    assertThat(t.get("expiresAt").asText()).isEqualTo(date + "T00:00:00Z");
  }

  @Test
  void issue_actorOption_recordedAsCreator() {
    assertThat(cli.issue("acme", "a", "--actor", "alice").get("createdBy").asText())
        .isEqualTo("alice");
    cli.env.put("LATCHKEY_ACTOR", "bob");
    assertThat(cli.issue("acme", "b").get("createdBy").asText()).isEqualTo("bob");
  }

  @Test
  void issue_prefixFromOptionOrEnvironment() {
    assertThat(cli.issue("acme", "a", "--prefix", "acme_live").get("token").asText())
        .startsWith("acme_live_");
    cli.env.put("LATCHKEY_TOKEN_PREFIX", "acme");
    assertThat(cli.issue("acme", "b").get("token").asText()).startsWith("acme_");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "missing workspace   | issue -n a                                  | --workspace=WORKSPACE",
      "missing name        | issue -w acme                               | --name=NAME",
      "bad workspace       | issue -w a~b -n a                           | workspace",
      "bad permission      | issue -w acme -n a -p bad~perm!             | not a valid permission name",
      "host bits set       | issue -w acme -n a --allow-ip 10.0.0.7/8    | did you mean 10.0.0.0/8",
      "not a cidr          | issue -w acme -n a --allow-ip 10.0.0.0/33   | 10.0.0.0/33",
      "host name           | issue -w acme -n a --allow-ip example.com   | host names are not accepted",
      "bad duration        | issue -w acme -n a --expires-in soon        | is not a duration",
      "expiry twice        | issue -w acme -n a --expires-in 1h --expires-at 2030-01-01 | mutually exclusive",
      "past expiry         | issue -w acme -n a --expires-at 2001-01-01  | expires",
      "metadata no value   | issue -w acme -n a --metadata team          | KEY=VALUE",
      "bad prefix          | issue -w acme -n a --prefix ACME            | --prefix",
      "unknown option      | issue -w acme -n a --colour red             | Unknown options: '--colour'",
  })
  void issue_badInput_oneLineUsageErrorAndNothingIssued(String scenario, String args,
      String expected) {
    CliHarness.Run r = cli.run(split(args));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).startsWith("latchkey issue: ").contains(expected);
    assertThat(r.out()).isEmpty();
    assertThat(cli.ok("list", "-w", "acme", "--json").json().get("tokens")).isEmpty();
  }

  /** Splits on blanks; a {@code ~} stands for a blank inside one argument. */
  static String[] split(String args) {
    return java.util.Arrays.stream(args.strip().split("\\s+"))
        .map(a -> a.replace('~', ' '))
        .toArray(String[]::new);
  }
}
