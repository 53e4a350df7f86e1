package io.latchkey.benchmarks;

import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.Reason;
import io.latchkey.ValidationRequest;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How long a revocation takes to reach another instance: two Latchkey instances, each with its
 * own store object (own pool or client, own change-feed connection) on one PostgreSQL or one
 * Redis. For each of {@code n} tokens, cached on B, A revokes it; the delay runs from the moment
 * A's revoke returns (the change is committed) to the moment B's validator answers REVOKED.
 *
 * <p>B is not polled while the notification travels: its store is wrapped so that the feed's
 * delivery of the id is seen the moment B's validator has been handed it; B then validates until
 * its invalidation thread has applied it (the first validation after that is a cache miss: one
 * store read) and the clock stops when B answers REVOKED. A delivery that beats A's return counts
 * as zero.
 */
public final class Propagation {
  /** Percentiles in milliseconds, and how many revocations were measured. */
  public record Result(String backend, int revocations, double p50Millis, double p99Millis,
      double maxMillis) {}

  private Propagation() {}

  public static Result measure(String backend, int n) throws Exception {
    String prefix = Backends.freshPrefix();
    try (Backends.Backend a = Backends.Backend.open(backend, prefix);
         Backends.Backend bBackend = Backends.Backend.open(backend, prefix)) {
      Watched watchedB = new Watched(bBackend.store);
      try (Latchkey la = Fixtures.latchkey(a.store).build();
           Latchkey lb = Fixtures.latchkey(watchedB).cacheTtl(Duration.ofHours(1)).build()) {
        if (!lb.hasChangeFeed()) throw new IllegalStateException(backend + " has no change feed");
        List<IssuedToken> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          IssuedToken t = la.tokens().issue(Fixtures.newToken(i));
          tokens.add(t);
          if (!lb.validator().validate(Fixtures.request(t.secret())).isValid()) {
            throw new IllegalStateException("B does not accept a token issued on A");
          }
        }
        Thread.sleep(200); // let the issue notifications drain
        long[] delays = new long[n];
        for (int i = 0; i < n; i++) {
          IssuedToken t = tokens.get(i);
          CompletableFuture<Long> seen = watchedB.expect(t.id().value());
          la.tokens().revoke(t.id());
          long committed = System.nanoTime();
          seen.get(10, TimeUnit.SECONDS);
          // The validator applies feed notifications on its own thread: ask until it has.
          ValidationRequest request = Fixtures.request(t.secret());
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (lb.validator().validate(request).reasonOrNull() != Reason.REVOKED) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("B still accepts a token revoked on A");
            }
            Thread.yield();
          }
          long rejected = System.nanoTime();
          delays[i] = Math.max(0, rejected - committed);
        }
        Arrays.sort(delays);
        return new Result(backend, n, millis(delays[(int) Math.ceil(0.50 * n) - 1]),
            millis(delays[(int) Math.ceil(0.99 * n) - 1]), millis(delays[n - 1]));
      }
    }
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    for (String backend : List.of(Backends.POSTGRES, Backends.REDIS)) {
      System.out.println(measure(backend, n));
    }
    System.exit(0);
  }

  /** Passes everything through, and reports when the feed has told B's validator of an id. */
  static final class Watched implements TokenStore {
    private final TokenStore inner;
    private final ConcurrentHashMap<String, CompletableFuture<Long>> expected =
        new ConcurrentHashMap<>();

    Watched(TokenStore inner) {
      this.inner = inner;
    }

    CompletableFuture<Long> expect(String id) {
      CompletableFuture<Long> f = new CompletableFuture<>();
      expected.put(id, f);
      return f;
    }

    @Override
    public Optional<Subscription> subscribe(ChangeListener listener) {
      return inner.subscribe(new ChangeListener() {
        @Override
        public void tokenChanged(String tokenId) {
          listener.tokenChanged(tokenId);
          CompletableFuture<Long> f = expected.remove(tokenId);
          if (f != null) f.complete(System.nanoTime());
        }

        @Override
        public void feedReset() {
          listener.feedReset();
        }
      });
    }

    @Override
    public boolean insert(TokenRecord record) {
      return inner.insert(record);
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      return inner.find(id);
    }

    @Override
    public boolean replace(TokenRecord updated, long expectedVersion) {
      return inner.replace(updated, expectedVersion);
    }

    @Override
    public boolean[] replaceEach(java.util.List<TokenRecord> updated, long[] expectedVersions,
        java.util.@org.jspecify.annotations.Nullable List<io.latchkey.AuditEntry> audits) {
      return inner.replaceEach(updated, expectedVersions, audits);
    }

    @Override
    public boolean delete(String id) {
      return inner.delete(id);
    }

    @Override
    public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
      return inner.list(workspace, afterId, limit);
    }

    @Override
    public void applyUsage(Collection<UsageUpdate> updates) {
      inner.applyUsage(updates);
    }
  }
}
