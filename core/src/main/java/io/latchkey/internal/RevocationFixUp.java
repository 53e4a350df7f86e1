package io.latchkey.internal;

import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Brings stored records in line with revocation watermarks, in the background: a workspace is
 * listed in chunks of {@link #CHUNK} records, one chunk per task on the background thread (so a
 * usage flush or another workspace runs between two chunks), and the chunk's covered records whose
 * stored state is not REVOKED are revoked by compare-and-set on their listed versions, all in one
 * {@link TokenStore#replaceEach} (one transaction or script on a store that overrides it), those
 * changed meanwhile by the one-record read-and-retry ({@link
 * DefaultTokenManager#bringInLine(List, Instant)}).
 * Correctness never depends on it: every read path already treats a covered record as REVOKED.
 *
 * <p>Resumable after a crash without a persisted cursor: the instance that called {@code
 * revokeAll} runs it, and every instance at start runs it for every workspace that has a
 * watermark, {@link #START_DELAY_MILLIS} after it starts (a pass over a fixed-up workspace only
 * reads). A failed chunk is retried after {@link #RETRY_MILLIS}. Nothing runs once Latchkey is
 * closed.
 */
public final class RevocationFixUp implements DefaultTokenManager.FixUp {
  private static final System.Logger LOG = System.getLogger(RevocationFixUp.class.getName());
  /** Records listed per task. */
  static final int CHUNK = 200;
  static final long RETRY_MILLIS = 1_000;
  /**
   * The start pass waits this long: a short-lived process (a CLI command) never starts it, and a
   * host's start is not slowed by it.
   */
  static final long START_DELAY_MILLIS = 5_000;

  private final TokenStore store;
  private final DefaultTokenManager manager;
  private final Watermarks watermarks;
  private final ScheduledExecutorService executor;
  /** Workspaces being fixed up, with the watermark of the pass under way. */
  private final Map<String, Instant> running = new ConcurrentHashMap<>();
  private final AtomicInteger written = new AtomicInteger();

  public RevocationFixUp(TokenStore store, DefaultTokenManager manager, Watermarks watermarks,
      ScheduledExecutorService executor) {
    this.store = store;
    this.manager = manager;
    this.watermarks = watermarks;
    this.executor = executor;
  }

  /** At start: a pass over every workspace that has a watermark (an earlier run may have died). */
  public void startAll() {
    if (!watermarks.enabled()) return;
    submit(() -> {
      try {
        watermarks.ensureLoaded();
      } catch (RuntimeException e) {
        later(this::startAll);
        return;
      }
      for (String workspace : watermarks.all().keySet()) schedule(workspace);
    }, START_DELAY_MILLIS);
  }

  @Override
  public void schedule(String workspace) {
    Instant w = watermarks.of(workspace);
    if (w == null) return;
    if (running.putIfAbsent(workspace, w) == null) submit(() -> step(workspace, null), 0);
  }

  /** Records written by the fix-up since start (for tests and the scale benchmark). */
  public int written() {
    return written.get();
  }

  /** Whether no workspace is being fixed up. */
  public boolean idle() {
    return running.isEmpty();
  }

  private void step(String workspace, @org.jspecify.annotations.Nullable String after) {
    Instant w = running.get(workspace);
    if (w == null) return;
    List<TokenRecord> batch;
    try {
      batch = store.list(workspace, after, CHUNK);
      written.addAndGet(manager.bringInLine(batch, w));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "revoke-all fix-up of workspace " + workspace
          + " failed; retrying: " + e);
      submit(() -> step(workspace, after), RETRY_MILLIS);
      return;
    }
    if (batch.size() == CHUNK) {
      String last = batch.get(batch.size() - 1).id();
      submit(() -> step(workspace, last), 0);
      return;
    }
    // Done. A raise that arrived meanwhile found this pass running: start again for it.
    Instant now = watermarks.of(workspace);
    if (now != null && now.isAfter(w)) {
      running.put(workspace, now);
      submit(() -> step(workspace, null), 0);
    } else {
      running.remove(workspace);
    }
  }

  private void later(Runnable task) {
    submit(task, RETRY_MILLIS);
  }

  private void submit(Runnable task, long delayMillis) {
    // A delayed task still runs after shutdown(): never touch the store once Latchkey closes.
    Runnable guarded = () -> {
      if (!executor.isShutdown()) task.run();
    };
    try {
      if (delayMillis == 0) {
        executor.execute(guarded);
      } else {
        executor.schedule(guarded, delayMillis, TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException closing) {
      // Latchkey is closing: the next start finishes the pass.
    }
  }
}
