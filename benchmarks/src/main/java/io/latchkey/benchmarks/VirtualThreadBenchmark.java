package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
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
 * A cached validation on a fresh virtual thread per request, as Spring Boot with virtual threads,
 * Helidon or Jetty run them: what the validation costs beyond starting and joining an empty
 * virtual thread, in time and in bytes per operation. Per-thread scratch state (a {@code
 * ThreadLocal} digest and buffers) would be rebuilt on every request here. Needs JDK 21 or later
 * (the suite runs it on one when it finds one); compiled for 17, it calls {@code
 * Thread.startVirtualThread} through a method handle.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 7, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class VirtualThreadBenchmark {
  Latchkey latchkey;
  ValidationRequest request;
  MethodHandle startVirtualThread;
  volatile ValidationResult result;
  Runnable validate;
  Runnable empty;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    if (Runtime.version().feature() < 21) {
      throw new IllegalStateException("virtual threads need JDK 21+, this is " + Runtime.version());
    }
    startVirtualThread = MethodHandles.publicLookup().findStatic(Thread.class,
        "startVirtualThread", MethodType.methodType(Thread.class, Runnable.class));
    latchkey = Fixtures.latchkey(new InMemoryTokenStore()).cacheTtl(Duration.ofHours(1))
        .usageFlushInterval(Duration.ofHours(1)).build();
    request = Fixtures.request(Fixtures.issue(latchkey.tokens(), 1).get(0));
    if (!latchkey.validator().validate(request).isValid()) {
      throw new IllegalStateException("setup: the token does not validate");
    }
    validate = () -> result = latchkey.validator().validate(request);
    empty = () -> result = null;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    latchkey.close();
  }

  private Object onFreshVirtualThread(Runnable task) throws Throwable {
    Thread t = (Thread) startVirtualThread.invokeExact(task);
    t.join();
    return result;
  }

  /** Start a virtual thread, validate on it, join it. */
  @Benchmark
  public Object validateOnFreshVirtualThread() throws Throwable {
    return onFreshVirtualThread(validate);
  }

  /** The same without the validation: the cost of the thread itself. */
  @Benchmark
  public Object emptyFreshVirtualThread() throws Throwable {
    return onFreshVirtualThread(empty);
  }
}
