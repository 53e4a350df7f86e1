package io.latchkey.cli;

import io.latchkey.Token;
import io.latchkey.TokenId;
import io.latchkey.TokenManager;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/** The one-token state changes: disable, enable, revoke and delete. */
final class StateCommands {
  private StateCommands() {}

  abstract static class Change extends TokenTarget {
    abstract Token apply(Session session, TokenId id);

    @Override
    int run(Session session) {
      Token t = apply(session, target(session));
      if (json()) printJson(Render.tokenJson(t));
      else println(Render.changed(t));
      return ExitCode.OK;
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Suspend a token until enable. A no-op if already disabled.")
  static final class Disable extends Change {
    @Override
    Token apply(Session session, TokenId id) {
      return session.tokens().disable(id);
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Re-activate a disabled token. Revoked and expired tokens stay unusable.")
  static final class Enable extends Change {
    @Override
    Token apply(Session session, TokenId id) {
      return session.tokens().enable(id);
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = {"Revoke a token for good, e.g. after a leak, and show who it was and when and"
          + " from where it was last used.",
          "For a leaked token, paste the token itself: latchkey revoke --token -"})
  static final class Revoke extends Change {
    @Override
    Token apply(Session session, TokenId id) {
      return session.tokens().revoke(id);
    }

    @Override
    int run(Session session) {
      if (id != null) return super.run(session);
      Token t = TokenLookup.revokeByToken(session, token());
      if (json()) printJson(Render.tokenJson(t));
      else println(Render.changed(t));
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Remove a token's record; it then validates as unknown.")
  static final class Delete extends TokenTarget {
    @Override
    int run(Session session) {
      TokenId target = target(session);
      session.tokens().delete(target);
      if (json()) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", target.value());
        out.put("deleted", true);
        printJson(out);
      } else {
        println(target + " deleted");
      }
      return ExitCode.OK;
    }
  }
}
