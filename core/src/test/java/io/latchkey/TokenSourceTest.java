package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenSourceTest {
  private static final String TOKEN = "lk_0000000000000000secretsecretsecretsecretsecret000000";

  private static final class RecordingValidator implements TokenValidator {
    final AtomicReference<@Nullable ValidationRequest> last = new AtomicReference<>();

    @Override
    public ValidationResult validate(ValidationRequest request) {
      last.set(request);
      Instant now = Instant.parse("2025-01-01T00:00:00Z");
      return new ValidationResult.Valid(new Token(TokenId.of("0000000000000000"), "ws", "billing",
          "", "lk_...0000", TokenState.ACTIVE, Map.of(), List.of(), Map.of(), now, "alice", now,
          now.plusSeconds(3600), null, null, null));
    }
  }

  private static HttpRequestView request(String... headerPairs) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.computeIfAbsent(headerPairs[i], k -> new ArrayList<>()).add(headerPairs[i + 1]);
    }
    return HttpRequestView.of(headers, "203.0.113.9");
  }

  @Test
  void bearer_readsTokenOfAuthorizationHeader() {
    assertThat(TokenSource.BEARER.token(request("authorization", "bearer \t" + TOKEN + " ")))
        .isEqualTo(TOKEN);
    assertThat(TokenSource.BEARER.token(request("Authorization", "Basic abc"))).isNull();
    assertThat(TokenSource.BEARER.token(request("X-API-Key", TOKEN))).isNull();
  }

  @Test
  void header_readsWholeValueStripped() {
    TokenSource source = TokenSource.header("X-API-Key");

    assertThat(source.token(request("x-api-key", "  " + TOKEN + " "))).isEqualTo(TOKEN);
    assertThat(source.token(request("X-API-Key", "   "))).isNull();
    assertThat(source.token(request("Authorization", "Bearer " + TOKEN))).isNull();
    assertThat(source).hasToString("TokenSource.header(X-API-Key)");
  }

  @Test
  void header_authorization_isBearer() {
    assertThat(TokenSource.header("authorization")).isSameAs(TokenSource.BEARER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "X API Key", "X-Key:", "Ключ"})
  void header_notAHeaderName_namesTheField(String name) {
    assertThatThrownBy(() -> TokenSource.header(name))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("tokenHeader");
  }

  @Test
  void authenticator_defaultSource_isBearer() {
    RequestAuthenticator auth = RequestAuthenticator.builder()
        .validator(new RecordingValidator()).build();

    assertThat(auth.tokenSource()).isSameAs(TokenSource.BEARER);
  }

  @Test
  void authenticator_tokenHeader_validatesThatHeaderAndIgnoresAuthorization() {
    RecordingValidator v = new RecordingValidator();
    RequestAuthenticator auth = RequestAuthenticator.builder().validator(v)
        .tokenHeader("X-API-Key").build();

    AuthResult ok = auth.authenticate(request("X-API-Key", TOKEN));
    AuthResult none = auth.authenticate(request("Authorization", "Bearer " + TOKEN));

    assertThat(ok.isAuthenticated()).isTrue();
    assertThat(v.last.get().token()).isEqualTo(TOKEN);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"api\"");
  }

  @Test
  void authenticator_hostFunction_used() {
    RecordingValidator v = new RecordingValidator();
    RequestAuthenticator auth = RequestAuthenticator.builder().validator(v)
        .tokenSource(r -> r.header("Cookie") == null ? null : TOKEN).build();

    assertThat(auth.authenticate(request("Cookie", "k=v")).isAuthenticated()).isTrue();
    assertThat(auth.authenticate(request()).status()).isEqualTo(401);
  }

  @Test
  void authenticator_sourceThrows_noCredentials401() {
    RequestAuthenticator auth = RequestAuthenticator.builder().validator(new RecordingValidator())
        .tokenSource(r -> {
          throw new IllegalStateException("host bug");
        }).build();

    AuthResult r = auth.authenticate(request("Authorization", "Bearer " + TOKEN));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"api\"");
  }

  @Test
  void tokenSource_setTwiceOrNull_refused() {
    RequestAuthenticator.Builder b = RequestAuthenticator.builder().tokenHeader("X-API-Key");

    assertThatThrownBy(() -> b.tokenSource(TokenSource.BEARER))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("tokenSource")
        .hasMessageContaining("X-API-Key");
    assertThatThrownBy(() -> RequestAuthenticator.builder().tokenSource(null))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("tokenSource");
  }

  @Test
  void insufficientScope_sameAnswerAsAPermissionRefusal() {
    RequestAuthenticator auth = RequestAuthenticator.builder()
        .validator(new RecordingValidator()).build();

    AuthResult r = auth.insufficientScope("invoices:write");
    AuthResult unknownScope = auth.insufficientScope();

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.headers()).containsEntry("WWW-Authenticate",
        "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"invoices:write\"");
    assertThat(r.jsonBody()).startsWith("{\"error\":\"insufficient_scope\"");
    assertThat(unknownScope.headers()).containsEntry("WWW-Authenticate",
        "Bearer realm=\"api\", error=\"insufficient_scope\"");
  }
}
