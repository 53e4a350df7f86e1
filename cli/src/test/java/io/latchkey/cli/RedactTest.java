package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactTest {
  private static final String TOKEN = "lk_0VbqJ0YcXlkD2m1Pq3Vd0abcdefghijklmnopqrstuvwxyzABCDEF3yN";

  @Test
  void secrets_tokenBecomesHint_restUntouched() {
    String s = Redact.secrets("Unmatched argument at index 1: '" + TOKEN + "' in /tmp/a-b/c.txt");

    assertThat(s).doesNotContain(TOKEN).doesNotContain(TOKEN.substring(3, 30))
        .contains("'lk_...F3yN (redacted)'").contains("/tmp/a-b/c.txt");
    assertThat(Redact.isTokenShaped(" " + TOKEN + "\n")).isTrue();
    assertThat(Redact.isTokenShaped("0VbqJ0YcXlkD2m1P")).as("an id").isFalse();
  }

  @Test
  void all_masksStoreCredentialsWhereverTheyAppear() {
    String url = "jdbc:postgresql://app:p%40ss@db.internal/x?password=Other5ecret";
    String trace = "java.net.UnknownHostException: app:p@ss@db.internal\n"
        + "  url jdbc:postgresql://app:p%40ss@db.internal/x?password=Other5ecret";

    String s = Redact.all(trace, url);

    assertThat(s).doesNotContain("p@ss").doesNotContain("p%40ss").doesNotContain("Other5ecret")
        .contains("db.internal");
  }
}
