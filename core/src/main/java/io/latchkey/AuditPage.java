package io.latchkey;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of a token's or a workspace's audit trail, newest first.
 *
 * @param entries the entries of this page, newest first
 * @param cursor where the next (older) page starts, or null if this is the last page
 */
public record AuditPage(List<AuditEntry> entries, @Nullable String cursor) {

  /**
   * Makes a page; the entries are copied.
   *
   * @param entries the entries, newest first
   * @param cursor where the next (older) page starts, or null on the last page
   * @throws NullPointerException if {@code entries} is null or holds null
   */
  public AuditPage {
    entries = List.copyOf(entries);
  }

  /**
   * The cursor for the next page, empty on the last page.
   *
   * @return {@link #cursor()} if there is an older page, else empty
   */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(cursor);
  }

  /**
   * Whether an older page follows this one.
   *
   * @return true if {@link #cursor()} is not null
   */
  public boolean hasMore() {
    return cursor != null;
  }
}
