package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.micrometer.LatchkeyMetrics;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
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
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The cached validation path with Micrometer meters ({@code on}: {@link LatchkeyMetrics} bound to
 * a {@link SimpleMeterRegistry}) and without ({@code off}: no recorder, nothing wrapped). The target
 * is {@code on} within 5 % of {@code off}.
 *
 * <p>{@link #main} prints the ratio from one command: rounds of one forked JVM per variant,
 * interleaved (off then on, then on then off, ...) so that a change in the machine's load hits
 * both; the ratio is the median of the rounds' ratios, each of medians of 1-s iterations:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.latchkey.benchmarks.MetricsOverheadBenchmark
 *     [--quick] [rounds]</pre>
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

  /** Runs the rounds and prints each round's ratio, the median and the bytes per validation. */
  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int rounds = quick ? 2 : 5;
    for (String a : args) {
      if (a.matches("\\d+")) rounds = Integer.parseInt(a);
    }
    List<Double> ratios = new ArrayList<>();
    List<Double> bytesOff = new ArrayList<>();
    List<Double> bytesOn = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      String first = round % 2 == 0 ? "off" : "on";
      String second = round % 2 == 0 ? "on" : "off";
      double[] a = run(first, quick);
      double[] b = run(second, quick);
      double off = first.equals("off") ? a[0] : b[0];
      double on = first.equals("off") ? b[0] : a[0];
      (first.equals("off") ? bytesOff : bytesOn).add(a[1]);
      (first.equals("off") ? bytesOn : bytesOff).add(b[1]);
      double ratio = off / on; // time per validation, on over off
      ratios.add(ratio);
      System.out.printf(Locale.ROOT,
          "[metrics-overhead] round %d (%s first): off %,.0f ops/s, on %,.0f ops/s, "
              + "on/off time %.3fx%n", round + 1, first, off, on, ratio);
    }
    System.out.printf(Locale.ROOT, "[metrics-overhead] cached validate with LatchkeyMetrics bound"
            + " / without a recorder: %.3fx (median of %d interleaved rounds; each round's ratio:"
            + " %s); target <= 1.05x%n", median(ratios), rounds, format(ratios));
    System.out.printf(Locale.ROOT, "[metrics-overhead] allocation per validation: off %.1f B/op,"
        + " on %.1f B/op (medians)%n", median(bytesOff), median(bytesOn));
  }

  /** One forked JVM of one variant: {ops/s median over iterations, B/op median}. */
  private static double[] run(String variant, boolean quick) throws Exception {
    OptionsBuilder o = new OptionsBuilder();
    o.include(MetricsOverheadBenchmark.class.getName() + ".validate")
        .param("metrics", variant)
        .forks(1)
        .threads(1)
        .jvmArgsAppend(RatioTable.JVM_ARGS)
        .addProfiler(GCProfiler.class)
        .verbosity(VerboseMode.SILENT);
    if (quick) o.warmupIterations(2).measurementIterations(3);
    Collection<RunResult> results = new Runner(o.build()).run();
    List<Double> ops = new ArrayList<>();
    List<Double> bytes = new ArrayList<>();
    for (RunResult r : results) {
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult i : b.getIterationResults()) {
          ops.add(i.getPrimaryResult().getScore());
          Result<?> alloc = i.getSecondaryResults().get("gc.alloc.rate.norm");
          if (alloc != null) bytes.add(alloc.getScore());
        }
      }
    }
    return new double[] {median(ops), bytes.isEmpty() ? Double.NaN : median(bytes)};
  }

  private static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    v.sort(null);
    int n = v.size();
    if (n == 0) return Double.NaN;
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static String format(List<Double> values) {
    StringBuilder sb = new StringBuilder();
    for (double d : values) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(String.format(Locale.ROOT, "%.3f", d));
    }
    return sb.toString();
  }
}
