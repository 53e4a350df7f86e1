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
  /** The earliest time an id may carry: the highest revocation watermark known. */
  private long floor = Long.MIN_VALUE;
  private final char[] last = new char[TokenFormat.ID_LENGTH];

  public IdGenerator(SecureRandom random, Hasher hasher) {
    this.random = random;
    this.hasher = hasher;
  }

  /**
   * Never mints an id below {@code millis} from now on: a token issued after a revocation
   * watermark this instance knows is not covered by it, even if the clock is behind.
   */
  public synchronized void atLeast(long millis) {
    if (millis > floor) floor = millis;
  }

  /**
   * A watermark covering every id this generator has minted and every id of the current
   * millisecond, {@code max(nowMillis, last id's time) + 1}, which ids minted from now on do not
   * go below.
   */
  public synchronized long watermarkAfter(long nowMillis) {
    long w = Math.max(nowMillis, Math.max(lastMillis, floor)) + 1;
    atLeast(w);
    return w;
  }

  /** The earliest time an id may carry now (Long.MIN_VALUE if no watermark is known). */
  public synchronized long floor() {
    return floor;
  }

  public synchronized String next(long millis) {
    if (millis < floor) millis = floor;
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
