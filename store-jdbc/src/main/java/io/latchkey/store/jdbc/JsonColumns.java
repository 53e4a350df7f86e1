package io.latchkey.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.LatchkeyException;
import java.util.List;
import java.util.Map;

/**
 * Permissions, allowlist and metadata live in the token's row as JSON ({@code jsonb} on
 * PostgreSQL), so one primary-key read returns everything validation needs.
 */
final class JsonColumns {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, Boolean>> PERMISSIONS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};

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

  static List<String> strings(String json) {
    return read(json, STRINGS);
  }

  static Map<String, String> metadata(String json) {
    return read(json, METADATA);
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      // Not the cause: Jackson quotes the text it could not parse.
      throw new LatchkeyException("a token column holds malformed JSON", null);
    }
  }
}
