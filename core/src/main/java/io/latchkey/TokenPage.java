package io.latchkey;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of {@link TokenManager#list}.
 *
 * @param tokens the tokens of this page, in id (issue) order
 * @param cursor where the next page starts, or null if this is the last page
 */
public record TokenPage(List<Token> tokens, @Nullable String cursor) {

  /**
   * Copies the list of tokens.
   * @param tokens the tokens of this page, in id (issue) order
   * @param cursor where the next page starts, or null if this is the last page
   */
  public TokenPage {
    tokens = List.copyOf(tokens);
  }

  /**
   * The cursor for {@link TokenQuery#after}, empty on the last page.
   *
   * @return the cursor to pass to {@link TokenQuery#after}, or empty on the last page
   */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(cursor);
  }

  /**
   * Whether another page follows.
   *
   * @return true unless this is the last page
   */
  public boolean hasMore() {
    return cursor != null;
  }
}
