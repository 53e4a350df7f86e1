package io.latchkey;

/**
 * An argument was null, blank, too long, malformed or out of range. The message starts with the
 * name of the field, e.g. {@code "name must not be blank"}. Nothing was changed.
 */
public final class InvalidArgumentException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidArgumentException(String field, String problem) {
    super(field + " " + problem);
    this.field = field;
  }

  /** The name of the offending field or argument. */
  public String field() {
    return field;
  }
}
