package io.latchkey.benchmarks;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The whole suite in one command, printed as a table of ratios ready for the README:
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar [--quick]</pre>
 *
 * <p>{@code --quick} runs only the cached path against both floors (one thread: the same token in
 * two forks, random of 1M in {@link #RANDOM_ROUNDS} rounds of one fork each; two threads in one
 * fork; 2 warm-up and 3 measured iterations, 3 and 3 for random of 1M), {@code HasherBenchmark},
 * the cached pair of {@code LegacyKeyBenchmark} and the virtual-thread case, without PostgreSQL
 * and Redis, and prints every ratio of issues #12.6, #16 and #17.
 *
 * <p>Starts one PostgreSQL and one Redis, runs every JMH benchmark in forked JVMs with a fixed,
 * pre-touched heap and the GC profiler (for bytes per operation), runs the cached path again on two
 * threads, then measures revocation propagation between two instances, and prints the table. The
 * JMH log goes to {@code benchmarks/target/jmh.log} (or {@code jmh.log} outside a checkout).
 */
public final class RatioTable {
  static final String[] JVM_ARGS = {"-XX:+AlwaysPreTouch", "-Xms6g", "-Xmx6g"};
  static final int REVOCATIONS = 1_000;
  /** Rounds of alternated forks for random of 1M ({@link #runOneThread}). */
  static final int RANDOM_ROUNDS = 3;

  private final List<RunResult> results = new ArrayList<>();
  /** The results of each round of random of 1M, in order. */
  private final List<List<RunResult>> rounds = new ArrayList<>();

  private RatioTable() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    RatioTable t = new RatioTable();
    long started = System.nanoTime();
    File log = new File("benchmarks/target").isDirectory() ? new File("benchmarks/target/jmh.log")
        : new File("jmh.log");
    log.delete();
    List<String> jvmArgs = new ArrayList<>(List.of(JVM_ARGS));
    if (quick) {
      step("quick: cached validate and floor, one thread (log: " + log + ")");
      t.runOneThread(jvmArgs, log, true);
      step("quick: cached validate and floor, two threads");
      t.run(new OptionsBuilder()
          .include(CachedValidateBenchmark.class.getSimpleName() + ".(latchkey|floor)$")
          .warmupIterations(2).measurementIterations(3)
          .threads(2), jvmArgs, log);
      t.runLegacy(log, true);
      String vt = t.runVirtualThreads(log, true);
      System.out.println();
      System.out.println(t.quickTable(vt, (System.nanoTime() - started) / 1e9));
      System.exit(0);
    }
    String postgres = Backends.postgresUrl();
    String redis = Backends.redisUri();
    jvmArgs.add("-D" + Backends.POSTGRES_PROPERTY + "=" + postgres);
    jvmArgs.add("-D" + Backends.REDIS_PROPERTY + "=" + redis);

    step("single thread: cached validate and floor (log: " + log + ")");
    t.runOneThread(jvmArgs, log, false);
    step("single thread: JWT, bcrypt, cache miss");
    t.run(new OptionsBuilder()
        .include(JwtHs256Benchmark.class.getSimpleName())
        .include(BcryptApiKeyBenchmark.class.getSimpleName())
        .include(CacheMissBenchmark.class.getSimpleName())
        .threads(1), jvmArgs, log);
    step("two threads: cached validate and floor");
    t.run(new OptionsBuilder()
        .include(CachedValidateBenchmark.class.getSimpleName())
        .threads(2), jvmArgs, log);
    t.runLegacy(log, false);
    String vt = t.runVirtualThreads(log, false);
    step("revocation propagation, " + REVOCATIONS + " revocations per backend");
    Propagation.Result pg = Propagation.measure(Backends.POSTGRES, REVOCATIONS);
    Propagation.Result rd = Propagation.measure(Backends.REDIS, REVOCATIONS);

    System.out.println();
    System.out.println(t.table(pg, rd, vt, (System.nanoTime() - started) / 1e9));
    System.exit(0); // the embedded servers stop in shutdown hooks
  }

  /**
   * The cached path on one thread. The same token, and {@code HasherBenchmark}, in two forks;
   * random of 1M in {@link #RANDOM_ROUNDS} rounds of one fork per benchmark, the floor and ours
   * alternated: over a million tokens a fork's score moves by about ±10 % with where its objects
   * land in the heap (ratios from 1.04× to 1.71× on one build in one day), more than the margin of
   * the 1.3× target, and forks minutes apart also see the machine change under them. The ratio is
   * then of the medians of every round's iterations, and the table shows each round's own.
   */
  private void runOneThread(List<String> jvmArgs, File log, boolean quick)
      throws Exception {
    String cv = CachedValidateBenchmark.class.getSimpleName();
    ChainedOptionsBuilder same = new OptionsBuilder()
        .include(cv).include(HasherBenchmark.class.getSimpleName())
        .param("tokens", "same").threads(1);
    if (quick) same = same.warmupIterations(2).measurementIterations(3);
    run(same, 2, jvmArgs, log);
    for (int round = 1; round <= RANDOM_ROUNDS; round++) {
      step("random of 1M, round " + round + " of " + RANDOM_ROUNDS);
      // The first round runs every cached benchmark; later ones only ours and the floor.
      ChainedOptionsBuilder random = new OptionsBuilder()
          .include(round == 1 ? cv : cv + ".(latchkey|floor)$")
          .param("tokens", "random").threads(1);
      if (quick) random = random.warmupIterations(3).measurementIterations(3);
      int before = results.size();
      run(random, 1, jvmArgs, log);
      rounds.add(new ArrayList<>(results.subList(before, results.size())));
    }
  }

  /**
   * Runs {@link VirtualThreadBenchmark} on a JDK 21+: this one, else {@code $LATCHKEY_BENCH_JDK21}
   * (a {@code java} binary), else the Temurin 25 of this machine if present. Returns the JDK's
   * version, or null if none was found (the rows are then left out).
   */
  private @org.jspecify.annotations.Nullable String runVirtualThreads(File log, boolean quick)
      throws Exception {
    String java = null;
    String version = String.valueOf(Runtime.version().feature());
    if (Runtime.version().feature() < 21) {
      String env = System.getenv("LATCHKEY_BENCH_JDK21");
      java = env != null ? env : "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
      if (!new File(java).canExecute()) {
        step("virtual threads: skipped, no JDK 21+ (set LATCHKEY_BENCH_JDK21 to a java binary)");
        return null;
      }
      version = releaseOf(java);
    }
    step("virtual threads: a fresh one per request (" + version + ")");
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(VirtualThreadBenchmark.class.getSimpleName()).threads(1);
    if (quick) options = options.warmupIterations(2).measurementIterations(3);
    if (java != null) options = options.jvm(java);
    run(options, List.of("-Xms1g", "-Xmx1g"), log);
    return version;
  }

  /**
   * The version a JDK's {@code release} file names ({@code JAVA_VERSION="25.0.1"}), for the {@code
   * java} binary in its {@code bin}; the binary's path if there is no such file.
   */
  private static String releaseOf(String java) {
    try {
      Path release = Path.of(java).toAbsolutePath().getParent().getParent().resolve("release");
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("JAVA_VERSION=")) return line.substring(13).replace("\"", "");
      }
    } catch (Exception e) {
      // no release file: name the binary
    }
    return java;
  }

  /** The cached validation of an upgraded imported key against a native token (issue #16). */
  private void runLegacy(File log, boolean quick) throws Exception {
    step("legacy keys: an upgraded imported key against a native token, cached");
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(LegacyKeyBenchmark.class.getSimpleName() + ".(nativeCached|legacyUpgradedCached)$")
        .threads(1);
    if (quick) options = options.warmupIterations(2).measurementIterations(3);
    run(options, List.of("-Xms1g", "-Xmx1g"), log);
  }

  /** Issue #16: later validations of an upgraded imported key against a native token's. */
  private void legacyRows(StringBuilder sb) {
    String b = "LegacyKeyBenchmark.";
    double nativeSep = ops(b + "nativeCached", 1, "format", "separated");
    double legacySep = ops(b + "legacyUpgradedCached", 1, "format", "separated");
    double nativePat = ops(b + "nativeCached", 1, "format", "pattern");
    double legacyPat = ops(b + "legacyUpgradedCached", 1, "format", "pattern");
    row(sb, "upgraded imported key / native token, cached", nativeSep / legacySep, "≤ 1.10×",
        nativeSep / legacySep <= 1.10, String.format(Locale.ROOT, "LegacyFormat.separated(\".\", 8)"
            + "; with a regex format (LegacyFormat.pattern): %.2f×; %.0f / %.0f B/op",
            nativePat / legacyPat, bytesPerOp(b + "legacyUpgradedCached", "format", "separated"),
            bytesPerOp(b + "nativeCached", "format", "separated")));
  }

  /** Two threads against one, ours and the floor's, on the cached path. */
  private void scalingRows(StringBuilder sb, String cv) {
    double oursSame = ops(cv + "latchkey", 1, "tokens", "same");
    double floorSame = ops(cv + "floor", 1, "tokens", "same");
    double oursRandom = ops(cv + "latchkey", 1, "tokens", "random");
    double floorRandom = ops(cv + "floor", 1, "tokens", "random");
    double oursSame2 = ops(cv + "latchkey", 2, "tokens", "same");
    double oursRandom2 = ops(cv + "latchkey", 2, "tokens", "random");
    double floorSame2 = ops(cv + "floor", 2, "tokens", "same");
    double floorRandom2 = ops(cv + "floor", 2, "tokens", "random");
    row(sb, "2 threads / 1 thread, same token", oursSame2 / oursSame, "≥ 1.6×",
        oursSame2 / oursSame >= 1.6, String.format(Locale.ROOT, "floor: %.2f×",
            floorSame2 / floorSame));
    row(sb, "2 threads / 1 thread, random of 1M", oursRandom2 / oursRandom, "≥ 1.8×",
        oursRandom2 / oursRandom >= 1.8, String.format(Locale.ROOT, "floor: %.2f×",
            floorRandom2 / floorRandom));
  }

  private static void step(String what) {
    System.out.println("[latchkey-bench] " + what);
  }

  private void run(ChainedOptionsBuilder options, List<String> jvmArgs, File log)
      throws Exception {
    run(options, 1, jvmArgs, log);
  }

  private void run(ChainedOptionsBuilder options, int forks, List<String> jvmArgs, File log)
      throws Exception {
    Collection<RunResult> run = new Runner(options
        .forks(forks)
        .jvmArgsAppend(jvmArgs.toArray(new String[0]))
        .addProfiler(GCProfiler.class)
        .output(log.getPath() + ".part")
        .build()).run();
    Path part = Path.of(log.getPath() + ".part");
    Files.writeString(log.toPath(), Files.readString(part), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Files.delete(part);
    results.addAll(run);
  }

  /** Every run of {@code method} (simple class name dot method) with these settings, in order. */
  private List<BenchmarkResult> find(List<RunResult> in, String method, int threads,
      String paramName, String paramValue) {
    List<BenchmarkResult> found = new ArrayList<>();
    for (RunResult r : in) {
      String name = r.getParams().getBenchmark();
      if (!name.endsWith("." + method) || r.getParams().getThreads() != threads) continue;
      if (paramName != null && !paramValue.equals(r.getParams().getParam(paramName))) continue;
      found.addAll(r.getBenchmarkResults());
    }
    if (found.isEmpty()) {
      throw new IllegalStateException("no result for " + method + " " + paramValue);
    }
    return found;
  }

  /**
   * Operations per second: the median of the measurement iterations, not their mean. On a shared
   * two-core VM another process now and then takes a core for part of a second; the median keeps
   * one such iteration from moving a ratio.
   */
  private double ops(String method, int threads, String paramName, String paramValue) {
    return ops(results, method, threads, paramName, paramValue);
  }

  /** As above, over the runs {@code in} only (one round of random of 1M). */
  private double ops(List<RunResult> in, String method, int threads, String paramName,
      String paramValue) {
    List<Double> scores = new ArrayList<>();
    for (BenchmarkResult b : find(in, method, threads, paramName, paramValue)) {
      for (IterationResult i : b.getIterationResults()) scores.add(i.getPrimaryResult().getScore());
    }
    return median(scores);
  }

  private static double median(List<Double> values) {
    values.sort(null);
    int n = values.size();
    return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
  }

  /** Each round's ratio of the floor to ours on random of 1M, as "1.13×, 1.25×, 1.33×". */
  private String roundRatios(String cv) {
    List<String> each = new ArrayList<>();
    for (List<RunResult> round : rounds) {
      each.add(String.format(Locale.ROOT, "%.2f×",
          ops(round, cv + "floor", 1, "tokens", "random")
              / ops(round, cv + "latchkey", 1, "tokens", "random")));
    }
    return String.join(", ", each);
  }

  /**
   * Bytes allocated per operation: the median over iterations. The last iteration's window also
   * holds the trial's teardown (closing Latchkey flushes the usage of every token used), which
   * would otherwise dominate the mean.
   */
  private double bytesPerOp(String method, String paramName, String paramValue) {
    List<Double> values = new ArrayList<>();
    for (BenchmarkResult b : find(results, method, 1, paramName, paramValue)) {
      for (IterationResult i : b.getIterationResults()) {
        Result<?> r = i.getSecondaryResults().get("gc.alloc.rate.norm");
        if (r != null) values.add(r.getScore());
      }
    }
    return values.isEmpty() ? Double.NaN : median(values);
  }

  /** The rows of the cached path and the virtual-thread case, from a quick run. */
  private String quickTable(@org.jspecify.annotations.Nullable String vt, double seconds) {
    String cv = "CachedValidateBenchmark.";
    double oursSame = ops(cv + "latchkey", 1, "tokens", "same");
    double floorSame = ops(cv + "floor", 1, "tokens", "same");
    double oursRandom = ops(cv + "latchkey", 1, "tokens", "random");
    double floorRandom = ops(cv + "floor", 1, "tokens", "random");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Latchkey benchmarks (--quick), %s; JDK %s (%s); %d CPUs,"
            + " %s; ratios of medians of 1-s iterations (3 measured, in 2 forks on one thread;"
            + " random of 1M in " + RANDOM_ROUNDS + " rounds of one fork each);"
            + " %.0f s in all.%n%n",
        LocalDate.now(), System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors(),
        cpuModel(), seconds));
    sb.append("| measure | ratio | target | met | measured as |\n");
    sb.append("|---|---:|---|---|---|\n");
    row(sb, "cached validate / floor, same token", floorSame / oursSame, "≤ 0.75×",
        floorSame / oursSame <= 0.75, "one token, every request; Floor computes the HMAC");
    row(sb, "cached validate / floor, random of 1M", floorRandom / oursRandom, "≤ 1.3×",
        floorRandom / oursRandom <= 1.3, "a random one of 1,000,000 cached tokens; by round: "
            + roundRatios(cv));
    verifierRows(sb, cv);
    scalingRows(sb, cv);
    legacyRows(sb);
    allocationRows(sb, cv);
    hasherRow(sb, oursSame);
    virtualThreadRow(sb, vt);
    sb.append(String.format(Locale.ROOT, "%nRaw scores: validate same %s, floor same %s, validate "
            + "random %s, floor random %s per operation.%n", ns(oursSame), ns(floorSame),
        ns(oursRandom), ns(floorRandom)));
    return sb.toString();
  }

  private void allocationRows(StringBuilder sb, String cv) {
    double bSame = bytesPerOp(cv + "latchkey", "tokens", "same");
    double bRandom = bytesPerOp(cv + "latchkey", "tokens", "random");
    // JMH's own bookkeeping shows as a fraction of a byte per operation: below 1 is none.
    sb.append(String.format(Locale.ROOT, "| allocation, cached validate, same token | %.2f B/op "
            + "| 0 B/op | %s | floor: %.0f B/op |%n", bSame, bSame < 1 ? "yes" : "**no**",
        bytesPerOp(cv + "floor", "tokens", "same")));
    sb.append(String.format(Locale.ROOT, "| allocation, cached validate, random of 1M | %.2f B/op "
            + "| 0 B/op | %s | floor: %.0f B/op |%n", bRandom,
        bRandom < 1 ? "yes" : "**no**", bytesPerOp(cv + "floor", "tokens", "random")));
  }

  /** Issue #17: the one-block verifier against both floors, and wrong against right secrets. */
  private void verifierRows(StringBuilder sb, String cv) {
    double oursSame = ops(cv + "latchkey", 1, "tokens", "same");
    double floorOneSame = ops(cv + "floorOneBlock", 1, "tokens", "same");
    double floorOneRandom = ops(cv + "floorOneBlock", 1, "tokens", "random");
    double oursRandom = ops(cv + "latchkey", 1, "tokens", "random");
    double wrongSame = ops(cv + "latchkeyWrongSecret", 1, "tokens", "same");
    double wrongRandom = ops(cv + "latchkeyWrongSecret", 1, "tokens", "random");
    double hmac = ops("HasherBenchmark.pooled", 1, null, null);
    double oneBlock = ops("HasherBenchmark.oneBlock", 1, null, null);
    row(sb, "cached validate / one-block floor, same token", floorOneSame / oursSame, "≤ 1.15×",
        floorOneSame / oursSame <= 1.15, "Floor keeping SHA-256(id ‖ secret), issue #17");
    row(sb, "cached validate / one-block floor, random of 1M", floorOneRandom / oursRandom, "—",
        null, "the same over 1,000,000 tokens");
    row(sb, "wrong secret / valid secret, cached id, same token", wrongSame > 0
        ? oursSame / wrongSame : Double.NaN, "≈ 1×", null, String.format(Locale.ROOT,
        "random of 1M: %.2f×; both compare one block", oursRandom / wrongRandom));
    sb.append(String.format(Locale.ROOT, "| secret check: first validation (HMAC) / later ones "
            + "(one block) | %.2f× | — | — | HMAC %s, one block %s |%n", oneBlock / hmac, ns(hmac),
        ns(oneBlock)));
  }

  /** The pooled hasher against the ThreadLocal one it replaced, and what that adds to the path. */
  private void hasherRow(StringBuilder sb, double oursSame) {
    double pooled = ops("HasherBenchmark.pooled", 1, null, null);
    double threadLocal = ops("HasherBenchmark.threadLocal", 1, null, null);
    double extraNs = 1e9 / pooled - 1e9 / threadLocal;
    double share = extraNs / (1e9 / oursSame);
    sb.append(String.format(Locale.ROOT, "| hash compare, striped pool / ThreadLocal (issue #10) | "
            + "%.2f× | extra cost of the cached path ≤ 5 %% | %s | %+.0f ns of %.0f ns: %+.1f %% |%n",
        threadLocal / pooled, share <= 0.05 ? "yes" : "**no**", extraNs, 1e9 / oursSame,
        100 * share));
  }

  /** Validation on a fresh virtual thread, beyond an empty one: time and bytes per operation. */
  private void virtualThreadRow(StringBuilder sb, @org.jspecify.annotations.Nullable String vt) {
    if (vt == null) return;
    String b = "VirtualThreadBenchmark.";
    double nsValidate = ops(b + "validateOnFreshVirtualThread", 1, null, null);
    double nsEmpty = ops(b + "emptyFreshVirtualThread", 1, null, null);
    double bytes = bytesPerOp(b + "validateOnFreshVirtualThread", null, null)
        - bytesPerOp(b + "emptyFreshVirtualThread", null, null);
    sb.append(String.format(Locale.ROOT, "| cached validate on a fresh virtual thread, beyond an "
            + "empty one | %+.0f B/op, %+.0f ns | 0 B/op | %s | JDK %s; the thread alone: "
            + "%.0f ns |%n", bytes, nsValidate - nsEmpty, bytes < 1 ? "yes" : "**no**", vt,
        nsEmpty));
  }

  private String table(Propagation.Result pg, Propagation.Result rd,
      @org.jspecify.annotations.Nullable String vt, double seconds) {
    String cv = "CachedValidateBenchmark.";
    double oursSame = ops(cv + "latchkey", 1, "tokens", "same");
    double floorSame = ops(cv + "floor", 1, "tokens", "same");
    double oursRandom = ops(cv + "latchkey", 1, "tokens", "random");
    double floorRandom = ops(cv + "floor", 1, "tokens", "random");
    double jwt = ops("JwtHs256Benchmark.jwtHs256", 1, null, null);
    double bcrypt = ops("BcryptApiKeyBenchmark.bcryptCost10", 1, null, null);
    double missPg = ops("CacheMissBenchmark.latchkeyMiss", 1, "backend", Backends.POSTGRES);
    double barePg = ops("CacheMissBenchmark.bareRead", 1, "backend", Backends.POSTGRES);
    double missRedis = ops("CacheMissBenchmark.latchkeyMiss", 1, "backend", Backends.REDIS);
    double bareRedis = ops("CacheMissBenchmark.bareRead", 1, "backend", Backends.REDIS);

    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Latchkey benchmarks, %s; JDK %s (%s); %d CPUs, %s; "
            + "JMH forks with %s; ratios of medians of 1-s iterations; %.0f s in all.%n%n", LocalDate.now(),
        System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), cpuModel(), String.join(" ", JVM_ARGS),
        seconds));
    sb.append("| measure | ratio | target | met | measured as |\n");
    sb.append("|---|---:|---|---|---|\n");
    row(sb, "cached validate / floor, same token", floorSame / oursSame, "≤ 0.75×",
        floorSame / oursSame <= 0.75, "one token, every request; Floor computes the HMAC");
    row(sb, "cached validate / floor, random of 1M", floorRandom / oursRandom, "≤ 1.3×",
        floorRandom / oursRandom <= 1.3, "a random one of 1,000,000 cached tokens; by round: "
            + roundRatios(cv));
    verifierRows(sb, cv);
    row(sb, "HS256 JWT (Nimbus) / cached validate", oursSame / jwt, "≥ 10×",
        oursSame / jwt >= 10, "DefaultJWTProcessor, claims verifier; same token");
    row(sb, "bcrypt cost 10 API key / cached validate", oursSame / bcrypt, "—", null,
        "at.favre bcrypt verify");
    scalingRows(sb, cv);
    legacyRows(sb);
    row(sb, "cache miss / bare PK read, PostgreSQL", barePg / missPg, "≤ 1.25×",
        barePg / missPg <= 1.25, "SELECT * by id through the same Hikari pool");
    row(sb, "cache miss / bare HGETALL, Redis", bareRedis / missRedis, "≤ 1.25×",
        bareRedis / missRedis <= 1.25, "HGETALL of the same key, Lettuce, same server");
    allocationRows(sb, cv);
    hasherRow(sb, oursSame);
    virtualThreadRow(sb, vt);
    for (Propagation.Result p : List.of(pg, rd)) {
      sb.append(String.format(Locale.ROOT, "| revocation reaches another instance, %s | p50 %.2f ms,"
              + " p99 %.2f ms | p99 ≤ 50 ms | %s | %d revocations, max %.2f ms |%n",
          p.backend().equals(Backends.POSTGRES) ? "PostgreSQL" : "Redis", p.p50Millis(),
          p.p99Millis(), p.p99Millis() <= 50 ? "yes" : "**no**", p.revocations(), p.maxMillis()));
    }
    sb.append("\nRaw scores (for the record; ratios above are what to quote): ");
    sb.append(String.format(Locale.ROOT, "validate same %s, floor same %s, validate random %s, "
            + "floor random %s, JWT %s, bcrypt %s, miss PostgreSQL %s, bare PostgreSQL %s, "
            + "miss Redis %s, bare Redis %s per operation.%n", ns(oursSame), ns(floorSame),
        ns(oursRandom), ns(floorRandom), ns(jwt), ns(bcrypt), ns(missPg), ns(barePg),
        ns(missRedis), ns(bareRedis)));
    return sb.toString();
  }

  private static void row(StringBuilder sb, String what, double ratio, String target,
      Boolean met, String detail) {
    sb.append(String.format(Locale.ROOT, "| %s | %.2f× | %s | %s | %s |%n", what, ratio, target,
        met == null ? "—" : met ? "yes" : "**no**", detail));
  }

  private static String ns(double opsPerSecond) {
    double ns = 1e9 / opsPerSecond;
    if (ns >= 1e6) return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
    if (ns >= 1e4) return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
    return String.format(Locale.ROOT, "%.0f ns", ns);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
