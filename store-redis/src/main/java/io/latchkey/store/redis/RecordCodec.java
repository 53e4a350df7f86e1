package io.latchkey.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.LatchkeyException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Translates a {@link TokenRecord} to the fields of its Redis hash and back (layout 2, see {@link
 * RedisKeys#LAYOUT}). Memory per token is what this layout is for: one-letter field names, fields
 * at their default left out (an empty description, allowlist, metadata or permission set, the
 * ACTIVE state, an update time equal to the creation time, a lifetime equal to {@code expiresAt -
 * createdAt}), instants as epoch milliseconds (Redis keeps them as 8-byte integers), the hash in
 * unpadded Base64, permissions and the allowlist as lines rather than JSON. The usage fields are
 * absent while null; the Lua scripts know the names of the fields they touch (see {@link
 * Scripts}). A typical record stays a compact hash (listpack; see {@code RedisEncodingTest}).
 */
final class RecordCodec {
  static final String WORKSPACE = "w";
  static final String VERSION = "v";
  static final String LAST_USED_AT = "l";
  static final String LAST_USED_IP = "a";
  static final String LAST_USED_INTEGRATION = "g";
  /** The field of a layout-1 record's workspace: a hash that has it was written before layout 2. */
  static final String LAYOUT_1_WORKSPACE = "ws";

  private static final String NAME = "n";
  private static final String DESCRIPTION = "s";
  private static final String HINT = "h";
  private static final String KEY_ID = "k";
  private static final String HASH = "x";
  private static final String STATE = "t";
  private static final String PERMISSIONS = "p";
  private static final String ALLOWED_IPS = "i";
  private static final String METADATA = "m";
  private static final String CREATED_AT = "c";
  private static final String CREATED_BY = "b";
  private static final String UPDATED_AT = "u";
  private static final String EXPIRES_AT = "e";
  private static final String LIFETIME = "f";
  /** Epoch milliseconds; only on imported legacy keys (TokenRecord.importedAt). */
  private static final String IMPORTED_AT = "j";
  /**
   * The fields a record may leave out: a replace deletes them before it writes the new record's
   * fields, so that one set before does not survive (see {@link Scripts#REPLACE}).
   */
  static final List<String> OPTIONAL = List.of(DESCRIPTION, STATE, PERMISSIONS, ALLOWED_IPS,
      METADATA, UPDATED_AT, LIFETIME, IMPORTED_AT);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final Base64.Encoder BASE64 = Base64.getEncoder().withoutPadding();

  private RecordCodec() {}

  /** Field, value, field, value, …: every field that a replace writes (usage fields excluded). */
  static List<String> fields(TokenRecord r) {
    List<String> f = new ArrayList<>(30);
    add(f, WORKSPACE, r.workspace());
    add(f, NAME, r.name());
    if (!r.description().isEmpty()) add(f, DESCRIPTION, r.description());
    add(f, HINT, r.hint());
    add(f, KEY_ID, r.keyId());
    add(f, HASH, BASE64.encodeToString(r.hash()));
    if (r.state() != StoredState.ACTIVE) add(f, STATE, r.state().name());
    if (!r.permissions().isEmpty()) add(f, PERMISSIONS, permissions(r.permissions()));
    if (!r.allowedIps().isEmpty()) add(f, ALLOWED_IPS, Lines.join(r.allowedIps()));
    if (!r.metadata().isEmpty()) add(f, METADATA, json(r.metadata()));
    long createdAt = r.createdAt().toEpochMilli();
    add(f, CREATED_AT, Long.toString(createdAt));
    add(f, CREATED_BY, r.createdBy());
    long updatedAt = r.updatedAt().toEpochMilli();
    if (updatedAt != createdAt) add(f, UPDATED_AT, Long.toString(updatedAt));
    add(f, EXPIRES_AT, Long.toString(r.expiresAt().toEpochMilli()));
    if (!r.lifetime().equals(Duration.between(r.createdAt(), r.expiresAt()))) {
      add(f, LIFETIME, Long.toString(r.lifetime().toMillis()));
    }
    add(f, VERSION, Long.toString(r.version()));
    if (r.importedAt() != null) add(f, IMPORTED_AT, Long.toString(r.importedAt().toEpochMilli()));
    return f;
  }

  /** Granted names as they are, denied ones after a '!', one per line (sorted, as the map is). */
  private static String permissions(Map<String, Boolean> permissions) {
    List<String> lines = new ArrayList<>(permissions.size());
    for (Map.Entry<String, Boolean> p : permissions.entrySet()) {
      String name = p.getKey();
      boolean escape = !name.isEmpty() && (name.charAt(0) == '!' || name.charAt(0) == '=');
      lines.add(p.getValue() ? (escape ? "=" + name : name) : "!" + name);
    }
    return Lines.join(lines);
  }

  private static Map<String, Boolean> permissions(String text) {
    Map<String, Boolean> m = new TreeMap<>();
    for (String line : Lines.split(text)) {
      if (line.startsWith("!")) {
        m.put(line.substring(1), false);
      } else {
        m.put(line.startsWith("=") ? line.substring(1) : line, true);
      }
    }
    return m;
  }

  /** {@link #fields} plus the usage fields that are set: what an insert writes. */
  static List<String> allFields(TokenRecord r) {
    List<String> f = fields(r);
    if (r.lastUsedAt() != null) add(f, LAST_USED_AT, Long.toString(r.lastUsedAt().toEpochMilli()));
    if (r.lastUsedIp() != null) add(f, LAST_USED_IP, r.lastUsedIp());
    if (r.lastUsedIntegration() != null) add(f, LAST_USED_INTEGRATION, r.lastUsedIntegration());
    return f;
  }

  /**
   * Decodes an {@code HGETALL} reply; null for an empty one (no such key).
   *
   * @throws StoreUnavailableException if the hash is not a record this store wrote
   */
  static @Nullable TokenRecord decode(String id, Map<String, String> h) {
    if (h.isEmpty()) return null;
    if (!h.containsKey(WORKSPACE) && h.containsKey(LAYOUT_1_WORKSPACE)) {
      throw new StoreUnavailableException("Redis record of token " + id + " is in layout 1;"
          + " this store reads layout " + RedisKeys.LAYOUT + " (see store-redis/README.md,"
          + " \"Layout versions\")", null);
    }
    try {
      String lastUsedAt = h.get(LAST_USED_AT);
      String lifetime = h.get(LIFETIME);
      String state = h.get(STATE);
      String permissions = h.get(PERMISSIONS);
      String ips = h.get(ALLOWED_IPS);
      String metadata = h.get(METADATA);
      String createdAt = required(h, CREATED_AT);
      String updatedAt = h.get(UPDATED_AT);
      String importedAt = h.get(IMPORTED_AT);
      return TokenRecord.builder()
          .id(id)
          .workspace(required(h, WORKSPACE))
          .name(required(h, NAME))
          .description(h.getOrDefault(DESCRIPTION, ""))
          .hint(required(h, HINT))
          .keyId(required(h, KEY_ID))
          .hash(Base64.getDecoder().decode(required(h, HASH)))
          .state(state == null ? StoredState.ACTIVE : StoredState.valueOf(state))
          .permissions(permissions == null ? Map.of() : permissions(permissions))
          .allowedIps(ips == null ? List.of() : Lines.split(ips))
          .metadata(metadata == null ? Map.of() : JSON.readValue(metadata, STRING_MAP))
          .createdAt(instant(createdAt))
          .createdBy(required(h, CREATED_BY))
          .updatedAt(instant(updatedAt == null ? createdAt : updatedAt))
          .expiresAt(instant(required(h, EXPIRES_AT)))
          .lifetime(lifetime == null ? null : Duration.ofMillis(Long.parseLong(lifetime)))
          .lastUsedAt(lastUsedAt == null ? null : instant(lastUsedAt))
          .lastUsedIp(h.get(LAST_USED_IP))
          .lastUsedIntegration(h.get(LAST_USED_INTEGRATION))
          .version(Long.parseLong(required(h, VERSION)))
          .importedAt(importedAt == null ? null : instant(importedAt))
          .build();
    } catch (MissingField e) {
      throw malformed(id, "no field " + e.getMessage());
    } catch (JsonProcessingException | RuntimeException e) {
      // Named by the exception's type only: a value in its message could be the hash.
      throw malformed(id, e.getClass().getSimpleName());
    }
  }

  private static StoreUnavailableException malformed(String id, String problem) {
    return new StoreUnavailableException(
        "Redis record of token " + id + " is malformed (" + problem + ")", null);
  }

  private static String required(Map<String, String> h, String field) {
    String v = h.get(field);
    if (v == null) throw new MissingField(field);
    return v;
  }

  private static Instant instant(String millis) {
    return Instant.ofEpochMilli(Long.parseLong(millis));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new LatchkeyException("cannot encode a map or list of strings", e);
    }
  }

  /** A field that every record has is absent: not a hash this store wrote. */
  private static final class MissingField extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingField(String field) {
      super(field, null, false, false);
    }
  }

  private static void add(List<String> f, String field, String value) {
    f.add(field);
    f.add(value);
  }
}
