package io.latchkey.management;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as the management API sees it, independent of any server framework: an adapter
 * (the JDK {@code HttpServer} one is {@link ManagementApi#httpHandler()}) builds it and writes the
 * {@link ApiResponse} back.
 *
 * @param method the HTTP method, e.g. {@code "GET"}
 * @param path the path below the mount point, starting with {@code /}, e.g. {@code
 *     /workspaces/acme/tokens}
 * @param query the raw query string without {@code ?}, or null
 * @param headers header values by name; names are matched case-insensitively (first value)
 * @param body the request body, at most {@link ManagementApi.Builder#maxBodyBytes} bytes; an
 *     adapter that read more passes {@link #TOO_LARGE}
 * @param clientIp the address of the caller, or null
 */
public record ApiRequest(
    String method,
    String path,
    @Nullable String query,
    Map<String, String> headers,
    byte[] body,
    @Nullable String clientIp) {

  /** The body an adapter passes when the request body exceeded the limit (answered with 413). */
  public static final byte[] TOO_LARGE = new byte[0];

  public ApiRequest {
    Objects.requireNonNull(method, "method == null");
    Objects.requireNonNull(path, "path == null");
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(body, "body == null");
    TreeMap<String, String> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ci.putAll(headers);
    headers = ci;
  }

  /** The first value of a header, or null. */
  public @Nullable String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }
}
