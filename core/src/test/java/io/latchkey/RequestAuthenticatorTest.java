package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestAuthenticatorTest {
  private static final String TOKEN = "lk_0000000000000000secretsecretsecretsecretsecret000000";
  private static final String INVALID_BODY = "{\"error\":\"invalid_token\",\"message\":\""
      + Reason.UNKNOWN.publicMessage() + "\"}";
  /** RFC 6750 §3.1: no credentials, no error code; the same keys in the same order. */
  private static final String NO_CREDENTIALS_BODY = "{\"error\":null,\"message\":\""
      + Reason.UNKNOWN.publicMessage() + "\"}";

  /** A validator that answers a fixed result and remembers what it was asked. */
  private static final class FakeValidator implements TokenValidator {
    final AtomicReference<@Nullable ValidationRequest> last = new AtomicReference<>();
    final ValidationResult answer;

    FakeValidator(ValidationResult answer) {
      this.answer = answer;
    }

    @Override
    public ValidationResult validate(ValidationRequest request) {
      last.set(request);
      return answer;
    }
  }

  private static Token principal() {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");
    return new Token(TokenId.of("0000000000000000"), "ws", "billing", "", "lk_...0000",
        TokenState.ACTIVE, Map.of("invoices:read", true), List.of(), Map.of(), now, "alice", now,
        now.plusSeconds(3600), null, null, null);
  }

  private static HttpRequestView request(@Nullable String peer, String... headerPairs) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.computeIfAbsent(headerPairs[i], k -> new ArrayList<>()).add(headerPairs[i + 1]);
    }
    return HttpRequestView.of(headers, peer);
  }

  private static RequestAuthenticator authenticator(TokenValidator v, String... proxies) {
    return RequestAuthenticator.builder().validator(v).trustedProxies(proxies).build();
  }

  @Nested
  class Answers {
    @Test
    void authenticate_validBearer_passesTokenAndAnswers200() {
      FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));

      AuthResult r = authenticator(v).authenticate(
          request("203.0.113.9", "Authorization", "Bearer " + TOKEN), "invoices:read");

      assertThat(r.isAuthenticated()).isTrue();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).isEmpty();
      assertThat(r.jsonBody()).isNull();
      assertThat(r.principalOrNull()).isEqualTo(principal());
      assertThat(r.clientIp()).isEqualTo("203.0.113.9");
      ValidationRequest asked = v.last.get();
      assertThat(asked.token()).isEqualTo(TOKEN);
      assertThat(asked.clientIp()).isEqualTo("203.0.113.9");
      assertThat(asked.required()).containsExactly("invoices:read");
      assertThat(asked.workspace()).isNull();
    }

    @Test
    void authenticate_schemeInOtherCaseAndExtraBlanks_readsToken() {
      FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));

      authenticator(v).authenticate(request("::1", "authorization", "  bEaReR   " + TOKEN + "  "));

      assertThat(v.last.get().token()).isEqualTo(TOKEN);
    }

    @Test
    void authenticate_integrationHeader_passedToValidator() {
      FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));
      RequestAuthenticator auth = RequestAuthenticator.builder().validator(v)
          .integrationHeader("X-Caller").build();

      auth.authenticate(request("::1", "Authorization", "Bearer " + TOKEN, "x-caller", "billing"));

      assertThat(v.last.get().integration()).isEqualTo("billing");
    }

    @Test
    void authenticateIn_workspace_passedToValidator() {
      FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));

      authenticator(v).authenticateIn("ws-9", request("::1", "Authorization", "Bearer " + TOKEN),
          "a", "b");

      assertThat(v.last.get().workspace()).isEqualTo("ws-9");
      assertThat(v.last.get().required()).containsExactly("a", "b");
    }

    @Test
    void authenticate_noAuthorization_401ChallengeWithoutErrorAndValidatorNotAsked() {
      FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));

      AuthResult r = authenticator(v).authenticate(request("::1"), "invoices:read");

      assertThat(r.isAuthenticated()).isFalse();
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.reasonOrNull()).isEqualTo(Reason.MALFORMED);
      assertThat(r.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"api\"");
      assertThat(r.jsonBody()).isEqualTo(NO_CREDENTIALS_BODY);
      assertThat(v.last.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Bearer\u0000x", "Token abc"})
    void authenticate_notBearerCredentials_401WithoutErrorCode(String authorization) {
      FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));

      AuthResult r = authenticator(v).authenticate(request("::1", "Authorization", authorization));

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"api\"");
      assertThat(r.jsonBody()).isEqualTo(NO_CREDENTIALS_BODY);
      assertThat(v.last.get()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = Reason.class, names = {"MALFORMED", "UNKNOWN", "DISABLED", "REVOKED",
        "EXPIRED", "WORKSPACE_MISMATCH"})
    void authenticate_tokenRejected_sameAnswerWhateverTheReason(Reason reason) {
      AuthResult r = authenticator(new FakeValidator(ValidationResult.rejected(reason)))
          .authenticate(request("::1", "Authorization", "Bearer " + TOKEN));

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.reasonOrNull()).isEqualTo(reason);
      assertThat(r.headers()).containsExactlyInAnyOrderEntriesOf(Map.of(
          "WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\"",
          "Content-Type", "application/json; charset=utf-8",
          "Cache-Control", "no-store"));
      assertThat(r.jsonBody()).isEqualTo(INVALID_BODY);
    }

    @Test
    void authenticate_permissionDenied_403InsufficientScopeNamingTheRouteScope() {
      RequestAuthenticator auth = RequestAuthenticator.builder().realm("billing")
          .validator(new FakeValidator(ValidationResult.rejected(Reason.PERMISSION_DENIED)))
          .build();

      AuthResult r = auth.authenticate(request("::1", "Authorization", "Bearer " + TOKEN),
          "invoices:write", "bad name");

      assertThat(r.status()).isEqualTo(403);
      assertThat(r.headers()).containsEntry("WWW-Authenticate",
          "Bearer realm=\"billing\", error=\"insufficient_scope\", scope=\"invoices:write\"");
      assertThat(r.jsonBody()).isEqualTo("{\"error\":\"insufficient_scope\",\"message\":\""
          + Reason.PERMISSION_DENIED.publicMessage() + "\"}");
    }

    @Test
    void authenticate_ipNotAllowed_403WithoutChallenge() {
      AuthResult r = authenticator(new FakeValidator(
          ValidationResult.rejected(Reason.IP_NOT_ALLOWED)))
          .authenticate(request("::1", "Authorization", "Bearer " + TOKEN));

      assertThat(r.status()).isEqualTo(403);
      assertThat(r.headers()).doesNotContainKey("WWW-Authenticate");
      assertThat(r.jsonBody()).contains("\"error\":\"ip_not_allowed\"");
    }

    @Test
    void authenticate_storeUnavailable_503WithRetryAfter() {
      AuthResult r = authenticator(new FakeValidator(ValidationResult.rejected(Reason.UNAVAILABLE)))
          .authenticate(request("::1", "Authorization", "Bearer " + TOKEN));

      assertThat(r.status()).isEqualTo(503);
      assertThat(r.headers()).containsEntry("Retry-After", "5").doesNotContainKey("WWW-Authenticate");
      assertThat(r.jsonBody()).contains("\"error\":\"temporarily_unavailable\"");
    }

    @Test
    void authenticate_adapterThrows_answersInsteadOfThrowing() {
      HttpRequestView broken = new HttpRequestView() {
        @Override
        public String header(String name) {
          throw new IllegalStateException("boom");
        }

        @Override
        public String remoteAddress() {
          throw new IllegalStateException("boom");
        }
      };

      AuthResult r = authenticator(new FakeValidator(new ValidationResult.Valid(principal())))
          .authenticate(broken);

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.clientIp()).isNull();
    }

    @Test
    void authenticate_nullRequest_401() {
      AuthResult r = authenticator(new FakeValidator(new ValidationResult.Valid(principal())))
          .authenticate(null);

      assertThat(r.status()).isEqualTo(401);
    }
  }

  @Nested
  class ClientAddress {
    private final FakeValidator v = new FakeValidator(new ValidationResult.Valid(principal()));

    private @Nullable String clientIp(RequestAuthenticator auth, @Nullable String peer,
        String... headers) {
      String[] all = new String[headers.length + 2];
      all[0] = "Authorization";
      all[1] = "Bearer " + TOKEN;
      System.arraycopy(headers, 0, all, 2, headers.length);
      AuthResult r = auth.authenticate(request(peer, all));
      assertThat(v.last.get().clientIp()).isEqualTo(r.clientIp());
      return r.clientIp();
    }

    @Test
    void clientIp_noTrustedProxies_forwardedForIgnored() {
      assertThat(clientIp(authenticator(v), "198.51.100.7", "X-Forwarded-For", "203.0.113.9"))
          .isEqualTo("198.51.100.7");
    }

    @Test
    void clientIp_peerNotTrusted_forwardedForIgnored() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "198.51.100.7",
          "X-Forwarded-For", "203.0.113.9")).isEqualTo("198.51.100.7");
    }

    @Test
    void clientIp_trustedPeer_rightMostEntry() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3",
          "X-Forwarded-For", "203.0.113.9")).isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_spoofedLeftEntries_skipsOnlyTrustedProxiesFromTheRight() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8", "192.0.2.1"), "10.1.2.3",
          "X-Forwarded-For", "1.1.1.1, 203.0.113.9, 192.0.2.1, 10.9.9.9"))
          .isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_severalHeaderLines_readAsOneListFromTheRight() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3",
          "X-Forwarded-For", "1.1.1.1", "x-forwarded-for", "203.0.113.9"))
          .isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_everyHopTrusted_leftMostEntry() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3",
          "X-Forwarded-For", "10.0.0.5,10.0.0.6")).isEqualTo("10.0.0.5");
    }

    @Test
    void clientIp_trustedPeerWithoutHeader_peer() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3")).isEqualTo("10.1.2.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown", "203.0.113.9, not-an-ip", "evil.example.com", "1.2.3.4:99999",
        "[2001:db8::1", "203.0.113.9,", "\u0000"})
    void clientIp_unparsableEntryBeforeTrustedHop_unknown(String forwarded) {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3",
          "X-Forwarded-For", forwarded)).isNull();
    }

    @Test
    void clientIp_portsAndBrackets_removed() {
      RequestAuthenticator auth = authenticator(v, "10.0.0.0/8");
      assertThat(clientIp(auth, "10.1.2.3", "X-Forwarded-For", "203.0.113.9:4711"))
          .isEqualTo("203.0.113.9");
      assertThat(clientIp(auth, "10.1.2.3", "X-Forwarded-For", "[2001:db8::1]:443"))
          .isEqualTo("2001:db8::1");
      assertThat(clientIp(auth, "/10.1.2.3", "X-Forwarded-For", " 2001:db8::2 "))
          .isEqualTo("2001:db8::2");
    }

    @Test
    void clientIp_ipv6PeerWithZone_zoneRemoved() {
      assertThat(clientIp(authenticator(v), "fe80::1%eth0")).isEqualTo("fe80::1");
    }

    @Test
    void clientIp_ipv4MappedPeer_matchesIpv4Proxy() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "::ffff:10.1.2.3",
          "X-Forwarded-For", "203.0.113.9")).isEqualTo("203.0.113.9");
    }

    @Test
    void clientIp_unparsablePeer_unknown() {
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "localhost")).isNull();
      assertThat(clientIp(authenticator(v), null)).isNull();
    }

    @Test
    void clientIp_chainLongerThanLimit_unknown() {
      String chain = String.join(",", java.util.Collections.nCopies(
          RequestAuthenticator.MAX_FORWARDED_HOPS + 1, "10.0.0.1"));
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3", "X-Forwarded-For", chain))
          .isNull();
    }

    @Test
    void clientIp_hugeHeader_noException() {
      String huge = "1".repeat(1_000_000);
      assertThat(clientIp(authenticator(v, "10.0.0.0/8"), "10.1.2.3", "X-Forwarded-For", huge))
          .isNull();
    }
  }

  @Nested
  class Building {
    private final TokenValidator v = new FakeValidator(ValidationResult.rejected(Reason.UNKNOWN));

    @Test
    void trustedProxies_badCidr_namesTheField() {
      assertThatThrownBy(() -> RequestAuthenticator.builder().trustedProxies("10.0.0.0/33"))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo("trustedProxies"))
          .hasMessageContaining("10.0.0.0/33");
    }

    @Test
    void trustedProxies_hostBitsSet_suggestsNetwork() {
      assertThatThrownBy(() -> RequestAuthenticator.builder().trustedProxies("10.0.0.7/8"))
          .hasMessageContaining("did you mean 10.0.0.0/8");
    }

    @Test
    void trustedProxies_hostName_refused() {
      assertThatThrownBy(() -> RequestAuthenticator.builder().trustedProxies("proxy.internal"))
          .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void trustedProxies_canonicalAndDeduplicated() {
      RequestAuthenticator auth = RequestAuthenticator.builder().validator(v)
          .trustedProxies("10.0.0.0/8", " 10.0.0.0/8 ", "2001:DB8:0:0::/32").build();

      assertThat(auth.trustedProxies()).containsExactly("10.0.0.0/8", "2001:db8::/32");
    }

    @Test
    void build_noValidator_namesTheField() {
      assertThatThrownBy(() -> RequestAuthenticator.builder().build())
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo("validator"));
    }

    @Test
    void validator_setTwice_refused() {
      assertThatThrownBy(() -> RequestAuthenticator.builder().validator(v).validator(v))
          .hasMessageContaining("already set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X Caller", "X-Caller:", "Ünicode"})
    void integrationHeader_notAHeaderName_refused(String name) {
      assertThatThrownBy(() -> RequestAuthenticator.builder().integrationHeader(name))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo("integrationHeader"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a\"b", "a\\b", "line\nbreak"})
    void realm_unsafeForAQuotedString_refused(String realm) {
      assertThatThrownBy(() -> RequestAuthenticator.builder().realm(realm))
          .isInstanceOfSatisfying(InvalidArgumentException.class,
              e -> assertThat(e.field()).isEqualTo("realm"));
    }
  }

  /** With the real validator: a revoked token answers exactly like one that never existed. */
  @Nested
  class WithLatchkey {
    @Test
    void authenticate_revokedAndUnknownAndDisabled_indistinguishable() {
      try (Latchkey latchkey = Latchkey.builder().store(new MapStore())
          .hashingKey(HashingKey.generate("k1")).build()) {
        RequestAuthenticator auth = authenticator(latchkey.validator());
        IssuedToken good = latchkey.tokens().issue(NewToken.in("ws").name("good")
            .permission("reports:read", true));
        IssuedToken revoked = latchkey.tokens().issue(NewToken.in("ws").name("revoked"));
        IssuedToken disabled = latchkey.tokens().issue(NewToken.in("ws").name("disabled"));
        IssuedToken deleted = latchkey.tokens().issue(NewToken.in("ws").name("deleted"));
        latchkey.tokens().revoke(revoked.id());
        latchkey.tokens().disable(disabled.id());
        latchkey.tokens().delete(deleted.id());

        AuthResult ok = auth.authenticate(
            request("127.0.0.1", "Authorization", "Bearer " + good.secret()), "reports:read");
        AuthResult denied = auth.authenticate(
            request("127.0.0.1", "Authorization", "Bearer " + good.secret()), "admin:write");
        List<AuthResult> bad = List.of(revoked, disabled, deleted).stream()
            .map(t -> auth.authenticate(request("127.0.0.1", "Authorization",
                "Bearer " + t.secret())))
            .toList();

        assertThat(ok.isAuthenticated()).isTrue();
        assertThat(ok.principalOrNull().id()).isEqualTo(good.id());
        assertThat(denied.status()).isEqualTo(403);
        assertThat(bad).extracting(AuthResult::reasonOrNull)
            .containsExactly(Reason.REVOKED, Reason.DISABLED, Reason.UNKNOWN);
        assertThat(bad).extracting(AuthResult::status).containsOnly(401);
        assertThat(bad).extracting(AuthResult::headers).containsOnly(bad.get(0).headers());
        assertThat(bad).extracting(AuthResult::jsonBody).containsOnly(INVALID_BODY);
      }
    }
  }

  /** The least a store must do for the test above; core cannot depend on store-memory. */
  private static final class MapStore implements TokenStore {
    private final Map<String, TokenRecord> records = new ConcurrentHashMap<>();

    @Override
    public boolean insert(TokenRecord record) {
      return records.putIfAbsent(record.id(), record) == null;
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      return Optional.ofNullable(records.get(id));
    }

    @Override
    public synchronized boolean replace(TokenRecord updated, long expectedVersion) {
      TokenRecord current = records.get(updated.id());
      if (current == null || current.version() != expectedVersion) return false;
      records.put(updated.id(), updated);
      return true;
    }

    @Override
    public boolean delete(String id) {
      return records.remove(id) != null;
    }

    @Override
    public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
      return records.values().stream()
          .filter(r -> r.workspace().equals(workspace))
          .filter(r -> afterId == null || r.id().compareTo(afterId) > 0)
          .sorted(java.util.Comparator.comparing(TokenRecord::id))
          .limit(limit)
          .toList();
    }

    @Override
    public void applyUsage(Collection<UsageUpdate> updates) {}
  }
}
