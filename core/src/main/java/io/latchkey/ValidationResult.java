package io.latchkey;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link TokenValidator#validate}: {@link Valid} with the token (the principal), or
 * {@link Rejected} with a {@link Reason}. A rejected token is a value, not an exception.
 */
public sealed interface ValidationResult permits ValidationResult.Valid, ValidationResult.Rejected {

  /**
   * Whether the token was accepted.
   *
   * @return true for {@link Valid}
   */
  boolean isValid();

  /**
   * The principal if valid.
   *
   * @return the accepted token, or empty if rejected
   */
  Optional<Token> token();

  /**
   * The reason if rejected.
   *
   * @return why it was rejected, or empty if valid
   */
  Optional<Reason> reason();

  /**
   * 200 if valid, else the reason's suggested status.
   *
   * @return 200 if valid, else the status of the reason
   */
  int httpStatus();

  /**
   * A message safe to show a caller.
   *
   * @return a message safe to send to the client
   */
  String publicMessage();

  /**
   * The rejection of this reason; one shared instance per reason.
   *
   * @param reason why
   * @return the shared rejection for that reason
   */
  static Rejected rejected(Reason reason) {
    return Rejected.OF[reason.ordinal()];
  }

  /**
   * A valid token.
   *
   * @param principal the token as it was when validated
   */
  record Valid(Token principal) implements ValidationResult {
    @Override
    public boolean isValid() {
      return true;
    }

    @Override
    public Optional<Token> token() {
      return Optional.of(principal);
    }

    @Override
    public Optional<Reason> reason() {
      return Optional.empty();
    }

    @Override
    public int httpStatus() {
      return 200;
    }

    @Override
    public String publicMessage() {
      return "OK";
    }
  }

  /**
   * A rejected token.
   *
   * @param why the exact reason
   */
  record Rejected(Reason why) implements ValidationResult {
    private static final Rejected[] OF = new Rejected[Reason.values().length];

    static {
      for (Reason r : Reason.values()) OF[r.ordinal()] = new Rejected(r);
    }

    @Override
    public boolean isValid() {
      return false;
    }

    @Override
    public Optional<Token> token() {
      return Optional.empty();
    }

    @Override
    public Optional<Reason> reason() {
      return Optional.of(why);
    }

    @Override
    public int httpStatus() {
      return why.httpStatus();
    }

    @Override
    public String publicMessage() {
      return why.publicMessage();
    }
  }

  /**
   * The principal, or null if rejected: for hot paths that avoid {@link Optional}.
   *
   * @return the accepted token, or null
   */
  default @Nullable Token principalOrNull() {
    return this instanceof Valid v ? v.principal() : null;
  }

  /**
   * The reason, or null if valid: for hot paths that avoid {@link Optional}.
   *
   * @return the reason, or null
   */
  default @Nullable Reason reasonOrNull() {
    return this instanceof Rejected r ? r.why() : null;
  }
}
