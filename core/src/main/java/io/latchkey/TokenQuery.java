package io.latchkey;

import io.latchkey.internal.Checks;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which tokens {@link TokenManager#list} returns: one workspace, optionally filtered by effective
 * state and by name, one page at a time in id order (which is issue order). Pass the {@link
 * TokenPage#nextCursor()} of one page to {@link #after} to get the next. Not thread-safe.
 */
public final class TokenQuery {
  /** The page size when none is set. */
  public static final int DEFAULT_LIMIT = 50;
  /** The largest page size. */
  public static final int MAX_LIMIT = 1000;

  private final String workspace;
  private final Set<TokenState> states = EnumSet.noneOf(TokenState.class);
  private @Nullable String nameContains;
  private int limit = DEFAULT_LIMIT;
  private @Nullable String cursor;
  private java.time.@Nullable Instant expiringBefore;

  private TokenQuery(String workspace) {
    this.workspace = workspace;
  }

  /**
   * Lists the tokens of one workspace.
   *
   * @param workspace the workspace to list
   * @return a query for every token of the workspace, first page
   */
  public static TokenQuery in(String workspace) {
    return new TokenQuery(Checks.workspace(workspace));
  }

  /**
   * Keeps only tokens in one of the given effective states (call again to add more).
   *
   * @param states the states to keep
   * @return this query
   */
  public TokenQuery state(TokenState... states) {
    if (states == null) throw new InvalidArgumentException("state", "must not be null");
    for (TokenState s : states) {
      if (s == null) throw new InvalidArgumentException("state", "must not contain null");
      this.states.add(s);
    }
    return this;
  }

  /**
   * Keeps only tokens whose name contains this text, ignoring case.
   *
   * @param text text the name must contain, ignoring case
   * @return this query
   */
  public TokenQuery nameContains(String text) {
    if (text == null) throw new InvalidArgumentException("nameContains", "must not be null");
    if (text.length() > Checks.MAX_NAME_LENGTH) {
      throw new InvalidArgumentException("nameContains",
          "must be at most " + Checks.MAX_NAME_LENGTH + " characters");
    }
    this.nameContains = text.toLowerCase(Locale.ROOT);
    return this;
  }

  /**
   * Keeps only tokens that expire before this instant, e.g. {@code now + 30 days} for "expiring
   * within a month" (combine with {@code state(ACTIVE)} to leave out those already expired).
   *
   * @param instant the instant before which a token must expire to be listed
   * @return this query
   */
  public TokenQuery expiringBefore(java.time.Instant instant) {
    if (instant == null) throw new InvalidArgumentException("expiringBefore", "must not be null");
    this.expiringBefore = instant;
    return this;
  }

  /**
   * The page size, 1 to {@value #MAX_LIMIT}; {@value #DEFAULT_LIMIT} by default.
   *
   * @param limit the page size, 1 to {@value #MAX_LIMIT}
   * @return this query
   */
  public TokenQuery limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidArgumentException("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    this.limit = limit;
    return this;
  }

  /**
   * Continues after the page that returned this cursor.
   *
   * @param cursor the cursor of the previous page
   * @return this query
   */
  public TokenQuery after(String cursor) {
    if (cursor == null) throw new InvalidArgumentException("cursor", "must not be null");
    if (!io.latchkey.internal.TokenFormat.isValidId(cursor)) {
      throw new InvalidArgumentException("cursor", "is not a cursor returned by list");
    }
    this.cursor = cursor;
    return this;
  }

  /**
   * The workspace listed.
   *
   * @return the workspace listed
   */
  public String workspace() {
    return workspace;
  }

  /**
   * The states kept; empty keeps every state.
   *
   * @return the states kept; empty keeps every state
   */
  public Set<TokenState> states() {
    return Set.copyOf(states);
  }

  /**
   * The name filter, or null.
   *
   * @return the name filter, or null
   */
  public @Nullable String nameContains() {
    return nameContains;
  }

  /**
   * The page size.
   *
   * @return the page size
   */
  public int limit() {
    return limit;
  }

  /**
   * The expiry filter, or null for none.
   *
   * @return the instant before which listed tokens expire, or null
   */
  public java.time.@Nullable Instant expiringBefore() {
    return expiringBefore;
  }

  /**
   * The cursor of the previous page, or null for the first page.
   *
   * @return the cursor of the previous page, or null for the first page
   */
  public @Nullable String cursor() {
    return cursor;
  }

  /**
   * Whether a token passes the state, name and expiry filters.
   *
   * @param token a token of the workspace
   * @return true if it passes the state, name and expiry filters
   */
  public boolean matches(Token token) {
    return (states.isEmpty() || states.contains(token.state()))
        && (nameContains == null || token.name().toLowerCase(Locale.ROOT).contains(nameContains))
        && (expiringBefore == null || token.expiresAt().isBefore(expiringBefore));
  }

  @Override
  public String toString() {
    return "TokenQuery[workspace=" + workspace + ", states=" + states + ", nameContains="
        + nameContains + ", expiringBefore=" + expiringBefore + ", limit=" + limit + ", cursor="
        + cursor + "]";
  }
}
