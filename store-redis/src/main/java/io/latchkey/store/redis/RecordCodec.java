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
import org.jspecify.annotations.Nullable;

/**
 * Translates a {@link TokenRecord} to the fields of its Redis hash and back. Instants are epoch
 * milliseconds, the hash is Base64, the maps and the allowlist are JSON. The usage fields are
 * absent while null; the Lua scripts know their names too (see {@link Scripts}).
 */
final class RecordCodec {
  static final String WORKSPACE = "ws";
  static final String VERSION = "ver";
  static final String LAST_USED_AT = "lua";
  static final String LAST_USED_IP = "lip";
  static final String LAST_USED_INTEGRATION = "lint";

  private static final String NAME = "name";
  private static final String DESCRIPTION = "desc";
  private static final String HINT = "hint";
  private static final String KEY_ID = "kid";
  private static final String HASH = "hash";
  private static final String STATE = "state";
  private static final String PERMISSIONS = "perms";
  private static final String ALLOWED_IPS = "ips";
  private static final String METADATA = "meta";
  private static final String CREATED_AT = "cat";
  private static final String CREATED_BY = "cby";
  private static final String UPDATED_AT = "uat";
  private static final String EXPIRES_AT = "exp";
  /** Milliseconds; absent from records written before it existed (then derived, see TokenRecord). */
  private static final String LIFETIME = "life";
  /** Epoch milliseconds; only on imported legacy keys (TokenRecord.importedAt). */
  private static final String IMPORTED_AT = "imp";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Boolean>> PERMISSION_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private RecordCodec() {}

  /** Field, value, field, value, …: every field that a replace writes (usage fields excluded). */
  static List<String> fields(TokenRecord r) {
    List<String> f = new ArrayList<>(30);
    add(f, WORKSPACE, r.workspace());
    add(f, NAME, r.name());
    add(f, DESCRIPTION, r.description());
    add(f, HINT, r.hint());
    add(f, KEY_ID, r.keyId());
    add(f, HASH, Base64.getEncoder().encodeToString(r.hash()));
    add(f, STATE, r.state().name());
    add(f, PERMISSIONS, json(r.permissions()));
    add(f, ALLOWED_IPS, json(r.allowedIps()));
    add(f, METADATA, json(r.metadata()));
    add(f, CREATED_AT, Long.toString(r.createdAt().toEpochMilli()));
    add(f, CREATED_BY, r.createdBy());
    add(f, UPDATED_AT, Long.toString(r.updatedAt().toEpochMilli()));
    add(f, EXPIRES_AT, Long.toString(r.expiresAt().toEpochMilli()));
    add(f, LIFETIME, Long.toString(r.lifetime().toMillis()));
    add(f, VERSION, Long.toString(r.version()));
    if (r.importedAt() != null) add(f, IMPORTED_AT, Long.toString(r.importedAt().toEpochMilli()));
    return f;
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
    try {
      String lastUsedAt = h.get(LAST_USED_AT);
      String lifetime = h.get(LIFETIME);
      String importedAt = h.get(IMPORTED_AT);
      return TokenRecord.builder()
          .id(id)
          .workspace(required(h, WORKSPACE))
          .name(required(h, NAME))
          .description(required(h, DESCRIPTION))
          .hint(required(h, HINT))
          .keyId(required(h, KEY_ID))
          .hash(Base64.getDecoder().decode(required(h, HASH)))
          .state(StoredState.valueOf(required(h, STATE)))
          .permissions(JSON.readValue(required(h, PERMISSIONS), PERMISSION_MAP))
          .allowedIps(JSON.readValue(required(h, ALLOWED_IPS), STRING_LIST))
          .metadata(JSON.readValue(required(h, METADATA), STRING_MAP))
          .createdAt(instant(required(h, CREATED_AT)))
          .createdBy(required(h, CREATED_BY))
          .updatedAt(instant(required(h, UPDATED_AT)))
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
