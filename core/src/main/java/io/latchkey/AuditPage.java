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

  public AuditPage {
    entries = List.copyOf(entries);
  }

  /** The cursor for the next page, empty on the last page. */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(cursor);
  }

  public boolean hasMore() {
    return cursor != null;
  }
}
