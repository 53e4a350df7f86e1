package io.latchkey;

/**
 * A change kept losing its compare-and-set race to other writers and gave up after a bounded
 * number of attempts. Nothing was changed by this call; it is safe to retry.
 */
public final class ConcurrentUpdateException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  public ConcurrentUpdateException(TokenId tokenId, String action, int attempts) {
    super("cannot " + action + " token " + tokenId + ": still conflicting after " + attempts
        + " attempts");
  }
}
