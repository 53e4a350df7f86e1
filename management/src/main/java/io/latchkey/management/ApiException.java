package io.latchkey.management;

import org.jspecify.annotations.Nullable;

/** An answer other than success: an HTTP status and the body {@code {"error": {...}}}. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String code;
  final @Nullable String field;

  ApiException(int status, String code, String message, @Nullable String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  static ApiException badRequest(String code, String message, @Nullable String field) {
    return new ApiException(400, code, message, field);
  }
}
