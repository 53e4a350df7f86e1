package io.latchkey.internal;

import java.security.SecureRandom;

/**
 * Token ids that sort in issue order: the version, 7 base62 characters of the issue time in
 * milliseconds, 4 random ones and the keyed tag ({@link TokenFormat}). Within one process ids are strictly increasing even within a millisecond (the
 * random part is incremented, as ULIDs do); across processes they are ordered to the millisecond.
 */
public final class IdGenerator {
  private final SecureRandom random;
  private final Hasher hasher;
  private long lastMillis = Long.MIN_VALUE;
  private final char[] last = new char[TokenFormat.ID_LENGTH];

  public IdGenerator(SecureRandom random, Hasher hasher) {
    this.random = random;
    this.hasher = hasher;
  }

  public synchronized String next(long millis) {
    if (millis > lastMillis) {
      TokenFormat.newUntaggedId(millis, random, last);
      lastMillis = millis;
    } else if (!increment(last)) {
      // The random part ran out within this millisecond: a fresh random part at the same time
      // could sort lower (or repeat), so borrow the next millisecond instead.
      lastMillis++;
      TokenFormat.newUntaggedId(lastMillis, random, last);
    }
    TokenFormat.tag(last, hasher);
    return new String(last);
  }

  /** Adds one to the random part; false if it overflowed. */
  private static boolean increment(char[] id) {
    for (int i = TokenFormat.TAGGED_LENGTH - 1; i > TokenFormat.TIME_LENGTH; i--) {
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
