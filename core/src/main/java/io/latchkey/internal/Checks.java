package io.latchkey.internal;

import io.latchkey.InvalidArgumentException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks shared by the public API. Each throws {@link InvalidArgumentException} whose
 * message starts with the field's name. These limits are also what stores size their columns for.
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

  /** Not blank, no control characters, at most 128 characters; surrounding blanks are stripped. */
  public static String name(@Nullable String name) {
    notNull("name", name);
    String stripped = name.strip();
    if (stripped.isEmpty()) throw new InvalidArgumentException("name", "must not be blank");
    maxLength("name", stripped, MAX_NAME_LENGTH);
    noControl("name", stripped, false);
    return stripped;
  }

  /** At most 1024 characters; line breaks and tabs allowed, other control characters not. */
  public static String description(@Nullable String description) {
    notNull("description", description);
    maxLength("description", description, MAX_DESCRIPTION_LENGTH);
    noControl("description", description, true);
    return description;
  }

  /** Not blank, no control characters, at most 128 characters. */
  public static String actor(String field, @Nullable String actor) {
    notNull(field, actor);
    String stripped = actor.strip();
    if (stripped.isEmpty()) throw new InvalidArgumentException(field, "must not be blank");
    maxLength(field, stripped, MAX_ACTOR_LENGTH);
    noControl(field, stripped, false);
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

  /** An integration name as a request gave it, or null if it is unusable (never throws). */
  public static @Nullable String integrationOrNull(@Nullable String integration) {
    if (integration == null || integration.isEmpty()
        || integration.length() > MAX_INTEGRATION_LENGTH) {
      return null;
    }
    for (int i = 0; i < integration.length(); i++) {
      char c = integration.charAt(i);
      if (c < 0x20 || c == 0x7f) return null;
    }
    return integration;
  }

  private static void noControl(String field, String value, boolean allowLineBreaks) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && !(allowLineBreaks && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f) {
        throw new InvalidArgumentException(field,
            "must not contain control characters (index " + i + ")");
      }
    }
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
