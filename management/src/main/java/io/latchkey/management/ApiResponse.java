package io.latchkey.management;

import java.util.Map;

/**
 * The answer to an {@link ApiRequest}: a status, headers and a JSON body (empty for 204).
 *
 * @param status the HTTP status
 * @param headers extra headers; {@code Content-Type} is {@code application/json} when the body is
 *     not empty
 * @param body UTF-8 JSON
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {

  public ApiResponse {
    headers = Map.copyOf(headers);
  }
}
