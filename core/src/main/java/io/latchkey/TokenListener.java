package io.latchkey;

/**
 * Receives every {@link TokenEvent}: the audit trail. Called synchronously on the thread that made
 * the change or ran the validation, so it must be thread-safe and quick (hand events to a queue if
 * they go to I/O). An exception it throws is logged and ignored; it never fails the change.
 */
@FunctionalInterface
public interface TokenListener {

  /** The listener that does nothing. */
  TokenListener NONE = event -> {};

  /**
   * Receives one event; must be thread-safe and return quickly.
   *
   * @param event the event, which never carries a secret or hash
   */
  void onEvent(TokenEvent event);
}
