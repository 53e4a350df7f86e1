package io.latchkey.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latchkey.Token;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How results look: aligned text for people, JSON ({@code --json}) for scripts. Every JSON document
 * is one object with stable field names; times are ISO-8601 UTC. No token's plaintext passes
 * through here except as the {@code token} field of {@code issue} and {@code rotate}.
 */
final class Render {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  static {
    JSON.getFactory().setCharacterEscapes(new SafeEscapes());
  }

  private Render() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /** A token as a JSON object, fields in a fixed order. */
  static Map<String, Object> tokenJson(Token t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id().value());
    m.put("workspace", t.workspace());
    m.put("name", t.name());
    m.put("description", t.description());
    m.put("hint", t.hint());
    m.put("state", t.state().name());
    m.put("permissions", new TreeMap<>(t.permissions()));
    m.put("allowedIps", t.allowedIps());
    m.put("metadata", new TreeMap<>(t.metadata()));
    m.put("createdAt", iso(t.createdAt()));
    m.put("createdBy", t.createdBy());
    m.put("updatedAt", iso(t.updatedAt()));
    m.put("expiresAt", iso(t.expiresAt()));
    m.put("lastUsedAt", iso(t.lastUsedAt()));
    m.put("lastUsedIp", t.lastUsedIp());
    m.put("lastUsedIntegration", t.lastUsedIntegration());
    return m;
  }

  /**
   * One line after a state change: what the token is and its last use, the first things an
   * operator handling a leak needs (who held it, and whether and from where it was used).
   */
  static String changed(Token t) {
    return t.id() + " " + t.state() + " (" + oneLine(t.name()) + ", workspace "
        + oneLine(t.workspace()) + "; last used " + lastUse(t) + ")";
  }

  private static String lastUse(Token t) {
    return t.lastUsedAt() == null ? "never"
        : text(t.lastUsedAt()) + from(t.lastUsedIp()) + via(t.lastUsedIntegration());
  }

  /** A token as "field: value" lines, for {@code show} and after a change. */
  static String tokenText(Token t) {
    return tokenText(t, null);
  }

  /** As {@link #tokenText(Token)}, headed by the plaintext: for {@code issue} and {@code rotate}. */
  static String tokenText(Token t, @Nullable String plaintext) {
    List<String[]> rows = new ArrayList<>();
    if (plaintext != null) rows.add(row("token", plaintext));
    rows.add(row("id", t.id().value()));
    rows.add(row("workspace", oneLine(t.workspace())));
    rows.add(row("name", oneLine(t.name())));
    if (!t.description().isEmpty()) rows.add(row("description", oneLine(t.description())));
    rows.add(row("hint", oneLine(t.hint())));
    rows.add(row("state", t.state().name()));
    rows.add(row("permissions", permissions(t.permissions())));
    rows.add(row("allowed ips", t.allowedIps().isEmpty() ? "any" : String.join(", ", t.allowedIps())));
    if (!t.metadata().isEmpty()) {
      rows.add(row("metadata", new TreeMap<>(t.metadata()).entrySet().stream()
          .map(e -> oneLine(e.getKey()) + "=" + oneLine(e.getValue()))
          .collect(Collectors.joining(", "))));
    }
    rows.add(row("created", text(t.createdAt()) + " by " + oneLine(t.createdBy())));
    rows.add(row("updated", text(t.updatedAt())));
    rows.add(row("expires", text(t.expiresAt())));
    rows.add(row("last used", lastUse(t)));
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      sb.append(r[0]).append(':').append(" ".repeat(width - r[0].length() + 1)).append(r[1])
          .append('\n');
    }
    return sb.toString();
  }

  /** Tokens as an aligned table with a header row. */
  static String tokenTable(List<Token> tokens) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "NAME", "STATE", "HINT", "PERMISSIONS", "EXPIRES", "LAST USED"});
    for (Token t : tokens) {
      rows.add(new String[] {t.id().value(), oneLine(t.name()), t.state().name(), oneLine(t.hint()),
          permissions(t.permissions()), text(t.expiresAt()),
          t.lastUsedAt() == null ? "never" : text(t.lastUsedAt())});
    }
    return table(rows);
  }

  static String table(List<String[]> rows) {
    int cols = rows.get(0).length;
    int[] width = new int[cols];
    for (String[] r : rows) {
      for (int c = 0; c < cols; c++) width[c] = Math.max(width[c], r[c].length());
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        line.append(r[c]);
        if (c < cols - 1) line.append(" ".repeat(width[c] - r[c].length() + 2));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  /** Granted names as they are, explicit denials marked with a leading {@code !}. */
  static String permissions(Map<String, Boolean> permissions) {
    if (permissions.isEmpty()) return "-";
    return new TreeMap<>(permissions).entrySet().stream()
        .map(e -> oneLine(e.getValue() ? e.getKey() : "!" + e.getKey()))
        .collect(Collectors.joining(","));
  }

  static @Nullable String iso(@Nullable Instant i) {
    return i == null ? null : i.toString();
  }

  /** An instant to the second, for people. */
  static String text(@Nullable Instant i) {
    return i == null ? "-" : i.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String from(@Nullable String ip) {
    return ip == null ? "" : " from " + oneLine(ip);
  }

  private static String via(@Nullable String integration) {
    return integration == null ? "" : " via " + oneLine(integration);
  }

  /**
   * Stored text is the host's (or an attacker's): keep a table a table and a terminal a terminal.
   * Control characters (C0, DEL, C1), bidirectional overrides and isolates, and line separators are
   * shown escaped ({@code \\u202E}), so they can neither move the cursor, recolour the terminal nor
   * reorder what the operator reads, and remain visible as what they are.
   */
  static String oneLine(@Nullable String s) {
    if (s == null) return "";
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (unsafe(c)) {
        if (sb == null) sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        sb.append(String.format("\\u%04X", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /** Characters a terminal would act on, or that reorder the text around them. */
  static boolean unsafe(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || c == 0x061c || c == 0x200e || c == 0x200f
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
        || c == 0x2028 || c == 0x2029;
  }

  /** JSON output escapes the same characters as {@code \\uXXXX} (still the same string to a parser). */
  private static final class SafeEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public com.fasterxml.jackson.core.@Nullable SerializableString getEscapeSequence(int c) {
      return unsafe(c)
          ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04X", c))
          : null;
    }
  }

  private static String[] row(String key, String value) {
    return new String[] {key, value};
  }
}
