package io.latchkey;

/**
 * The action is not allowed from the token's current state, e.g. enabling a revoked token. See the
 * state table in the design document. Nothing was changed.
 */
public final class IllegalTransitionException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  private final TokenId tokenId;
  private final TokenState state;
  private final String action;

  public IllegalTransitionException(TokenId tokenId, TokenState state, String action) {
    super("cannot " + action + " token " + tokenId + ": it is " + state);
    this.tokenId = tokenId;
    this.state = state;
    this.action = action;
  }

  public TokenId tokenId() {
    return tokenId;
  }

  /** The token's effective state when the action was refused. */
  public TokenState state() {
    return state;
  }

  /** The refused action: {@code disable}, {@code enable}, {@code revoke} or {@code rotate}. */
  public String action() {
    return action;
  }
}
