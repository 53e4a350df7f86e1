package io.latchkey.spi;

import org.jspecify.annotations.Nullable;

/**
 * The text of a change-feed message, for stores whose feed carries text (PostgreSQL NOTIFY, Redis
 * pub/sub): {@code <tokenId>} or {@code <tokenId>@<committedAtMillis>}. The time lets receivers
 * measure the feed's lag; a message without it (written by an older version) still names the
 * token. Token ids never hold {@code @}.
 */
public final class ChangeMessages {
  private static final char SEPARATOR = '@';

  private ChangeMessages() {}

  /**
   * The message for a change of {@code tokenId} committed at {@code committedAtMillis}.
   *
   * @param tokenId the changed token's id
   * @param committedAtMillis when it was committed, in epoch milliseconds
   * @return the message text
   */
  public static String encode(String tokenId, long committedAtMillis) {
    return tokenId + SEPARATOR + committedAtMillis;
  }

  /**
   * Parses a message and tells the listener: with the commit time when the message carries a
   * readable one, as a plain change otherwise. A listener's exception propagates.
   *
   * @param listener the listener to tell
   * @param message the message text
   */
  public static void deliver(ChangeListener listener, String message) {
    int at = message.lastIndexOf(SEPARATOR);
    if (at < 0) {
      listener.tokenChanged(message);
      return;
    }
    String tokenId = message.substring(0, at);
    long millis = parseMillis(message, at + 1);
    if (millis < 0) {
      listener.tokenChanged(tokenId);
    } else {
      listener.tokenChanged(tokenId, millis);
    }
  }

  /**
   * The token id a message names.
   *
   * @param message the message text
   * @return the id before {@code @}, or the whole message if it holds none
   */
  public static String tokenId(String message) {
    int at = message.lastIndexOf(SEPARATOR);
    return at < 0 ? message : message.substring(0, at);
  }

  /**
   * The commit time a message carries.
   *
   * @param message the message text
   * @return epoch milliseconds, or null if the message carries none (or an unreadable one)
   */
  public static @Nullable Long committedAtMillis(String message) {
    int at = message.lastIndexOf(SEPARATOR);
    if (at < 0) return null;
    long millis = parseMillis(message, at + 1);
    return millis < 0 ? null : millis;
  }

  /** Decimal digits to the end, or -1 if there are none, others, or too many. */
  private static long parseMillis(String s, int from) {
    int n = s.length() - from;
    if (n < 1 || n > 18) return -1;
    long v = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
