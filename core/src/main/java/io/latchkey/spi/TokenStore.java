package io.latchkey.spi;

import io.latchkey.AuditEntry;
import io.latchkey.StoreUnavailableException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Persists {@link TokenRecord}s. A store knows nothing of token states, hashing or validation: it
 * keeps records, finds them by id, replaces them only if their version still matches, and lists a
 * workspace in id order. Everything else lives in core, so every backend behaves the same.
 *
 * <p>Implementations must be thread-safe. Every method throws {@link StoreUnavailableException}
 * when the backend cannot be reached; a write that throws must leave the backend as it was.
 *
 * <p>{@link #find} is on the validation path (on a cache miss): it should cost one round trip.
 *
 * <h2>Audit trail</h2>
 *
 * <p>A store that returns true from {@link #keepsAuditTrail()} persists {@link AuditEntry}s: the
 * write methods that take an entry ({@link #insert(TokenRecord, AuditEntry)}, {@link
 * #replace(TokenRecord, long, AuditEntry)}, {@link #delete(String, AuditEntry)}) store the entry
 * <em>in the same atomic write</em> as the change — when the change happens the entry is stored,
 * when it does not (duplicate id, version mismatch, no record, an exception) no entry is — and
 * entries stay when their token is deleted. {@link #history} and {@link #workspaceHistory} read
 * them newest first (descending entry id), keyset-paged. Core passes entries only to a store that
 * keeps a trail; the audit methods' defaults keep a store written before the trail existed
 * working unchanged (without one: {@code history} then throws {@link
 * UnsupportedOperationException}). {@code TokenStoreCompatibilityKit} states the contract.
 */
public interface TokenStore extends AutoCloseable {

  /**
   * Stores a new record.
   *
   * @return true if stored; false if a record with the same id exists (nothing is changed)
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param record the record to store, version 1
   */
  boolean insert(TokenRecord record);

  /**
   * Finds a record by id.
   *
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param id the token id
   * @return the record, equal to the one last written, or empty if there is none
   */
  Optional<TokenRecord> find(String id);

  /**
   * Replaces the record with {@code updated.id()} if its stored version is {@code expectedVersion}
   * (compare-and-set). {@code updated.version()} is the new version. The usage fields ({@code
   * lastUsedAt}, {@code lastUsedIp}, {@code lastUsedIntegration}) are not written by a replace: only
   * {@link #applyUsage} changes them, so a replace never moves last-used time backwards.
   *
   * @return true if replaced; false if the record is gone or its version differs
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param updated the new record, with the same id and the next version
   * @param expectedVersion the version the stored record must have
   */
  boolean replace(TokenRecord updated, long expectedVersion);

  /**
   * Removes a record.
   *
   * @return true if a record was removed, false if there was none
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param id the token id
   */
  boolean delete(String id);

  /**
   * Lists up to {@code limit} records of one workspace whose id is greater than {@code afterId}
   * (all, when null), in ascending id order (keyset pagination). Records inserted while a caller
   * pages through never make it see a record twice or miss one that existed when it started.
   *
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param workspace the workspace whose records to list
   * @param afterId the last id of the previous page, or null for the first page
   * @param limit the most records to return, at least 1
   * @return the records, ascending by id; fewer than {@code limit} only on the last page
   */
  List<TokenRecord> list(String workspace, @Nullable String afterId, int limit);

  /**
   * Writes a batch of usage updates. Each applies only if its {@code usedAt} is later than the
   * record's {@code lastUsedAt}; updates for ids that do not exist are ignored. Does not change the
   * record's version and does not notify the change feed.
   *
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param updates the usage to write, at most one per token id
   */
  void applyUsage(Collection<UsageUpdate> updates);

  /**
   * Whether this store persists the audit trail: true means the audit methods below are
   * implemented as documented. False by default, for stores written before the trail existed.
   *
   * @return true if this store implements the audit methods
   */
  default boolean keepsAuditTrail() {
    return false;
  }

  /**
   * As {@link #insert(TokenRecord)}, storing {@code audit} atomically with the record: both or
   * neither. The default supports only a store that keeps no trail.
   *
   * @param record the record to store, version 1
   * @param audit the entry recording the issue
   * @return true if stored; false if a record with the same id exists (nothing is changed)
   * @throws UnsupportedOperationException by default: the store keeps no audit trail
   * @throws StoreUnavailableException if the backend cannot be reached (neither is written)
   */
  default boolean insert(TokenRecord record, AuditEntry audit) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no audit trail");
  }

  /**
   * As {@link #replace(TokenRecord, long)}, storing {@code audit} atomically with the change: the
   * entry is stored if and only if the record is replaced.
   *
   * @param updated the new record, with the same id and the next version
   * @param expectedVersion the version the stored record must have
   * @param audit the entry recording the change
   * @return true if replaced; false if the record is gone or its version differs
   * @throws UnsupportedOperationException by default: the store keeps no audit trail
   * @throws StoreUnavailableException if the backend cannot be reached (neither is written)
   */
  default boolean replace(TokenRecord updated, long expectedVersion, AuditEntry audit) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no audit trail");
  }

  /**
   * Many independent compare-and-set replaces in one call, for bulk work such as bringing a
   * workspace's records in line with a revocation watermark: element {@code i} is {@link
   * #replace(TokenRecord, long, AuditEntry) replace(updated.get(i), expectedVersions[i],
   * audits.get(i))}, or {@link #replace(TokenRecord, long)} when {@code audits} is null. Each
   * element succeeds or fails on its own, never all or nothing: a record that is gone or whose
   * version differs is left as it is, and its entry is not stored. A store overrides this to save
   * round trips (one transaction, one script); the default replaces one by one.
   *
   * <p>If the backend fails part-way, some elements may have been written and the call throws:
   * the caller retries with what it reads again, and the compare-and-set makes a retry of an
   * element already written fail harmlessly.
   *
   * @param updated the new records, each with its id and its next version, no id twice
   * @param expectedVersions the version each stored record must have, one per record
   * @param audits the entries recording each change, one per record, or null to store none (a
   *     store that keeps no audit trail is only called with null)
   * @return for each element, whether its record was replaced
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
      @Nullable List<AuditEntry> audits) {
    checkReplaceEach(updated, expectedVersions, audits);
    boolean[] written = new boolean[updated.size()];
    for (int i = 0; i < written.length; i++) {
      written[i] = audits == null
          ? replace(updated.get(i), expectedVersions[i])
          : replace(updated.get(i), expectedVersions[i], audits.get(i));
    }
    return written;
  }

  /**
   * The argument checks of {@link #replaceEach}, for stores that override it.
   *
   * @param updated the new records
   * @param expectedVersions one version per record
   * @param audits one entry per record, or null
   * @throws NullPointerException if a list, the array or an element is null
   * @throws IllegalArgumentException if the sizes differ
   */
  static void checkReplaceEach(List<TokenRecord> updated, long[] expectedVersions,
      @Nullable List<AuditEntry> audits) {
    Objects.requireNonNull(updated, "updated == null");
    Objects.requireNonNull(expectedVersions, "expectedVersions == null");
    for (TokenRecord r : updated) Objects.requireNonNull(r, "updated contains null");
    if (expectedVersions.length != updated.size()) {
      throw new IllegalArgumentException("expectedVersions: " + expectedVersions.length
          + " versions for " + updated.size() + " records");
    }
    if (audits != null) {
      for (AuditEntry a : audits) Objects.requireNonNull(a, "audits contains null");
      if (audits.size() != updated.size()) {
        throw new IllegalArgumentException("audits: " + audits.size() + " entries for "
            + updated.size() + " records");
      }
    }
  }

  /**
   * As {@link #delete(String)}, storing {@code audit} atomically with the removal: the entry is
   * stored if and only if a record was removed. The token's earlier entries stay.
   *
   * @param id the token id
   * @param audit the entry recording the removal
   * @return true if a record was removed, false if there was none
   * @throws UnsupportedOperationException by default: the store keeps no audit trail
   * @throws StoreUnavailableException if the backend cannot be reached (neither is written)
   */
  default boolean delete(String id, AuditEntry audit) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no audit trail");
  }

  /**
   * Up to {@code limit} entries of one token whose entry id is less than {@code beforeId} (all,
   * when null), in descending entry id order (newest first). Entries of a deleted token are kept.
   * A revoke-all's workspace entry (token id {@link RevocationWatermarks#WORKSPACE_ENTRY_TOKEN_ID})
   * is no token's: the history of that id is empty, and {@link #workspaceHistory} returns it.
   *
   * @param tokenId the token id
   * @param beforeId return only entries with a smaller id, or null for the newest
   * @param limit the most entries to return
   * @return the entries, newest first; empty if none
   * @throws UnsupportedOperationException by default: the store keeps no audit trail
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default List<AuditEntry> history(String tokenId, @Nullable String beforeId, int limit) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no audit trail");
  }

  /**
   * As {@link #history}, for every token of a workspace, deleted ones included.
   *
   * @param workspace the workspace
   * @param beforeId return only entries with a smaller id, or null for the newest
   * @param limit the most entries to return
   * @return the entries, newest first; empty if none
   * @throws UnsupportedOperationException by default: the store keeps no audit trail
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default List<AuditEntry> workspaceHistory(String workspace, @Nullable String beforeId,
      int limit) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no audit trail");
  }

  /**
   * Removes entries made before {@code cutoff}, for the retention period. Best effort: a store may
   * keep them longer (core never returns them), e.g. until a key's own expiry. Does nothing by
   * default.
   *
   * @param cutoff entries made before this instant may be removed
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default void pruneAuditTrail(Instant cutoff) {}

  /**
   * Whether this store keeps revocation watermarks: true means the watermark methods below are
   * implemented as documented. False by default, for stores written before watermarks existed;
   * core then revokes a workspace token by token.
   *
   * @return true if this store implements the revocation-watermark methods
   */
  default boolean keepsRevocationWatermarks() {
    return false;
  }

  /**
   * Raises a workspace's revocation watermark to {@code watermark} atomically, and counts what
   * that revoked: the records of the workspace that the new watermark covers and the old one did
   * not ({@link RevocationWatermarks#covers}), whose stored state is not {@code REVOKED}. A
   * watermark is never lowered: if the stored one is not earlier, nothing changes and the count is
   * 0. The count is read in the same atomic step as the raise, in a constant number of round
   * trips. A raise is delivered through the change feed ({@link
   * ChangeListener#revocationWatermarkRaised}) to every subscriber, this store's own included.
   * Records themselves are not written: core brings their stored state in line later.
   *
   * @param workspace the workspace
   * @param watermark records written before this instant are revoked
   * @return how many records this raise revoked, as above
   * @throws UnsupportedOperationException by default: the store keeps no watermarks
   * @throws StoreUnavailableException if the backend cannot be reached (nothing is written)
   */
  default int raiseRevocationWatermark(String workspace, Instant watermark) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no watermarks");
  }

  /**
   * As {@link #raiseRevocationWatermark(String, Instant)}, storing {@code audit} (the workspace's
   * one entry, action {@code REVOKED_ALL}) atomically with the raise, with each {@link
   * RevocationWatermarks#COUNT_PLACEHOLDER} in its detail replaced by the count; nothing is stored
   * if the watermark is not raised. Core calls it only on a store that keeps the audit trail.
   *
   * @param workspace the workspace
   * @param watermark records written before this instant are revoked
   * @param audit the workspace's entry recording the revoke-all
   * @return how many records this raise revoked
   * @throws UnsupportedOperationException by default: the store keeps no watermarks
   * @throws StoreUnavailableException if the backend cannot be reached (nothing is written)
   */
  default int raiseRevocationWatermark(String workspace, Instant watermark, AuditEntry audit) {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no watermarks");
  }

  /**
   * A workspace's revocation watermark.
   *
   * @param workspace the workspace
   * @return its watermark, or empty if it has none (or the store keeps none)
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default Optional<Instant> revocationWatermark(String workspace) {
    return Optional.empty();
  }

  /**
   * Every workspace's revocation watermark: one per workspace that was ever revoked as a whole, so
   * a small map. Core reads it at start and after a feed reset.
   *
   * @return workspace to watermark; empty if none (or the store keeps none)
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default Map<String, Instant> revocationWatermarks() {
    return Map.of();
  }

  /**
   * Subscribes to the ids of records changed by any process (insert, replace, delete), if this
   * store has a change feed. A store's own writes are delivered to its own subscribers too.
   *
   * <p>It may throw when the backend is down: {@link io.latchkey.Latchkey} then builds anyway,
   * answers validations from the store as it can, and calls {@code subscribe} again in the
   * background with bounded back-off until it succeeds (see docs/architecture.md, "Failure
   * model"). It should return or throw within the store's own timeouts.
   *
   * @return the subscription, or empty if this store has no change feed
   * @throws StoreUnavailableException if the backend cannot be reached
   * @param listener called with the id of every changed record, on a thread of the store
   */
  default Optional<Subscription> subscribe(ChangeListener listener) {
    return Optional.empty();
  }

  /**
   * An id no token can have (token ids are base62), for the default {@link #ping()}. Sixteen
   * characters, so it fits any column sized for real ids.
   */
  String PING_ID = "latchkey-ping--!";

  /**
   * Checks that the backend can be reached, for {@link io.latchkey.Latchkey#health()}: returns
   * normally if it answered. It should cost one cheap round trip and is bounded by the store's own
   * timeouts. The default finds {@link #PING_ID}, which never exists; a store may override it with
   * a cheaper check.
   *
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  default void ping() {
    find(PING_ID);
  }

  /** Releases what the store created itself (pools, clients); never what the host handed it. */
  @Override
  default void close() {}

  /** An active change-feed subscription. */
  interface Subscription extends AutoCloseable {
    /** Stops delivery to the listener. */
    @Override
    void close();
  }
}
