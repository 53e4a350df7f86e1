package io.latchkey;

/**
 * The action is not allowed from the token's current state, e.g. enabling a revoked token. See the
 * state table in the design document. Nothing was changed.
 */
public final class IllegalTransitionException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  /** The token the action was refused on. */
  private final TokenId tokenId;
  /** Its effective state then. */
  private final TokenState state;
  /** The refused action. */
  private final String action;

  /**
   * An action the state table does not allow.
   *
   * @param tokenId the token
   * @param state its effective state
   * @param action the refused action
   */
  public IllegalTransitionException(TokenId tokenId, TokenState state, String action) {
    super("cannot " + action + " token " + tokenId + ": it is " + state);
    this.tokenId = tokenId;
    this.state = state;
    this.action = action;
  }

  /**
   * The token the action was refused on.
   *
   * @return its id
   */
  public TokenId tokenId() {
    return tokenId;
  }

  /**
   * The token's effective state when the action was refused.
   *
   * @return the state
   */
  public TokenState state() {
    return state;
  }

  /**
   * The refused action: {@code disable}, {@code enable}, {@code revoke} or {@code rotate}.
   *
   * @return the action
   */
  public String action() {
    return action;
  }
}
