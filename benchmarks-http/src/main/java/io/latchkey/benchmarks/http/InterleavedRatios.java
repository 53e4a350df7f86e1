package io.latchkey.benchmarks.http;

import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every ratio of issue 14's performance section from one run, in one JVM: the servlet filter
 * against the same endpoint unprotected (and against a no-op filter, what any filter costs in
 * Tomcat), Spring Security with Latchkey against the same endpoint {@code permitAll} and against
 * Spring Security's JWT resource server (HS256, Nimbus). Requests to the variants are interleaved
 * one by one, in an order shuffled every round, so a change in the machine's load reaches every
 * variant alike; a ratio is of medians of per-request latencies, and the spread is the lowest and
 * highest ratio over five consecutive slices of the run. Then, one variant at a time, the bytes
 * the server's threads ({@code http-nio-*}) allocate per request.
 *
 * <pre>
 * mvn -B -q -pl benchmarks-http -am package -DskipTests
 * java -cp "benchmarks-http/target/benchmarks-http.jar:benchmarks-http/target/lib/*" \
 *     io.latchkey.benchmarks.http.InterleavedRatios [--quick]
 * </pre>
 */
public final class InterleavedRatios {
  private static final int SLICES = 5;

  private record Variant(String name, HttpRequest request) {}

  private InterleavedRatios() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    long warmupNanos = (quick ? 10L : 30L) * 1_000_000_000L;
    long measureNanos = (quick ? 20L : 120L) * 1_000_000_000L;
    int allocationRequests = quick ? 2_000 : 10_000;
    try (ServletServer servlet = new ServletServer(); SpringServer spring = new SpringServer()) {
      Variant[] variants = {
          new Variant("servlet: unprotected", servlet.open),
          new Variant("servlet: no-op filter", servlet.noop),
          new Variant("servlet: LatchkeyFilter", servlet.guarded),
          new Variant("spring: permitAll", spring.open),
          new Variant("spring: Latchkey", spring.latchkey),
          new Variant("spring: JWT HS256", spring.jwt),
      };
      System.out.printf(Locale.ROOT, "[interleaved] warm-up %d s, then %d s measured, %d"
          + " variants interleaved request by request (JDK %s, %d CPUs)%n", warmupNanos / 1_000_000_000L,
          measureNanos / 1_000_000_000L, variants.length, System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors());
      run(variants, warmupNanos);
      long[][] samples = run(variants, measureNanos);

      System.out.println();
      System.out.println("| variant | requests | p50 µs | p90 µs |");
      System.out.println("|---|---:|---:|---:|");
      for (int v = 0; v < variants.length; v++) {
        long[] s = samples[v].clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f |%n", variants[v].name, s.length,
            s[s.length / 2] / 1e3, s[(int) (s.length * 0.9)] / 1e3);
      }
      System.out.println();
      System.out.println("| measure | ratio of p50s | spread over " + SLICES
          + " slices | target |");
      System.out.println("|---|---:|---|---|");
      ratio(samples, variants, 2, 0, "≤ 1.10×");
      ratio(samples, variants, 1, 0, "— (any filter)");
      ratio(samples, variants, 2, 1, "—");
      ratio(samples, variants, 4, 3, "—");
      ratio(samples, variants, 4, 5, "< 1×");
      ratio(samples, variants, 5, 3, "—");

      System.out.println();
      System.out.println("| variant | server allocation, B/request (min of 3 × "
          + allocationRequests + ") | over its baseline |");
      System.out.println("|---|---:|---:|");
      double[] bytes = new double[variants.length];
      for (int v = 0; v < variants.length; v++) {
        bytes[v] = allocationPerRequest(variants[v].request, allocationRequests);
      }
      for (int v = 0; v < variants.length; v++) {
        int baseline = v < 3 ? 0 : 3;
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %s |%n", variants[v].name, bytes[v],
            v == baseline ? "—" : String.format(Locale.ROOT, "%+,.0f", bytes[v] - bytes[baseline]));
      }
    }
    System.exit(0);
  }

  /** Sends one request to each variant per round, in a shuffled order, until the time is up. */
  private static long[][] run(Variant[] variants, long nanos) throws Exception {
    int n = variants.length;
    List<long[]> rounds = new ArrayList<>();
    long end = System.nanoTime() + nanos;
    java.util.Random random = new java.util.Random(14);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    while (System.nanoTime() < end) {
      // A fresh order every round: no variant always follows the same one (a request right after
      // a heavy one pays for caches that one evicted).
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      long[] latencies = new long[n];
      for (int k = 0; k < n; k++) {
        int v = order[k];
        long start = System.nanoTime();
        Http.send(variants[v].request);
        latencies[v] = System.nanoTime() - start;
      }
      rounds.add(latencies);
    }
    long[][] samples = new long[n][rounds.size()];
    for (int r = 0; r < rounds.size(); r++) {
      for (int v = 0; v < n; v++) samples[v][r] = rounds.get(r)[v];
    }
    return samples;
  }

  private static void ratio(long[][] samples, Variant[] variants, int of, int over,
      String target) {
    double all = median(samples[of], 0, samples[of].length)
        / median(samples[over], 0, samples[over].length);
    int len = samples[of].length;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (int s = 0; s < SLICES; s++) {
      int from = len * s / SLICES;
      int to = len * (s + 1) / SLICES;
      double r = median(samples[of], from, to) / median(samples[over], from, to);
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    System.out.printf(Locale.ROOT, "| %s / %s | %.3f× | %.3f×–%.3f× | %s |%n", variants[of].name,
        variants[over].name, all, lo, hi, target);
  }

  private static double median(long[] values, int from, int to) {
    long[] s = Arrays.copyOfRange(values, from, to);
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  }

  /**
   * Bytes allocated by the server's threads per request of one variant: the least of three
   * batches (a batch that met a background task of Tomcat's counts more, never less).
   */
  private static double allocationPerRequest(HttpRequest request, int requests) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < requests / 4; i++) Http.send(request);
    double best = Double.MAX_VALUE;
    for (int batch = 0; batch < 3; batch++) {
      long before = serverAllocated(threads);
      for (int i = 0; i < requests; i++) Http.send(request);
      long after = serverAllocated(threads);
      best = Math.min(best, (after - before) / (double) requests);
    }
    return best;
  }

  /** Bytes allocated so far by Tomcat's connector threads (acceptor, poller, workers). */
  private static long serverAllocated(com.sun.management.ThreadMXBean threads) {
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!t.getName().startsWith("http-nio")) continue;
      long b = threads.getThreadAllocatedBytes(t.getId());
      if (b > 0) sum += b;
    }
    return sum;
  }
}
