package io.latchkey.internal;

import io.latchkey.AuditEntry;
import io.latchkey.MetricsRecorder;
import io.latchkey.TokenValidator;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Wrappers that report to a {@link MetricsRecorder}. Latchkey puts them in place only when a
 * recorder is set, so without one the validation path is exactly what it was.
 */
public final class Metered {
  private Metered() {}

  /**
   * Counts every validation and times one in {@code period} (a power of two), chosen at random:
   * the untimed ones cost no clock read, and the choice is a thread-local draw, with no shared
   * counter for validating threads to contend on.
   */
  public static TokenValidator validator(TokenValidator inner, MetricsRecorder recorder,
      int period) {
    if (period == 1) {
      return new TokenValidator() {
        @Override
        public ValidationResult validate(@Nullable ValidationRequest request) {
          return timed(inner, recorder, request);
        }

        @Override
        public String toString() {
          return inner.toString();
        }
      };
    }
    int mask = period - 1;
    return new TokenValidator() {
      @Override
      public ValidationResult validate(@Nullable ValidationRequest request) {
        if ((ThreadLocalRandom.current().nextInt() & mask) == 0) {
          return timed(inner, recorder, request);
        }
        ValidationResult result = inner.validate(request);
        try {
          recorder.validated(result.reasonOrNull(), MetricsRecorder.NOT_TIMED);
        } catch (RuntimeException ignored) {
          // a recorder's failure must not change an answer
        }
        return result;
      }

      @Override
      public String toString() {
        return inner.toString();
      }
    };
  }

  private static ValidationResult timed(TokenValidator inner, MetricsRecorder recorder,
      @Nullable ValidationRequest request) {
    long start = System.nanoTime();
    ValidationResult result = inner.validate(request);
    long nanos = System.nanoTime() - start;
    try {
      recorder.validated(result.reasonOrNull(), nanos);
    } catch (RuntimeException ignored) {
      // a recorder's failure must not change an answer
    }
    return result;
  }

  /**
   * Counts the feed's resets before the listener drops its cache, and measures the lag of changes
   * whose message carries their commit time (against this host's wall clock, as the writer's).
   */
  public static ChangeListener listener(ChangeListener inner, MetricsRecorder recorder) {
    return new ChangeListener() {
      @Override
      public void tokenChanged(String tokenId) {
        inner.tokenChanged(tokenId);
      }

      @Override
      public void tokenChanged(String tokenId, long committedAtMillis) {
        inner.tokenChanged(tokenId);
        long lag = System.currentTimeMillis() - committedAtMillis;
        try {
          recorder.feedLag(Math.max(0, lag));
        } catch (RuntimeException ignored) {
          // a recorder's failure must not stop the invalidation
        }
      }

      @Override
      public void feedReset() {
        try {
          recorder.feedReset();
        } catch (RuntimeException ignored) {
          // a recorder's failure must not stop the invalidation
        }
        inner.feedReset();
      }

      @Override
      public void revocationWatermarkRaised(String workspace, Instant watermark) {
        inner.revocationWatermarkRaised(workspace, watermark);
      }
    };
  }

  /**
   * The store as the validator and the usage buffer see it: their reads and usage writes timed.
   * Management calls go to the host's store directly. Every {@link TokenStore} method is
   * delegated, defaults included, so a store's own {@code ping()} or {@code subscribe()} is the
   * one that runs (MeteredTest fails when a method is added to the SPI without a delegate here).
   */
  public static TokenStore store(TokenStore inner, MetricsRecorder recorder) {
    return new TokenStore() {
      @Override
      public boolean insert(TokenRecord record) {
        return inner.insert(record);
      }

      @Override
      public Optional<TokenRecord> find(String id) {
        long start = System.nanoTime();
        boolean failed = true;
        try {
          Optional<TokenRecord> found = inner.find(id);
          failed = false;
          return found;
        } finally {
          long nanos = System.nanoTime() - start;
          try {
            recorder.storeRead(nanos, failed);
          } catch (RuntimeException ignored) {
            // a recorder's failure must not change a read
          }
        }
      }

      @Override
      public boolean replace(TokenRecord updated, long expectedVersion) {
        return inner.replace(updated, expectedVersion);
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
        long start = System.nanoTime();
        boolean failed = true;
        try {
          inner.applyUsage(updates);
          failed = false;
        } finally {
          long nanos = System.nanoTime() - start;
          try {
            recorder.usageWritten(updates.size(), nanos, failed);
          } catch (RuntimeException ignored) {
            // a recorder's failure must not change a write
          }
        }
      }

      @Override
      public boolean keepsAuditTrail() {
        return inner.keepsAuditTrail();
      }

      @Override
      public boolean insert(TokenRecord record, AuditEntry audit) {
        return inner.insert(record, audit);
      }

      @Override
      public boolean replace(TokenRecord updated, long expectedVersion, AuditEntry audit) {
        return inner.replace(updated, expectedVersion, audit);
      }

      @Override
      public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
          @Nullable List<AuditEntry> audits) {
        return inner.replaceEach(updated, expectedVersions, audits);
      }

      @Override
      public boolean delete(String id, AuditEntry audit) {
        return inner.delete(id, audit);
      }

      @Override
      public List<AuditEntry> history(String tokenId, @Nullable String beforeId, int limit) {
        return inner.history(tokenId, beforeId, limit);
      }

      @Override
      public List<AuditEntry> workspaceHistory(String workspace, @Nullable String beforeId,
          int limit) {
        return inner.workspaceHistory(workspace, beforeId, limit);
      }

      @Override
      public void pruneAuditTrail(Instant cutoff) {
        inner.pruneAuditTrail(cutoff);
      }

      @Override
      public boolean keepsRevocationWatermarks() {
        return inner.keepsRevocationWatermarks();
      }

      @Override
      public int raiseRevocationWatermark(String workspace, Instant watermark) {
        return inner.raiseRevocationWatermark(workspace, watermark);
      }

      @Override
      public int raiseRevocationWatermark(String workspace, Instant watermark, AuditEntry audit) {
        return inner.raiseRevocationWatermark(workspace, watermark, audit);
      }

      @Override
      public Optional<Instant> revocationWatermark(String workspace) {
        return inner.revocationWatermark(workspace);
      }

      @Override
      public java.util.Map<String, Instant> revocationWatermarks() {
        return inner.revocationWatermarks();
      }

      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        return inner.subscribe(listener);
      }

      @Override
      public void ping() {
        inner.ping();
      }

      @Override
      public void close() {
        inner.close();
      }

      @Override
      public String toString() {
        return inner.toString();
      }
    };
  }
}
