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

  /** Lists the tokens of one workspace. */
  public static TokenQuery in(String workspace) {
    return new TokenQuery(Checks.workspace(workspace));
  }

  /** Keeps only tokens in one of the given effective states (call again to add more). */
  public TokenQuery state(TokenState... states) {
    if (states == null) throw new InvalidArgumentException("state", "must not be null");
    for (TokenState s : states) {
      if (s == null) throw new InvalidArgumentException("state", "must not contain null");
      this.states.add(s);
    }
    return this;
  }

  /** Keeps only tokens whose name contains this text, ignoring case. */
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
   */
  public TokenQuery expiringBefore(java.time.Instant instant) {
    if (instant == null) throw new InvalidArgumentException("expiringBefore", "must not be null");
    this.expiringBefore = instant;
    return this;
  }

  /** The page size, 1 to {@value #MAX_LIMIT}; {@value #DEFAULT_LIMIT} by default. */
  public TokenQuery limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidArgumentException("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    this.limit = limit;
    return this;
  }

  /** Continues after the page that returned this cursor. */
  public TokenQuery after(String cursor) {
    if (cursor == null) throw new InvalidArgumentException("cursor", "must not be null");
    if (!io.latchkey.internal.TokenFormat.isValidId(cursor)) {
      throw new InvalidArgumentException("cursor", "is not a cursor returned by list");
    }
    this.cursor = cursor;
    return this;
  }

  public String workspace() {
    return workspace;
  }

  public Set<TokenState> states() {
    return Set.copyOf(states);
  }

  public @Nullable String nameContains() {
    return nameContains;
  }

  public int limit() {
    return limit;
  }

  public java.time.@Nullable Instant expiringBefore() {
    return expiringBefore;
  }

  public @Nullable String cursor() {
    return cursor;
  }

  /** Whether a token passes the state, name and expiry filters. */
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
