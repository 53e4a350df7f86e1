package io.latchkey;

/** No token with the given id exists (it never did, or it was deleted). */
public final class TokenNotFoundException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  private final TokenId tokenId;

  public TokenNotFoundException(TokenId tokenId) {
    super("token " + tokenId + " not found");
    this.tokenId = tokenId;
  }

  public TokenId tokenId() {
    return tokenId;
  }
}
