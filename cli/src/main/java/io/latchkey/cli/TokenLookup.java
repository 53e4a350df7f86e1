package io.latchkey.cli;

import io.latchkey.Token;
import io.latchkey.TokenId;

/**
 * The token a plaintext from {@code --token -} names, through the core's {@code
 * TokenManager.idOf} and {@code revokeByToken}. Neither ever echoes the token; {@code
 * revokeByToken} also insists on the secret matching the stored hash, so the id alone (which is
 * not secret) revokes nothing.
 */
final class TokenLookup {
  private TokenLookup() {}

  /**
   * The id of the token, read from the token itself (its format, checksum and keyed tag).
   *
   * @throws io.latchkey.InvalidArgumentException if it is not a token of this deployment
   */
  static TokenId idOf(Session session, String token) {
    return session.tokens().idOf(token);
  }

  /**
   * Revokes the token the plaintext belongs to.
   *
   * @throws io.latchkey.TokenNotFoundException if no stored token has this id and secret
   */
  static Token revokeByToken(Session session, String token) {
    return session.tokens().revokeByToken(token);
  }
}
