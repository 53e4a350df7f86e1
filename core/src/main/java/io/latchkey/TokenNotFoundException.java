package io.latchkey;

/** No token with the given id exists (it never did, or it was deleted). */
public final class TokenNotFoundException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  /** The id that was not found. */
  private final TokenId tokenId;

  /**
   * No token has this id.
   *
   * @param tokenId the id
   */
  public TokenNotFoundException(TokenId tokenId) {
    super("token " + tokenId + " not found");
    this.tokenId = tokenId;
  }

  /**
   * The id that was not found.
   *
   * @return the id
   */
  public TokenId tokenId() {
    return tokenId;
  }
}
