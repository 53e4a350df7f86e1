package io.latchkey.cli;

import io.latchkey.Token;
import io.latchkey.TokenId;
import io.latchkey.TokenManager;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The one-id state changes: disable, enable, revoke and delete. */
final class StateCommands {
  private StateCommands() {}

  abstract static class Change extends StoreCommand {
    @Parameters(paramLabel = "ID", converter = Converters.Id.class, description = "The token id.")
    TokenId id;

    abstract Token apply(TokenManager tokens, TokenId id);

    @Override
    int run(Session session) {
      Token t = apply(session.tokens(), id);
      if (json()) printJson(Render.tokenJson(t));
      else println(t.id() + " " + t.state() + " (" + Render.oneLine(t.name()) + ", workspace "
          + t.workspace() + ")");
      return ExitCode.OK;
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Suspend a token until enable. A no-op if already disabled.")
  static final class Disable extends Change {
    @Override
    Token apply(TokenManager tokens, TokenId id) {
      return tokens.disable(id);
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Re-activate a disabled token. Revoked and expired tokens stay unusable.")
  static final class Enable extends Change {
    @Override
    Token apply(TokenManager tokens, TokenId id) {
      return tokens.enable(id);
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a token for good, e.g. after a leak.")
  static final class Revoke extends Change {
    @Override
    Token apply(TokenManager tokens, TokenId id) {
      return tokens.revoke(id);
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a token's record; it then validates as unknown.")
  static final class Delete extends StoreCommand {
    @Parameters(paramLabel = "ID", converter = Converters.Id.class, description = "The token id.")
    TokenId id;

    @Override
    int run(Session session) {
      session.tokens().delete(id);
      if (json()) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id.value());
        out.put("deleted", true);
        printJson(out);
      } else {
        println(id + " deleted");
      }
      return ExitCode.OK;
    }
  }
}
