package io.latchkey.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of what the CLI prints about its input: anything shaped like a token (a
 * prefix, {@code _}, then a run of 36 or more letters and digits) becomes a hint; the password and user info of the store URL are masked wherever they appear,
 * stack traces included.
 */
final class Redact {
  /** A token's body is 55 characters today; anything this long is treated as secret. */
  private static final Pattern TOKEN =
      Pattern.compile("(?<![A-Za-z0-9])([a-z0-9_]{0,32}_)?[A-Za-z0-9]{36,}(?![A-Za-z0-9])");
  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)password=([^&;\\s]*)");
  private static final Pattern USER_INFO = Pattern.compile("://([^/@\\s]*)@");

  private Redact() {}

  /** Whether the text looks like a whole token (so it must not be echoed or taken as an id). */
  static boolean isTokenShaped(String text) {
    return TOKEN.matcher(text.strip()).matches();
  }

  /** The text with every token-shaped or key-shaped run replaced by a hint. */
  static String secrets(String text) {
    Matcher m = TOKEN.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String prefix = m.group(1) == null ? "" : m.group(1);
      String run = m.group();
      m.appendReplacement(sb, Matcher.quoteReplacement(
          prefix + "..." + run.substring(run.length() - 4) + " (redacted)"));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * The text with secrets redacted and, if a store URL is given, its password and user info
   * masked wherever they occur, even outside the URL (a driver may quote {@code user:pw@host}).
   */
  static String all(String text, @org.jspecify.annotations.Nullable String storeUrl) {
    String s = secrets(text);
    if (storeUrl == null) return s;
    Matcher pw = PASSWORD_PARAM.matcher(storeUrl);
    while (pw.find()) s = mask(s, pw.group(1));
    Matcher ui = USER_INFO.matcher(storeUrl);
    if (ui.find()) {
      String info = ui.group(1);
      int colon = info.indexOf(':');
      if (colon >= 0) s = mask(s, info.substring(colon + 1));
      s = mask(s, info);
    }
    return s;
  }

  private static String mask(String text, String secret) {
    if (secret.isEmpty()) return text;
    String s = text.replace(secret, "***");
    String decoded = java.net.URLDecoder.decode(secret, java.nio.charset.StandardCharsets.UTF_8);
    return decoded.isEmpty() ? s : s.replace(decoded, "***");
  }
}
