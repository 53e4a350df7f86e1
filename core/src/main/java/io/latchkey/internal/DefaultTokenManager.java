package io.latchkey.internal;

import io.latchkey.AuditEntry;
import io.latchkey.AuditPage;
import io.latchkey.ConcurrentUpdateException;
import io.latchkey.IllegalTransitionException;
import io.latchkey.InvalidArgumentException;
import io.latchkey.LatchkeyException;
import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.Token;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.TokenListener;
import io.latchkey.TokenManager;
import io.latchkey.TokenNotFoundException;
import io.latchkey.TokenPage;
import io.latchkey.TokenQuery;
import io.latchkey.TokenState;
import io.latchkey.TokenUpdate;
import io.latchkey.spi.RevocationWatermarks;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The token manager: issues tokens and applies every change as a compare-and-set on the record's
 * version, retried with jittered back-off up to {@link #MAX_ATTEMPTS} times.
 */
public final class DefaultTokenManager implements TokenManager, DefaultTokenValidator.Rehasher {
  /** Compare-and-set attempts before {@link ConcurrentUpdateException}. */
  static final int MAX_ATTEMPTS = 64;
  private static final System.Logger LOG = System.getLogger(DefaultTokenManager.class.getName());
  /** The overlap of {@link #rotate(TokenId)}. */
  public static final Duration DEFAULT_ROTATION_OVERLAP = Duration.ofHours(24);
  /** Rows read per store call by revokeAll. */
  private static final int LIST_BATCH = 200;
  /** The most rows one store call of a filtered listing reads. */
  private static final int MAX_LIST_FETCH = 1024;

  /** What every manager of one Latchkey shares. */
  public record Context(
      TokenStore store,
      TokenFormat format,
      Hasher hasher,
      Clock clock,
      TokenListener listener,
      SecureRandom random,
      IdGenerator ids,
      TemporalAmount defaultLifetime,
      TemporalAmount maxLifetime,
      UsageBuffer usage,
      BiFunction<String, Token, IssuedToken> issued,
      Duration auditRetention,
      Watermarks watermarks) {}

  private final Context ctx;
  private final String actor;
  /** The only workspace this manager may touch; null for an operator's unscoped manager. */
  private final @Nullable String scope;
  private volatile @Nullable DefaultTokenValidator validator;

  public DefaultTokenManager(Context ctx, String actor) {
    this.ctx = ctx;
    this.actor = actor;
    this.scope = null;
  }

  private DefaultTokenManager(DefaultTokenManager base, String actor, @Nullable String scope) {
    this.ctx = base.ctx;
    this.actor = actor;
    this.scope = scope;
    this.validator = base.validator;
    this.fixUp = base.fixUp;
  }

  /** Connects the validator whose cache this manager's changes invalidate. */
  public void attach(DefaultTokenValidator validator) {
    this.validator = validator;
  }

  @Override
  public TokenManager as(String actor) {
    return new DefaultTokenManager(this, Checks.actor("actor", actor), scope);
  }

  @Override
  public String actor() {
    return actor;
  }

  @Override
  public TokenManager in(String workspace) {
    Checks.workspace(workspace);
    if (scope == null) return new DefaultTokenManager(this, actor, workspace);
    requireScope(workspace);
    return this;
  }

  @Override
  public Optional<String> workspace() {
    return Optional.ofNullable(scope);
  }

  /** Refuses a workspace other than the scope; the message names both, which the caller knows. */
  private void requireScope(String workspace) {
    if (scope != null && !scope.equals(workspace)) {
      throw new InvalidArgumentException("workspace",
          "must be " + scope + " for this manager, was " + workspace);
    }
  }

  /**
   * Whether a by-id call may see the record: on a scoped manager, a record of another workspace
   * is treated exactly as an unknown id, so a scoped caller learns nothing about it.
   */
  private boolean inScope(TokenRecord r) {
    return scope == null || scope.equals(r.workspace());
  }

  // ---------------------------------------------------------------- issue

  @Override
  public IssuedToken issue(NewToken spec) {
    if (spec == null) throw new InvalidArgumentException("spec", "must not be null");
    if (spec.name() == null) {
      throw new InvalidArgumentException("name", "must be set: NewToken.in(workspace).name(\"...\")");
    }
    requireScope(spec.workspace());
    Instant now = now();
    Instant expiresAt = expiry(now, spec.lifetime(), spec.expiresAt());
    String createdBy = spec.createdBy() != null ? spec.createdBy() : actor;
    TokenRecord.Builder template = TokenRecord.builder()
        .workspace(spec.workspace())
        .name(spec.name())
        .description(spec.description())
        .permissions(spec.permissions())
        .allowedIps(spec.allowedIps())
        .metadata(spec.metadata())
        .createdAt(now)
        .createdBy(createdBy)
        .updatedAt(now)
        .expiresAt(expiresAt)
        .state(StoredState.ACTIVE)
        .version(1);
    Inserted inserted = insertNew(template, now, "expires " + expiresAt);
    emit(inserted.entry());
    return inserted.issued();
  }

  /** A new token and the ISSUED entry stored with it (its event is the caller's to emit). */
  private record Inserted(IssuedToken issued, AuditEntry entry) {}

  /** Inserts a new record with a fresh id and secret, with its ISSUED audit entry. */
  private Inserted insertNew(TokenRecord.Builder template, Instant now, String detail) {
    // Known watermarks raise the id generator's floor: a token issued now is never covered.
    ctx.watermarks().ensureLoaded();
    for (int attempt = 0; attempt < 5; attempt++) {
      String id = ctx.ids().next(now.toEpochMilli());
      String secret = TokenFormat.newSecret(ctx.random());
      String token = ctx.format().assemble(id, secret);
      TokenRecord record = template
          .id(id)
          .hint(ctx.format().hint(token))
          .keyId(ctx.hasher().primaryKeyId())
          .hash(ctx.hasher().hashPrimary(token, ctx.format().idOffset()))
          .build();
      AuditEntry entry = entry(TokenEvent.Type.ISSUED, id, record.workspace(), detail, actor);
      if (keepsAuditTrail() ? ctx.store().insert(record, entry) : ctx.store().insert(record)) {
        invalidate(id); // an earlier lookup may have cached the id as unknown
        return new Inserted(
            ctx.issued().apply(token, view(record, now.toEpochMilli())), entry);
      }
    }
    // Five fresh random ids all taken: the store answers insert wrongly, not a collision.
    throw new LatchkeyException("could not find a free token id after 5 attempts");
  }

  private Instant expiry(Instant now, @Nullable Duration lifetime, @Nullable Instant at) {
    Instant max = plus(now, ctx.maxLifetime());
    Instant expiresAt;
    String field;
    if (at != null) {
      field = "expiresAt";
      expiresAt = at.truncatedTo(ChronoUnit.MILLIS);
      if (!expiresAt.isAfter(now)) {
        throw new InvalidArgumentException(field, "must be in the future, was " + at);
      }
    } else if (lifetime != null) {
      field = "expiresIn";
      // Compared as durations first: now.plus(lifetime) overflows for a huge lifetime.
      if (lifetime.compareTo(Duration.between(now, max)) > 0) {
        throw new InvalidArgumentException(field, "exceeds the maximum lifetime of "
            + ctx.maxLifetime() + " (latest allowed " + max + ")");
      }
      // Records keep milliseconds: a shorter lifetime would make a token that is born expired.
      expiresAt = now.plus(lifetime).truncatedTo(ChronoUnit.MILLIS);
      if (!expiresAt.isAfter(now)) {
        throw new InvalidArgumentException(field, "must be at least 1 ms, was " + lifetime);
      }
    } else {
      return plus(now, ctx.defaultLifetime());
    }
    if (expiresAt.isAfter(max)) {
      throw new InvalidArgumentException(field, "exceeds the maximum lifetime of "
          + ctx.maxLifetime() + " (latest allowed " + max + ")");
    }
    return expiresAt;
  }

  static Instant plus(Instant instant, TemporalAmount amount) {
    return instant.atZone(ZoneOffset.UTC).plus(amount).toInstant();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public TokenId idOf(String token) {
    if (token == null) throw new InvalidArgumentException("token", "must not be null");
    String id = ctx.format().extractId(token);
    if (id == null) {
      throw new InvalidArgumentException("token", "is not a well-formed token with prefix \""
          + ctx.format().prefix() + "\" (length, characters or checksum)");
    }
    switch (ctx.format().checkId(id, 0, ctx.clock().millis(), ctx.hasher())) {
      case TokenFormat.ID_OK:
        return new TokenId(id);
      case TokenFormat.ID_FOREIGN:
        throw new InvalidArgumentException("token",
            "was not issued by this deployment: its id carries no tag of a configured hashing key");
      default:
        throw new InvalidArgumentException("token",
            "is malformed: unknown id version or an issue time in the future");
    }
  }

  @Override
  public Token revokeByToken(String token) {
    TokenId id = idOf(token);
    TokenRecord r = ctx.store().find(id.value()).filter(this::inScope)
        .orElseThrow(() -> new TokenNotFoundException(id));
    Hasher hasher = ctx.hasher();
    if (!hasher.matches(hasher.indexOf(r.keyId()), r.hash(), token, ctx.format().idOffset())) {
      throw new TokenNotFoundException(id); // the id alone, which is not secret, revokes nothing
    }
    return revoke(id);
  }

  @Override
  public Optional<Token> find(TokenId id) {
    requireId(id);
    Optional<TokenRecord> found = ctx.store().find(id.value());
    if (found.isPresent()) {
      observed(found.get());
    } else {
      observedAbsent(id.value());
    }
    return found.filter(this::inScope).map(r -> view(r, ctx.clock().millis()));
  }

  @Override
  public Token get(TokenId id) {
    return find(id).orElseThrow(() -> new TokenNotFoundException(id));
  }

  @Override
  public Map<String, Boolean> permissions(TokenId id) {
    return get(id).permissions();
  }

  @Override
  public TokenPage list(TokenQuery query) {
    if (query == null) throw new InvalidArgumentException("query", "must not be null");
    requireScope(query.workspace());
    ctx.watermarks().ensureLoaded();
    long now = ctx.clock().millis();
    List<Token> page = new ArrayList<>(query.limit());
    String after = query.cursor();
    // One row more than the page tells whether a next page exists. Without a filter that is all
    // we read; when a filter skips rows, the next reads grow (doubling, up to MAX_LIST_FETCH) so
    // that a selective filter costs few round trips and an unselective one reads little extra.
    int want = query.limit() + 1;
    int fetch = want;
    while (true) {
      List<TokenRecord> batch = ctx.store().list(query.workspace(), after, fetch);
      for (TokenRecord r : batch) {
        observed(r);
        Token t = view(r, now);
        if (!query.matches(t)) continue;
        if (page.size() == query.limit()) {
          // one more match exists: the page is full and there is a next one
          return new TokenPage(page, page.get(page.size() - 1).id().value());
        }
        page.add(t);
      }
      if (batch.size() < fetch) return new TokenPage(page, null);
      after = batch.get(batch.size() - 1).id();
      fetch = Math.min(Math.max(want - page.size(), fetch * 2), MAX_LIST_FETCH);
    }
  }

  // ---------------------------------------------------------------- changes

  @Override
  public Token update(TokenId id, TokenUpdate update) {
    requireId(id);
    if (update == null) throw new InvalidArgumentException("update", "must not be null");
    if (update.isEmpty()) return get(id);
    String detail = "changed " + describe(update);
    Change c = mutate(id, "update", r -> {
      TokenRecord.Builder b = r.toBuilder();
      update.name().ifPresent(b::name);
      update.description().ifPresent(b::description);
      update.allowedIps().ifPresent(b::allowedIps);
      update.metadata().ifPresent(b::metadata);
      return new Edit(b.build(), TokenEvent.Type.UPDATED, detail);
    });
    return toToken(c.after);
  }

  private static String describe(TokenUpdate u) {
    List<String> fields = new ArrayList<>();
    if (u.name().isPresent()) fields.add("name");
    if (u.description().isPresent()) fields.add("description");
    if (u.allowedIps().isPresent()) fields.add("allowedIps");
    if (u.metadata().isPresent()) fields.add("metadata");
    return String.join(", ", fields);
  }

  @Override
  public Token setPermissions(TokenId id, Map<String, Boolean> permissions) {
    requireId(id);
    Map<String, Boolean> checked = Checks.permissions(permissions);
    Change c = mutate(id, "set permissions of",
        r -> r.permissions().equals(checked) ? null : new Edit(
            r.toBuilder().permissions(checked).build(), TokenEvent.Type.PERMISSIONS_CHANGED,
            "set " + checked));
    return toToken(c.after);
  }

  @Override
  public Token updatePermissions(TokenId id, Map<String, Boolean> permissions) {
    requireId(id);
    Map<String, Boolean> checked = Checks.permissions(permissions);
    Change c = mutate(id, "update permissions of", r -> {
      Map<String, Boolean> merged = new LinkedHashMap<>(r.permissions());
      merged.putAll(checked);
      Checks.permissionCount(merged.size());
      return merged.equals(r.permissions()) ? null : new Edit(
          r.toBuilder().permissions(merged).build(), TokenEvent.Type.PERMISSIONS_CHANGED,
          "merged " + checked);
    });
    return toToken(c.after);
  }

  @Override
  public Token disable(TokenId id) {
    return transition(id, Transitions.Action.DISABLE, TokenEvent.Type.DISABLED);
  }

  @Override
  public Token enable(TokenId id) {
    return transition(id, Transitions.Action.ENABLE, TokenEvent.Type.ENABLED);
  }

  @Override
  public Token revoke(TokenId id) {
    return transition(id, Transitions.Action.REVOKE, TokenEvent.Type.REVOKED);
  }

  private Token transition(TokenId id, Transitions.Action action, TokenEvent.Type type) {
    return toToken(transitionChange(id, action, type).after);
  }

  /** As {@link #transition}, telling whether this call made the change (not a no-op). */
  private Change transitionChange(TokenId id, Transitions.Action action, TokenEvent.Type type) {
    requireId(id);
    return mutate(id, action.verb(), r -> {
      TokenState effective = effective(r);
      StoredState next = Transitions.next(action, id, effective);
      return next == null ? null
          : new Edit(r.toBuilder().state(next).build(), type, r.state() + " -> " + next);
    });
  }

  /**
   * One atomic, constant-cost step on a store that keeps watermarks: raises the workspace's
   * revocation watermark above every id this instance has minted (and the current millisecond),
   * applies it to this instance's cache at once, and leaves the per-record fix-up to the
   * background. On a store without watermarks, token by token as before.
   */
  @Override
  public int revokeAll(String workspace) {
    Checks.workspace(workspace);
    requireScope(workspace);
    Watermarks watermarks = ctx.watermarks();
    if (!watermarks.enabled()) {
      int revoked = revokeAllOneByOne(workspace);
      Instant at = now();
      emit(new AuditEntry(ctx.ids().next(at.toEpochMilli()), at, actor, workspace,
          new TokenId(RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID), TokenEvent.Type.REVOKED_ALL,
          "revoked " + revoked + " tokens one by one (the store keeps no revocation watermarks)"));
      return revoked;
    }
    Instant at = now();
    String entryId = ctx.ids().next(at.toEpochMilli());
    Instant watermark = Instant.ofEpochMilli(ctx.ids().watermarkAfter(at.toEpochMilli()));
    AuditEntry entry = new AuditEntry(entryId, at, actor, workspace,
        new TokenId(RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID), TokenEvent.Type.REVOKED_ALL,
        "revoked " + RevocationWatermarks.COUNT_PLACEHOLDER + " tokens written before "
            + watermark);
    int count = keepsAuditTrail()
        ? ctx.store().raiseRevocationWatermark(workspace, watermark, entry)
        : ctx.store().raiseRevocationWatermark(workspace, watermark);
    learned(workspace, watermark);
    emit(RevocationWatermarks.withCount(entry, count));
    FixUp f = fixUp;
    if (f != null) f.schedule(workspace);
    return count;
  }

  /** The background work that brings stored records in line with a watermark. */
  public interface FixUp {
    /** Schedules the fix-up of a workspace's records (idempotent). */
    void schedule(String workspace);
  }

  private volatile @Nullable FixUp fixUp;

  /** Connects the background fix-up that {@link #revokeAll} schedules. */
  public void attach(FixUp fixUp) {
    this.fixUp = fixUp;
  }

  /** This instance learned a watermark: its cache and id floor follow at once. */
  private void learned(String workspace, Instant watermark) {
    DefaultTokenValidator v = validator;
    if (v != null) {
      v.revocationWatermarkRaised(workspace, watermark);
    } else {
      ctx.watermarks().learn(workspace, watermark);
    }
  }

  /**
   * The read-and-retry for a record whose listed version is stale: revokes what it reads if that
   * is still covered and not REVOKED.
   */
  private boolean bringInLineAfterChange(String id, Instant watermark) {
    try {
      return mutate(new TokenId(id), "revoke", "revoke-all",
          r -> !outOfLine(r, watermark) ? null
              : new Edit(r.toBuilder().state(StoredState.REVOKED).build(),
                  TokenEvent.Type.REVOKED, revokedByWatermark(r, watermark))).changed;
    } catch (TokenNotFoundException gone) {
      return false; // deleted meanwhile
    }
  }

  /** Whether {@code r} is covered by {@code watermark} but not stored REVOKED. */
  private static boolean outOfLine(TokenRecord r, Instant watermark) {
    return r.state() != StoredState.REVOKED && RevocationWatermarks.covers(watermark, r);
  }

  /** The detail of the REVOKED entry the fix-up writes for {@code r}. */
  private static String revokedByWatermark(TokenRecord r, Instant watermark) {
    return r.state() + " -> REVOKED (revoke-all of the workspace, watermark " + watermark + ")";
  }

  /**
   * Brings a chunk of listed records in line with the workspace's watermark, with one {@link
   * TokenStore#replaceEach} for all of them: the covered records not stored REVOKED are revoked by
   * compare-and-set on their listed versions in one store call (stored state REVOKED, the version
   * bumped, one REVOKED entry each saying it came from the revoke-all, when the store keeps a
   * trail); each one that was written is invalidated and its event emitted, and each whose
   * compare-and-set failed (changed or deleted meanwhile) goes the usual read-and-retry, which
   * re-checks coverage and state on what it reads, so a concurrent change is never overwritten.
   *
   * @return how many records this call wrote
   */
  public int bringInLine(List<TokenRecord> listed, Instant watermark) {
    List<TokenRecord> candidates = new ArrayList<>();
    for (TokenRecord r : listed) {
      if (outOfLine(r, watermark)) candidates.add(r);
    }
    if (candidates.isEmpty()) return 0;
    boolean audited = keepsAuditTrail();
    Instant at = now();
    List<TokenRecord> next = new ArrayList<>(candidates.size());
    long[] versions = new long[candidates.size()];
    List<AuditEntry> entries = new ArrayList<>(candidates.size());
    for (int i = 0; i < versions.length; i++) {
      TokenRecord r = candidates.get(i);
      next.add(r.toBuilder().state(StoredState.REVOKED).version(r.version() + 1).updatedAt(at)
          .build());
      versions[i] = r.version();
      entries.add(entry(TokenEvent.Type.REVOKED, r.id(), r.workspace(),
          revokedByWatermark(r, watermark), "revoke-all"));
    }
    boolean[] written = ctx.store().replaceEach(next, versions, audited ? entries : null);
    int count = 0;
    for (int i = 0; i < written.length; i++) {
      TokenRecord r = candidates.get(i);
      if (written[i]) {
        invalidate(r.id());
        emit(entries.get(i));
        count++;
      } else if (bringInLineAfterChange(r.id(), watermark)) {
        count++;
      }
    }
    return count;
  }

  /** For a store without watermarks: each live token, by compare-and-set. */
  private int revokeAllOneByOne(String workspace) {
    int revoked = 0;
    String after = null;
    while (true) {
      List<TokenRecord> batch = ctx.store().list(workspace, after, LIST_BATCH);
      for (TokenRecord r : batch) {
        if (r.state() == StoredState.REVOKED) continue;
        TokenId id = new TokenId(r.id());
        try {
          // Counted only if this call wrote it: another writer may have revoked it since the list.
          if (transitionChange(id, Transitions.Action.REVOKE, TokenEvent.Type.REVOKED).changed) {
            revoked++;
          }
        } catch (TokenNotFoundException gone) {
          // deleted meanwhile: nothing to revoke
        }
      }
      if (batch.size() < LIST_BATCH) return revoked;
      after = batch.get(batch.size() - 1).id();
    }
  }

  @Override
  public void delete(TokenId id) {
    requireId(id);
    TokenRecord r = read(id);
    AuditEntry entry = entry(TokenEvent.Type.DELETED, id.value(), r.workspace(), "deleted", actor);
    boolean deleted = delete(id.value(), entry);
    invalidate(id.value()); // gone either way: deleted now, or by another writer meanwhile
    if (!deleted) throw new TokenNotFoundException(id);
    ctx.usage().forget(id.value());
    emit(entry);
  }

  @Override
  public IssuedToken rotate(TokenId id) {
    return rotate(id, DEFAULT_ROTATION_OVERLAP);
  }

  /**
   * Rotates without ever losing a change made to the old token meanwhile. Each attempt reads the
   * old record at some version, inserts the new token with that version's settings, then retires
   * the old one by a compare-and-set on exactly that version. If anything changed the old token in
   * between, the compare-and-set fails: the new token is deleted and the attempt starts over from
   * a fresh read. So when the rotation commits, the new token carries the old one's settings as of
   * that moment. Crash points are in docs/architecture.md ("States").
   */
  @Override
  public IssuedToken rotate(TokenId id, Duration overlap) {
    requireId(id);
    if (overlap == null) throw new InvalidArgumentException("overlap", "must not be null");
    if (overlap.isNegative()) {
      throw new InvalidArgumentException("overlap", "must not be negative, was " + overlap);
    }
    Instant checkedAt = now();
    if (overlap.compareTo(Duration.between(checkedAt, plus(checkedAt, ctx.maxLifetime()))) > 0) {
      throw new InvalidArgumentException("overlap",
          "must not exceed the maximum lifetime of " + ctx.maxLifetime());
    }
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      TokenRecord old = read(id);
      Transitions.next(Transitions.Action.ROTATE, id, effective(old));
      Instant now = now();

      // The lifetime the token was issued with, not what is left of an earlier rotation's overlap.
      Duration lifetime = old.lifetime();
      Instant max = plus(now, ctx.maxLifetime());
      Instant newExpiry = lifetime.compareTo(Duration.between(now, max)) > 0 ? max
          : now.plus(lifetime);
      // A token whose expiry is short of its lifetime was rotated before; its replacement may be
      // in use. Rotating again is allowed (the caller may have lost the secret) but said.
      boolean rotatedBefore = old.expiresAt().isBefore(old.createdAt().plus(lifetime));
      Inserted inserted = insertNew(old.toBuilder()
          .createdAt(now).createdBy(actor).updatedAt(now).expiresAt(newExpiry)
          .lifetime(Duration.between(now, newExpiry))
          .state(StoredState.ACTIVE).version(1)
          .lastUsedAt(null).lastUsedIp(null).lastUsedIntegration(null), now,
          "rotated from " + id);
      IssuedToken fresh = inserted.issued();

      Instant overlapEnd = now.plus(overlap);
      TokenRecord retired = old.toBuilder()
          .expiresAt(old.expiresAt().isBefore(overlapEnd) ? old.expiresAt() : overlapEnd)
          .updatedAt(now)
          .version(old.version() + 1)
          .build();
      String again = rotatedBefore
          ? "; it had been rotated before, so an earlier replacement may still be live" : "";
      AuditEntry rotated = entry(TokenEvent.Type.ROTATED, id.value(), old.workspace(),
          "replaced by " + fresh.id() + "; expires " + retired.expiresAt() + again, actor);
      boolean committed;
      try {
        committed = keepsAuditTrail()
            ? ctx.store().replace(retired, old.version(), rotated)
            : ctx.store().replace(retired, old.version());
      } catch (RuntimeException e) {
        committed = landedDespite(e, retired, fresh, id);
      }
      if (committed) {
        invalidate(id.value());
        emit(inserted.entry());
        if (rotatedBefore) {
          LOG.log(System.Logger.Level.WARNING, "token " + id + " was rotated again (replaced by "
              + fresh.id() + "); an earlier replacement may still be live");
        }
        emit(rotated);
        return fresh;
      }
      // The old token changed since it was read: the new one may lack that change. Take it back.
      discard(fresh, id, null);
      backOff(attempt);
    }
    throw new ConcurrentUpdateException(id, "rotate", MAX_ATTEMPTS);
  }

  /**
   * The compare-and-set that retires the old token threw: its reply may have been lost after it
   * was applied. Reads the old record to tell; if it did not land, deletes the new token and
   * rethrows. If the store cannot even be read, the outcome is unknown: the new token is left in
   * place (nobody holds its secret) and the failure is rethrown.
   */
  private boolean landedDespite(RuntimeException failure, TokenRecord retired, IssuedToken fresh,
      TokenId old) {
    Optional<TokenRecord> now;
    try {
      now = ctx.store().find(retired.id());
    } catch (RuntimeException unreadable) {
      failure.addSuppressed(unreadable);
      throw failure;
    }
    if (now.isPresent() && sameExceptUsage(now.get(), retired)) return true;
    discard(fresh, old, failure);
    throw failure;
  }

  private static boolean sameExceptUsage(TokenRecord stored, TokenRecord written) {
    return written.toBuilder().lastUsedAt(stored.lastUsedAt()).lastUsedIp(stored.lastUsedIp())
        .lastUsedIntegration(stored.lastUsedIntegration()).build().equals(stored);
  }

  /**
   * Deletes a new token whose rotation did not commit; a failure is added to {@code cause}. Its
   * ISSUED entry stays in the trail, followed by this deletion's entry, which says why.
   */
  private void discard(IssuedToken fresh, TokenId old, @Nullable RuntimeException cause) {
    try {
      String fid = fresh.id().value();
      delete(fid, entry(TokenEvent.Type.DELETED, fid, fresh.token().workspace(),
          "taken back: rotation of " + old + " did not commit", actor));
    } catch (RuntimeException e) {
      if (cause != null) {
        cause.addSuppressed(e);
        return;
      }
      throw e;
    } finally {
      invalidate(fresh.id().value());
    }
  }

  @Override
  public void rehash(String tokenId, byte[] oldHash, byte[] newHash) {
    TokenId id = new TokenId(tokenId);
    Hasher hasher = ctx.hasher();
    String primary = hasher.primaryKeyId();
    // Only off a retiring key: never between two keys in use (instances whose primaries differ
    // would otherwise move a token back and forth). An imported key's legacy hash is upgraded.
    mutate(id, "re-hash", "validator", r -> Arrays.equals(r.hash(), oldHash)
        && (hasher.isRetiring(hasher.indexOf(r.keyId()))
            || r.keyId().startsWith(DefaultLegacyKeys.LEGACY_KEY_ID_PREFIX))
        ? new Edit(r.toBuilder().keyId(primary).hash(newHash).build(), TokenEvent.Type.REHASHED,
            "re-hashed with key " + primary)
        : null);
  }

  // ---------------------------------------------------------------- audit trail

  /** The largest page of {@link #history}. */
  static final int MAX_HISTORY_PAGE = 1000;

  @Override
  public AuditPage history(TokenId id, @Nullable String cursor, int limit) {
    requireId(id);
    checkPage(cursor, limit);
    return page(after -> ctx.store().history(id.value(), after, limit + 1), cursor, limit);
  }

  @Override
  public AuditPage workspaceHistory(String workspace, @Nullable String cursor, int limit) {
    Checks.workspace(workspace);
    requireScope(workspace);
    checkPage(cursor, limit);
    return page(after -> ctx.store().workspaceHistory(workspace, after, limit + 1), cursor, limit);
  }

  private void checkPage(@Nullable String cursor, int limit) {
    if (limit < 1 || limit > MAX_HISTORY_PAGE) {
      throw new InvalidArgumentException("limit",
          "must be between 1 and " + MAX_HISTORY_PAGE + ", was " + limit);
    }
    if (cursor != null && !TokenFormat.isValidId(cursor)) {
      throw new InvalidArgumentException("cursor", "is not a cursor of this trail");
    }
    if (!keepsAuditTrail()) {
      throw new UnsupportedOperationException(
          "the token store keeps no audit trail: " + ctx.store().getClass().getName());
    }
  }

  /**
   * Reads one more entry than asked, to know whether a next page exists; hides entries older than
   * the retention (a store may prune late) and, on a scoped manager, of other workspaces.
   */
  private AuditPage page(Function<@Nullable String, List<AuditEntry>> read,
      @Nullable String cursor, int limit) {
    Instant cutoff = now().minus(ctx.auditRetention());
    List<AuditEntry> out = new ArrayList<>(limit);
    for (AuditEntry e : read.apply(cursor)) {
      if (e.at().isBefore(cutoff)) break; // newest first: the rest is older still
      if (scope != null && !scope.equals(e.workspace())) continue;
      if (out.size() == limit) return new AuditPage(out, out.get(limit - 1).id());
      out.add(e);
    }
    return new AuditPage(out, null);
  }

  /** Removes entries older than the retention from the store (best effort; reads hide them). */
  public void pruneAuditTrail() {
    if (keepsAuditTrail()) ctx.store().pruneAuditTrail(now().minus(ctx.auditRetention()));
  }

  // ---------------------------------------------------------------- machinery

  private record Change(TokenRecord after, boolean changed) {}

  /** A change to make: the new record, and what the audit trail and the event say of it. */
  private record Edit(TokenRecord record, TokenEvent.Type type, String detail) {}

  private Change mutate(TokenId id, String action, Function<TokenRecord, @Nullable Edit> change) {
    return mutate(id, action, actor, change);
  }

  /**
   * Reads the record, applies {@code change} (null: nothing to do) and writes it back with its
   * audit entry if the version is unchanged; on a lost race, reads again and retries. The event
   * is emitted once, after the write that made the change.
   */
  private Change mutate(TokenId id, String action, String by,
      Function<TokenRecord, @Nullable Edit> change) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      TokenRecord current = read(id);
      Edit edit = change.apply(current);
      if (edit == null) return new Change(current, false);
      TokenRecord next = edit.record().toBuilder()
          .version(current.version() + 1)
          .updatedAt(now())
          .build();
      AuditEntry entry = entry(edit.type(), id.value(), current.workspace(), edit.detail(), by);
      if (keepsAuditTrail()
          ? ctx.store().replace(next, current.version(), entry)
          : ctx.store().replace(next, current.version())) {
        invalidate(id.value());
        emit(entry);
        return new Change(next, true);
      }
      backOff(attempt);
    }
    throw new ConcurrentUpdateException(id, action, MAX_ATTEMPTS);
  }

  private boolean delete(String id, AuditEntry entry) {
    return keepsAuditTrail() ? ctx.store().delete(id, entry) : ctx.store().delete(id);
  }

  private boolean keepsAuditTrail() {
    return ctx.store().keepsAuditTrail();
  }

  private AuditEntry entry(TokenEvent.Type type, String tokenId, String workspace, String detail,
      String by) {
    Instant at = now();
    return new AuditEntry(ctx.ids().next(at.toEpochMilli()), at, by, workspace,
        new TokenId(tokenId), type, detail);
  }

  /**
   * Reads a record for a change. What it sees may be newer than this instance's cache (a no-op
   * revoke of a token revoked elsewhere, say): the cache then drops its entry.
   */
  private TokenRecord read(TokenId id) {
    Optional<TokenRecord> found = ctx.store().find(id.value());
    if (found.isEmpty()) {
      observedAbsent(id.value());
      throw new TokenNotFoundException(id);
    }
    observed(found.get());
    if (!inScope(found.get())) throw new TokenNotFoundException(id);
    return found.get();
  }

  private static void backOff(int attempt) {
    int ceilingMicros = Math.min(5_000, 50 << Math.min(attempt, 7));
    long nanos = ThreadLocalRandom.current().nextLong(ceilingMicros + 1L) * 1_000L;
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LatchkeyException("interrupted while retrying a token change; it was not made", e);
    }
  }

  private void invalidate(String id) {
    DefaultTokenValidator v = validator;
    if (v != null) v.invalidate(id);
  }

  private void observed(TokenRecord r) {
    DefaultTokenValidator v = validator;
    if (v != null) v.observed(r);
  }

  private void observedAbsent(String id) {
    DefaultTokenValidator v = validator;
    if (v != null) v.observedAbsent(id);
  }

  /** The state transitions start from: REVOKED when a known watermark covers the record. */
  private TokenState effective(TokenRecord r) {
    ctx.watermarks().ensureLoaded();
    if (ctx.watermarks().covers(r)) return TokenState.REVOKED;
    return Transitions.effective(r.state(), r.expiresAt().toEpochMilli(), ctx.clock().millis());
  }

  private Token toToken(TokenRecord r) {
    return view(r, ctx.clock().millis());
  }

  /** The public view of a record: REVOKED if a watermark covers it. */
  private Token view(TokenRecord r, long nowMillis) {
    ctx.watermarks().ensureLoaded(); // a volatile read once loaded
    return ctx.watermarks().covers(r) ? Records.toToken(r, TokenState.REVOKED)
        : Records.toToken(r, nowMillis);
  }

  private Instant now() {
    return ctx.clock().instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** The listener hears of each change as the audit trail records it. */
  private void emit(AuditEntry e) {
    if (ctx.listener() != TokenListener.NONE) {
      Records.emit(ctx.listener(), new TokenEvent(e.action(), e.at(), e.actor(), e.tokenId(),
          e.workspace(), null, null, e.detail()));
    }
  }

  private static void requireId(@Nullable TokenId id) {
    if (id == null) throw new InvalidArgumentException("tokenId", "must not be null");
  }
}
