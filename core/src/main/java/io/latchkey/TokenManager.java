package io.latchkey;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Issues and manages tokens. Every change is a compare-and-set on the stored record, retried on
 * conflict, and produces one {@link TokenEvent} naming the actor. Thread-safe.
 *
 * <p>Every method throws {@link InvalidArgumentException} for a null or malformed argument
 * (naming it), {@link StoreUnavailableException} when the store cannot be reached (nothing is
 * half-written), and those that take an id throw {@link TokenNotFoundException} for an unknown
 * one.
 */
public interface TokenManager {

  /**
   * A manager that records {@code actor} as the author of its changes in events and in {@code
   * createdBy}. The default manager's actor is {@code "system"}.
   *
   * @throws InvalidArgumentException if the actor is blank or longer than 128 characters
   * @param actor who makes the changes, for the audit trail
   * @return a manager that records {@code actor} on every change
   */
  TokenManager as(String actor);

  /**
   * The actor this manager records.
   *
   * @return who this manager records as the actor
   */
  String actor();

  /**
   * A manager bound to one workspace, for code acting for that workspace (a tenant's admin, an
   * HTTP request authorized for it). Every by-id method of the result answers a token of another
   * workspace exactly as an unknown id ({@link #find} empty, otherwise {@link
   * TokenNotFoundException} with the same message), so it neither touches nor reveals it; {@link
   * #issue}, {@link #list} and {@link #revokeAll} refuse another workspace with {@link
   * InvalidArgumentException} naming {@code workspace}. The actor is kept, and {@link #as} keeps
   * the scope. The unscoped manager ({@link Latchkey#tokens()}) is for operators.
   *
   * @param workspace the workspace to bind to
   * @return a manager scoped to {@code workspace}, with this manager's actor
   * @throws InvalidArgumentException if the workspace is malformed, or this manager is already
   *     bound to another workspace (a scope never widens or moves)
   */
  TokenManager in(String workspace);

  /**
   * The workspace this manager is bound to ({@link #in}), or empty for an unscoped manager.
   *
   * @return the bound workspace, or empty if unscoped
   */
  Optional<String> workspace();

  /**
   * Issues a token. The plaintext is in the result and nowhere else.
   *
   * @throws InvalidArgumentException if the name is missing, or the requested lifetime is not in
   *     the future or exceeds the configured maximum
   * @param spec what to issue
   * @return the new token with its plaintext, shown only here
   */
  IssuedToken issue(NewToken spec);

  /**
   * The id of a presented token, read from the token itself without a store read: for a leak
   * report, a log line or a support ticket that holds the plaintext. The token is never echoed.
   *
   * @throws InvalidArgumentException (field {@code token}) if it is null, not well formed for this
   *     deployment's prefix (length, characters, checksum), has an issue time far in the future,
   *     or its id was not tagged by one of this deployment's hashing keys
   * @param token the presented plaintext token
   * @return its id
   */
  TokenId idOf(String token);

  /**
   * Revokes the token that a leaked plaintext names, as a secret-scanning report delivers it (for
   * example GitHub's partner program). The presented secret must match the stored hash: knowing a
   * token's id, which is not secret, is not enough to revoke it. A no-op if already REVOKED.
   *
   * @throws InvalidArgumentException as {@link #idOf}
   * @throws TokenNotFoundException if no stored token has this id and secret
   * @param token the leaked plaintext token
   * @return the token, now revoked
   */
  Token revokeByToken(String token);

  /**
   * Finds a token by id.
   *
   * @param id the token id
   * @return the token, or empty if there is none
   */
  Optional<Token> find(TokenId id);

  /**
   * Finds a token by id.
   *
   * @throws TokenNotFoundException if there is none
   * @param id the token id
   * @return the token
   */
  Token get(TokenId id);

  /**
   * One page of a workspace's tokens.
   *
   * @param query the workspace, filters, page size and cursor
   * @return one page, with the cursor of the next
   */
  TokenPage list(TokenQuery query);

  /**
   * Changes name, description, allowlist or metadata. An empty update changes nothing.
   *
   * @param id the token id
   * @param update the fields to change
   * @return the token as changed
   */
  Token update(TokenId id, TokenUpdate update);

  /**
   * The token's permissions: name to grant ({@code true}) or explicit deny ({@code false}).
   *
   * @param id the token id
   * @return each permission and whether it is granted ({@code false}: an explicit deny)
   */
  Map<String, Boolean> permissions(TokenId id);

