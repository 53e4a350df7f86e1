package io.latchkey.cli;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where the libraries' log lines go. A one-shot command answers in one line on stderr (and its
 * exit code): a change feed retrying or a pool timing out while the store is unreachable would
 * bury that line under dozens of warnings, so they are shown only with {@code --verbose}. The
 * long-running {@code serve} and {@code demo} keep them, as a service's log.
 */
final class Logging {
  private Logging() {}

  static void configure(String... args) {
    for (String a : args) {
      if (a.equals("-v") || a.equals("--verbose") || a.equals("serve") || a.equals("demo")) return;
    }
    Logger root = Logger.getLogger("");
    root.setLevel(Level.OFF);
    for (Handler h : root.getHandlers()) h.setLevel(Level.OFF);
  }
}
