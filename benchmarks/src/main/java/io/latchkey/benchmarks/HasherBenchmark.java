package io.latchkey.benchmarks;

import io.latchkey.HashingKey;
import io.latchkey.internal.Hasher;
import io.latchkey.internal.TokenFormat;
import java.security.SecureRandom;
import java.util.List;
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
 * The one change the security review made to the cached path's cost: the hash compare through the
 * striped, wiped pool ({@link Hasher}) against the {@code ThreadLocal} hasher it replaced ({@link
 * ThreadLocalHasher}), in one JVM, on a pooled thread (the case the pool must not slow down). The
 * id's keyed tag is checked only before a store read, so the cached path does not pay for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1)
public class HasherBenchmark {
  Hasher pooled;
  ThreadLocalHasher threadLocal;
  String token;
  byte[] hash;
  byte[] verifier;
  int offset;

  @Setup(Level.Trial)
  public void setUp() {
    HashingKey key = HashingKey.of("k1", Fixtures.PEPPER);
    pooled = new Hasher(List.of(key));
    threadLocal = new ThreadLocalHasher(List.of(key));
    TokenFormat format = new TokenFormat(Fixtures.PREFIX);
    SecureRandom random = new SecureRandom();
    token = format.assemble(TokenFormat.newId(System.currentTimeMillis(), random, pooled),
        TokenFormat.newSecret(random));
    offset = format.idOffset();
    hash = pooled.hashPrimary(token, offset);
    verifier = pooled.verifier(token, offset);
    if (!threadLocal.matches(0, hash, token, offset)) throw new IllegalStateException("differ");
  }

  @Benchmark
  public boolean pooled() {
    return pooled.matches(0, hash, token, offset);
  }

  /** The HMAC of a first validation against the one-block verifier of the later ones (#17). */
  @Benchmark
  public boolean oneBlock() {
    return pooled.verifierMatches(verifier, token, offset);
  }

  @Benchmark
  public boolean threadLocal() {
    return threadLocal.matches(0, hash, token, offset);
  }
}
