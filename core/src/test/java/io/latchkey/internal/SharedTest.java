package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.ForwardingStore;
import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.MapTokenStore;
import io.latchkey.NewToken;
import io.latchkey.Token;
import io.latchkey.ValidationRequest;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cached entries share the values many tokens hold equal copies of, in a bounded table. */
class SharedTest {

  @Test
  void cachedPrincipals_ofTokensWithEqualValues_holdOneInstanceOfEach() {
    try (Latchkey l = Latchkey.builder().store(new MapTokenStore())
        .hashingKey(HashingKey.generate("k1")).build()) {
      List<Token> principals = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        String secret = l.tokens().issue(NewToken.in(new String("ws-shared")).name("t" + i)
            .description(new String("for the billing jobs")).createdBy(new String("ci"))
            .permission(new String("invoices:read"), true).permission("admin", false)
            .allowIp("10.0.0.0/8").metadata("team", new String("billing"))).secret();
        principals.add(l.validator().validate(ValidationRequest.of(secret).clientIp("10.1.2.3"))
            .token().orElseThrow());
      }
      Token a = principals.get(0);
      Token b = principals.get(1);
      assertThat(b.permissions()).isEqualTo(a.permissions()).isSameAs(a.permissions());
      assertThat(b.workspace()).isSameAs(a.workspace());
      assertThat(b.description()).isSameAs(a.description());
      assertThat(b.createdBy()).isSameAs(a.createdBy());
      assertThat(b.allowedIps()).isSameAs(a.allowedIps());
      assertThat(b.metadata()).isSameAs(a.metadata());
      assertThat(a.createdAt()).isSameAs(a.updatedAt()).as("one instant for a token never changed");
      assertThat(b.name()).isNotEqualTo(a.name());
    }
  }

  @Test
  void aCachedEntry_keepsOneIdString_theKeys_notTheCopyARecordReadBrings() {
    MapTokenStore backing = new MapTokenStore();
    List<String> readIds = new ArrayList<>(); // every id string a read returned, as a row decodes
    TokenStore decoding = new ForwardingStore(backing) {
      @Override
      public Optional<TokenRecord> find(String id) {
        return backing.find(id).map(r -> {
          String copy = new String(r.id().toCharArray());
          synchronized (readIds) {
            readIds.add(copy);
          }
          return r.toBuilder().id(copy).build();
        });
      }
    };
    try (Latchkey l = Latchkey.builder().store(decoding).hashingKey(HashingKey.generate("k1"))
        .build()) {
      IssuedToken t = l.tokens().issue(NewToken.in("acme").name("ci"));
      assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
      CompiledToken entry = ((DefaultTokenValidator) l.validator()).cached(t.id().value());
      assertThat(entry).isNotNull();
      assertThat(readIds).isNotEmpty();
      for (String read : readIds) assertThat(entry.id).isNotSameAs(read);
      assertThat(entry.valid.principal().id().value()).isSameAs(entry.id);
      assertThat(entry.usage.tokenId).isSameAs(entry.id);
    }
  }

  @Test
  void theTable_startsOverWhenFull_andKeepsNoLargeValue() {
    Shared shared = new Shared();
    for (int i = 0; i <= Shared.LIMIT; i++) shared.of("value-" + i);
    assertThat(shared.size()).isBetween(1, Shared.LIMIT);

    String large = "x".repeat((int) (Shared.MAX_CHARS / 32));
    assertThat(shared.of(large)).isSameAs(large);
    assertThat(shared.of(new String(large))).as("not shared").isNotSameAs(large);

    Map<String, Boolean> m = Map.of("a", true);
    assertThat(shared.of(Map.copyOf(Map.of("a", true)))).isSameAs(shared.of(m));
  }
}
