package io.latchkey.cli;

import io.latchkey.ConcurrentUpdateException;
import io.latchkey.IllegalTransitionException;
import io.latchkey.InvalidArgumentException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.TokenNotFoundException;

/** The documented exit codes of {@code latchkey}: scripts branch on them, so they never change. */
final class ExitCode {
  static final int OK = 0;
  /** Anything not covered below: a bug, an I/O failure writing a file. */
  static final int ERROR = 1;
  /** Bad usage or configuration: unknown option, malformed argument, missing hashing key. */
  static final int USAGE = 2;
  static final int NOT_FOUND = 3;
  /** The token's state does not allow the action, e.g. enabling a revoked token. */
  static final int ILLEGAL_TRANSITION = 4;
  static final int STORE_UNAVAILABLE = 5;
  /** {@code validate} rejected the token. */
  static final int REJECTED = 6;
  /** Other writers kept changing the token at the same moment; safe to retry. */
  static final int CONFLICT = 7;

  /** For {@code --help}: picocli prints it as a two-column list. */
  static final String[] HELP = {
      "0:ok",
      "1:other error",
      "2:usage or configuration error (bad option, malformed id, CIDR or permission,"
          + " missing LATCHKEY_HASHING_KEY)",
      "3:token not found",
      "4:illegal transition (e.g. enable a revoked token)",
      "5:store unavailable",
      "6:validation rejected the token",
      "7:concurrent update, safe to retry",
  };

  private ExitCode() {}

  static int of(Throwable e) {
    if (e instanceof InvalidArgumentException || e instanceof ConfigException) return USAGE;
    if (e instanceof TokenNotFoundException) return NOT_FOUND;
    if (e instanceof IllegalTransitionException) return ILLEGAL_TRANSITION;
    if (e instanceof StoreUnavailableException) return STORE_UNAVAILABLE;
    if (e instanceof ConcurrentUpdateException) return CONFLICT;
    return ERROR;
  }
}
