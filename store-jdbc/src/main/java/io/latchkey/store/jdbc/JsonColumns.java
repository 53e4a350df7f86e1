package io.latchkey.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.LatchkeyException;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.List;
import java.util.Map;

/**
 * Permissions, allowlist and metadata live in the token's row as JSON ({@code jsonb} on
 * PostgreSQL), so one primary-key read returns everything validation needs.
 */
final class JsonColumns {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // Readers built once: resolving a TypeReference per call showed in the cache-miss profile.
  private static final ObjectReader PERMISSIONS =
      MAPPER.readerFor(new TypeReference<Map<String, Boolean>>() {});
  private static final ObjectReader STRINGS = MAPPER.readerFor(new TypeReference<List<String>>() {});
  private static final ObjectReader METADATA =
      MAPPER.readerFor(new TypeReference<Map<String, String>>() {});

  private JsonColumns() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new LatchkeyException("cannot encode a token column as JSON", e);
    }
  }

  static Map<String, Boolean> permissions(String json) {
    return read(json, PERMISSIONS);
  }

  /** Most tokens have no allowlist: "[]" needs no parser. */
  static List<String> strings(String json) {
    return json.equals("[]") ? List.of() : read(json, STRINGS);
  }

  /** Most tokens have no metadata: "{}" needs no parser. */
  static Map<String, String> metadata(String json) {
    return json.equals("{}") ? Map.of() : read(json, METADATA);
  }

  private static <T> T read(String json, ObjectReader reader) {
    try {
      return reader.readValue(json);
    } catch (JsonProcessingException e) {
      // Not the cause: Jackson quotes the text it could not parse.
      throw new LatchkeyException("a token column holds malformed JSON", null);
    }
  }
}
