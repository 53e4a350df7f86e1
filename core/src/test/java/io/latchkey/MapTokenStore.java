package io.latchkey;

import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A test-only store over a map. It counts {@link #find} calls (store round trips on the validation
 * path), can be taken down ({@link #down}) or made slow ({@link #findDelayMillis}), and delivers a
 * change feed only when built with one.
 */
public final class MapTokenStore implements TokenStore {
  private final ConcurrentHashMap<String, TokenRecord> records = new ConcurrentHashMap<>();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final boolean feed;
  /** How many times {@link #find} was called. */
  public final AtomicInteger finds = new AtomicInteger();
  /** How many times {@link #close} was called. */
  public final AtomicInteger closes = new AtomicInteger();
  /** Every method throws {@link StoreUnavailableException} while set. */
  public volatile boolean down;
  /** Only {@link #replace} throws while set. */
  public volatile boolean replaceDown;
  /** {@link #find} sleeps this long first. */
  public volatile long findDelayMillis;
  /** Runs after {@link #list} has read its page and before it returns, e.g. to race a change. */
  public volatile @Nullable Runnable afterList;

  public MapTokenStore() {
    this(false);
  }

  public MapTokenStore(boolean feed) {
    this.feed = feed;
  }

  /** The stored record, read directly (not counted as a find). */
  public @Nullable TokenRecord record(String id) {
    return records.get(id);
  }

  public @Nullable TokenRecord record(TokenId id) {
    return records.get(id.value());
  }

  /** Every stored record. */
  public List<TokenRecord> all() {
    return new ArrayList<>(records.values());
  }

  /** Overwrites a record behind Latchkey's back (as another process would), without notifying. */
  public void put(TokenRecord r) {
    records.put(r.id(), r);
  }

  /** Delivers a change to subscribers, as a backend's feed would. */
  public void publish(String id) {
    for (ChangeListener l : listeners) l.tokenChanged(id);
  }

  @Override
  public boolean insert(TokenRecord record) {
    check();
    return records.putIfAbsent(record.id(), record) == null;
  }

  @Override
  public Optional<TokenRecord> find(String id) {
    finds.incrementAndGet();
    long delay = findDelayMillis;
    if (delay > 0) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    check();
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    check();
    if (replaceDown) throw new StoreUnavailableException("replace is down (test)", null);
    boolean[] done = new boolean[1];
    records.computeIfPresent(updated.id(), (id, cur) -> {
      if (cur.version() != expectedVersion) return cur;
      done[0] = true;
      return updated.toBuilder().lastUsedAt(cur.lastUsedAt()).lastUsedIp(cur.lastUsedIp())
          .lastUsedIntegration(cur.lastUsedIntegration()).build();
    });
    return done[0];
  }

  @Override
  public boolean delete(String id) {
    check();
    return records.remove(id) != null;
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    check();
    List<TokenRecord> page = records.values().stream()
        .filter(r -> r.workspace().equals(workspace))
        .filter(r -> afterId == null || r.id().compareTo(afterId) > 0)
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .limit(limit)
        .toList();
    Runnable hook = afterList;
    if (hook != null) hook.run();
    return page;
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    check();
    for (UsageUpdate u : updates) {
      records.computeIfPresent(u.tokenId(), (id, cur) ->
          cur.lastUsedAt() != null && !u.usedAt().isAfter(cur.lastUsedAt()) ? cur
              : cur.toBuilder().lastUsedAt(u.usedAt()).lastUsedIp(u.clientIp())
                  .lastUsedIntegration(u.integration()).build());
    }
  }

  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    if (!feed) return Optional.empty();
    listeners.add(listener);
    return Optional.of(() -> listeners.remove(listener));
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }

  private void check() {
    if (down) throw new StoreUnavailableException("store is down (test)", null);
  }
}
