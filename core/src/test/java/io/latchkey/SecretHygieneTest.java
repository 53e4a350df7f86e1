package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No toString or message shows a token's plaintext, its secret part, or its hash. */
class SecretHygieneTest {

  static List<String> renderings(IssuedToken t) throws Exception {
    String secret = t.secret();
    byte[] hash = Harness.hmac(Harness.K1, secret, "lk");
    List<String> out = new ArrayList<>();
    out.add(secret);
    out.add(secret.substring(3 + 16, 3 + 16 + 33)); // the secret part alone
    out.add(secret.substring(3 + 16, 3 + 16 + 12)); // a good slice of it
    out.add(Base64.getEncoder().encodeToString(hash));
    out.add(Base64.getEncoder().withoutPadding().encodeToString(hash));
    out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
    out.add(HexFormat.of().formatHex(hash));
    out.add(HexFormat.of().withUpperCase().formatHex(hash));
    out.add(Arrays.toString(hash));
    return out;
  }

  static void assertHides(String text, List<String> secrets) {
    for (String s : secrets) assertThat(text).doesNotContain(s);
  }

  @Test
  void toString_ofEveryValueAroundATokenHidesItsSecretAndHash() throws Exception {
    try (Harness h = Harness.create()) {
      NewToken spec = NewToken.in("ws").name("n").permission("read", true).allowIp("10.0.0.0/8")
          .metadata("k", "v").description("d");
      IssuedToken t = h.issue(spec);
      List<String> secrets = renderings(t);
      TokenRecord record = h.record(t.id());
      assertThat(record.hash()).hasSize(32);
      ValidationRequest request = ValidationRequest.of(t.secret()).clientIp("10.0.0.1")
          .integration("i").workspace("ws").require("read");
      ValidationResult valid = h.validator().validate(request);
      assertThat(valid.isValid()).isTrue();
      h.tokens().disable(t.id());
      h.validator().validate(request);

      List<String> texts = new ArrayList<>(List.of(spec.toString(), t.toString(),
          t.token().toString(), record.toString(), request.toString(), valid.toString(),
          h.tokens().get(t.id()).toString(), h.tokens().list(TokenQuery.in("ws")).toString(),
          h.store.all().toString()));
      h.events.forEach(e -> texts.add(e.toString()));
      for (String text : texts) assertHides(text, secrets);
      assertThat(request.toString()).contains("token=<hidden>");
      assertThat(record.toString()).contains("keyId=k1").doesNotContain("hash");
    }
  }

  @Test
  void exceptions_neverEchoAToken() throws Exception {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "n");
      List<String> secrets = renderings(t);
      h.tokens().revoke(t.id());
      List<Throwable> thrown = new ArrayList<>();
      thrown.add(catchIt(() -> TokenId.of(t.secret())));
      thrown.add(catchIt(() -> TokenQuery.in("ws").after(t.secret())));
      thrown.add(catchIt(() -> NewToken.in(t.secret() + " ")));
      thrown.add(catchIt(() -> h.tokens().enable(t.id())));
      thrown.add(catchIt(() -> h.tokens().rotate(t.id(), Duration.ofHours(1))));
      thrown.add(catchIt(() -> HashingKey.fromBase64("k1", t.secret() + "!")));
      for (Throwable e : thrown) {
        assertThat(e).isInstanceOf(LatchkeyException.class);
        assertHides(String.valueOf(e), secrets);
      }
    }
  }

  private static Throwable catchIt(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    List<Throwable> caught = new ArrayList<>();
    assertThatThrownBy(call).satisfies(caught::add);
    return caught.get(0);
  }
}
