package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged write on H2 file mode survives the process dying right after the call returns:
 * a child JVM inserts and revokes a token, prints the acknowledgement, and halts (no shutdown
 * hook, no close). Without {@code WRITE_DELAY=0} H2 loses nearly every such revocation.
 */
class H2CrashTest {
  private static final int REPETITIONS = 50;
  private static final int DATABASES = 2; // children on different files run in parallel

  @TempDir Path dir;

  @Test
  void acknowledgedWrites_surviveHalt() throws Exception {
    List<CompletableFuture<List<String>>> runs = new ArrayList<>();
    for (int db = 0; db < DATABASES; db++) {
      String url = "jdbc:h2:file:" + dir.resolve("crash" + db).toString().replace('\\', '/');
      JdbcTokenStore.create(url).close(); // tables first, so each child starts fast
      int first = db * (REPETITIONS / DATABASES);
      runs.add(CompletableFuture.supplyAsync(() -> crashRepeatedly(url, first,
          REPETITIONS / DATABASES)));
    }
    int checked = 0;
    List<String> lost = new ArrayList<>();
    for (int db = 0; db < DATABASES; db++) {
      List<String> acknowledged = runs.get(db).get(5, TimeUnit.MINUTES);
      String url = "jdbc:h2:file:" + dir.resolve("crash" + db).toString().replace('\\', '/');
      try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
        for (String id : acknowledged) {
          Optional<TokenRecord> r = store.find(id);
          if (r.isEmpty() || r.get().state() != StoredState.REVOKED) lost.add(id);
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(REPETITIONS);
    assertThat(lost).as("acknowledged but lost after a crash").isEmpty();
  }

  /** Runs the child again and again on one database; the ids it acknowledged. */
  private static List<String> crashRepeatedly(String url, int first, int times) {
    List<String> acknowledged = new ArrayList<>();
    for (int i = first; i < first + times; i++) {
      String id = String.format("crash%011d", i);
      String out = runChild(url, id);
      assertThat(out).as("child output").contains("ACK " + id);
      acknowledged.add(id);
    }
    return acknowledged;
  }

  private static String runChild(String url, String id) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
        H2CrashChild.class.getName(), url, id).redirectErrorStream(true);
    try {
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("child did not finish");
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
