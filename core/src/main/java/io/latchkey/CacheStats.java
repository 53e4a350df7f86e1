package io.latchkey;

/**
 * What the validator's cache has done since the {@link Latchkey} was built, as {@link
 * Latchkey#cacheStats()} found it: for a host's metrics (a gauge of the hit ratio tells whether the
 * cache is big enough for the tokens in use).
 *
 * @param lookups validations that looked a well-formed token id up
 * @param loads of those, how many read the store (a miss, or an entry past its time-to-live)
 * @param entries records cached now (an estimate)
 */
public record CacheStats(long lookups, long loads, long entries) {

  /**
   * Checks the counts.
   *
   * @param lookups validations that looked a token id up
   * @param loads of those, how many read the store
   * @param entries records cached now
   * @throws InvalidArgumentException if a count is negative
   */
  public CacheStats {
    if (lookups < 0 || loads < 0 || entries < 0) {
      throw new InvalidArgumentException("lookups", "counts must not be negative");
    }
  }

  /**
   * The share of lookups answered without reading the store: 1 when there was none.
   *
   * @return {@code (lookups - loads) / lookups}, from 0 to 1
   */
  public double hitRatio() {
    return lookups == 0 ? 1.0 : Math.max(0, lookups - loads) / (double) lookups;
  }
}
