package io.latchkey.cli;

import io.latchkey.Token;
import io.latchkey.TokenPage;
import io.latchkey.TokenQuery;
import io.latchkey.TokenState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List a workspace's tokens in issue order, one page at a time.")
final class ListCommand extends StoreCommand {
  @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "WORKSPACE",
      description = "The workspace whose tokens to list.")
  String workspace = "";

  @Option(names = "--state", paramLabel = "STATE",
      description = "Only tokens in this state: ${COMPLETION-CANDIDATES}. Repeatable.")
  List<TokenState> states = new ArrayList<>();

  @Option(names = "--name-contains", paramLabel = "TEXT", description = "Name filter, any case.")
  @Nullable String nameContains;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
      description = "Page size, 1 to 1000. Default: ${DEFAULT-VALUE}")
  int limit;

  @Option(names = "--after", paramLabel = "CURSOR",
      description = "Continue after a page: the cursor a previous list printed.")
  @Nullable String after;

  @Option(names = "--all", description = "Every page, not just one.")
  boolean all;

  @Override
  void check() {
    query(after);
  }

  @Override
  int run(Session session) {
    List<Token> tokens = new ArrayList<>();
    TokenPage page = session.tokens().list(query(after));
    tokens.addAll(page.tokens());
    while (all && page.hasMore()) {
      page = session.tokens().list(query(page.cursor()));
      tokens.addAll(page.tokens());
    }
    String next = page.cursor();
    if (json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("workspace", workspace);
      out.put("tokens", tokens.stream().map(Render::tokenJson).toList());
      out.put("nextCursor", next);
      printJson(out);
      return ExitCode.OK;
    }
    if (tokens.isEmpty()) {
      println("no tokens in workspace " + workspace + (after == null ? "" : " after " + after));
    } else {
      print(Render.tokenTable(tokens));
    }
    if (next != null) {
      ctx().err().println("latchkey list: more tokens; next page: --after " + next);
    }
    return ExitCode.OK;
  }

  private TokenQuery query(@Nullable String cursor) {
    TokenQuery q = TokenQuery.in(workspace).limit(limit);
    if (!states.isEmpty()) q.state(states.toArray(TokenState[]::new));
    if (nameContains != null) q.nameContains(nameContains);
    if (cursor != null) q.after(cursor);
    return q;
  }
}
