package io.latchkey.benchmarks.http;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The servlet filter over real HTTP on loopback ({@link ServletServer}): the unprotected endpoint,
 * the same behind a no-op filter, and behind {@code LatchkeyFilter}. Latency per request; the
 * ratio is the filter's cost. {@link InterleavedRatios} prints the ratios from one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServletFilterHttpBenchmark {
  ServletServer server;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    server = new ServletServer();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    server.close();
  }

  @Benchmark
  public int unprotected() throws Exception {
    return Http.send(server.open);
  }

  @Benchmark
  public int noopFilter() throws Exception {
    return Http.send(server.noop);
  }

  @Benchmark
  public int latchkeyFilter() throws Exception {
    return Http.send(server.guarded);
  }
}
