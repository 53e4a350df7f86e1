package io.latchkey.benchmarks;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What naive API-key stores do: keep a bcrypt (cost 10) hash of each key, find the row by a key
 * prefix and run bcrypt on every request. bcrypt is meant for low-entropy passwords; a 196-bit
 * random key gains nothing from its cost. Few, long iterations: one call takes tens of
 * milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms6g", "-Xmx6g"})
public class BcryptApiKeyBenchmark {
  static final int COST = 10;

  final Map<String, byte[]> hashes = new HashMap<>();
  String presented;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] raw = new byte[24];
    new SecureRandom().nextBytes(raw);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    presented = "acme_k0000001." + secret;
    hashes.put("k0000001", BCrypt.withDefaults().hash(COST, secret.toCharArray()));
    if (!bcryptCost10()) throw new IllegalStateException("setup: the key does not verify");
  }

  @Benchmark
  public boolean bcryptCost10() {
    int dot = presented.indexOf('.');
    byte[] hash = hashes.get(presented.substring(5, dot));
    if (hash == null) return false;
    return BCrypt.verifyer().verify(presented.substring(dot + 1).toCharArray(), hash).verified;
  }
}
