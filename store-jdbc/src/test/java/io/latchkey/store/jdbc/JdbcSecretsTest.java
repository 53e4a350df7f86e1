package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.ValidationRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** After issuing, validating and rotating tokens, no table holds a plaintext secret. */
class JdbcSecretsTest {

  @Test
  void dumpEveryTable_afterIssue_containsNoPlaintextSecret() {
    String prefix = SharedPostgres.freshPrefix();
    List<String> secrets = new ArrayList<>();
    try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(SharedPostgres.url())
        .username("postgres").tablePrefix(prefix).build();
         Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
             .hashingKey(HashingKey.generate("k1")).build()) {
      for (int i = 0; i < 5; i++) {
        IssuedToken t = latchkey.tokens().issue(NewToken.in("ws-" + i % 2).name("token " + i)
            .permission("a:read", true).allowIp("203.0.113.0/24").metadata("owner", "team-" + i));
        latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.7")
            .integration("scanner-test"));
        secrets.add(t.secret());
      }
      secrets.add(latchkey.tokens().rotate(latchkey.tokens().list(
          io.latchkey.TokenQuery.in("ws-0")).tokens().get(0).id()).secret());
      latchkey.flushUsage();
    }

    Jdbi jdbi = Jdbi.create(SharedPostgres.url(), "postgres", "");
    List<String> tables = jdbi.withHandle(h -> h.createQuery(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE :p")
        .bind("p", prefix + "%").mapTo(String.class).list());
    assertThat(tables).contains(prefix + "tokens", prefix + "schema_version");
    StringBuilder dump = new StringBuilder();
    for (String table : tables) {
      // Every column as text: bytea renders as \x hex, jsonb as JSON.
      for (Map<String, Object> row : jdbi.withHandle(h -> h.createQuery(
          "SELECT t::text AS row FROM " + table + " t").mapToMap().list())) {
        dump.append(row.get("row")).append('\n');
      }
    }
    assertThat(dump).contains("scanner-test"); // usage reached the table: the dump is real
    for (String secret : secrets) {
      String body = secret.substring("acme_".length());
      String secretPart = body.substring(16, 16 + 33);
      assertThat(dump.toString()).doesNotContain(secret).doesNotContain(secretPart);
    }
  }
}
