package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.LegacyFormat;
import io.latchkey.LegacyKey;
import io.latchkey.TokenId;
import io.latchkey.ValidationRequest;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
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
 * Imported legacy keys (bcrypt cost 10, DRF-API-Key style {@code prefix.secret}) against native
 * tokens, on one Latchkey over the in-memory store:
 *
 * <ul>
 *   <li>{@code nativeCached} / {@code legacyUpgradedCached}: throughput of a valid request, every
 *       record cached; the imported key was presented once in setup and is upgraded, so it should
 *       cost what a native token does (target: within 10 %). {@code format}: {@code separated} is
 *       {@link LegacyFormat#separated}{@code (".", 8)}, split with {@code indexOf} and found through
 *       the validator's lookup-part index; {@code pattern} the same keys by a regular expression,
 *       which runs (and the part is hashed to its id) on every request.
 *   <li>{@link First#firstValidation}: single-shot time of the first validation of a freshly
 *       imported key (bcrypt on the bounded pool, then the upgrade scheduled).
 *   <li>{@link Guesses#wrongGuesses}: 10,000 wrong keys for one not-yet-upgraded prefix; the slow
 *       verifications it ran are printed at teardown (target: ≤ 1 per negative-cache period).
 * </ul>
 *
 * Run alone: {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main LegacyKey}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LegacyKeyBenchmark {
  static final LegacyFormat DRF = LegacyFormat.separated(".", 8);
  static final LegacyFormat DRF_PATTERN =
      LegacyFormat.pattern(Pattern.compile("(?<lookup>[A-Za-z0-9]{8})\\.[A-Za-z0-9]{32}"));
  static final int COST = 10;

  @Param({"separated", "pattern"})
  public String format;

  InMemoryTokenStore store;
  Latchkey latchkey;
  ValidationRequest nativeRequest;
  ValidationRequest legacyRequest;

  static String secret(SecureRandom random, int n) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return sb.toString();
  }

  static String bcrypt(String key, SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return OpenBSDBCrypt.generate("2b", key.getBytes(StandardCharsets.UTF_8), salt, COST);
  }

  static LegacyKey legacyKey(String prefix, String hash) {
    return LegacyKey.in(Fixtures.WORKSPACE).name("legacy-" + prefix).lookup(prefix).hash(hash)
        .permissions(Map.of(Fixtures.REQUIRED, true)).allowIps(java.util.List.of(Fixtures.ALLOWED));
  }

  static Latchkey newLatchkey(InMemoryTokenStore store) {
    return newLatchkey(store, DRF);
  }

  static Latchkey newLatchkey(InMemoryTokenStore store, LegacyFormat format) {
    return Fixtures.latchkey(store).legacyFormat(format).cacheTtl(Duration.ofHours(1))
        .usageFlushInterval(Duration.ofHours(1)).build();
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    SecureRandom random = new SecureRandom();
    store = new InMemoryTokenStore();
    latchkey = newLatchkey(store, format.equals("pattern") ? DRF_PATTERN : DRF);
    nativeRequest = Fixtures.request(latchkey.tokens().issue(Fixtures.newToken(0)).secret());
    String prefix = secret(random, 8);
    String key = prefix + "." + secret(random, 32);
    TokenId id = latchkey.legacyKeys().importKey(legacyKey(prefix, bcrypt(key, random)));
    legacyRequest = Fixtures.request(key);
    if (!latchkey.validator().validate(legacyRequest).isValid()) {
      throw new IllegalStateException("setup: the imported key does not validate");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (latchkey.legacyKeys().pending(Fixtures.WORKSPACE) != 0) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("setup: no upgrade of " + id);
      Thread.sleep(10);
    }
    latchkey.invalidateCache();
    if (!latchkey.validator().validate(legacyRequest).isValid()
        || !latchkey.validator().validate(nativeRequest).isValid()) {
      throw new IllegalStateException("setup: a request does not validate");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (latchkey.legacyKeys().slowVerifications() != 1) {
      throw new IllegalStateException("the upgraded key ran the slow verifier again: "
          + latchkey.legacyKeys().slowVerifications());
    }
    latchkey.close();
    store.close();
  }

  @Benchmark
  public Object nativeCached() {
    return latchkey.validator().validate(nativeRequest);
  }

  @Benchmark
  public Object legacyUpgradedCached() {
    return latchkey.validator().validate(legacyRequest);
  }

  /** The first validation of a freshly imported bcrypt-10 key. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 20, batchSize = 1)
  @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
  public static class First {
    final SecureRandom random = new SecureRandom();
    InMemoryTokenStore store;
    Latchkey latchkey;
    ValidationRequest request;

    @Setup(Level.Trial)
    public void open() {
      store = new InMemoryTokenStore();
      latchkey = newLatchkey(store);
    }

    @Setup(Level.Iteration)
    public void importOne() {
      String prefix = secret(random, 8);
      String key = prefix + "." + secret(random, 32);
      latchkey.legacyKeys().importKey(legacyKey(prefix, bcrypt(key, random)));
      request = Fixtures.request(key);
    }

    @TearDown(Level.Trial)
    public void close() {
      latchkey.close();
      store.close();
    }

    @Benchmark
    public Object firstValidation() {
      Object r = latchkey.validator().validate(request);
      if (!((io.latchkey.ValidationResult) r).isValid()) throw new IllegalStateException("not valid");
      return r;
    }
  }

  /** 10,000 wrong guesses for one prefix whose key was never used. */
  @State(Scope.Thread)
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1, batchSize = 1)
  @Measurement(iterations = 5, batchSize = 1)
  @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
  public static class Guesses {
    final SecureRandom random = new SecureRandom();
    InMemoryTokenStore store;
    Latchkey latchkey;
    ValidationRequest[] guesses;
    long invocations;

    @Setup(Level.Trial)
    public void open() {
      store = new InMemoryTokenStore();
      latchkey = newLatchkey(store);
      String prefix = secret(random, 8);
      latchkey.legacyKeys().importKey(legacyKey(prefix, bcrypt(prefix + "." + secret(random, 32), random)));
      guesses = new ValidationRequest[10_000];
      for (int i = 0; i < guesses.length; i++) {
        guesses[i] = Fixtures.request(prefix + "." + secret(random, 32));
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      System.out.println();
      System.out.println("slow verifications for " + invocations + " x 10,000 wrong guesses: "
          + latchkey.legacyKeys().slowVerifications());
      latchkey.close();
      store.close();
    }

    @Benchmark
    public int wrongGuesses() {
      invocations++;
      int valid = 0;
      for (ValidationRequest g : guesses) if (latchkey.validator().validate(g).isValid()) valid++;
      return valid;
    }
  }
}
