package io.latchkey.cli;

/** {@code java -jar latchkey.jar ...}: runs one command and exits with its documented code. */
public final class Main {
  private Main() {}

  /**
   * Runs the command named by the arguments and exits with its code (see cli/README.md).
   *
   * @param args the command line, e.g. {@code issue -w acme -n ci}
   */
  public static void main(String[] args) {
    DataDir.loopbackOnly(); // before anything loads H2
    Logging.configure(args);
    System.exit(Cli.execute(CliContext.system(), args));
  }
}
