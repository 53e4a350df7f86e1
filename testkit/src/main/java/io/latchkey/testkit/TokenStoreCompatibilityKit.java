package io.latchkey.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.AuditEntry;
import io.latchkey.AuditPage;
import io.latchkey.HashingKey;
import io.latchkey.IllegalTransitionException;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.LegacyFormat;
import io.latchkey.LegacyKey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.Token;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.TokenManager;
import io.latchkey.TokenPage;
import io.latchkey.TokenQuery;
import io.latchkey.TokenState;
import io.latchkey.TokenUpdate;
import io.latchkey.ValidationRequest;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link TokenStore} contract, as tests. A store is correct when its subclass passes:
 *
 * <pre>{@code
 * class MyTokenStoreCompatibilityTest extends TokenStoreCompatibilityKit {
 *   @Override protected TokenStore newStore() { return new MyTokenStore(...); }
 * }
 * }</pre>
 *
 * <p>{@link #newStore()} is called before each test and must return a store over an empty
 * backend; the kit closes it after the test. The tests run the SPI directly and through a {@link
 * Latchkey} built over the store with a {@link MutableClock}, so state, expiry, listing, usage and
 * races are checked the same way on every backend.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TokenStoreCompatibilityKit {
  /** The kit's clock; starts at 2026-01-01T00:00:00Z. */
  protected final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private static final HashingKey KEY = HashingKey.generate("kit1");
  private static final AtomicLong ID_SEQUENCE = new AtomicLong();

  /** The store under test, fresh for each test. */
  protected TokenStore store;
  /** A Latchkey over {@link #store} with the kit's clock. */
  protected Latchkey latchkey;
  /** {@code latchkey.tokens().as("kit")}. */
  protected TokenManager tokens;

  /**
   * A new store over an empty backend.
   *
   * @return the store; the kit closes it after each test
   * @throws Exception if the backend cannot be prepared (the test then errors)
   */
  protected abstract TokenStore newStore() throws Exception;

  /**
   * Whether this store has a change feed; a store without one must say so by returning empty.
   *
   * @return true (the default) if {@link TokenStore#subscribe} returns a subscription
   */
  protected boolean hasChangeFeed() {
    return true;
  }

  /**
   * Whether this store keeps the audit trail ({@link TokenStore#keepsAuditTrail()}); a store
   * without one must say so by overriding this to return false, and then skips the audit tests.
   *
   * @return true (the default) if the store keeps the audit trail and runs the audit tests
   */
  protected boolean keepsAuditTrail() {
    return true;
  }

  /**
   * Whether this store keeps revocation watermarks ({@link TokenStore#keepsRevocationWatermarks()});
   * a store without them must say so by overriding this to return false, and then skips the
   * watermark tests (its {@code revokeAll} goes token by token).
   *
   * @return true (the default) if the store keeps revocation watermarks
   */
  protected boolean keepsRevocationWatermarks() {
    return true;
  }

  /**
   * A second store over the same backend as {@code first}, as another process would open it; by
   * default {@code first} itself. Stores with a change feed should return a separate instance so
   * the cross-instance tests cross a real connection.
   *
   * @param first the store under test
   * @return a store over the same backend; the kit closes it if it is not {@code first}
   * @throws Exception if the second store cannot be opened
   */
  protected TokenStore secondStore(TokenStore first) throws Exception {
    return first;
  }

  @BeforeEach
  void setUpKit() throws Exception {
    store = newStore();
    latchkey = newLatchkey(store);
    tokens = latchkey.tokens().as("kit");
  }

  @AfterEach
  void tearDownKit() {
    if (latchkey != null) latchkey.close();
    if (store != null) store.close();
  }

  /**
   * A Latchkey over {@code s} with the kit's clock and key.
   *
   * @param s the store to use
   * @return a new Latchkey; the caller closes it
   */
  protected Latchkey newLatchkey(TokenStore s) {
    return Latchkey.builder().store(s).clock(clock).tokenPrefix("kit").hashingKey(KEY).build();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * A fresh id that sorts after every earlier one from this method.
   *
   * @return a 16-character base62 id
   */
  protected static String newId() {
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    long n = ID_SEQUENCE.incrementAndGet() + System.nanoTime() / 1_000_000_000L * 1_000_000L;
    char[] id = new char[16];
    for (int i = 15; i >= 0; i--) {
      id[i] = alphabet.charAt((int) (n % 62));
      n /= 62;
    }
    return new String(id);
  }

  /**
   * A record with every field set, including Unicode, an explicit deny and an IPv6 range.
   *
   * @param workspace the workspace of the record
   * @return a new record, version 1, with a fresh id
   */
  protected TokenRecord record(String workspace) {
    Instant now = clock.instant();
    byte[] hash = new byte[32];
    for (int i = 0; i < hash.length; i++) hash[i] = (byte) (i * 7 + 1);
    Map<String, Boolean> permissions = new LinkedHashMap<>();
    permissions.put("invoices:read", true);
    permissions.put("invoices:write", false);
    return TokenRecord.builder()
        .id(newId())
        .workspace(workspace)
        .name("billing-sync ✓ ünïcode")
        .description("line one\nline two, \"quoted\" and 'single'")
        .hint("kit_...Ab3x")
        .keyId("kit1")
        .hash(hash)
        .state(StoredState.ACTIVE)
        .permissions(permissions)
        .allowedIps(List.of("203.0.113.0/24", "2001:db8::/32"))
        .metadata(Map.of("team", "billing", "ticket", "OPS-42"))
        .createdAt(now)
        .createdBy("alice")
        .updatedAt(now)
        .expiresAt(now.plus(Duration.ofDays(30)))
        .version(1)
        .build();
  }

  private TokenRecord inserted(String workspace) {
    TokenRecord r = record(workspace);
    assertThat(store.insert(r)).isTrue();
    return r;
  }

  private TokenRecord stored(String id) {
    return store.find(id).orElseThrow(() -> new AssertionError("record " + id + " is gone"));
  }

  private IssuedToken issue(String workspace, String name) {
    return tokens.issue(NewToken.in(workspace).name(name).permission("invoices:read", true));
  }

  private Reason validate(String token) {
    Reason r = latchkey.validator().validate(ValidationRequest.of(token)).reasonOrNull();
    return r;
  }

  /**
   * Waits up to five seconds for a condition.
   *
   * @param what what is awaited, for the failure message
   * @param condition polled until it is true
   * @throws AssertionError if it is still false after five seconds
   */
  protected static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  // ------------------------------------------------------------------ groups

  @Nested
  @DisplayName("Lifecycle: insert, find, replace, delete")
  class Lifecycle {

    @Test
    @DisplayName("a record found is equal to the record inserted, every field included")
    void insert_thenFind_returnsEqualRecord() {
      TokenRecord r = inserted("ws-1");
      assertThat(store.find(r.id())).contains(r);
    }

    @Test
    @DisplayName("empty permissions, allowlist and metadata round-trip as empty")
    void insert_emptyCollections_roundTrip() {
      TokenRecord r = record("ws-1").toBuilder()
          .permissions(Map.of()).allowedIps(List.of()).metadata(Map.of()).description("").build();
      assertThat(store.insert(r)).isTrue();
      assertThat(stored(r.id())).isEqualTo(r);
    }

    @Test
    @DisplayName("usage fields given at insert round-trip")
    void insert_withUsageFields_roundTrip() {
      TokenRecord r = record("ws-1").toBuilder().lastUsedAt(clock.instant())
          .lastUsedIp("2001:db8::1").lastUsedIntegration("zapier").build();
      assertThat(store.insert(r)).isTrue();
      assertThat(stored(r.id())).isEqualTo(r);
    }

    @Test
    @DisplayName("a second insert with the same id is refused and changes nothing")
    void insert_duplicateId_returnsFalseAndKeepsFirst() {
      TokenRecord first = inserted("ws-1");
      TokenRecord second = record("ws-2").toBuilder().id(first.id()).name("other").build();
      assertThat(store.insert(second)).isFalse();
      assertThat(stored(first.id())).isEqualTo(first);
      assertThat(store.list("ws-2", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("an unknown id is not found")
    void find_unknownId_isEmpty() {
      assertThat(store.find(newId())).isEmpty();
    }

    @Test
    @DisplayName("replace with the current version writes the new record")
    void replace_currentVersion_writes() {
      TokenRecord r = inserted("ws-1");
      TokenRecord next = r.toBuilder().name("renamed").state(StoredState.DISABLED)
          .permissions(Map.of("a", true)).allowedIps(List.of()).metadata(Map.of("k", "v"))
          .updatedAt(clock.instant().plusSeconds(1)).version(r.version() + 1).build();
      assertThat(store.replace(next, r.version())).isTrue();
      assertThat(stored(r.id())).isEqualTo(next);
    }

    @Test
    @DisplayName("replace with a stale version is refused and changes nothing")
    void replace_staleVersion_isRefused() {
      TokenRecord r = inserted("ws-1");
      TokenRecord v2 = r.toBuilder().name("v2").version(2).build();
      assertThat(store.replace(v2, 1)).isTrue();
      TokenRecord stale = r.toBuilder().name("stale").version(2).build();
      assertThat(store.replace(stale, 1)).isFalse();
      assertThat(stored(r.id())).isEqualTo(v2);
    }

    @Test
    @DisplayName("replace of an unknown id is refused and creates nothing")
    void replace_unknownId_isRefused() {
      TokenRecord r = record("ws-1").toBuilder().version(2).build();
      assertThat(store.replace(r, 1)).isFalse();
      assertThat(store.find(r.id())).isEmpty();
    }

    @Test
    @DisplayName("replace leaves the usage fields as applyUsage wrote them")
    void replace_keepsUsageFields() {
      TokenRecord r = inserted("ws-1");
      Instant used = clock.instant().plusSeconds(5);
      store.applyUsage(List.of(new UsageUpdate(r.id(), used, "203.0.113.9", "zapier")));
      TokenRecord next = r.toBuilder().name("renamed").version(2).build(); // usage fields null
      assertThat(store.replace(next, 1)).isTrue();
      TokenRecord after = stored(r.id());
      assertThat(after.name()).isEqualTo("renamed");
      assertThat(after.lastUsedAt()).isEqualTo(used);
      assertThat(after.lastUsedIp()).isEqualTo("203.0.113.9");
      assertThat(after.lastUsedIntegration()).isEqualTo("zapier");
    }

    @Test
    @DisplayName("delete removes the record; a second delete finds nothing")
    void delete_existing_thenGone() {
      TokenRecord r = inserted("ws-1");
      assertThat(store.delete(r.id())).isTrue();
      assertThat(store.find(r.id())).isEmpty();
      assertThat(store.delete(r.id())).isFalse();
      assertThat(store.list("ws-1", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("issued tokens leave no plaintext secret in the stored record")
    void issue_storesNoSecret() {
      IssuedToken t = issue("ws-1", "n");
      TokenRecord r = stored(t.id().value());
      String secretPart = t.secret().substring(t.secret().length() - 39, t.secret().length() - 6);
      assertThat(r.toString()).doesNotContain(secretPart)
          .doesNotContain(Base64.getEncoder().encodeToString(r.hash()))
          .doesNotContain(HexFormat.of().formatHex(r.hash()));
      for (String field : List.of(r.id(), r.workspace(), r.name(), r.description(), r.hint(),
          r.keyId(), r.createdBy())) {
        assertThat(field).doesNotContain(secretPart);
      }
      assertThat(r.hash()).hasSize(32);
    }
  }

  @Nested
  @DisplayName("Transitions: the state table over this store")
  class Transitions {

    @Test
    @DisplayName("an issued token validates; disabled it is DISABLED; enabled it validates again")
    void disableEnable_roundTrip() {
      IssuedToken t = issue("ws-1", "n");
      assertThat(validate(t.secret())).isNull();
      assertThat(tokens.disable(t.id()).state()).isEqualTo(TokenState.DISABLED);
      assertThat(validate(t.secret())).isEqualTo(Reason.DISABLED);
      assertThat(tokens.enable(t.id()).state()).isEqualTo(TokenState.ACTIVE);
      assertThat(validate(t.secret())).isNull();
      assertThat(stored(t.id().value()).version()).isEqualTo(3);
    }

    @Test
    @DisplayName("revoked is final: enable and disable fail, validation says REVOKED")
    void revoke_isFinal() {
      IssuedToken t = issue("ws-1", "n");
      tokens.revoke(t.id());
      assertThatThrownBy(() -> tokens.enable(t.id()))
          .isInstanceOf(IllegalTransitionException.class).hasMessageContaining(t.id().value());
      assertThatThrownBy(() -> tokens.disable(t.id())).isInstanceOf(IllegalTransitionException.class);
      assertThat(tokens.revoke(t.id()).state()).isEqualTo(TokenState.REVOKED);
      assertThat(validate(t.secret())).isEqualTo(Reason.REVOKED);
      assertThat(stored(t.id().value()).state()).isEqualTo(StoredState.REVOKED);
    }

    @Test
    @DisplayName("expiry is derived from the clock and wins over ACTIVE and DISABLED")
    void expiry_derivedFromClock() {
      IssuedToken t = tokens.issue(NewToken.in("ws-1").name("n").expiresIn(Duration.ofHours(1)));
      clock.advance(Duration.ofHours(1));
      assertThat(validate(t.secret())).isEqualTo(Reason.EXPIRED);
      assertThat(tokens.get(t.id()).state()).isEqualTo(TokenState.EXPIRED);
      assertThatThrownBy(() -> tokens.disable(t.id())).isInstanceOf(IllegalTransitionException.class);
      assertThat(tokens.revoke(t.id()).state()).isEqualTo(TokenState.REVOKED);
    }

    @Test
    @DisplayName("a token expires two years after issue by default")
    void issue_defaultLifetime_isTwoYears() {
      IssuedToken t = issue("ws-1", "n");
      assertThat(stored(t.id().value()).expiresAt())
          .isEqualTo(Instant.parse("2028-01-01T00:00:00Z"));
    }

    @Test
    @DisplayName("rotate issues a new token with the same settings; the old one ends after the overlap")
    void rotate_newTokenAndOverlap() {
      IssuedToken old = tokens.issue(NewToken.in("ws-1").name("n").permission("a", true)
          .allowIp("203.0.113.0/24").metadata("k", "v"));
      IssuedToken fresh = tokens.rotate(old.id(), Duration.ofHours(1));
      Token f = tokens.get(fresh.id());
      assertThat(f.workspace()).isEqualTo("ws-1");
      assertThat(f.permissions()).isEqualTo(Map.of("a", true));
      assertThat(f.allowedIps()).containsExactly("203.0.113.0/24");
      assertThat(f.metadata()).isEqualTo(Map.of("k", "v"));
      ValidationRequest req = ValidationRequest.of(old.secret()).clientIp("203.0.113.1");
      assertThat(latchkey.validator().validate(req).isValid()).isTrue();
      clock.advance(Duration.ofHours(1));
      assertThat(latchkey.validator().validate(req).reasonOrNull()).isEqualTo(Reason.EXPIRED);
      assertThat(latchkey.validator().validate(
          ValidationRequest.of(fresh.secret()).clientIp("203.0.113.1")).isValid()).isTrue();
    }

    @Test
    @DisplayName("a deleted token validates as UNKNOWN and cannot be found")
    void delete_thenUnknown() {
      IssuedToken t = issue("ws-1", "n");
      assertThat(validate(t.secret())).isNull();
      tokens.delete(t.id());
      assertThat(validate(t.secret())).isEqualTo(Reason.UNKNOWN);
      assertThat(tokens.find(t.id())).isEmpty();
    }

    @Test
    @DisplayName("revokeAll revokes the workspace's live tokens only and counts them")
    void revokeAll_countsAndIsolates() {
      IssuedToken a = issue("ws-1", "a");
      IssuedToken b = issue("ws-1", "b");
      IssuedToken c = issue("ws-1", "c");
      IssuedToken other = issue("ws-2", "x");
      tokens.revoke(c.id());
      assertThat(tokens.revokeAll("ws-1")).isEqualTo(2);
      assertThat(validate(a.secret())).isEqualTo(Reason.REVOKED);
      assertThat(validate(b.secret())).isEqualTo(Reason.REVOKED);
      assertThat(validate(other.secret())).isNull();
      assertThat(tokens.revokeAll("ws-1")).isZero();
    }

    @Test
    @DisplayName("setPermissions replaces, updatePermissions merges and keeps explicit denies")
    void permissions_setAndMerge() {
      IssuedToken t = issue("ws-1", "n");
      tokens.setPermissions(t.id(), Map.of("a", true, "b", true));
      tokens.updatePermissions(t.id(), Map.of("b", false, "c", true));
      assertThat(tokens.permissions(t.id())).isEqualTo(Map.of("a", true, "b", false, "c", true));
      assertThat(latchkey.validator().validate(ValidationRequest.of(t.secret()).require("b"))
          .reasonOrNull()).isEqualTo(Reason.PERMISSION_DENIED);
      assertThat(latchkey.validator().validate(ValidationRequest.of(t.secret()).require("a", "c"))
          .isValid()).isTrue();
    }

    @Test
    @DisplayName("update changes name, description, allowlist and metadata")
    void update_fields() {
      IssuedToken t = issue("ws-1", "n");
      tokens.update(t.id(), TokenUpdate.create().name("renamed").description("d")
          .allowedIps(List.of("::1")).metadata(Map.of("x", "y")));
      Token u = tokens.get(t.id());
      assertThat(u.name()).isEqualTo("renamed");
      assertThat(u.description()).isEqualTo("d");
      assertThat(u.allowedIps()).containsExactly("::1");
      assertThat(u.metadata()).isEqualTo(Map.of("x", "y"));
      assertThat(latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("127.0.0.1"))
          .reasonOrNull()).isEqualTo(Reason.IP_NOT_ALLOWED);
    }
  }

  @Nested
  @DisplayName("Listing: keyset pages of one workspace")
  class Listing {

    @Test
    @DisplayName("an unknown workspace lists nothing")
    void list_unknownWorkspace_isEmpty() {
      inserted("ws-1");
      assertThat(store.list("nobody", null, 10)).isEmpty();
    }

    @Test
    @DisplayName("records come in ascending id order, one workspace at a time")
    void list_ordersByIdAndIsolatesWorkspaces() {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(inserted("ws-1").id());
        inserted("ws-2");
      }
      List<TokenRecord> listed = store.list("ws-1", null, 100);
      assertThat(listed).extracting(TokenRecord::id).containsExactlyElementsOf(ids.stream().sorted().toList());
      assertThat(listed).allMatch(r -> r.workspace().equals("ws-1"));
    }

    @Test
    @DisplayName("pages by cursor cover every record exactly once")
    void list_pages_coverAllOnce() {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 23; i++) ids.add(inserted("ws-1").id());
      List<String> seen = new ArrayList<>();
      String after = null;
      while (true) {
        List<TokenRecord> page = store.list("ws-1", after, 5);
        assertThat(page.size()).isLessThanOrEqualTo(5);
        if (page.isEmpty()) break;
        page.forEach(r -> seen.add(r.id()));
        after = page.get(page.size() - 1).id();
      }
      assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    @DisplayName("a page after the last id is empty")
    void list_afterLast_isEmpty() {
      TokenRecord r = inserted("ws-1");
      assertThat(store.list("ws-1", r.id(), 10)).isEmpty();
    }

    @Test
    @DisplayName("a cursor stays stable while records are inserted concurrently")
    void list_cursorStable_underConcurrentInserts() throws Exception {
      Set<String> initial = new HashSet<>();
      for (int i = 0; i < 40; i++) initial.add(inserted("ws-1").id());
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<?> writer = pool.submit(() -> {
        while (!stop.get()) store.insert(record("ws-1"));
      });
      try {
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int pages = 0; pages < 1000; pages++) {
          List<TokenRecord> page = store.list("ws-1", after, 7);
          if (page.isEmpty()) break;
          for (TokenRecord r : page) {
            if (after != null) assertThat(r.id()).isGreaterThan(after);
            seen.add(r.id());
          }
          after = page.get(page.size() - 1).id();
          if (seen.containsAll(initial)) break;
        }
        assertThat(seen).doesNotHaveDuplicates().containsAll(initial);
      } finally {
        stop.set(true);
        writer.get(10, TimeUnit.SECONDS);
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("the manager filters by effective state and name and pages with a cursor")
    void managerList_filtersAndPages() {
      List<IssuedToken> issued = new ArrayList<>();
      for (int i = 0; i < 7; i++) issued.add(issue("ws-1", i % 2 == 0 ? "sync-" + i : "other-" + i));
      tokens.disable(issued.get(0).id());
      TokenPage first = tokens.list(TokenQuery.in("ws-1").nameContains("SYNC").limit(2));
      assertThat(first.tokens()).extracting(Token::name).containsExactly("sync-0", "sync-2");
      assertThat(first.hasMore()).isTrue();
      TokenPage second = tokens.list(TokenQuery.in("ws-1").nameContains("sync").limit(2)
          .after(first.nextCursor().orElseThrow()));
      assertThat(second.tokens()).extracting(Token::name).containsExactly("sync-4", "sync-6");
      assertThat(second.hasMore()).isFalse();
      assertThat(tokens.list(TokenQuery.in("ws-1").state(TokenState.DISABLED)).tokens())
          .extracting(Token::name).containsExactly("sync-0");
      assertThat(tokens.list(TokenQuery.in("ws-1")).tokens())
          .allSatisfy(t -> assertThat(t.hint()).startsWith("kit_...").hasSize(11));
    }
  }

  @Nested
  @DisplayName("Usage: batched last-used time, address and integration")
  class Usage {

    @Test
    @DisplayName("applyUsage sets the three usage fields")
    void applyUsage_sets() {
      TokenRecord r = inserted("ws-1");
      Instant at = clock.instant().plusSeconds(3);
      store.applyUsage(List.of(new UsageUpdate(r.id(), at, "2001:db8::7", "zapier")));
      TokenRecord after = stored(r.id());
      assertThat(after.lastUsedAt()).isEqualTo(at);
      assertThat(after.lastUsedIp()).isEqualTo("2001:db8::7");
      assertThat(after.lastUsedIntegration()).isEqualTo("zapier");
    }

    @Test
    @DisplayName("an older usage never moves last-used time backwards")
    void applyUsage_older_isIgnored() {
      TokenRecord r = inserted("ws-1");
      Instant later = clock.instant().plusSeconds(10);
      store.applyUsage(List.of(new UsageUpdate(r.id(), later, "203.0.113.1", "a")));
      store.applyUsage(List.of(new UsageUpdate(r.id(), later.minusSeconds(5), "203.0.113.2", "b")));
      TokenRecord after = stored(r.id());
      assertThat(after.lastUsedAt()).isEqualTo(later);
      assertThat(after.lastUsedIp()).isEqualTo("203.0.113.1");
      assertThat(after.lastUsedIntegration()).isEqualTo("a");
    }

    @Test
    @DisplayName("a batch applies every update, ignores unknown ids and keeps the latest per id")
    void applyUsage_batch() {
      TokenRecord a = inserted("ws-1");
      TokenRecord b = inserted("ws-1");
      Instant t = clock.instant();
      store.applyUsage(List.of(
          new UsageUpdate(a.id(), t.plusSeconds(1), null, null),
          new UsageUpdate(newId(), t.plusSeconds(1), "203.0.113.1", "x"),
          new UsageUpdate(b.id(), t.plusSeconds(2), "203.0.113.2", "y"),
          new UsageUpdate(b.id(), t.plusSeconds(1), "203.0.113.3", "z")));
      assertThat(stored(a.id()).lastUsedAt()).isEqualTo(t.plusSeconds(1));
      assertThat(stored(a.id()).lastUsedIp()).isNull();
      assertThat(stored(b.id()).lastUsedAt()).isEqualTo(t.plusSeconds(2));
      assertThat(stored(b.id()).lastUsedIp()).isEqualTo("203.0.113.2");
    }

    @Test
    @DisplayName("applyUsage does not change the version")
    void applyUsage_keepsVersion() {
      TokenRecord r = inserted("ws-1");
      store.applyUsage(List.of(new UsageUpdate(r.id(), clock.instant().plusSeconds(1), null, "a")));
      assertThat(stored(r.id()).version()).isEqualTo(r.version());
      TokenRecord next = r.toBuilder().name("x").version(r.version() + 1).build();
      assertThat(store.replace(next, r.version())).isTrue();
    }

    @Test
    @DisplayName("validation buffers usage; a flush writes it, the latest use winning")
    void validate_thenFlush_recordsUsage() {
      IssuedToken t = issue("ws-1", "n");
      latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.5")
          .integration("first"));
      clock.advance(Duration.ofSeconds(2));
      latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.6")
          .integration("x-integration-name-second"));
      assertThat(stored(t.id().value()).lastUsedAt()).isNull(); // nothing written synchronously
      assertThat(latchkey.flushUsage()).isEqualTo(1);
      TokenRecord after = stored(t.id().value());
      assertThat(after.lastUsedAt()).isEqualTo(clock.instant());
      assertThat(after.lastUsedIp()).isEqualTo("203.0.113.6");
      assertThat(after.lastUsedIntegration()).isEqualTo("x-integration-name-second");
      assertThat(tokens.get(t.id()).lastUsedAt()).isEqualTo(clock.instant());
    }
  }

  @Nested
  @DisplayName("Concurrency: racing writers lose nothing")
  class Concurrency {

    /** Runs {@code attempt(i)} on {@code threads} threads released at once; counts the wins. */
    private int race(int threads, java.util.function.IntFunction<Boolean> attempt) throws Exception {
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          int n = i;
          results.add(pool.submit(() -> {
            start.await();
            return attempt.apply(n);
          }));
        }
        start.countDown();
        int wins = 0;
        for (Future<Boolean> f : results) if (f.get(30, TimeUnit.SECONDS)) wins++;
        return wins;
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("of many replaces with the same expected version, exactly one wins")
    void replace_race_exactlyOneWins() throws Exception {
      TokenRecord r = inserted("ws-1");
      int wins = race(8, i -> store.replace(r.toBuilder().name("writer-" + i).version(2).build(), 1));
      assertThat(wins).isEqualTo(1);
      assertThat(stored(r.id()).version()).isEqualTo(2);
    }

    @Test
    @DisplayName("of many inserts with one id, exactly one wins")
    void insert_race_exactlyOneWins() throws Exception {
      String id = newId();
      int wins = race(8,
          i -> store.insert(record("ws-1").toBuilder().id(id).name("inserter-" + i).build()));
      assertThat(wins).isEqualTo(1);
      assertThat(store.list("ws-1", null, 100)).hasSize(1);
    }

    @Test
    @DisplayName("racing enable, disable and revoke: a revoked token never comes back")
    void stateRace_revokedNeverReturns() throws Exception {
      IssuedToken t = issue("ws-1", "n");
      TokenId id = t.id();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger illegalAfterRevoke = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> flippers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        boolean enabler = i % 2 == 0;
        flippers.add(pool.submit(() -> {
          while (!stop.get()) {
            try {
              if (enabler) tokens.enable(id); else tokens.disable(id);
            } catch (IllegalTransitionException e) {
              illegalAfterRevoke.incrementAndGet();
            }
          }
        }));
      }
      Thread.sleep(100);
      Token revoked = tokens.revoke(id);
      assertThat(revoked.state()).isEqualTo(TokenState.REVOKED);
      Thread.sleep(100);
      stop.set(true);
      for (Future<?> f : flippers) f.get(30, TimeUnit.SECONDS);
      pool.shutdown();
      assertThat(stored(id.value()).state()).isEqualTo(StoredState.REVOKED);
      assertThat(validate(t.secret())).isEqualTo(Reason.REVOKED);
      assertThat(illegalAfterRevoke.get()).isPositive();
    }

    @Test
    @DisplayName("racing updatePermissions merges every update")
    void updatePermissions_race_noUpdateLost() throws Exception {
      IssuedToken t = issue("ws-1", "n");
      int threads = 4;
      int each = 8;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int thread = i;
        futures.add(pool.submit(() -> {
          start.await();
          for (int j = 0; j < each; j++) {
            tokens.updatePermissions(t.id(), Map.of("p" + thread + "-" + j, j % 3 != 0));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
      pool.shutdown();
      Map<String, Boolean> permissions = tokens.permissions(t.id());
      assertThat(permissions).hasSize(threads * each + 1);
      for (int i = 0; i < threads; i++) {
        for (int j = 0; j < each; j++) {
          assertThat(permissions).containsEntry("p" + i + "-" + j, j % 3 != 0);
        }
      }
    }
  }

  /** Passes every call to another store; {@link #close()} leaves that store open. */
  private static class Delegating implements TokenStore {
    final TokenStore inner;

    Delegating(TokenStore inner) {
      this.inner = inner;
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
    public List<TokenRecord> list(String workspace, String afterId, int limit) {
      return inner.list(workspace, afterId, limit);
    }

    @Override
    public void applyUsage(java.util.Collection<UsageUpdate> updates) {
      inner.applyUsage(updates);
    }

    @Override
    public Optional<Subscription> subscribe(ChangeListener listener) {
      return inner.subscribe(listener);
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("latch not released");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The settings a rotation carries over, as one comparable value. */
  private static List<Object> settings(TokenRecord r) {
    return List.of(r.workspace(), r.name(), r.description(), r.permissions(), r.allowedIps(),
        r.metadata());
  }

  @Nested
  @DisplayName("Races: rotation and other instances' changes lose nothing")
  class Races {

    @Test
    @DisplayName("a change committed to the old token while rotate runs is in the new token")
    void rotate_changesDuringTheRotation_areCarriedOver() throws Exception {
      CountDownLatch inserting = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicBoolean slowNextInsert = new AtomicBoolean();
      TokenStore slow = new Delegating(store) {
        @Override
        public boolean insert(TokenRecord record) {
          if (slowNextInsert.compareAndSet(true, false)) {
            inserting.countDown();
            awaitLatch(release);
          }
          return super.insert(record);
        }
      };
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (Latchkey rotating = newLatchkey(slow)) {
        IssuedToken old = tokens.issue(NewToken.in("ws-1").name("n")
            .permission("admin", true).permission("read", true));
        slowNextInsert.set(true);
        Future<IssuedToken> rotation = pool.submit(() -> rotating.tokens().rotate(old.id()));
        assertThat(inserting.await(30, TimeUnit.SECONDS)).isTrue();
        // Both commit while the new token is being inserted.
        tokens.updatePermissions(old.id(), Map.of("admin", false));
        tokens.update(old.id(), TokenUpdate.create().allowedIps(List.of("10.0.0.1")));
        release.countDown();
        IssuedToken fresh = rotation.get(30, TimeUnit.SECONDS);

        Token f = tokens.get(fresh.id());
        assertThat(f.permissions()).isEqualTo(Map.of("admin", false, "read", true));
        assertThat(f.allowedIps()).containsExactly("10.0.0.1");
        for (Latchkey l : List.of(latchkey, rotating)) {
          assertThat(l.validator().validate(ValidationRequest.of(fresh.secret())
              .clientIp("203.0.113.5").require("admin")).isValid()).isFalse();
          assertThat(l.validator().validate(ValidationRequest.of(fresh.secret())
              .clientIp("10.0.0.1").require("admin")).reasonOrNull())
              .isEqualTo(Reason.PERMISSION_DENIED);
          assertThat(l.validator().validate(ValidationRequest.of(fresh.secret())
              .clientIp("10.0.0.1").require("read")).isValid()).isTrue();
        }
        // The attempt that lost took its new token back.
        assertThat(store.list("ws-1", null, 10)).extracting(TokenRecord::id)
            .containsExactlyInAnyOrder(old.id().value(), fresh.id().value());
      } finally {
        release.countDown();
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("racing grants and rotations: each new token has the old one's settings as of its rotation")
    void rotate_race_newTokenHasTheSettingsItsRotationCommittedOn() throws Exception {
      IssuedToken old = tokens.issue(NewToken.in("ws-1").name("n").permission("base", true));
      String oldId = old.id().value();
      AtomicBoolean stop = new AtomicBoolean();
      // What the rotating thread's compare-and-set on the old token wrote: its settings are the
      // old token's settings at the moment the rotation committed.
      List<TokenRecord> commits = new ArrayList<>();
      Thread[] rotator = new Thread[1];
      TokenStore watched = new Delegating(store) {
        @Override
        public boolean insert(TokenRecord record) {
          if (Thread.currentThread() == rotator[0]) pause(3); // widen the window
          return super.insert(record);
        }

        @Override
        public boolean replace(TokenRecord updated, long expectedVersion) {
          boolean replaced = super.replace(updated, expectedVersion);
          if (replaced && Thread.currentThread() == rotator[0] && updated.id().equals(oldId)) {
            synchronized (commits) {
              commits.add(updated);
            }
          }
          return replaced;
        }
      };
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try (Latchkey rotating = newLatchkey(watched)) {
        List<Future<?>> mutators = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          int thread = i;
          mutators.add(pool.submit(() -> {
            for (int n = 0; !stop.get(); n++) {
              if (thread == 2 && n % 2 == 1) {
                tokens.update(old.id(), TokenUpdate.create()
                    .allowedIps(List.of("10.0." + (n % 200) + ".0/24"))
                    .metadata(Map.of("n", Integer.toString(n))));
              } else {
                // Keys cycle (64 per thread), so a slow machine never passes the 256-entry limit.
                tokens.updatePermissions(old.id(),
                    Map.of("p" + thread + "-" + (n % 64), n % 3 != 0));
              }
              pause(java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 20));
            }
            return null;
          }));
        }
        Future<List<IssuedToken>> rotations = pool.submit(() -> {
          rotator[0] = Thread.currentThread();
          List<IssuedToken> issued = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            issued.add(rotating.tokens().rotate(old.id(), Duration.ofHours(1)));
            pause(5);
          }
          return issued;
        });
        List<IssuedToken> fresh;
        try {
          fresh = rotations.get(60, TimeUnit.SECONDS);
        } finally {
          stop.set(true);
        }
        for (Future<?> m : mutators) m.get(30, TimeUnit.SECONDS);

        assertThat(commits).hasSize(fresh.size());
        for (int i = 0; i < fresh.size(); i++) {
          assertThat(settings(stored(fresh.get(i).id().value())))
              .as("rotation %s: the new token's settings against the old token's at commit", i)
              .isEqualTo(settings(commits.get(i)));
        }
        assertThat(store.list("ws-1", null, 100)).hasSize(1 + fresh.size());
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("a no-op revoke of a token another instance revoked drops this instance's cached entry")
    void revoke_noOp_dropsTheStaleEntry() throws Exception {
      TokenStore second = secondStore(store);
      // No feed for this instance: only the management call itself can tell it.
      TokenStore feedless = new Delegating(store) {
        @Override
        public Optional<Subscription> subscribe(ChangeListener listener) {
          return Optional.empty();
        }
      };
      try (Latchkey a = Latchkey.builder().store(feedless).clock(clock).tokenPrefix("kit")
              .hashingKey(KEY).cacheTtl(Duration.ofHours(1)).build();
          Latchkey b = newLatchkey(second)) {
        IssuedToken t = a.tokens().issue(NewToken.in("ws-1").name("n"));
        assertThat(a.validator().validate(t.secret()).isValid()).isTrue(); // cached
        b.tokens().revoke(t.id());
        assertThat(a.tokens().revoke(t.id()).state()).isEqualTo(TokenState.REVOKED);
        assertThat(a.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
      } finally {
        if (second != store) second.close();
      }
    }
  }

  @Nested
  @DisplayName("ReplaceEach: many independent compare-and-sets in one call")
  class ReplaceEach {
    private final AtomicLong entrySequence = new AtomicLong();

    private AuditEntry entry(TokenRecord r, String detail) {
      return new AuditEntry(newId(), clock.instant().plusMillis(entrySequence.incrementAndGet()),
          "revoke-all", r.workspace(), new TokenId(r.id()), TokenEvent.Type.REVOKED, detail);
    }

    private TokenRecord revoked(TokenRecord r, long version) {
      return r.toBuilder().state(StoredState.REVOKED).version(version).build();
    }

    @Test
    @DisplayName("each element succeeds or fails on its own: a stale version and a missing id fail")
    void mixed_eachElementOnItsOwn() {
      TokenRecord a = inserted("ws-1");
      TokenRecord b = inserted("ws-1");
      TokenRecord c = inserted("ws-1");
      TokenRecord missing = record("ws-1");
      assertThat(store.replace(b.toBuilder().name("changed").version(2).build(), 1)).isTrue();

      boolean[] written = store.replaceEach(
          List.of(revoked(a, 2), revoked(b, 2), revoked(missing, 2), revoked(c, 2)),
          new long[] {1, 1, 1, 1}, null);

      assertThat(written).containsExactly(true, false, false, true);
      assertThat(stored(a.id())).isEqualTo(revoked(a, 2));
      assertThat(stored(c.id())).isEqualTo(revoked(c, 2));
      assertThat(stored(b.id()).name()).isEqualTo("changed");
      assertThat(stored(b.id()).state()).isEqualTo(StoredState.ACTIVE);
      assertThat(store.find(missing.id())).isEmpty();
      assertThat(store.replaceEach(List.of(), new long[0], null)).isEmpty();
    }

    @Test
    @DisplayName("an entry is stored for each written element and for no other")
    void audits_storedOnlyForWrittenElements() {
      Assumptions.assumeTrue(keepsAuditTrail(), "the store keeps no audit trail");
      TokenRecord a = inserted("ws-1");
      TokenRecord stale = inserted("ws-1");
      TokenRecord missing = record("ws-1");
      AuditEntry ea = entry(a, "ACTIVE -> REVOKED");
      AuditEntry eStale = entry(stale, "stale");
      AuditEntry eMissing = entry(missing, "missing");

      boolean[] written = store.replaceEach(
          List.of(revoked(a, 2), revoked(stale, 3), revoked(missing, 2)), new long[] {1, 2, 1},
          List.of(ea, eStale, eMissing));

      assertThat(written).containsExactly(true, false, false);
      assertThat(store.history(a.id(), null, 10)).containsExactly(ea);
      assertThat(store.history(stale.id(), null, 10)).isEmpty();
      assertThat(store.history(missing.id(), null, 10)).isEmpty();
      assertThat(store.workspaceHistory("ws-1", null, 10)).containsExactly(ea);
    }

    @Test
    @DisplayName("the change feed hears of each written record, not of the others")
    void feed_hearsWrittenOnes() {
      ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
      Optional<TokenStore.Subscription> s = store.subscribe(changed::add);
      if (s.isEmpty()) return; // no feed: ChangeFeed checks that this is declared
      try (TokenStore.Subscription sub = s.get()) {
        TokenRecord a = inserted("ws-1");
        TokenRecord b = inserted("ws-1");
        TokenRecord stale = inserted("ws-1");
        await("insert notifications", () -> changed.containsAll(List.of(a.id(), b.id(),
            stale.id())));
        changed.clear();
        assertThat(store.replaceEach(List.of(revoked(a, 2), revoked(stale, 3), revoked(b, 2)),
            new long[] {1, 2, 1}, null)).containsExactly(true, false, true);
        TokenRecord after = inserted("ws-1"); // feeds are ordered: once this arrives, all have
        await("replaceEach notifications", () -> changed.containsAll(List.of(a.id(), b.id(),
            after.id())));
        assertThat(changed).doesNotContain(stale.id());
      }
    }

    @Test
    @DisplayName("arguments of different sizes or with nulls are refused and nothing is written")
    void badArguments_refused() {
      TokenRecord a = inserted("ws-1");
      List<TokenRecord> one = List.of(revoked(a, 2));
      assertThatThrownBy(() -> store.replaceEach(one, new long[] {1, 1}, null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expectedVersions");
      assertThatThrownBy(() -> store.replaceEach(one, new long[] {1},
          List.of(entry(a, "x"), entry(a, "y"))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("audits");
      assertThatThrownBy(() -> store.replaceEach(null, new long[0], null))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("updated");
      assertThatThrownBy(() -> store.replaceEach(one, null, null))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("expectedVersions");
      java.util.List<TokenRecord> withNull = new ArrayList<>();
      withNull.add(null);
      assertThatThrownBy(() -> store.replaceEach(withNull, new long[] {1}, null))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("updated");
      assertThat(stored(a.id())).isEqualTo(a);
    }
  }

  @Nested
  @DisplayName("AuditTrail: one entry per successful change, atomic with it, kept after delete")
  class AuditTrail {
    private final AtomicLong entrySequence = new AtomicLong();

    @BeforeEach
    void onlyForStoresWithATrail() {
      assertThat(store.keepsAuditTrail()).as("store.keepsAuditTrail()").isEqualTo(keepsAuditTrail());
      Assumptions.assumeTrue(keepsAuditTrail(), "the store keeps no audit trail");
    }

    /** An entry whose id sorts after every earlier one of this test. */
    private AuditEntry entry(TokenRecord r, TokenEvent.Type action, String detail) {
      String id = newId();
      return new AuditEntry(id, clock.instant().plusMillis(entrySequence.incrementAndGet()),
          "alice ✓ (on behalf of bob)", r.workspace(), new TokenId(r.id()), action, detail);
    }

    private List<AuditEntry> trail(String tokenId) {
      return store.history(tokenId, null, 1000);
    }

    @Test
    @DisplayName("insert, replace and delete store their entry; it reads back equal")
    void writes_storeTheirEntry() {
      TokenRecord r = record("ws-1");
      AuditEntry issued = entry(r, TokenEvent.Type.ISSUED, "expires 2026-01-31T00:00:00Z");
      AuditEntry updated = entry(r, TokenEvent.Type.UPDATED, "changed name — ünïcode \"q\"\nline 2 \\n \\");
      AuditEntry deleted = entry(r, TokenEvent.Type.DELETED, "deleted");

      assertThat(store.insert(r, issued)).isTrue();
      assertThat(store.replace(r.toBuilder().name("x").version(2).build(), 1, updated)).isTrue();
      assertThat(store.delete(r.id(), deleted)).isTrue();

      assertThat(trail(r.id())).containsExactly(deleted, updated, issued);
      assertThat(store.workspaceHistory("ws-1", null, 1000)).containsExactly(deleted, updated, issued);
    }

    @Test
    @DisplayName("a write that changes nothing stores no entry")
    void failedWrites_storeNoEntry() {
      TokenRecord r = inserted("ws-1");
      TokenRecord other = record("ws-1");

      assertThat(store.insert(r.toBuilder().name("dup").build(),
          entry(r, TokenEvent.Type.ISSUED, "duplicate"))).isFalse();
      assertThat(store.replace(r.toBuilder().version(3).build(), 2,
          entry(r, TokenEvent.Type.UPDATED, "stale"))).isFalse();
      assertThat(store.replace(other.toBuilder().version(2).build(), 1,
          entry(other, TokenEvent.Type.UPDATED, "unknown"))).isFalse();
      assertThat(store.delete(other.id(), entry(other, TokenEvent.Type.DELETED, "unknown")))
          .isFalse();

      assertThat(trail(r.id())).isEmpty();
      assertThat(trail(other.id())).isEmpty();
      assertThat(store.workspaceHistory("ws-1", null, 1000)).isEmpty();
      assertThat(stored(r.id())).isEqualTo(r);
    }

    @Test
    @DisplayName("history pages newest first by entry id, per token and per workspace")
    void history_pagesNewestFirst() {
      TokenRecord a = record("ws-1");
      TokenRecord b = record("ws-1");
      TokenRecord c = record("ws-2");
      List<AuditEntry> written = new ArrayList<>();
      AuditEntry ea = entry(a, TokenEvent.Type.ISSUED, "a");
      store.insert(a, ea);
      written.add(ea);
      AuditEntry eb = entry(b, TokenEvent.Type.ISSUED, "b");
      store.insert(b, eb);
      written.add(eb);
      store.insert(c, entry(c, TokenEvent.Type.ISSUED, "c"));
      for (int v = 1; v <= 5; v++) {
        TokenRecord which = v % 2 == 0 ? a : b;
        long version = which == a ? v / 2 : (v + 1) / 2;
        AuditEntry e = entry(which, TokenEvent.Type.UPDATED, "v" + v);
        assertThat(store.replace(which.toBuilder().version(version + 1).build(), version, e))
            .as("replace %d", v).isTrue();
        written.add(e);
      }
      List<AuditEntry> newestFirst = new ArrayList<>(written);
      java.util.Collections.reverse(newestFirst);

      List<AuditEntry> paged = new ArrayList<>();
      String before = null;
      while (true) {
        List<AuditEntry> page = store.workspaceHistory("ws-1", before, 3);
        paged.addAll(page);
        if (page.size() < 3) break;
        before = page.get(page.size() - 1).id();
      }
      assertThat(paged).containsExactlyElementsOf(newestFirst);
      assertThat(store.history(a.id(), null, 2)).extracting(AuditEntry::detail)
          .containsExactly("v4", "v2");
      assertThat(store.history(a.id(), store.history(a.id(), null, 2).get(1).id(), 10))
          .extracting(AuditEntry::detail).containsExactly("a");
      assertThat(store.workspaceHistory("ws-2", null, 10)).extracting(AuditEntry::detail)
          .containsExactly("c");
      assertThat(store.workspaceHistory("ws-unknown", null, 10)).isEmpty();
      assertThat(store.history(newId(), null, 10)).isEmpty();
    }

    @Test
    @DisplayName("every kind of change through the manager leaves exactly one entry")
    void manager_everyChange_oneEntry() {
      IssuedToken t = issue("ws-1", "n");
      TokenId id = t.id();
      tokens.update(id, TokenUpdate.create().name("renamed"));
      tokens.setPermissions(id, Map.of("a", true));
      tokens.setPermissions(id, Map.of("a", true)); // no change, no entry
      tokens.updatePermissions(id, Map.of("b", false));
      tokens.disable(id);
      tokens.disable(id); // no-op
      tokens.enable(id);
      IssuedToken fresh = tokens.rotate(id);
      tokens.revoke(id);
      assertThatThrownBy(() -> tokens.enable(id)).isInstanceOf(IllegalTransitionException.class);
      tokens.delete(id);

      assertThat(tokens.history(id, null, 100).entries()).extracting(AuditEntry::action)
          .containsExactly(TokenEvent.Type.DELETED, TokenEvent.Type.REVOKED,
              TokenEvent.Type.ROTATED, TokenEvent.Type.ENABLED, TokenEvent.Type.DISABLED,
              TokenEvent.Type.PERMISSIONS_CHANGED, TokenEvent.Type.PERMISSIONS_CHANGED,
              TokenEvent.Type.UPDATED, TokenEvent.Type.ISSUED);
      assertThat(tokens.history(id, null, 100).entries()).allSatisfy(e -> {
        assertThat(e.actor()).isEqualTo("kit");
        assertThat(e.workspace()).isEqualTo("ws-1");
        assertThat(e.tokenId()).isEqualTo(id);
      });
      assertThat(tokens.history(fresh.id(), null, 100).entries()).singleElement()
          .satisfies(e -> assertThat(e.detail()).isEqualTo("rotated from " + id));
      AuditPage ws = tokens.workspaceHistory("ws-1", null, 100);
      assertThat(ws.entries()).hasSize(10);
      assertThat(ws.cursor()).isNull();
    }

    @Test
    @DisplayName("no entry carries the secret or the hash")
    void entries_carryNoSecret() {
      IssuedToken t = issue("ws-1", "n");
      byte[] hash = stored(t.id().value()).hash();
      IssuedToken fresh = tokens.rotate(t.id());
      tokens.delete(t.id());
      List<String> secrets = List.of(t.secret(), fresh.secret(),
          t.secret().substring(t.secret().indexOf('_') + 1 + 16, t.secret().length() - 6),
          HexFormat.of().formatHex(hash), Base64.getEncoder().encodeToString(hash),
          Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
      List<AuditEntry> all = store.workspaceHistory("ws-1", null, 100);
      assertThat(all).hasSize(4);
      for (AuditEntry e : all) {
        for (String secret : secrets) assertThat(e.toString()).doesNotContain(secret);
      }
    }

    @Test
    @DisplayName("racing writers: one entry per change that won, none for the losers")
    void concurrentWriters_oneEntryPerWin() throws Exception {
      TokenRecord r = record("ws-1");
      store.insert(r, entry(r, TokenEvent.Type.ISSUED, "issued"));
      int threads = 8;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          start.await();
          return store.replace(r.toBuilder().name("w" + n).version(2).build(), 1,
              entry(r, TokenEvent.Type.UPDATED, "w" + n));
        }));
      }
      start.countDown();
      String winner = null;
      for (int i = 0; i < threads; i++) {
        if (results.get(i).get(30, TimeUnit.SECONDS)) winner = "w" + i;
      }
      pool.shutdown();
      assertThat(winner).isNotNull();
      assertThat(trail(r.id())).extracting(AuditEntry::detail).containsExactly(winner, "issued");
      assertThat(stored(r.id()).name()).isEqualTo(winner);
    }

    @Test
    @DisplayName("racing managers: the trail holds exactly the merges that were made")
    void concurrentManagers_trailMatchesChanges() throws Exception {
      IssuedToken t = issue("ws-1", "n");
      int threads = 4;
      int each = 6;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int thread = i;
        futures.add(pool.submit(() -> {
          start.await();
          for (int j = 0; j < each; j++) {
            tokens.updatePermissions(t.id(), Map.of("p" + thread + "-" + j, true));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
      pool.shutdown();
      List<AuditEntry> trail = trail(t.id().value());
      assertThat(trail).hasSize(threads * each + 1);
      assertThat(trail.stream().map(AuditEntry::detail).distinct()).hasSize(threads * each + 1);
      assertThat(stored(t.id().value()).version()).isEqualTo(threads * each + 1L);
    }

    @Test
    @DisplayName("a workspace-scoped manager sees only its workspace's trail")
    void scopedManager_seesOnlyItsWorkspace() {
      IssuedToken theirs = issue("ws-2", "n");
      tokens.delete(theirs.id());
      TokenManager ws1 = tokens.in("ws-1");

      assertThat(ws1.history(theirs.id(), null, 10).entries()).isEmpty();
      assertThat(tokens.history(theirs.id(), null, 10).entries()).hasSize(2);
      assertThatThrownBy(() -> ws1.workspaceHistory("ws-2", null, 10))
          .isInstanceOf(io.latchkey.InvalidArgumentException.class);
    }

    @Test
    @DisplayName("entries older than the retention are not returned")
    void retention_hidesOldEntries() {
      IssuedToken t = issue("ws-1", "n");
      clock.advance(Duration.ofDays(399));
      tokens.disable(t.id());
      assertThat(tokens.history(t.id(), null, 10).entries()).hasSize(2);

      clock.advance(Duration.ofDays(2));
      assertThat(tokens.history(t.id(), null, 10).entries()).extracting(AuditEntry::action)
          .containsExactly(TokenEvent.Type.DISABLED);
      assertThat(tokens.workspaceHistory("ws-1", null, 10).entries()).hasSize(1);

      store.pruneAuditTrail(clock.instant().minus(Duration.ofDays(400)));
      assertThat(tokens.history(t.id(), null, 10).entries()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("ChangeFeed: every change reaches every subscriber")
  class ChangeFeed {
    private final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
    private final ChangeListener listener = changed::add;

    private Optional<TokenStore.Subscription> subscribe() {
      Optional<TokenStore.Subscription> s = store.subscribe(listener);
      assertThat(s.isPresent()).as("subscribe() present iff the store has a change feed")
          .isEqualTo(hasChangeFeed());
      return s;
    }

    @Test
    @DisplayName("subscribe answers according to whether the store has a feed")
    void subscribe_matchesHasChangeFeed() {
      subscribe().ifPresent(TokenStore.Subscription::close);
      assertThat(latchkey.hasChangeFeed()).isEqualTo(hasChangeFeed());
    }

    @Test
    @DisplayName("insert, replace and delete each notify the id")
    void writes_notifyId() {
      Optional<TokenStore.Subscription> s = subscribe();
      if (s.isEmpty()) return; // no feed: the previous assertion was the contract
      try (TokenStore.Subscription sub = s.get()) {
        TokenRecord r = inserted("ws-1");
        await("insert notification", () -> changed.contains(r.id()));
        changed.clear();
        assertThat(store.replace(r.toBuilder().state(StoredState.DISABLED).version(2).build(), 1)).isTrue();
        await("replace notification", () -> changed.contains(r.id()));
        changed.clear();
        assertThat(store.delete(r.id())).isTrue();
        await("delete notification", () -> changed.contains(r.id()));
      }
    }

    @Test
    @DisplayName("usage updates do not notify")
    void applyUsage_doesNotNotify() throws InterruptedException {
      Optional<TokenStore.Subscription> s = subscribe();
      if (s.isEmpty()) return;
      try (TokenStore.Subscription sub = s.get()) {
        TokenRecord r = inserted("ws-1");
        await("insert notification", () -> changed.contains(r.id()));
        TokenRecord marker = inserted("ws-1");
        await("marker notification", () -> changed.contains(marker.id()));
        changed.clear();
        store.applyUsage(List.of(new UsageUpdate(r.id(), clock.instant().plusSeconds(1), null, null)));
        TokenRecord after = inserted("ws-1"); // feeds are ordered: once this arrives, usage would have
        await("later notification", () -> changed.contains(after.id()));
        assertThat(changed).doesNotContain(r.id());
      }
    }

    @Test
    @DisplayName("a closed subscription receives nothing more")
    void close_stopsDelivery() throws InterruptedException {
      Optional<TokenStore.Subscription> s = subscribe();
      if (s.isEmpty()) return;
      TokenRecord r = inserted("ws-1");
      await("insert notification", () -> changed.contains(r.id()));
      s.get().close();
      changed.clear();
      TokenRecord later = inserted("ws-1");
      Thread.sleep(300);
      assertThat(changed).doesNotContain(later.id());
    }

    @Test
    @DisplayName("a revoke on one instance reaches another instance's cache")
    void revoke_propagatesAcrossInstances() throws Exception {
      TokenStore second = secondStore(store);
      try (Latchkey other = Latchkey.builder().store(second).clock(clock).tokenPrefix("kit")
          .hashingKey(KEY).cacheTtl(Duration.ofHours(1)).build()) {
        IssuedToken t = issue("ws-1", "n");
        assertThat(other.validator().validate(t.secret()).isValid()).isTrue(); // now cached there
        tokens.revoke(t.id());
        if (hasChangeFeed()) {
          await("revocation to reach the other instance",
              () -> other.validator().validate(t.secret()).reasonOrNull() == Reason.REVOKED);
        } else {
          // Without a feed the other cache keeps the entry until its time-to-live passes.
          clock.advance(Duration.ofHours(1).plusSeconds(1));
          assertThat(other.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
        }
      } finally {
        if (second != store) second.close();
      }
    }
  }

  @Nested
  @DisplayName("RevokeAll: a per-workspace revocation watermark, atomic and of constant cost")
  class RevokeAll {
    private final Instant t = clock.instant();
    private final AtomicLong sequence = new AtomicLong();

    @BeforeEach
    void onlyForStoresWithWatermarks() {
      assertThat(store.keepsRevocationWatermarks()).as("keepsRevocationWatermarks()")
          .isEqualTo(keepsRevocationWatermarks());
      Assumptions.assumeTrue(keepsRevocationWatermarks(), "the store keeps no watermarks");
    }

    /** A record whose id carries {@code at} as its issue time, as Latchkey mints them. */
    private TokenRecord writtenAt(String workspace, Instant at) {
      String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      long n = sequence.incrementAndGet() + ID_SEQUENCE.incrementAndGet() * 1000;
      char[] tail = new char[8];
      for (int i = 7; i >= 0; i--) {
        tail[i] = alphabet.charAt((int) (n % 62));
        n /= 62;
      }
      return record(workspace).toBuilder()
          .id(io.latchkey.spi.RevocationWatermarks.idBound(at) + new String(tail)).build();
    }

    /** An imported legacy key: a derived id (no time in it), an old createdAt, importedAt set. */
    private TokenRecord imported(String workspace, Instant importedAt) {
      TokenRecord r = record(workspace);
      return r.toBuilder().id("z" + r.id().substring(1)).hint("legacy abc...")
          .createdAt(t.minus(Duration.ofDays(900))).importedAt(importedAt).build();
    }

    private TokenRecord insertedRecord(TokenRecord r) {
      assertThat(store.insert(r)).isTrue();
      return r;
    }

    @Test
    @DisplayName("the count is the newly covered records not stored REVOKED, and records stay as written")
    void raise_countsNewlyCoveredRecords() {
      TokenRecord old = insertedRecord(writtenAt("ws-1", t.minusSeconds(10)));
      TokenRecord revoked = insertedRecord(writtenAt("ws-1", t.minusSeconds(5)).toBuilder()
          .state(StoredState.REVOKED).build());
      TokenRecord disabled = insertedRecord(writtenAt("ws-1", t.minusMillis(1)).toBuilder()
          .state(StoredState.DISABLED).build());
      TokenRecord newer = insertedRecord(writtenAt("ws-1", t.plusSeconds(5)));
      TokenRecord importedBefore = insertedRecord(imported("ws-1", t.minusMillis(1)));
      TokenRecord importedAfter = insertedRecord(imported("ws-1", t.plusMillis(1)));
      TokenRecord elsewhere = insertedRecord(writtenAt("ws-2", t.minusSeconds(10)));

      assertThat(store.raiseRevocationWatermark("ws-1", t)).isEqualTo(3);
      assertThat(store.revocationWatermark("ws-1")).contains(t);
      assertThat(store.revocationWatermark("ws-2")).isEmpty();
      assertThat(store.revocationWatermarks()).isEqualTo(Map.of("ws-1", t));
      for (TokenRecord r : List.of(old, revoked, disabled, newer, importedBefore, importedAfter,
          elsewhere)) {
        assertThat(stored(r.id())).isEqualTo(r); // the raise writes no record
      }
      // Later: only what the new watermark adds is counted.
      assertThat(store.raiseRevocationWatermark("ws-1", t.plusSeconds(10))).isEqualTo(2);
      assertThat(store.raiseRevocationWatermark("ws-2", t)).isEqualTo(1);
    }

    @Test
    @DisplayName("a watermark is never lowered: an earlier or equal one changes nothing and counts 0")
    void raise_isMonotonic() {
      insertedRecord(writtenAt("ws-1", t.minusSeconds(10)));
      assertThat(store.raiseRevocationWatermark("ws-1", t)).isEqualTo(1);
      insertedRecord(writtenAt("ws-1", t.minusSeconds(20)));
      assertThat(store.raiseRevocationWatermark("ws-1", t.minusSeconds(1))).isZero();
      assertThat(store.raiseRevocationWatermark("ws-1", t)).isZero();
      assertThat(store.revocationWatermark("ws-1")).contains(t);
    }

    @Test
    @DisplayName("the raise stores the workspace's one entry, with the count, only when it raises")
    void raise_storesOneWorkspaceEntry() {
      Assumptions.assumeTrue(keepsAuditTrail(), "the store keeps no audit trail");
      insertedRecord(writtenAt("ws-1", t.minusSeconds(10)));
      insertedRecord(writtenAt("ws-1", t.minusSeconds(9)));
      AuditEntry entry = new AuditEntry(newId(), t, "alice", "ws-1",
          new TokenId(io.latchkey.spi.RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID),
          TokenEvent.Type.REVOKED_ALL, "revoked {count} tokens written before " + t);
      assertThat(store.raiseRevocationWatermark("ws-1", t, entry)).isEqualTo(2);
      AuditEntry lower = new AuditEntry(newId(), t, "alice", "ws-1", entry.tokenId(),
          TokenEvent.Type.REVOKED_ALL, "revoked {count} tokens");
      assertThat(store.raiseRevocationWatermark("ws-1", t.minusSeconds(1), lower)).isZero();
      assertThat(store.workspaceHistory("ws-1", null, 100)).containsExactly(
          new AuditEntry(entry.id(), entry.at(), entry.actor(), entry.workspace(),
              entry.tokenId(), entry.action(), "revoked 2 tokens written before " + t));
      assertThat(store.history(entry.tokenId().value(), null, 100))
          .as("the workspace entry is no token's history").isEmpty();
    }

    @Test
    @DisplayName("revokeAll revokes older tokens at once on every read path, and not newer ones")
    void revokeAll_coversOlderTokensOnly() {
      IssuedToken a = issue("ws-1", "a");
      IssuedToken b = issue("ws-1", "b");
      IssuedToken c = issue("ws-1", "c");
      IssuedToken other = issue("ws-2", "x");
      tokens.revoke(c.id());
      assertThat(validate(a.secret())).isNull(); // cached valid
      assertThat(tokens.revokeAll("ws-1")).isEqualTo(2);
      // The clock has not moved: a token issued now is still after the watermark.
      IssuedToken later = issue("ws-1", "later");

      assertThat(validate(a.secret())).isEqualTo(Reason.REVOKED);
      assertThat(validate(b.secret())).isEqualTo(Reason.REVOKED);
      assertThat(validate(later.secret())).isNull();
      assertThat(validate(other.secret())).isNull();
      assertThat(tokens.get(a.id()).state()).isEqualTo(TokenState.REVOKED);
      assertThat(tokens.get(later.id()).state()).isEqualTo(TokenState.ACTIVE);
      assertThat(tokens.list(TokenQuery.in("ws-1").state(TokenState.ACTIVE)).tokens())
          .extracting(Token::id).containsExactly(later.id());
      assertThat(tokens.list(TokenQuery.in("ws-1").state(TokenState.REVOKED)).tokens())
          .extracting(Token::id).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
      assertThatThrownBy(() -> tokens.disable(a.id())).isInstanceOf(IllegalTransitionException.class);
      assertThatThrownBy(() -> tokens.enable(b.id())).isInstanceOf(IllegalTransitionException.class);
      assertThatThrownBy(() -> tokens.rotate(a.id())).isInstanceOf(IllegalTransitionException.class);
      assertThat(tokens.revoke(a.id()).state()).isEqualTo(TokenState.REVOKED);

      // A second revoke-all covers what the first did not, and counts only that.
      assertThat(tokens.revokeAll("ws-1")).isEqualTo(1);
      assertThat(validate(later.secret())).isEqualTo(Reason.REVOKED);
      assertThat(tokens.revokeAll("ws-1")).isZero();
    }

    @Test
    @DisplayName("a legacy key imported after a revoke-all is not covered, whatever its createdAt")
    void importAfterRevokeAll_isNotCovered() {
      issue("ws-1", "a");
      tokens.revokeAll("ws-1");
      TokenId id = latchkey.legacyKeys().importKey(LegacyKey.in("ws-1").name("old")
          .lookup("ak_live_after").plaintext("ak_live_after.secret")
          .createdAt(t.minus(Duration.ofDays(100))));
      assertThat(tokens.get(id).state()).isEqualTo(TokenState.ACTIVE);
      assertThat(stored(id.value()).importedAt()).isNotNull();
    }

    @Test
    @DisplayName("the background fix-up stores REVOKED with one entry per token, losing no concurrent change")
    void fixUp_bringsRecordsInLine_withoutOverwritingConcurrentChanges() {
      List<IssuedToken> issued = new ArrayList<>();
      for (int i = 0; i < 30; i++) issued.add(issue("ws-1", "t" + i));
      IssuedToken alreadyRevoked = issue("ws-1", "r");
      tokens.revoke(alreadyRevoked.id());
      assertThat(tokens.revokeAll("ws-1")).isEqualTo(30);
      // Changes racing the fix-up: each must survive it.
      for (int i = 0; i < issued.size(); i += 2) {
        tokens.update(issued.get(i).id(), TokenUpdate.create().name("renamed-" + i));
      }
      await("the fix-up to store REVOKED", () -> issued.stream()
          .allMatch(x -> stored(x.id().value()).state() == StoredState.REVOKED));
      for (int i = 0; i < issued.size(); i++) {
        TokenRecord r = stored(issued.get(i).id().value());
        assertThat(r.name()).isEqualTo(i % 2 == 0 ? "renamed-" + i : "t" + i);
      }
      if (keepsAuditTrail()) {
        for (IssuedToken x : issued) {
          assertThat(store.history(x.id().value(), null, 100))
              .filteredOn(e -> e.action() == TokenEvent.Type.REVOKED)
              .singleElement().satisfies(e -> assertThat(e.detail()).contains("revoke-all"));
        }
        assertThat(store.history(alreadyRevoked.id().value(), null, 100))
            .filteredOn(e -> e.action() == TokenEvent.Type.REVOKED).hasSize(1);
        assertThat(tokens.workspaceHistory("ws-1", null, 1000).entries())
            .filteredOn(e -> e.action() == TokenEvent.Type.REVOKED_ALL)
            .singleElement().satisfies(e -> assertThat(e.detail()).startsWith("revoked 30 tokens"));
      }
    }

    @Test
    @DisplayName("a watermark survives reopening the store, and a new instance answers REVOKED at once")
    void watermark_survivesReopen() throws Exception {
      IssuedToken a = issue("ws-1", "a");
      // Raised in the store directly: no fix-up ran, so only the watermark revokes it.
      assertThat(store.raiseRevocationWatermark("ws-1", clock.instant().plusMillis(1))).isEqualTo(1);
      TokenStore second = secondStore(store);
      try (Latchkey other = newLatchkey(second)) {
        assertThat(second.revocationWatermark("ws-1")).contains(clock.instant().plusMillis(1));
        assertThat(other.validator().validate(a.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
      } finally {
        if (second != store) second.close();
      }
    }

    @Test
    @DisplayName("a revoke-all on one instance reaches another instance's cache")
    void revokeAll_propagatesAcrossInstances() throws Exception {
      TokenStore second = secondStore(store);
      try (Latchkey other = Latchkey.builder().store(second).clock(clock).tokenPrefix("kit")
          .hashingKey(KEY).cacheTtl(Duration.ofHours(1)).build()) {
        IssuedToken a = issue("ws-1", "a");
        assertThat(other.validator().validate(a.secret()).isValid()).isTrue(); // cached there
        assertThat(tokens.revokeAll("ws-1")).isEqualTo(1);
        if (hasChangeFeed()) {
          await("the watermark to reach the other instance",
              () -> other.validator().validate(a.secret()).reasonOrNull() == Reason.REVOKED);
        } else {
          clock.advance(Duration.ofHours(1).plusSeconds(1));
          assertThat(other.validator().validate(a.secret()).reasonOrNull())
              .isEqualTo(Reason.REVOKED);
        }
        clock.advance(Duration.ofMillis(2)); // clocks move on: the other's next id is later
        IssuedToken fresh = other.tokens().issue(NewToken.in("ws-1").name("fresh"));
        assertThat(other.validator().validate(fresh.secret()).isValid()).isTrue();
        assertThat(validate(fresh.secret())).isNull();
      } finally {
        if (second != store) second.close();
      }
    }
  }

  @Nested
  @DisplayName("Text: every string the API accepts round-trips exactly")
  class Text {
    /** Hostile but accepted text (docs/architecture.md, "Text"): names. */
    final List<String> names = List.of("billing ✓ ünïcode ñ", "😀👍🏽 👩\u200D👩\u200D👧",
        "עברית العربية", "e\u0301 combining", "\uFFFD \uFFFE \uFFFF nonchar", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "😀".repeat(64), "'; DROP TABLE tokens; --", "\\u0000 %s %n ${x} \\\"]]", "\u00A0nbsp\u3000");
    /** Descriptions: names plus tab, line breaks and bidirectional formatting. */
    final List<String> descriptions = List.of("line\nline\r\n\ttab", "\u202Eright\u202C \u2066x\u2069",
        "\u2028\u2029", "😀".repeat(512), "x".repeat(1024), "");
    /** Metadata values: everything but U+0000 and unpaired surrogates. */
    final List<String> values = List.of("\u0001\u001b[31m\u007f", "\u0085\u009f", "\uFEFFbom",
        "\uFFFE\uFFFF", "😀".repeat(512), "{\"json\": [1, \"two\"]}", "", " ", "\\", "\"", "\r\n",
        "\u202E\u200F\u061C", "\\x00\\u0000", "a".repeat(1024));

    @Test
    @DisplayName("names, descriptions, metadata values and createdBy round-trip through issue")
    void issue_roundTripsAcceptedText() {
      for (int i = 0; i < Math.max(names.size(), descriptions.size()); i++) {
        String name = names.get(i % names.size());
        String description = descriptions.get(i % descriptions.size());
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int k = 0; k < values.size(); k++) metadata.put("k" + k, values.get(k));
        IssuedToken t = tokens.issue(NewToken.in("ws-text").name(name).description(description)
            .metadata(metadata).createdBy(name.strip()));
        TokenRecord r = stored(t.id().value());
        assertThat(r.name()).as("name %d", i).isEqualTo(name.strip());
        assertThat(r.description()).as("description %d", i).isEqualTo(description);
        assertThat(r.metadata()).as("metadata").isEqualTo(metadata);
        assertThat(r.createdBy()).as("createdBy %d", i).isEqualTo(name.strip());
        Token got = tokens.get(t.id());
        assertThat(got.name()).isEqualTo(name.strip());
        assertThat(got.metadata()).isEqualTo(metadata);
      }
    }

    @Test
    @DisplayName("update and the integration name of usage round-trip too")
    void update_andUsage_roundTripAcceptedText() {
      IssuedToken t = issue("ws-text", "n");
      for (String name : names) {
        tokens.update(t.id(), TokenUpdate.create().name(name).description(name)
            .metadata(Map.of("v", name)));
        TokenRecord r = stored(t.id().value());
        assertThat(r.name()).isEqualTo(name.strip());
        assertThat(r.description()).isEqualTo(name);
        assertThat(r.metadata()).isEqualTo(Map.of("v", name));
      }
      Instant at = clock.instant();
      for (String name : names) {
        at = at.plusSeconds(1);
        String integration = name.length() > 128 ? name.substring(0, 128) : name;
        store.applyUsage(List.of(new UsageUpdate(t.id().value(), at, "2001:db8::1", integration)));
        assertThat(stored(t.id().value()).lastUsedIntegration()).isEqualTo(integration);
      }
    }
  }

  @Nested
  @DisplayName("ForgedTokens: forged well-formed tokens never reach the store")
  class ForgedTokens {

    @Test
    @DisplayName("10,000 random tokens with a valid checksum cost at most 10 store reads")
    void forgedTokens_costAtMostTenReads() throws Exception {
      AtomicInteger finds = new AtomicInteger();
      TokenStore counting = new CountingStore(store, finds);
      try (Latchkey l = Latchkey.builder().store(counting).clock(clock).tokenPrefix("kit")
          .hashingKey(KEY).build()) {
        IssuedToken real = l.tokens().issue(NewToken.in("ws-1").name("real"));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        java.util.Random random = new java.util.Random(7);
        String realId = real.id().value();
        finds.set(0);
        for (int i = 0; i < 10_000; i++) {
          char[] body = new char[49];
          for (int j = 0; j < body.length; j++) body[j] = alphabet.charAt(random.nextInt(62));
          if (i % 2 == 1) {
            // the attacker's best guess: a real id's version and time, a random rest
            for (int j = 0; j < 8; j++) body[j] = realId.charAt(j);
          }
          String forged = withChecksum("kit_" + new String(body));
          assertThat(l.validator().validate(forged).isValid()).isFalse();
        }
        assertThat(finds.get()).as("store reads for 10,000 forged tokens").isLessThanOrEqualTo(10);
        assertThat(l.validator().validate(real.secret()).isValid()).isTrue();
      }
    }

    /** Appends the CRC32 of {@code s} as 6 base62 digits, as the token format does. */
    private String withChecksum(String s) {
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      long v = crc.getValue();
      String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      char[] out = new char[6];
      for (int i = 5; i >= 0; i--) {
        out[i] = alphabet.charAt((int) (v % 62));
        v /= 62;
      }
      return s + new String(out);
    }
  }

  /** Counts {@code find}s and passes everything to the store under test (which the kit closes). */
  private static final class CountingStore extends Delegating {
    private final AtomicInteger finds;

    CountingStore(TokenStore inner, AtomicInteger finds) {
      super(inner);
      this.finds = finds;
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      finds.incrementAndGet();
      return super.find(id);
    }
  }

  @Nested
  @DisplayName("LegacyKeys: imported keys are found by their lookup part and upgraded in place")
  class LegacyKeys {
    // Made by Python's bcrypt (core's legacy-vectors.tsv): a DRF-API-Key style "prefix.secret".
    private static final String KEY = "Ab3dEf9h.kJ2mNp5qRs8tUv1wXy4zA7bC0dE";
    private static final String BCRYPT = "$2b$04$NBffPRbddy/W6Ch6XQWNc.sCo4GtwsyhhwlB2XhRvvptw16KAP22S";

    private Latchkey legacyLatchkey() {
      return Latchkey.builder().store(store).clock(clock).tokenPrefix("kit").hashingKey(KEY_FOR_LEGACY)
          .legacyFormat(LegacyFormat.pattern(java.util.regex.Pattern.compile("(?<lookup>[A-Za-z0-9]{8})\\..+")))
          .build();
    }

    @Test
    @DisplayName("a record holding a legacy hash of up to 512 bytes round-trips, and its upgrade is a plain replace")
    void legacyRecord_roundTrips_andUpgrades() {
      for (int length : new int[] {60, 97, 512}) {
        byte[] legacyHash = "$".repeat(length).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        TokenRecord r = record("ws-legacy").toBuilder().keyId("legacy:argon2id")
            .hash(legacyHash).build();
        assertThat(store.insert(r)).isTrue();
        assertThat(store.find(r.id())).contains(r);
        TokenRecord upgraded = r.toBuilder().keyId("kit1").hash(new byte[32]).version(r.version() + 1).build();
        assertThat(store.replace(upgraded, r.version())).isTrue();
        assertThat(store.find(r.id())).contains(upgraded);
      }
    }

    @Test
    @DisplayName("import, first validation upgrades, later ones run no slow verifier; disable and revoke act as for native tokens")
    void importValidateUpgrade() {
      try (Latchkey l = legacyLatchkey()) {
        TokenId id = l.legacyKeys().importKey(LegacyKey.in("ws-1").name("old").lookup("Ab3dEf9h")
            .hash(BCRYPT).permissions(Map.of("read", true)));
        assertThat(l.legacyKeys().pending("ws-1")).isEqualTo(1);
        assertThat(l.validator().validate(ValidationRequest.of(KEY).require("read")).isValid()).isTrue();
        await("the upgrade to reach the store",
            () -> store.find(id.value()).orElseThrow().keyId().equals("kit1"));
        assertThat(l.legacyKeys().pending("ws-1")).isZero();
        l.invalidateCache();
        assertThat(l.validator().validate(KEY).isValid()).isTrue();
        assertThat(l.validator().validate(KEY + "x").reasonOrNull()).isEqualTo(Reason.UNKNOWN);
        assertThat(l.legacyKeys().slowVerifications()).isEqualTo(1);
        l.tokens().disable(id);
        assertThat(l.validator().validate(KEY).reasonOrNull()).isEqualTo(Reason.DISABLED);
        l.tokens().enable(id);
        assertThat(l.validator().validate(KEY).isValid()).isTrue();
        l.tokens().revoke(id);
        assertThat(l.validator().validate(KEY).reasonOrNull()).isEqualTo(Reason.REVOKED);
        assertThat(l.legacyKeys().slowVerifications()).isEqualTo(1);
        assertThat(l.legacyKeys().importKey(LegacyKey.in("ws-1").name("old").lookup("Ab3dEf9h")
            .hash(BCRYPT))).as("importing again changes nothing").isEqualTo(id);
      }
    }
  }

  private static final HashingKey KEY_FOR_LEGACY = HashingKey.generate("kit1");
}
