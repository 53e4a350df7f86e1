package io.latchkey.internal;

import java.security.SecureRandom;

/**
 * Token ids that sort in issue order: 8 base62 characters of the issue time in milliseconds, then
 * 8 random ones. Within one process ids are strictly increasing even within a millisecond (the
 * random part is incremented, as ULIDs do); across processes they are ordered to the millisecond.
 */
public final class IdGenerator {
  private final SecureRandom random;
  private long lastMillis = Long.MIN_VALUE;
  private char[] last = new char[0];

  public IdGenerator(SecureRandom random) {
    this.random = random;
  }

  public synchronized String next(long millis) {
    if (millis > lastMillis || !increment(last)) {
      last = TokenFormat.newId(Math.max(millis, lastMillis), random).toCharArray();
      lastMillis = Math.max(millis, lastMillis);
    }
    return new String(last);
  }

  /** Adds one to the random part; false if it overflowed. */
  private static boolean increment(char[] id) {
    for (int i = id.length - 1; i >= TokenFormat.TIME_LENGTH; i--) {
      int v = Base62.value(id[i]);
      if (v < 61) {
        id[i] = Base62.digit(v + 1);
        return true;
      }
      id[i] = Base62.digit(0);
    }
    return false;
  }
}
