package io.latchkey.cli;

import io.latchkey.Reason;
import io.latchkey.StoreUnavailableException;
import io.latchkey.Token;
import io.latchkey.TokenId;
import io.latchkey.TokenManager;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.internal.TokenFormat;
import org.jspecify.annotations.Nullable;

/**
 * Finds the token a plaintext belongs to, for {@code --token -}. It stands in for {@code
 * TokenManager.idOf(String)} and {@code TokenManager.revokeByToken(String)}, which branch {@code
 * security} adds to the core with these names: once they land, the two methods here become the
 * one-line calls in their comments.
 *
 * <p>The token is checked as validation checks it (format, then the keyed hash), without recording
 * usage, so only a token of this store, with its real secret, names a record.
 */
final class TokenLookup {
  private TokenLookup() {}

  /**
   * The id of the token, if it is one of this store's (whatever its state).
   *
   * @throws ConfigException if it is not a well-formed token of this store's prefix
   * @throws io.latchkey.TokenNotFoundException if no record has this token's hash
   */
  static TokenId idOf(Session session, String token) {
    // becomes: return session.tokens().idOf(token);
    ValidationResult r = session.latchkey().validator()
        .validate(ValidationRequest.of(token).recordUsage(false));
    Reason reason = r.reasonOrNull();
    if (reason == Reason.MALFORMED) {
      throw new ConfigException("the input from standard input is not a well-formed token with"
          + " prefix " + session.prefix() + " (a typo, a cut-off paste, or another --prefix?)");
    }
    if (reason == Reason.UNAVAILABLE) {
      throw new StoreUnavailableException("the store cannot be reached to look the token up",
          null);
    }
    String id = new TokenFormat(session.prefix()).extractId(token);
    if (reason == Reason.UNKNOWN || id == null) {
      throw new NoSuchToken(id == null ? null : TokenId.of(id));
    }
    return TokenId.of(id);
  }

  /** Revokes the token the plaintext belongs to. */
  static Token revokeByToken(Session session, String token) {
    // becomes: return session.tokens().revokeByToken(token);
    TokenManager tokens = session.tokens();
    return tokens.revoke(idOf(session, token));
  }

  /** No record matches: exit 3 like any token not found, without naming the input. */
  static final class NoSuchToken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoSuchToken(@Nullable TokenId id) {
      super("no token in this store matches the token from standard input"
          + (id == null ? "" : " (its id would be " + id + "; it was deleted, or was issued by"
              + " another store or with another hashing key)"));
    }
  }
}
