package io.latchkey.cli;

/** {@code java -jar latchkey.jar ...}: runs one command and exits with its documented code. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    DataDir.loopbackOnly(); // before anything loads H2
    Logging.configure(args);
    System.exit(Cli.execute(CliContext.system(), args));
  }
}
