package io.latchkey.benchmarks;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.store.jdbc.JdbcTokenStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a durable commit costs on H2's file mode: one state change ({@code replace}, as disable or
 * revoke does) through {@link JdbcTokenStore}, with {@code WRITE_DELAY} 0 (what the store sets:
 * written to the file before the call returns) against H2's default 500 ms (set back behind the
 * store's back, for comparison only). Run alone:
 * {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main H2WriteBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class H2WriteBenchmark {
  @Param({"0", "500"})
  public int writeDelayMillis;

  Path dir;
  String url;
  JdbcTokenStore store;
  Connection admin;
  TokenRecord current;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("h2-write-benchmark");
    url = "jdbc:h2:file:" + dir.resolve("db").toString().replace('\\', '/');
    store = JdbcTokenStore.builder().jdbcUrl(url).maximumPoolSize(1).build();
    admin = DriverManager.getConnection(url);
    try (Statement st = admin.createStatement()) {
      st.execute("SET WRITE_DELAY " + writeDelayMillis);
    }
    Instant now = Instant.now();
    current = TokenRecord.builder().id("0000000000000001").workspace("ws").name("n")
        .hint("lk_...abcd").keyId("k1").hash(new byte[32]).state(StoredState.ACTIVE)
        .permissions(Map.of("a:read", true)).allowedIps(List.of()).metadata(Map.of())
        .createdAt(now).createdBy("bench").updatedAt(now).expiresAt(now.plusSeconds(86_400))
        .version(1).build();
    if (!store.insert(current)) throw new IllegalStateException("insert refused");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    admin.close();
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Disable, then enable, and so on: one committed UPDATE per call. */
  @Benchmark
  public boolean stateChange() {
    TokenRecord next = current.toBuilder()
        .state(current.state() == StoredState.ACTIVE ? StoredState.DISABLED : StoredState.ACTIVE)
        .version(current.version() + 1).build();
    if (!store.replace(next, current.version())) throw new IllegalStateException("lost CAS");
    current = next;
    return true;
  }
}