  /**
   * Replaces all permissions.
   *
   * @param id the token id
   * @param permissions the complete new permissions
   * @return the token as changed
   */
  Token setPermissions(TokenId id, Map<String, Boolean> permissions);

  /**
   * Merges permissions in: each entry is set, others are kept; {@code false} is an explicit deny.
   *
   * @param id the token id
   * @param permissions the permissions to add or change
   * @return the token as changed
   */
  Token updatePermissions(TokenId id, Map<String, Boolean> permissions);

  /**
   * ACTIVE → DISABLED; a no-op if already DISABLED.
   *
   * @throws IllegalTransitionException if the token is REVOKED or EXPIRED
   * @param id the token id
   * @return the token in its new state
   */
  Token disable(TokenId id);

  /**
   * DISABLED → ACTIVE; a no-op if already ACTIVE.
   *
   * @throws IllegalTransitionException if the token is REVOKED or EXPIRED
   * @param id the token id
   * @return the token in its new state
   */
  Token enable(TokenId id);

  /**
   * Any state → REVOKED, which is final; a no-op if already REVOKED.
   *
   * @param id the token id
   * @return the token in its new state
   */
  Token revoke(TokenId id);

  /**
   * Revokes every token of a workspace at once: each token written before this call took effect
   * answers {@code REVOKED} from then on, on this instance as soon as it returns and on others
   * within the change-feed bound; a token issued after it returns is unaffected. On a store that
   * keeps revocation watermarks this is one atomic step of constant cost (a per-workspace
   * watermark, docs/architecture.md "States"); the stored records are brought in line in the
   * background. On a store without watermarks it revokes token by token.
   *
   * @return how many tokens this call revoked: those of the workspace written before it that no
   *     earlier revoke-all covered and whose stored state was not {@code REVOKED}
   * @param workspace the workspace whose tokens to revoke
   */
  int revokeAll(String workspace);

  /**
   * Removes the token for good; validation then answers as for an unknown token.
   *
   * @param id the token id
   */
  void delete(TokenId id);

  /**
   * Issues a new token with the same workspace and settings, and makes the old one expire after
   * the default overlap of 24 hours (or at its own expiry, if sooner).
   *
   * @throws IllegalTransitionException if the token is not ACTIVE
   * @param id the token to replace
   * @return the replacement, with its plaintext
   */
  IssuedToken rotate(TokenId id);

  /**
   * As {@link #rotate(TokenId)}, with the given overlap (zero: the old token stops at once).
   *
   * @throws InvalidArgumentException if the overlap is negative or longer than the max lifetime
   * @throws IllegalTransitionException if the token is not ACTIVE
   * @param id the token to replace
   * @param overlap how long the old token keeps working, zero or positive
   * @return the replacement, with its plaintext
   */
  IssuedToken rotate(TokenId id, Duration overlap);

  /**
   * One page of a token's audit trail, newest first; kept after the token is deleted, for the
   * configured retention ({@link Latchkey.Builder#auditRetention}). An unknown id, and on a scoped
   * manager a token of another workspace, has an empty trail (no exception: a deleted token has
   * a trail but no record).
   *
   * @param id the token whose trail to read
   * @param cursor the previous page's {@link AuditPage#cursor()}, or null for the newest entries
   * @param limit at most this many entries, 1 to 1000
   * @return the page; empty, with no cursor, if the token has no (visible) trail
   * @throws InvalidArgumentException if the cursor is malformed or the limit out of range
   * @throws UnsupportedOperationException if the store keeps no audit trail ({@link
   *     io.latchkey.spi.TokenStore#keepsAuditTrail()})
   */
  AuditPage history(TokenId id, @Nullable String cursor, int limit);

  /**
   * One page of a workspace's audit trail (every token, deleted ones included), newest first.
   *
   * @param workspace the workspace whose trail to read
   * @param cursor the previous page's {@link AuditPage#cursor()}, or null for the newest entries
   * @param limit at most this many entries, 1 to 1000
   * @return the page; its {@link AuditPage#cursor()} is null on the last page
   * @throws InvalidArgumentException if the workspace or cursor is malformed, the limit out of
   *     range, or on a scoped manager the workspace is another one
   * @throws UnsupportedOperationException if the store keeps no audit trail
   */
  AuditPage workspaceHistory(String workspace, @Nullable String cursor, int limit);
}
