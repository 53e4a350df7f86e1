package io.latchkey;

/**
 * An argument was null, blank, too long, malformed or out of range. The message starts with the
 * name of the field, e.g. {@code "name must not be blank"}. Nothing was changed.
 */
public final class InvalidArgumentException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  /** The name of the offending field. */
  private final String field;

  /**
   * An argument that failed a check.
   *
   * @param field the field's name, which starts the message
   * @param problem what is wrong, e.g. {@code "must not be blank"}
   */
  public InvalidArgumentException(String field, String problem) {
    super(field + " " + problem);
    this.field = field;
  }

  /**
   * The name of the offending field or argument.
   *
   * @return the field's name
   */
  public String field() {
    return field;
  }
}
