package io.latchkey.cli;

import io.latchkey.TokenId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A command on one token, named by its id or, with {@code --token -}, by the token itself read
 * from standard input: the way to act on a leaked token without putting it in the shell history
 * or the process list. A token is never taken from the command line.
 */
abstract class TokenTarget extends StoreCommand {
  @Parameters(paramLabel = "ID", arity = "0..1", converter = Converters.Id.class,
      description = "The token id (16 letters and digits, as list and issue show it).")
  @Nullable TokenId id;

  @Option(names = "--token", paramLabel = "-",
      description = "Instead of an id: read the token itself from standard input (prompted"
          + " without echo on a terminal), e.g. a leaked one. Only - is accepted.")
  @Nullable String tokenSource;

  private @Nullable String token;

  @Override
  void check() {
    if (tokenSource != null && !tokenSource.equals("-")) {
      // Not echoed: it may be the token itself.
      throw usage("--token takes only - and reads the token from standard input: a token on the"
          + " command line lands in the shell history and the process list");
    }
    if (tokenSource != null && id != null) throw usage("give an ID or --token -, not both");
    if (tokenSource == null && id == null) {
      throw usage("which token? Give its ID, or --token - to read the token from standard input");
    }
    if (tokenSource != null) token = readToken("Token (input hidden): ");
  }

  /** The id given, or the id of the token read from standard input. */
  final TokenId target(Session session) {
    return id != null ? id : TokenLookup.idOf(session, token);
  }

  final @Nullable String token() {
    return token;
  }
}
