package io.latchkey.cli;

import io.latchkey.Token;
import io.latchkey.TokenId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Show one token: state, permissions, allowlist, expiry, last use.")
final class ShowCommand extends StoreCommand {
  @Parameters(paramLabel = "ID", converter = Converters.Id.class, description = "The token id.")
  TokenId id;

  @Override
  int run(Session session) {
    Token t = session.tokens().get(id);
    if (json()) printJson(Render.tokenJson(t));
    else print(Render.tokenText(t));
    return ExitCode.OK;
  }
}
