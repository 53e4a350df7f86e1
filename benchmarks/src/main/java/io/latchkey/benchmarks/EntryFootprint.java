package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.ValidationRequest;
import io.latchkey.internal.DefaultTokenValidator;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;

/**
 * What one cached entry keeps on the heap, class by class: the difference of two class histograms
 * (the JVM's {@code GC.class_histogram}, which counts only live objects) of one process holding N
 * tokens issued into the in-memory store, before and after each was validated once and its usage
 * flushed (written nowhere, so the store does not change). With {@code --decoded} every record
 * read is made of new objects, as a store that decodes rows (JDBC, Redis) returns it; without, the
 * entry shares the strings and instants the in-memory store keeps. Run by {@code Scale} (rows
 * "validator: a cached entry"), or alone:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.latchkey.benchmarks.EntryFootprint [N] [--decoded]</pre>
 */
public final class EntryFootprint {
  /** The bytes per entry and the classes that make them up, largest first. */
  record Result(double bytesPerEntry, long cached, List<String> lines) {}

  public static void main(String[] args) throws Exception {
    int n = 100_000;
    boolean decoded = false;
    for (String a : args) {
      if (a.equals("--decoded")) {
        decoded = true;
      } else {
        n = Integer.parseInt(a);
      }
    }
    Result r = measure(n, decoded);
    System.out.printf(Locale.ROOT, "%,d cached entries: %.0f B each%n", r.cached(),
        r.bytesPerEntry());
    r.lines().forEach(System.out::println);
  }

  static Result measure(int n, boolean decoded) throws Exception {
    InMemoryTokenStore backing = new InMemoryTokenStore();
    // Usage is written nowhere: the store is the same in both histograms.
    try (Latchkey l = Fixtures.latchkey(Fixtures.ignoringUsage(backing, decoded))
        .usageFlushInterval(Duration.ofDays(1)).build()) {
      List<String> secrets = Fixtures.issue(l.tokens(), n);
      ValidationRequest[] requests = new ValidationRequest[n];
      for (int i = 0; i < n; i++) requests[i] = Fixtures.request(secrets.get(i));
      secrets = null;
      // One validation each first, so that classes loaded and lazily built on the way are in both
      // histograms; then the cache is emptied and filled again.
      for (ValidationRequest q : requests) l.validator().validate(q);
      l.flushUsage();
      ((DefaultTokenValidator) l.validator()).invalidateAll();
      l.flushUsage();
      Map<String, long[]> before = histogram();
      for (ValidationRequest q : requests) {
        if (!l.validator().validate(q).isValid()) throw new IllegalStateException("not valid");
      }
      l.flushUsage();
      Map<String, long[]> after = histogram();
      // The requests (a token and a String[] each) must be in both histograms: once the loop is
      // compiled they are dead after it, and the second histogram then missed 100,000 of them.
      Reference.reachabilityFence(requests);
      long cached = ((DefaultTokenValidator) l.validator()).cachedCount();
      long total = 0;
      List<long[]> rows = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (Map.Entry<String, long[]> e : after.entrySet()) {
        long[] b = before.getOrDefault(e.getKey(), new long[2]);
        long count = e.getValue()[0] - b[0];
        long bytes = e.getValue()[1] - b[1];
        total += bytes;
        if (Math.abs(bytes) >= cached / 4) {
          rows.add(new long[] {count, bytes, names.size()});
          names.add(e.getKey());
        }
      }
      rows.sort((a, b) -> Long.compare(b[1], a[1]));
      List<String> lines = new ArrayList<>();
      for (long[] row : rows) {
        lines.add(String.format(Locale.ROOT, "  %6.2f × %6.1f B  %s", (double) row[0] / cached,
            (double) row[1] / cached, names.get((int) row[2])));
      }
      return new Result((double) total / cached, cached, lines);
    }
  }

  /** Class name to {instances, bytes} of the live heap (a full GC first). */
  private static Map<String, long[]> histogram() throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Map<String, long[]> out = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[0].endsWith(":")) continue;
      out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
    }
    return out;
  }

  private EntryFootprint() {}
}
