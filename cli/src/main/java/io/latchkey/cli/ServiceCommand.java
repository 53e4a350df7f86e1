package io.latchkey.cli;

import io.latchkey.RequestAuthenticator;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** What {@code serve} and {@code demo} share: options, start, wait, clean shutdown. */
abstract class ServiceCommand extends StoreCommand {
  @Option(names = "--exit-after", paramLabel = "DURATION", converter = Converters.Span.class,
      description = "Stop after this long (for scripts and tests). Default: run until Ctrl-C.")
  @Nullable Duration exitAfter;

  @Option(names = "--cache-ttl", paramLabel = "DURATION", converter = Converters.Span.class,
      defaultValue = "2s",
      description = "How long a validated token is cached; a change made by another process"
          + " shows after at most this long. Default: ${DEFAULT-VALUE}")
  Duration cacheTtl = Duration.ofSeconds(2);

  @Option(names = "--trusted-proxy", paramLabel = "CIDR",
      description = "Believe X-Forwarded-For from this proxy address or range. Repeatable.")
  List<String> trustedProxies = new ArrayList<>();

  @Option(names = "--integration-header", paramLabel = "HEADER",
      defaultValue = RequestAuthenticator.DEFAULT_INTEGRATION_HEADER,
      description = "The header naming the calling integration. Default: ${DEFAULT-VALUE}")
  String integrationHeader = RequestAuthenticator.DEFAULT_INTEGRATION_HEADER;

  abstract int port();

  @Override
  void check() {
    if (port() < 0 || port() > 65535) throw usage("--port must be 0 to 65535, was " + port());
    if (exitAfter != null && (exitAfter.isNegative() || exitAfter.isZero())) {
      throw usage("--exit-after must be positive");
    }
    if (cacheTtl.isNegative()) throw usage("--cache-ttl must not be negative");
    // Bad ranges and header names fail now, before the store is opened or created.
    RequestAuthenticator.builder().trustedProxies(trustedProxies)
        .integrationHeader(integrationHeader);
  }

  @Override
  Session.Tuning tuning() {
    return new Session.Tuning(cacheTtl);
  }

  /** Before the service starts, e.g. issue demo tokens. */
  void beforeStart(Session session) {}

  /** Once it listens: tell the user how to use it. */
  abstract void started(Session session, DemoService service);

  /** After it stopped, before the session closes. */
  void afterStop(Session session) {}

  @Override
  final int run(Session session) {
    beforeStart(session);
    RequestAuthenticator auth = RequestAuthenticator.builder()
        .validator(session.latchkey().validator())
        .trustedProxies(trustedProxies)
        .integrationHeader(integrationHeader)
        .build();
    CountDownLatch cleanedUp = new CountDownLatch(1);
    DemoService service;
    try {
      service = DemoService.start(auth, port());
    } catch (BindException e) {
      afterStop(session);
      throw new ConfigException("cannot listen on 127.0.0.1:" + port() + ": " + e.getMessage()
          + "; choose another --port (0: any free port)");
    } catch (IOException e) {
      afterStop(session);
      throw new java.io.UncheckedIOException(e);
    }
    // Ctrl-C or kill: stop serving; this thread then cleans up and the command exits normally.
    AutoCloseable signals = Signals.onStop(service::close);
    // Other ways into JVM shutdown: stop serving, then wait for the cleanup below.
    Thread hook = new Thread(() -> {
      service.close();
      try {
        cleanedUp.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "latchkey-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      started(session, service);
      ctx().out().flush();
      ctx().onServerStarted().accept(service);
      service.awaitClose(exitAfter == null ? 0 : exitAfter.toMillis());
      return ExitCode.OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCode.OK;
    } finally {
      service.close();
      try {
        afterStop(session);
      } finally {
        try {
          session.close(); // may report usage it could not write: exit 5, after the cleanup below
        } finally {
          cleanedUp.countDown();
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // The hook is running: it is waiting for cleanedUp, which is now counted down.
          }
          try {
            signals.close();
          } catch (Exception e) {
            // Restoring the previous handlers cannot fail in a way worth reporting.
          }
        }
      }
    }
  }

  /** How to run this same command again from a shell: same jar, same store options. */
  String invocation() {
    StringBuilder sb = new StringBuilder(launcher());
    LatchkeyCommand r = root();
    if (r.store != null) sb.append(" --store ").append(Stores.redact(r.store));
    if (r.dataDir != null) sb.append(" --data-dir ").append(r.dataDir);
    if (r.prefix != null) sb.append(" --prefix ").append(r.prefix);
    return sb.toString();
  }

  private String launcher() {
    // bin/latchkey says so: the user typed `latchkey`, so show that rather than the jar.
    String named = System.getProperty("latchkey.launcher");
    if (named != null && !named.isBlank()) return named;
    try {
      var location = Main.class.getProtectionDomain().getCodeSource().getLocation();
      java.nio.file.Path jar = java.nio.file.Path.of(location.toURI());
      if (jar.toString().endsWith(".jar")) return "java -jar " + Session.display(ctx(), jar);
    } catch (Exception e) {
      // Not from a jar (an IDE, tests): the installed command name will do.
    }
    return "latchkey";
  }
}
