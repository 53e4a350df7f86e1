package io.latchkey;

/**
 * A change kept losing its compare-and-set race to other writers and gave up after a bounded
 * number of attempts. Nothing was changed by this call; it is safe to retry.
 */
public final class ConcurrentUpdateException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  /**
   * A change that lost every compare-and-set it tried.
   *
   * @param tokenId the token
   * @param action the change, e.g. {@code disable}
   * @param attempts how many times it was tried
   */
  public ConcurrentUpdateException(TokenId tokenId, String action, int attempts) {
    super("cannot " + action + " token " + tokenId + ": still conflicting after " + attempts
        + " attempts");
  }
}
