package io.latchkey.servlet;

import io.latchkey.HttpRequestView;
import io.latchkey.InvalidArgumentException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import org.jspecify.annotations.Nullable;

/**
 * A servlet request as core's {@link HttpRequestView}: headers with every line of a repeated
 * header joined by {@code ", "}, and the connection's peer address ({@code getRemoteAddr()}, not
 * a value a container valve may have rewritten from forwarding headers unless the host set that up;
 * the authenticator's trusted proxies decide which forwarding headers to believe).
 */
public final class ServletRequestView implements HttpRequestView {
  private final HttpServletRequest request;
  private @Nullable String lastName;
  private @Nullable String lastValue;

  private ServletRequestView(HttpServletRequest request) {
    this.request = request;
  }

  /**
   * A view of this request.
   *
   * @param request the servlet request
   * @return core's view of it
   * @throws InvalidArgumentException if the request is null
   */
  public static ServletRequestView of(HttpServletRequest request) {
    if (request == null) throw new InvalidArgumentException("request", "must not be null");
    return new ServletRequestView(request);
  }

  /**
   * The header's value. The last header read is remembered: Spring Security's filter asks for the
   * token's header twice per request (does it carry one, then authenticate), and each read of a
   * firewalled request checks the value again.
   */
  @Override
  public @Nullable String header(String name) {
    if (name.equals(lastName)) return lastValue;
    String value = header(request, name);
    lastName = name;
    lastValue = value;
    return value;
  }

  /**
   * A header's value, repeated lines joined by {@code ", "}: one {@code getHeaders} call (a
   * {@code getHeader} first would make a firewalled request check the value twice).
   */
  static @Nullable String header(HttpServletRequest request, String name) {
    Enumeration<String> values = request.getHeaders(name);
    if (values == null || !values.hasMoreElements()) return null;
    String first = values.nextElement();
    if (!values.hasMoreElements()) return first;
    StringBuilder joined = new StringBuilder(first);
    while (values.hasMoreElements()) joined.append(", ").append(values.nextElement());
    return joined.toString();
  }

  @Override
  public @Nullable String remoteAddress() {
    return request.getRemoteAddr();
  }
}
