package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.micrometer.LatchkeyMetrics;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
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
 * The cached validation path with Micrometer meters ({@code on}: {@link LatchkeyMetrics} bound to
 * a {@link SimpleMeterRegistry}) and without ({@code off}: no recorder, nothing wrapped). The target
 * is {@code on} within 5 % of {@code off}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(1)
public class MetricsOverheadBenchmark {
  @Param({"off", "on"})
  public String metrics;

  InMemoryTokenStore store;
  Latchkey latchkey;
  ValidationRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    store = new InMemoryTokenStore();
    Latchkey.Builder b = Fixtures.latchkey(store).cacheTtl(Duration.ofHours(1))
        .usageFlushInterval(Duration.ofHours(1));
    if (metrics.equals("on")) {
      LatchkeyMetrics m = new LatchkeyMetrics();
      m.bindTo(new SimpleMeterRegistry());
      b.metrics(m);
    }
    latchkey = b.build();
    request = Fixtures.request(Fixtures.issue(latchkey.tokens(), 1).get(0));
    if (!latchkey.validator().validate(request).isValid()) {
      throw new IllegalStateException("setup: token does not validate");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    latchkey.close();
    store.close();
  }

  @Benchmark
  public ValidationResult validate() {
    return latchkey.validator().validate(request);
  }
}
