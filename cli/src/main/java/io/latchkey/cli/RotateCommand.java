package io.latchkey.cli;

import io.latchkey.IssuedToken;
import io.latchkey.Token;
import io.latchkey.TokenId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rotate", mixinStandardHelpOptions = true,
    description = {"Issue a replacement with the same settings and let the old token expire after"
        + " an overlap. The new plaintext is printed this once."})
final class RotateCommand extends StoreCommand {
  @Parameters(paramLabel = "ID", converter = Converters.Id.class,
      description = "The id of the token to replace.")
  TokenId id;

  @Option(names = "--overlap", paramLabel = "DURATION", converter = Converters.Span.class,
      description = "How long the old token keeps working, e.g. 1h; 0s stops it at once."
          + " Default: 24h")
  @Nullable Duration overlap;

  @Override
  void check() {
    if (overlap != null && overlap.isNegative()) {
      throw usage("--overlap must not be negative, was " + overlap);
    }
  }

  @Override
  int run(Session session) {
    IssuedToken issued = overlap == null
        ? session.tokens().rotate(id)
        : session.tokens().rotate(id, overlap);
    Token old = session.tokens().find(id).orElse(null);
    if (json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("token", issued.secret());
      out.putAll(Render.tokenJson(issued.token()));
      Map<String, Object> replaced = new LinkedHashMap<>();
      replaced.put("id", id.value());
      replaced.put("expiresAt", old == null ? null : Render.iso(old.expiresAt()));
      out.put("replaces", replaced);
      printJson(out);
    } else {
      print(Render.tokenText(issued.token(), issued.secret()));
      if (old != null) println("replaces:    " + id + ", which expires " + Render.text(old.expiresAt()));
      ctx().err().println("latchkey rotate: the new token is shown only now; store it safely");
    }
    return ExitCode.OK;
  }
}
