package io.latchkey.cli;

import io.latchkey.AuditEntry;
import io.latchkey.AuditPage;
import io.latchkey.TokenId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"Show the audit trail, newest first: every change with its time, actor and",
        "detail. history ID: one token (kept after it is deleted); history -w WS: a workspace."})
final class HistoryCommand extends StoreCommand {
  @Parameters(arity = "0..1", paramLabel = "ID", converter = Converters.Id.class,
      description = "The token id.")
  @Nullable TokenId id;

  @Option(names = {"-w", "--workspace"}, paramLabel = "WORKSPACE",
      description = "The workspace, instead of an ID.")
  @Nullable String workspace;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
      description = "Page size, 1 to 1000. Default: ${DEFAULT-VALUE}")
  int limit;

  @Option(names = "--before", paramLabel = "CURSOR",
      description = "Continue with older entries: the cursor a previous page printed.")
  @Nullable String before;

  @Override
  void check() {
    if ((id == null) == (workspace == null)) throw usage("give a token ID or -w WORKSPACE");
    if (limit < 1 || limit > 1000) throw usage("--limit must be 1 to 1000, was " + limit);
  }

  @Override
  int run(Session session) {
    AuditPage page = id != null
        ? session.tokens().history(id, before, limit)
        : session.tokens().workspaceHistory(workspace, before, limit);
    if (json()) {
      List<Object> entries = new ArrayList<>();
      for (AuditEntry e : page.entries()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", e.at().toString());
        m.put("action", e.action().name());
        m.put("tokenId", e.tokenId().value());
        m.put("workspace", e.workspace());
        m.put("actor", e.actor());
        m.put("detail", e.detail());
        entries.add(m);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("entries", entries);
      out.put("cursor", page.cursor());
      printJson(out);
      return ExitCode.OK;
    }
    if (page.entries().isEmpty()) {
      println("no history");
      return ExitCode.OK;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"AT", "ACTION", "TOKEN", "ACTOR", "DETAIL"});
    for (AuditEntry e : page.entries()) {
      rows.add(new String[] {Render.text(e.at()), e.action().name(), e.tokenId().value(),
          oneLine(e.actor()), oneLine(e.detail())});
    }
    print(Render.table(rows));
    if (page.cursor() != null) println("more: --before " + page.cursor());
    return ExitCode.OK;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\p{Cntrl}", " ");
  }
}
