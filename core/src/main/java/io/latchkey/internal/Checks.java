package io.latchkey.internal;

import io.latchkey.InvalidArgumentException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks shared by the public API. Each throws {@link InvalidArgumentException} whose
 * message starts with the field's name. These limits are also what stores size their columns for.
 *
 * <p>The one text policy (docs/architecture.md, "Text"): every free-text field refuses what some
 * backend cannot store faithfully, U+0000 and unpaired surrogates; names ({@code name}, {@code
 * actor}, {@code createdBy}) also refuse C0 and C1 controls, DEL and the bidirectional formatting
 * characters (which can make a listing read differently from what is stored); descriptions refuse
 * C0 and C1 controls and DEL but keep tab and line breaks; metadata values refuse only the
 * unstorable. Everything accepted round-trips exactly on every store (the kit's text tests). On
 * the validation path nothing throws: {@link #integrationOrNull} sanitises instead.
 */
public final class Checks {
  public static final int MAX_WORKSPACE_LENGTH = 128;
  public static final int MAX_NAME_LENGTH = 128;
  public static final int MAX_DESCRIPTION_LENGTH = 1024;
  public static final int MAX_PERMISSION_LENGTH = 128;
  public static final int MAX_PERMISSIONS = 256;
  public static final int MAX_ALLOWED_IPS = 100;
  public static final int MAX_METADATA_ENTRIES = 64;
  public static final int MAX_METADATA_KEY_LENGTH = 64;
  public static final int MAX_METADATA_VALUE_LENGTH = 1024;
  public static final int MAX_ACTOR_LENGTH = 128;
  public static final int MAX_KEY_ID_LENGTH = 32;
  public static final int MAX_INTEGRATION_LENGTH = 128;

  private Checks() {}

  private static String notNull(String field, @Nullable String value) {
    if (value == null) throw new InvalidArgumentException(field, "must not be null");
    return value;
  }

  private static void maxLength(String field, String value, int max) {
    if (value.length() > max) {
      throw new InvalidArgumentException(field,
          "must be at most " + max + " characters, was " + value.length());
    }
  }

  /** Letters, digits and {@code . _ : @ / -}; 1 to 128 characters. */
  public static String workspace(@Nullable String workspace) {
    notNull("workspace", workspace);
    if (workspace.isBlank()) throw new InvalidArgumentException("workspace", "must not be blank");
    maxLength("workspace", workspace, MAX_WORKSPACE_LENGTH);
    for (int i = 0; i < workspace.length(); i++) {
      char c = workspace.charAt(i);
      if (!(isAlnum(c) || c == '.' || c == '_' || c == ':' || c == '@' || c == '/' || c == '-')) {
        throw new InvalidArgumentException("workspace",
            "may contain only letters, digits and . _ : @ / - (bad character at index " + i + ")");
      }
    }
    return workspace;
  }

  /**
   * Not blank, at most 128 characters, no control, bidirectional formatting or unpaired surrogate
   * characters; surrounding blanks are stripped.
   */
  public static String name(@Nullable String name) {
    notNull("name", name);
    String stripped = name.strip();
    if (stripped.isEmpty()) throw new InvalidArgumentException("name", "must not be blank");
    maxLength("name", stripped, MAX_NAME_LENGTH);
    nameText("name", stripped);
    return stripped;
  }

  /**
   * At most 1024 characters; line breaks and tabs allowed, other control characters and unpaired
   * surrogates not.
   */
  public static String description(@Nullable String description) {
    notNull("description", description);
    maxLength("description", description, MAX_DESCRIPTION_LENGTH);
    noControl("description", description, true);
    storable("description", description);
    return description;
  }

  /** As {@link #name}: the author of a change, recorded in events and {@code createdBy}. */
  public static String actor(String field, @Nullable String actor) {
    notNull(field, actor);
    String stripped = actor.strip();
    if (stripped.isEmpty()) throw new InvalidArgumentException(field, "must not be blank");
    maxLength(field, stripped, MAX_ACTOR_LENGTH);
    nameText(field, stripped);
    return stripped;
  }

  /** Letters, digits, {@code _} and {@code -}; 1 to 32 characters. */
  public static String keyId(@Nullable String keyId) {
    notNull("hashingKeyId", keyId);
    if (keyId.isEmpty() || keyId.length() > MAX_KEY_ID_LENGTH) {
      throw new InvalidArgumentException("hashingKeyId",
          "must be 1 to " + MAX_KEY_ID_LENGTH + " characters");
    }
    for (int i = 0; i < keyId.length(); i++) {
      char c = keyId.charAt(i);
      if (!(isAlnum(c) || c == '_' || c == '-')) {
        throw new InvalidArgumentException("hashingKeyId",
            "may contain only letters, digits, _ and -");
      }
    }
    return keyId;
  }

  /** Whether a permission name is well formed: letters, digits and {@code _ . : * / -}, 1 to 128. */
  public static boolean isPermissionName(@Nullable String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_PERMISSION_LENGTH) return false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(isAlnum(c) || c == '_' || c == '.' || c == ':' || c == '*' || c == '/' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  public static String permissionName(String field, @Nullable String name) {
    notNull(field, name);
    if (!isPermissionName(name)) {
      throw new InvalidArgumentException(field,
          "\"" + printable(name) + "\" is not a valid permission name: use 1 to "
              + MAX_PERMISSION_LENGTH + " letters, digits or _ . : * / -");
    }
    return name;
  }

  public static Map<String, Boolean> permissions(@Nullable Map<String, Boolean> permissions) {
    if (permissions == null) throw new InvalidArgumentException("permissions", "must not be null");
    Map<String, Boolean> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Boolean> e : permissions.entrySet()) {
      permissionName("permissions", e.getKey());
      if (e.getValue() == null) {
        throw new InvalidArgumentException("permissions",
            "value of \"" + e.getKey() + "\" must be true or false, not null");
      }
      copy.put(e.getKey(), e.getValue());
    }
    permissionCount(copy.size());
    return copy;
  }

  public static void permissionCount(int count) {
    if (count > MAX_PERMISSIONS) {
      throw new InvalidArgumentException("permissions",
          "must have at most " + MAX_PERMISSIONS + " entries, was " + count);
    }
  }

  public static void allowlistSize(int count) {
    if (count > MAX_ALLOWED_IPS) {
      throw new InvalidArgumentException("allowedIps",
          "must have at most " + MAX_ALLOWED_IPS + " entries, was " + count);
    }
  }

  public static void metadataEntry(@Nullable String key, @Nullable String value) {
    notNull("metadata key", key);
    if (key.isEmpty() || key.length() > MAX_METADATA_KEY_LENGTH) {
      throw new InvalidArgumentException("metadata key",
          "must be 1 to " + MAX_METADATA_KEY_LENGTH + " characters");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!(isAlnum(c) || c == '_' || c == '.' || c == ':' || c == '-')) {
        throw new InvalidArgumentException("metadata key",
            "\"" + printable(key) + "\" may contain only letters, digits and _ . : -");
      }
    }
    if (value == null) {
      throw new InvalidArgumentException("metadata", "value of \"" + key + "\" must not be null");
    }
    if (value.length() > MAX_METADATA_VALUE_LENGTH) {
      throw new InvalidArgumentException("metadata",
          "value of \"" + key + "\" must be at most " + MAX_METADATA_VALUE_LENGTH + " characters");
    }
    int bad = unstorable(value);
    if (bad >= 0) {
      throw new InvalidArgumentException("metadata", "value of \"" + key + "\" must not contain "
          + describe(value, bad) + " (index " + bad + ")");
    }
  }

  public static Map<String, String> metadata(@Nullable Map<String, String> metadata) {
    if (metadata == null) throw new InvalidArgumentException("metadata", "must not be null");
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      metadataEntry(e.getKey(), e.getValue());
      copy.put(e.getKey(), e.getValue());
    }
    metadataCount(copy.size());
    return copy;
  }

  public static void metadataCount(int count) {
    if (count > MAX_METADATA_ENTRIES) {
      throw new InvalidArgumentException("metadata",
          "must have at most " + MAX_METADATA_ENTRIES + " entries, was " + count);
    }
  }

  /**
   * An integration name as a request gave it, made safe to store, or null if none was given (never
   * throws): every character a name may not hold (control, bidirectional formatting, unpaired
   * surrogate) becomes U+FFFD, and a name longer than 128 characters is cut there (never inside a
   * surrogate pair). Allocates only when it changes something.
   */
  public static @Nullable String integrationOrNull(@Nullable String integration) {
    if (integration == null || integration.isEmpty()) return null;
    int n = integration.length();
    boolean clean = n <= MAX_INTEGRATION_LENGTH;
    for (int i = 0; clean && i < n; i++) {
      if (badInName(integration, i)) clean = false;
    }
    if (clean) return integration;
    int end = Math.min(n, MAX_INTEGRATION_LENGTH);
    if (end < n && Character.isHighSurrogate(integration.charAt(end - 1))
        && Character.isLowSurrogate(integration.charAt(end))) {
      end--;
    }
    StringBuilder sb = new StringBuilder(end);
    for (int i = 0; i < end; i++) {
      char c = integration.charAt(i);
      sb.append(badInName(integration, i) ? '\uFFFD' : c);
    }
    return sb.toString();
  }

  /** Whether the character at {@code i} may not be part of a name. */
  private static boolean badInName(String s, int i) {
    char c = s.charAt(i);
    return isControl(c) || isBidiFormat(c) || isUnpairedSurrogate(s, i);
  }

  private static void nameText(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      if (badInName(value, i)) {
        throw new InvalidArgumentException(field,
            "must not contain " + describe(value, i) + " (index " + i + ")");
      }
    }
  }

  private static void noControl(String field, String value, boolean allowLineBreaks) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isControl(c) && !(allowLineBreaks && (c == '\n' || c == '\r' || c == '\t'))) {
        throw new InvalidArgumentException(field,
            "must not contain control characters (index " + i + ")");
      }
    }
  }

  private static void storable(String field, String value) {
    int bad = unstorable(value);
    if (bad >= 0) {
      throw new InvalidArgumentException(field,
          "must not contain " + describe(value, bad) + " (index " + bad + ")");
    }
  }

  /**
   * The index of the first character some backend cannot store faithfully (U+0000: PostgreSQL
   * text; an unpaired surrogate: UTF-8 cannot encode it), or -1.
   */
  static int unstorable(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == 0 || isUnpairedSurrogate(value, i)) return i;
    }
    return -1;
  }

  private static String describe(String value, int i) {
    char c = value.charAt(i);
    if (c == 0) return "U+0000";
    if (Character.isSurrogate(c)) return "an unpaired surrogate";
    if (isBidiFormat(c)) {
      return "bidirectional formatting characters (U+" + String.format("%04X", (int) c) + ")";
    }
    return "control characters";
  }

  /** C0, DEL and C1. */
  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
  }

  /** The marks, embeddings, overrides and isolates that reorder text when it is displayed. */
  private static boolean isBidiFormat(char c) {
    return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069');
  }

  private static boolean isUnpairedSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** A value for an error message: control characters escaped, cut at 64 characters. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    if (s.length() > 64) sb.append("...");
    return sb.toString();
  }
}
