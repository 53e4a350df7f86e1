package io.latchkey.store.memory;

import io.latchkey.AuditEntry;
import io.latchkey.InvalidArgumentException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.RevocationWatermarks;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.NavigableMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenStore} in this process's memory: for tests, demos and single-process hosts whose
 * tokens may vanish on restart. Thread-safe; {@link #find} takes no lock. Every write is atomic per
 * record, and its change feed delivers each change to subscribers on the writing thread, so two
 * {@link io.latchkey.Latchkey}s on one store see each other's changes synchronously: once {@code
 * revoke} returns on one, the other answers {@code REVOKED}.
 *
 * <p>Records are kept compact (instants as numbers, shared values such as a workspace's name or a
 * common permission set stored once): about 400 bytes per token at a million, so {@link #find}
 * and {@link #list} build each {@link TokenRecord} they return.
 *
 * <p>It keeps the audit trail: an entry is added inside the same atomic per-record step as its
 * change (before the change is visible), so no caller ever sees a change without its entry.
 *
 * <p>It keeps revocation watermarks: a raise counts the workspace's covered records in one pass
 * over its index while record writes wait (they share a read lock that the raise takes
 * exclusively), so the count and the raise are one atomic step. Each index entry says whether its
 * record is stored REVOKED and whether its id holds its written time, so the pass reads no record
 * but an imported key's.
 *
 * <p>After {@link #close()} every method throws {@link StoreUnavailableException}. Close the
 * Latchkey first: a Latchkey closed after its store cannot write its buffered usage and throws.
 */
public final class InMemoryTokenStore implements TokenStore {
  private final ConcurrentMap<String, Compact> records = new ConcurrentHashMap<>();
  /**
   * Each workspace's ids in order, each with what a watermark raise needs to know of its record
   * (kept in step by every versioned write, inside the record's atomic step): whether it is stored
   * REVOKED and whether its id holds its written time. The raise then counts by walking this map
   * alone; a set of ids would cost the same memory (a set is a map to one shared value).
   */
  private final ConcurrentMap<String, ConcurrentSkipListMap<String, Coverage>> workspaces =
      new ConcurrentHashMap<>();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  /** Audit entries by token id, then by workspace; each map keyed by entry id. */
  private final ConcurrentMap<String, NavigableMap<String, AuditEntry>> tokenTrails =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<String, NavigableMap<String, AuditEntry>> workspaceTrails =
      new ConcurrentHashMap<>();
  private volatile boolean closed;
  /** Revocation watermarks: workspace to epoch milliseconds. */
  private final ConcurrentMap<String, Long> watermarks = new ConcurrentHashMap<>();
  /**
   * Record writes share this lock; a watermark raise takes it exclusively, so its count and the
   * raise are one atomic step (no write lands between them).
   */
  private final ReentrantReadWriteLock raiseLock = new ReentrantReadWriteLock();
  private final Lock writes = raiseLock.readLock();

  @Override
  public boolean insert(TokenRecord record) {
    return insert(record, null);
  }

  @Override
  public boolean insert(TokenRecord record, @Nullable AuditEntry audit) {
    Objects.requireNonNull(record, "record == null");
    open();
    boolean[] inserted = new boolean[1];
    writes.lock();
    try {
      records.compute(record.id(), (id, current) -> {
        if (current != null) return current;
        inserted[0] = true;
        keep(audit);
        // Indexed in the record's atomic step, so a write of the same id cannot reorder the two;
        // list() skips an id whose record is not (or no longer) there.
        workspaces.computeIfAbsent(record.workspace(), w -> new ConcurrentSkipListMap<>())
            .put(id, Coverage.of(record));
        return Compact.of(record);
      });
      if (!inserted[0]) return false;
    } finally {
      writes.unlock();
    }
    changed(record.id());
    return true;
  }

  @Override
  public Optional<TokenRecord> find(String id) {
    Objects.requireNonNull(id, "id == null");
    open();
    Compact c = records.get(id);
    return c == null ? Optional.empty() : Optional.of(c.record(id));
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    return replace(updated, expectedVersion, null);
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion, @Nullable AuditEntry audit) {
    Objects.requireNonNull(updated, "updated == null");
    open();
    boolean[] replaced = new boolean[1];
    writes.lock();
    try {
      records.computeIfPresent(updated.id(), (id, current) -> {
        if (current.version != expectedVersion) return current;
        replaced[0] = true;
        keep(audit);
        indexed(current.workspace, id, updated);
        return current.replacedBy(updated); // usage fields belong to applyUsage alone
      });
    } finally {
      writes.unlock();
    }
    if (replaced[0]) changed(updated.id());
    return replaced[0];
  }

  /**
   * {@inheritDoc} Here under one acquisition of the write lock: each element is its own atomic
   * step, exactly as {@link #replace}, and listeners hear of each written record after all are
   * done.
   */
  @Override
  public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
      @Nullable List<AuditEntry> audits) {
    TokenStore.checkReplaceEach(updated, expectedVersions, audits);
    open();
    boolean[] written = new boolean[updated.size()];
    writes.lock();
    try {
      for (int i = 0; i < written.length; i++) {
        TokenRecord next = updated.get(i);
        long expected = expectedVersions[i];
        AuditEntry audit = audits == null ? null : audits.get(i);
        int at = i;
        records.computeIfPresent(next.id(), (id, current) -> {
          if (current.version != expected) return current;
          written[at] = true;
          keep(audit);
          indexed(current.workspace, id, next);
          return current.replacedBy(next);
        });
      }
    } finally {
      writes.unlock();
    }
    for (int i = 0; i < written.length; i++) {
      if (written[i]) changed(updated.get(i).id());
    }
    return written;
  }

  @Override
  public boolean delete(String id) {
    return delete(id, null);
  }

  @Override
  public boolean delete(String id, @Nullable AuditEntry audit) {
    Objects.requireNonNull(id, "id == null");
    open();
    Compact[] removedBox = new Compact[1];
    writes.lock();
    try {
      records.computeIfPresent(id, (key, current) -> {
        removedBox[0] = current;
        keep(audit);
        ConcurrentSkipListMap<String, Coverage> index = workspaces.get(current.workspace);
        if (index != null) index.remove(id);
        return null;
      });
      if (removedBox[0] == null) return false;
    } finally {
      writes.unlock();
    }
    changed(id);
    return true;
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    if (limit < 1) throw new InvalidArgumentException("limit", "must be at least 1, was " + limit);
    open();
    ConcurrentSkipListMap<String, Coverage> index = workspaces.get(workspace);
    List<TokenRecord> page = new ArrayList<>(Math.min(limit, 256));
    if (index == null) return page;
    for (String id : afterId == null ? index.keySet() : index.tailMap(afterId, false).keySet()) {
      Compact c = records.get(id);
      if (c == null) continue;
      page.add(c.record(id));
      if (page.size() == limit) break;
    }
    return page;
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    Objects.requireNonNull(updates, "updates == null");
    open();
    for (UsageUpdate u : updates) {
      records.computeIfPresent(u.tokenId(),
          (id, current) -> current.usedAt(u.usedAt(), u.clientIp(), u.integration()));
    }
  }

  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    open();
    listeners.add(listener);
    return Optional.of(() -> listeners.remove(listener));
  }

  @Override
  public boolean keepsAuditTrail() {
    return true;
  }

  @Override
  public List<AuditEntry> history(String tokenId, @Nullable String beforeId, int limit) {
    Objects.requireNonNull(tokenId, "tokenId == null");
    return page(tokenTrails.get(tokenId), beforeId, limit);
  }

  @Override
  public List<AuditEntry> workspaceHistory(String workspace, @Nullable String beforeId,
      int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    return page(workspaceTrails.get(workspace), beforeId, limit);
  }

  @Override
  public void pruneAuditTrail(Instant cutoff) {
    open();
    for (NavigableMap<String, AuditEntry> trail : tokenTrails.values()) prune(trail, cutoff);
    for (NavigableMap<String, AuditEntry> trail : workspaceTrails.values()) prune(trail, cutoff);
  }

  private static void prune(NavigableMap<String, AuditEntry> trail, Instant cutoff) {
    for (Iterator<AuditEntry> it = trail.values().iterator(); it.hasNext(); ) {
      if (!it.next().at().isBefore(cutoff)) break; // ascending ids: the rest is newer
      it.remove();
    }
  }

  private List<AuditEntry> page(@Nullable NavigableMap<String, AuditEntry> trail,
      @Nullable String beforeId, int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
    open();
    List<AuditEntry> page = new ArrayList<>(Math.min(limit, 256));
    if (trail == null) return page;
    NavigableMap<String, AuditEntry> older = beforeId == null ? trail : trail.headMap(beforeId, false);
    for (AuditEntry e : older.descendingMap().values()) {
      page.add(e);
      if (page.size() == limit) break;
    }
    return page;
  }

  /** Called inside the record's atomic step, so the entry exists when the change does. */
  private void keep(@Nullable AuditEntry e) {
    if (e == null) return;
    if (!RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID.equals(e.tokenId().value())) {
      // a revoke-all's workspace entry is no token's: only the workspace's trail has it
      tokenTrails.computeIfAbsent(e.tokenId().value(), k -> new ConcurrentSkipListMap<>())
          .put(e.id(), e);
    }
    workspaceTrails.computeIfAbsent(e.workspace(), k -> new ConcurrentSkipListMap<>())
        .put(e.id(), e);
  }

  @Override
  public boolean keepsRevocationWatermarks() {
    return true;
  }

  @Override
  public int raiseRevocationWatermark(String workspace, Instant watermark) {
    return raise(workspace, watermark, null);
  }

  @Override
  public int raiseRevocationWatermark(String workspace, Instant watermark, AuditEntry audit) {
    Objects.requireNonNull(audit, "audit == null");
    return raise(workspace, watermark, audit);
  }

  /**
   * Counts the workspace's records newly covered (one pass over its index, in memory) and raises
   * the watermark, with no record write in between; notifies after.
   */
  private int raise(String workspace, Instant watermark, @Nullable AuditEntry audit) {
    Objects.requireNonNull(workspace, "workspace == null");
    Objects.requireNonNull(watermark, "watermark == null");
    open();
    long to = watermark.toEpochMilli();
    int count = 0;
    raiseLock.writeLock().lock();
    try {
      Long old = watermarks.get(workspace);
      long from = old == null ? Long.MIN_VALUE : old;
      if (to <= from) return 0;
      ConcurrentSkipListMap<String, Coverage> index = workspaces.get(workspace);
      if (index != null) {
        // No record is read unless its written time is not in its id (an imported key).
        for (Map.Entry<String, Coverage> e : index.entrySet()) {
          Coverage coverage = e.getValue();
          if (coverage == Coverage.REVOKED) continue;
          String id = e.getKey();
          long written;
          if (coverage == Coverage.IN_ID) {
            written = RevocationWatermarks.writtenAtMillis(id, "", null);
          } else {
            Compact c = records.get(id);
            if (c == null) continue;
            written = c.writtenAtMillis(id);
          }
          if (written >= from && written < to) count++;
        }
      }
      watermarks.put(workspace, to);
      if (audit != null) {
        keep(RevocationWatermarks.withCount(audit, count));
      }
    } finally {
      raiseLock.writeLock().unlock();
    }
    for (ChangeListener l : listeners) l.revocationWatermarkRaised(workspace, watermark);
    return count;
  }

  @Override
  public Optional<Instant> revocationWatermark(String workspace) {
    Objects.requireNonNull(workspace, "workspace == null");
    open();
    Long w = watermarks.get(workspace);
    return w == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(w));
  }

  @Override
  public Map<String, Instant> revocationWatermarks() {
    open();
    Map<String, Instant> all = new HashMap<>();
    watermarks.forEach((ws, w) -> all.put(ws, Instant.ofEpochMilli(w)));
    return all;
  }

  /**
   * How many records are stored.
   *
   * @return the number of records, whatever their state
   */
  public int size() {
    return records.size();
  }

  @Override
  public void close() {
    closed = true;
    listeners.clear();
  }

  /**
   * Keeps a workspace index entry in step with a replace, inside the record's atomic step (so a
   * raise, which waits for it, sees both or neither). A replace may move a record to another
   * workspace: its entry moves too.
   */
  private void indexed(String oldWorkspace, String id, TokenRecord updated) {
    if (!oldWorkspace.equals(updated.workspace())) {
      ConcurrentSkipListMap<String, Coverage> old = workspaces.get(oldWorkspace);
      if (old != null) old.remove(id);
    }
    workspaces.computeIfAbsent(updated.workspace(), w -> new ConcurrentSkipListMap<>())
        .put(id, Coverage.of(updated));
  }

  /** What a raise's count needs of a record, as a shared constant per workspace index entry. */
  private enum Coverage {
    /** Stored REVOKED: never counted. */
    REVOKED,
    /** Written at the time its id starts with. */
    IN_ID,
    /** An imported key: its written time is in the record ({@code importedAt}, or the epoch). */
    IN_RECORD;

    static Coverage of(TokenRecord r) {
      if (r.state() == io.latchkey.spi.StoredState.REVOKED) return REVOKED;
      return r.importedAt() == null && !r.hint().startsWith("legacy ") ? IN_ID : IN_RECORD;
    }
  }

  private void changed(String id) {
    long now = System.currentTimeMillis();
    for (ChangeListener l : listeners) l.tokenChanged(id, now);
  }

  private void open() {
    if (closed) throw new StoreUnavailableException("in-memory token store is closed", null);
  }

  @Override
  public String toString() {
    return "InMemoryTokenStore[records=" + records.size() + "]";
  }
}
