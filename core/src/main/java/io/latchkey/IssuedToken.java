package io.latchkey;

/**
 * The result of {@link TokenManager#issue} and {@link TokenManager#rotate}: the only type that ever
 * holds a token's plaintext. Hand {@link #secret()} to its owner once; it cannot be shown again.
 * {@link #toString()} does not show it.
 */
public final class IssuedToken {
  private final String secret;
  private final Token token;

  /** Made by Latchkey only. */
  IssuedToken(String secret, Token token) {
    this.secret = secret;
    this.token = token;
  }

  /**
   * The plaintext token, e.g. {@code acme_0Hg3k...}. The only time it is visible.
   *
   * @return the plaintext token; hand it over once, never log or store it
   */
  public String secret() {
    return secret;
  }

  /**
   * The issued token's details.
   *
   * @return the token's details, without the secret
   */
  public Token token() {
    return token;
  }

  /**
   * The issued token's id.
   *
   * @return the token's id
   */
  public TokenId id() {
    return token.id();
  }

  @Override
  public String toString() {
    return "IssuedToken[id=" + token.id() + ", hint=" + token.hint() + ", secret=<hidden>]";
  }
}
