package io.latchkey.cli;

import io.latchkey.Token;
import picocli.CommandLine.Command;

@Command(name = "show", mixinStandardHelpOptions = true,
    description = {"Show one token: state, permissions, allowlist, expiry, last use.",
        "For a token you hold rather than its id: latchkey show --token -"})
final class ShowCommand extends TokenTarget {
  @Override
  int run(Session session) {
    Token t = session.tokens().get(target(session));
    if (json()) printJson(Render.tokenJson(t));
    else print(Render.tokenText(t));
    return ExitCode.OK;
  }
}
