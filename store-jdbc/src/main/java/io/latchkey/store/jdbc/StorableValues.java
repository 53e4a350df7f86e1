package io.latchkey.store.jdbc;

import io.latchkey.AuditEntry;
import io.latchkey.InvalidArgumentException;
import io.latchkey.spi.TokenRecord;
import java.util.Map;

/**
 * Refuses text that a database would reject or silently change. PostgreSQL cannot hold U+0000 in
 * {@code text} or {@code jsonb}, and its driver turns an unpaired surrogate into {@code ?}; core
 * forbids control characters in names, but not in metadata values, nor unpaired surrogates
 * anywhere. The check runs on every dialect, so a database can move from H2 to PostgreSQL, and
 * before any statement, so a refused write leaves nothing behind and names the field.
 */
final class StorableValues {
  private StorableValues() {}

  static void check(TokenRecord r) {
    check("workspace", r.workspace());
    check("name", r.name());
    check("description", r.description());
    check("hint", r.hint());
    check("keyId", r.keyId());
    check("createdBy", r.createdBy());
    for (String permission : r.permissions().keySet()) check("permissions", permission);
    for (String ip : r.allowedIps()) check("allowedIps", ip);
    for (Map.Entry<String, String> e : r.metadata().entrySet()) {
      check("metadata key", e.getKey());
      check("metadata", e.getValue());
    }
  }

  static void check(AuditEntry e) {
    check("actor", e.actor());
    check("workspace", e.workspace());
    check("detail", e.detail());
  }

  private static void check(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        throw new InvalidArgumentException(field,
            "must not contain U+0000 (index " + i + "): the database cannot store it");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidArgumentException(field,
            "must not contain an unpaired surrogate (index " + i + "): it is not valid Unicode");
      }
    }
  }
}
