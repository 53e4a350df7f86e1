package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.internal.DefaultTokenValidator;
import java.util.List;
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
 * A validation that misses the cache, over a real PostgreSQL and a real Redis, beside the bare
 * read of the same record: a primary-key SELECT through the same connection pool, an HGETALL on
 * the same server. Each validation first drops its id from the cache (the validator's own
 * invalidate, as the change feed would), so every one reads the store, decodes the record,
 * compiles it and checks it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms6g", "-Xmx6g"})
public class CacheMissBenchmark {
  static final int TOKENS = 1_000;

  @Param({Backends.POSTGRES, Backends.REDIS})
  public String backend;

  Backends.Backend b;
  Latchkey latchkey;
  DefaultTokenValidator validator;
  ValidationRequest[] requests;
  String[] ids;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    b = Backends.Backend.open(backend);
    latchkey = Fixtures.latchkey(b.store).build();
    validator = (DefaultTokenValidator) latchkey.validator();
    List<String> plaintexts = Fixtures.issue(latchkey.tokens(), TOKENS);
    requests = new ValidationRequest[TOKENS];
    ids = new String[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      requests[i] = Fixtures.request(plaintexts.get(i));
      ids[i] = plaintexts.get(i).substring(Fixtures.PREFIX.length() + 1,
          Fixtures.PREFIX.length() + 17);
      if (!validator.validate(requests[i]).isValid()) {
        throw new IllegalStateException("setup: token " + i + " does not validate");
      }
      b.bareRead(ids[i]);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    latchkey.close();
    b.close();
  }

  @Benchmark
  public ValidationResult latchkeyMiss() {
    int i = next++ % TOKENS;
    validator.invalidate(ids[i]);
    ValidationResult r = validator.validate(requests[i]);
    if (!r.isValid()) throw new IllegalStateException("miss path rejected: " + r.reasonOrNull());
    return r;
  }

  @Benchmark
  public Object bareRead() {
    return b.bareRead(ids[next++ % TOKENS]);
  }
}
