package io.latchkey.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.ImportReport;
import io.latchkey.InvalidArgumentException;
import io.latchkey.LegacyKey;
import io.latchkey.TokenId;
import io.latchkey.TokenQuery;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code latchkey import FILE}: legacy keys from JSON Lines or CSV (docs: README, "Migrating from
 * another key system"). Good rows are imported and bad ones reported by line and field; running
 * the same file again imports nothing twice. {@code --pending -w WS} counts the keys of a workspace
 * not yet upgraded. No hash or key is ever printed.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Import legacy API keys (their hashes or plaintext) from a JSON Lines or CSV file.",
        "Columns/fields: workspace, name, lookup, hash or plaintext; optional description,",
        "permissions, allowedIps, metadata (JSON only), createdAt, createdBy, expiresAt.",
        "With --pending: count the keys of a workspace not yet upgraded (not yet used)."})
final class ImportCommand extends StoreCommand {
  static final Set<String> FIELDS = Set.of("workspace", "name", "description", "permissions",
      "allowedIps", "metadata", "createdAt", "createdBy", "expiresAt", "lookup", "hash", "plaintext");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "A .jsonl or .csv file.")
  @Nullable Path file;

  @Option(names = "--format", paramLabel = "jsonl|csv",
      description = "The file's format; by default from its extension (.csv, else JSON Lines).")
  @Nullable String format;

  @Option(names = "--all-or-nothing",
      description = "Import nothing if any row is bad (default: import the good rows).")
  boolean allOrNothing;

  @Option(names = "--pending", description = "Print how many keys of --workspace still have their old hash.")
  boolean pending;

  @Option(names = {"-w", "--workspace"}, paramLabel = "WORKSPACE", description = "With --pending.")
  @Nullable String workspace;

  @Override
  void check() {
    if (pending) {
      if (workspace == null) throw usage("--pending needs --workspace");
      if (file != null) throw usage("--pending takes no FILE");
      TokenQuery.in(workspace);
      return;
    }
    if (file == null) throw usage("FILE is missing: latchkey import keys.jsonl");
    if (workspace != null) throw usage("--workspace is only for --pending; a row names its workspace");
    if (format != null && !format.equals("jsonl") && !format.equals("csv")) {
      throw usage("--format must be jsonl or csv, was " + Render.oneLine(format));
    }
    if (!Files.isReadable(file)) throw usage("FILE " + file + " cannot be read");
  }

  @Override
  int run(Session session) {
    if (pending) {
      long n = session.latchkey().legacyKeys().pending(workspace);
      if (json()) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workspace", workspace);
        out.put("pending", n);
        printJson(out);
      } else {
        println(n + " key" + (n == 1 ? "" : "s") + " in workspace " + workspace
            + " still have their legacy hash");
      }
      return ExitCode.OK;
    }
    List<Row> rows = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    boolean csv = format != null ? format.equals("csv")
        : file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    try {
      if (csv) readCsv(rows, problems);
      else readJsonLines(rows, problems);
    } catch (IOException e) {
      throw usage("FILE " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
    List<LegacyKey> keys = new ArrayList<>();
    for (Row r : rows) keys.add(r.key);
    ImportReport report = allOrNothing && !problems.isEmpty()
        ? new ImportReport(List.of(), 0, List.of()) // a row could not even be read: import nothing
        : session.latchkey().legacyKeys().importAll(keys,
            allOrNothing ? ImportReport.Mode.ALL_OR_NOTHING : ImportReport.Mode.GOOD_ROWS);
    for (ImportReport.Problem p : report.problems()) {
      problems.add("line " + rows.get(p.row() - 1).line + " " + p.field() + " " + p.problem());
    }
    problems.sort((a, b) -> Integer.compare(lineOf(a), lineOf(b)));
    int refused = problems.size();
    List<TokenId> imported = report.imported();
    if (json()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("imported", imported.size());
      out.put("alreadyImported", report.alreadyImported());
      out.put("refused", problems);
      printJson(out);
    } else {
      for (String p : problems) ctx().err().println(p);
      println("imported " + imported.size() + ", already imported " + report.alreadyImported()
          + ", refused " + refused + (allOrNothing && refused > 0 ? " (nothing imported: --all-or-nothing)" : ""));
    }
    return refused == 0 ? ExitCode.OK : ExitCode.ERROR;
  }

  private static int lineOf(String problem) {
    int end = problem.indexOf(' ', 5);
    return Integer.parseInt(problem.substring(5, end));
  }

  private record Row(int line, LegacyKey key) {}

  private void readJsonLines(List<Row> rows, List<String> problems) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int line = 0;
      for (String text; (text = in.readLine()) != null; ) {
        line++;
        if (text.isBlank()) continue;
        JsonNode node;
        try {
          node = JSON.readTree(text);
        } catch (IOException e) {
          node = null; // the parser's message may quote the line, which may hold a key
        }
        if (node == null || !node.isObject()) {
          problems.add("line " + line + " is not a JSON object");
          continue;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          JsonNode v = e.getValue();
          if (v.isNull()) continue;
          if (e.getKey().equals("permissions") && v.isArray()) {
            List<String> names = new ArrayList<>();
            v.forEach(x -> names.add(x.asText()));
            fields.put("permissions", names);
          } else if (e.getKey().equals("allowedIps") && v.isArray()) {
            List<String> ips = new ArrayList<>();
            v.forEach(x -> ips.add(x.asText()));
            fields.put("allowedIps", ips);
          } else if (e.getKey().equals("metadata") && v.isObject()) {
            Map<String, String> m = new LinkedHashMap<>();
            v.fields().forEachRemaining(x -> m.put(x.getKey(), x.getValue().asText()));
            fields.put("metadata", m);
          } else if (v.isValueNode()) {
            fields.put(e.getKey(), v.asText());
          } else {
            fields.put(e.getKey(), List.of()); // reported as malformed below
            problems.add("line " + line + " " + e.getKey() + " must be a string");
            fields = null;
            break;
          }
        }
        if (fields != null) add(rows, problems, line, fields);
      }
    }
  }

  private void readCsv(List<Row> rows, List<String> problems) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<List<String>> records = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    Csv.parse(lines, records, lineNumbers);
    if (records.isEmpty()) return;
    List<String> header = records.get(0);
    for (String h : header) {
      if (!FIELDS.contains(h.strip())) {
        throw usage("FILE " + file + ": unknown column " + Render.oneLine(h) + " in the header");
      }
    }
    for (int i = 1; i < records.size(); i++) {
      List<String> values = records.get(i);
      int line = lineNumbers.get(i);
      if (values.size() == 1 && values.get(0).isBlank()) continue;
      if (values.size() != header.size()) {
        problems.add("line " + line + " has " + values.size() + " columns, the header " + header.size());
        continue;
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        String name = header.get(c).strip();
        String v = values.get(c);
        if (v.isEmpty()) continue;
        if (name.equals("permissions") || name.equals("allowedIps")) {
          fields.put(name, List.of(v.strip().split("\\s+")));
        } else {
          fields.put(name, v);
        }
      }
      add(rows, problems, line, fields);
    }
  }

  @SuppressWarnings("unchecked")
  private static void add(List<Row> rows, List<String> problems, int line, Map<String, Object> f) {
    for (String name : f.keySet()) {
      if (!FIELDS.contains(name)) {
        problems.add("line " + line + " " + name + " is not a known field");
        return;
      }
    }
    String field = "workspace";
    try {
      LegacyKey k = LegacyKey.in((String) f.get("workspace"));
      for (Map.Entry<String, Object> e : f.entrySet()) {
        field = e.getKey();
        Object v = e.getValue();
        switch (field) {
          case "workspace" -> { }
          case "name" -> k.name((String) v);
          case "description" -> k.description((String) v);
          case "permissions" -> {
            if (v instanceof String s) throw new InvalidArgumentException(field, "must be a list of names");
            Map<String, Boolean> p = new LinkedHashMap<>();
            for (String n : (List<String>) v) p.put(n, true);
            k.permissions(p);
          }
          case "allowedIps" -> {
            if (v instanceof String s) throw new InvalidArgumentException(field, "must be a list");
            k.allowIps((List<String>) v);
          }
          case "metadata" -> {
            if (v instanceof String s) throw new InvalidArgumentException(field, "must be an object");
            k.metadata((Map<String, String>) v);
          }
          case "createdAt" -> k.createdAt(instant(field, (String) v));
          case "createdBy" -> k.createdBy((String) v);
          case "expiresAt" -> k.expiresAt(instant(field, (String) v));
          case "lookup" -> k.lookup((String) v);
          case "hash" -> k.hash((String) v);
          case "plaintext" -> k.plaintext((String) v);
          default -> throw new InvalidArgumentException(field, "is not a known field");
        }
      }
      rows.add(new Row(line, k));
    } catch (InvalidArgumentException e) {
      problems.add("line " + line + " " + e.getMessage());
    } catch (ClassCastException e) {
      problems.add("line " + line + " " + field + " must be a string");
    }
  }

  private static Instant instant(String field, String v) {
    try {
      return Instant.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidArgumentException(field, "must be an ISO-8601 instant such as 2024-05-01T12:00:00Z");
    }
  }

  /** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
  static final class Csv {
    private Csv() {}

    static void parse(List<String> lines, List<List<String>> records, List<Integer> lineNumbers) {
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      int start = 1;
      for (int n = 0; n < lines.size(); n++) {
        String line = lines.get(n);
        if (!quoted) start = n + 1;
        for (int i = 0; i < line.length(); i++) {
          char c = line.charAt(i);
          if (quoted) {
            if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
              field.append('"');
              i++;
            } else if (c == '"') {
              quoted = false;
            } else {
              field.append(c);
            }
          } else if (c == '"') {
            quoted = true;
          } else if (c == ',') {
            fields.add(field.toString());
            field.setLength(0);
          } else {
            field.append(c);
          }
        }
        if (quoted) {
          field.append('\n');
          continue;
        }
        fields.add(field.toString());
        field.setLength(0);
        records.add(fields);
        lineNumbers.add(start);
        fields = new ArrayList<>();
      }
    }
  }
}
