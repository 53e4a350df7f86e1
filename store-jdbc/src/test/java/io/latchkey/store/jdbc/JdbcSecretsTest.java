package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.TokenQuery;
import io.latchkey.ValidationRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Clob;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** After issuing, validating and rotating tokens, no table holds a plaintext secret. */
class JdbcSecretsTest {

  @ParameterizedTest
  @EnumSource(Backend.class)
  void dumpEveryTable_afterIssueValidateRotate_containsNoPlaintextSecret(Backend backend)
      throws SQLException {
    Backend.Opened db = backend.open();
    List<String> secrets = new ArrayList<>();
    try (JdbcTokenStore store = db.builder().build();
         Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
             .hashingKey(HashingKey.generate("k1")).build()) {
      for (int i = 0; i < 5; i++) {
        IssuedToken t = latchkey.tokens().issue(NewToken.in("ws-" + i % 2).name("token " + i)
            .permission("a:read", true).allowIp("203.0.113.0/24").metadata("owner", "team-" + i));
        latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.7")
            .integration("scanner-test"));
        secrets.add(t.secret());
      }
      secrets.add(latchkey.tokens().rotate(
          latchkey.tokens().list(TokenQuery.in("ws-0")).tokens().get(0).id()).secret());
      latchkey.flushUsage();
    }

    String dump = dump(db.sql(), db.prefix());
    assertThat(dump).contains("scanner-test", "team-3"); // usage and metadata: the dump is real
    for (String secret : secrets) {
      String secretPart = secret.substring("acme_".length() + 16, "acme_".length() + 16 + 33);
      assertThat(dump).doesNotContain(secret).doesNotContain(secretPart)
          .doesNotContain(HexFormat.of().formatHex(secretPart.getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /** Every row of every table with the prefix, every column as text; bytes as hex and raw. */
  private static String dump(Jdbi jdbi, String prefix) throws SQLException {
    return jdbi.withHandle(h -> {
      List<String> tables = h.createQuery("SELECT table_name FROM information_schema.tables "
              + "WHERE LOWER(table_name) LIKE ?")
          .bind(0, prefix + "%").mapTo(String.class).list();
      assertThat(tables).extracting(t -> t.toLowerCase(Locale.ROOT))
          .contains(prefix + "tokens", prefix + "schema_version");
      StringBuilder out = new StringBuilder();
      for (String table : tables) {
        for (Map<String, Object> row : h.createQuery("SELECT * FROM " + table).mapToMap().list()) {
          for (Object value : row.values()) out.append(render(value)).append('\t');
          out.append('\n');
        }
      }
      return out.toString();
    });
  }

  private static String render(Object value) throws SQLException {
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes) + " " + new String(bytes, StandardCharsets.ISO_8859_1);
    }
    if (value instanceof Clob clob) return clob.getSubString(1, (int) clob.length());
    return String.valueOf(value);
  }
}
