package io.latchkey.cli;

/**
 * The command cannot run as configured: a missing or malformed hashing key, an unsupported store
 * URL, a data directory in an unexpected state. Exits with {@link ExitCode#USAGE}.
 */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigException(String message) {
    super(message);
  }
}
