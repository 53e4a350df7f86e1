package io.latchkey.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Ctrl-C and {@code kill} handled as a request to stop, not as the start of JVM shutdown. During
 * shutdown H2 closes its databases from its own hook, racing ours, so the last usage flush and the
 * demo's clean-up would fail; handling the signal lets the command finish normally instead.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is reached reflectively, so the
 * build has no proprietary-API warnings and a JVM without it just keeps the default behaviour,
 * with the shutdown hook as the fallback.
 */
final class Signals {
  private Signals() {}

  /** Runs {@code action} on SIGINT and SIGTERM until the returned handle is closed. */
  static AutoCloseable onStop(Runnable action) {
    List<Runnable> restore = new ArrayList<>();
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(),
          new Class<?>[] {handlerClass}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "handle" -> action.run();
              case "hashCode" -> {
                return System.identityHashCode(proxy);
              }
              case "equals" -> {
                return proxy == args[0];
              }
              case "toString" -> {
                return "latchkey stop handler";
              }
              default -> { }
            }
            return null;
          });
      for (String name : new String[] {"INT", "TERM"}) {
        try {
          Object signal = signalClass.getConstructor(String.class).newInstance(name);
          Object previous = handle.invoke(null, signal, handler);
          restore.add(() -> {
            try {
              handle.invoke(null, signal, previous);
            } catch (ReflectiveOperationException e) {
              // Could install it, cannot restore it: the process is ending anyway.
            }
          });
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
          // Unknown on this platform, or reserved by the JVM (-Xrs): keep the default.
        }
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // No sun.misc.Signal here: the shutdown hook stops the service instead.
    }
    return () -> restore.forEach(Runnable::run);
  }
}
