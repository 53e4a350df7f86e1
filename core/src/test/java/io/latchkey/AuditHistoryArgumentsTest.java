package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * History arguments are checked before the store is asked, and a store that keeps no trail (the
 * SPI default, here the test MapTokenStore) keeps working for changes and says so for history.
 */
class AuditHistoryArgumentsTest {
  final Harness h = Harness.create();

  @AfterEach
  void close() {
    h.close();
  }

  private static void refused(Runnable call, String field) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidArgumentException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void history_badArguments_nameTheField() {
    TokenId id = h.issue("ws", "n").id();
    refused(() -> h.tokens().history(id, null, 0), "limit");
    refused(() -> h.tokens().history(id, null, 1001), "limit");
    refused(() -> h.tokens().history(id, "not a cursor", 10), "cursor");
    refused(() -> h.tokens().history(null, null, 10), "tokenId");
    refused(() -> h.tokens().workspaceHistory(" ", null, 10), "workspace");
    refused(() -> h.tokens().in("ws").workspaceHistory("other", null, 10), "workspace");
  }

  @Test
  void storeWithoutTrail_changesWork_historySaysUnsupported() {
    TokenId id = h.issue("ws", "n").id();
    h.tokens().disable(id);
    h.tokens().delete(id);

    assertThat(h.events).hasSize(3);
    assertThatThrownBy(() -> h.tokens().history(id, null, 10))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("keeps no audit trail");
    assertThatThrownBy(() -> h.tokens().workspaceHistory("ws", null, 10))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void auditRetention_isCheckedAsSet() {
    refused(() -> Latchkey.builder().auditRetention(Duration.ofHours(1)), "auditRetention");
    refused(() -> Latchkey.builder().auditRetention(null), "auditRetention");
    refused(() -> Latchkey.builder().auditRetention(Duration.ofDays(2))
        .auditRetention(Duration.ofDays(3)), "auditRetention");
  }
}
