package io.latchkey;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The little of an HTTP request that {@link RequestAuthenticator} reads, so it works with any
 * server or framework: adapt the framework's request in two lambdas' worth of code. Implementations
 * need not be thread-safe; one view is read by one thread for one request.
 */
public interface HttpRequestView {

  /**
   * A request header's field value, looked up ignoring case, or null if absent. When the header
   * occurs on several lines, return them joined with {@code ", "} in the order received (RFC 9110
   * §5.3), or at least the last one: {@code X-Forwarded-For} is read from the right.
   *
   * @param name the header name, in any case
   * @return its value, or null if absent
   */
  @Nullable String header(String name);

  /**
   * The address of the peer that opened the connection, as an IPv4 or IPv6 literal (e.g. {@code
   * 203.0.113.9} or {@code 2001:db8::1}; brackets, a leading {@code /} and a zone are tolerated),
   * or null if unknown. Never a host name: nothing here resolves names.
   *
   * @return the peer address, or null if unknown
   */
  @Nullable String remoteAddress();

  /**
   * A view over a header map such as the JDK HTTP server's {@code Headers} or a servlet's headers
   * collected into a map. Names are matched ignoring case; several values are joined with {@code
   * ", "} in the map's order. The map is read, not copied.
   *
   * @param headers the headers, each with its values
   * @param remoteAddress the peer address, or null
   * @return a view over them
   */
  static HttpRequestView of(Map<String, ? extends List<String>> headers,
      @Nullable String remoteAddress) {
    if (headers == null) throw new InvalidArgumentException("headers", "must not be null");
    return new HttpRequestView() {
      @Override
      public @Nullable String header(String name) {
        String joined = null;
        // Maps that do not normalise names may hold one header under several spellings.
        for (Map.Entry<String, ? extends List<String>> e : headers.entrySet()) {
          if (e.getKey() == null || !e.getKey().equalsIgnoreCase(name) || e.getValue() == null) {
            continue;
          }
          for (String value : e.getValue()) {
            if (value == null) continue;
            joined = joined == null ? value : joined + ", " + value;
          }
        }
        return joined;
      }

      @Override
      public @Nullable String remoteAddress() {
        return remoteAddress;
      }
    };
  }
}
