package io.latchkey.store.redis;

import io.latchkey.StoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Waits for Redis replies with a deadline and turns every failure into a {@link
 * StoreUnavailableException}. Messages name the operation and the kind of failure, never a command
 * argument: those hold hashes.
 */
final class Await {
  private Await() {}

  /** Waits for one reply. */
  static <T> T reply(CompletionStage<T> stage, long timeoutNanos, String what) {
    return until(stage, System.nanoTime() + timeoutNanos, what);
  }

  /** Waits for one reply of a batch sharing one deadline ({@link System#nanoTime()}). */
  static <T> T until(CompletionStage<T> stage, long deadlineNanos, String what) {
    Future<T> future = stage.toCompletableFuture();
    try {
      return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(what, e);
    } catch (ExecutionException e) {
      throw unavailable(what, e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      future.cancel(false);
      throw unavailable(what, e);
    }
  }

  static StoreUnavailableException unavailable(String what, Throwable cause) {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return new StoreUnavailableException("Redis " + what + " failed: " + describe(cause), cause);
  }

  /**
   * Building a store failed to connect. Lettuce's messages name the URIs, which may hold a
   * password, so only a server's error code is passed on (e.g. {@code WRONGPASS}).
   */
  static StoreUnavailableException connectFailed(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String detail = root instanceof RedisCommandExecutionException ? " (" + describe(root) + ")" : "";
    return new StoreUnavailableException("Redis connect failed: cannot connect" + detail, cause);
  }

  /**
   * Whether a failed connect means that Redis could not be reached (refused, timed out), rather
   * than that it answered with an error (a wrong password, a missing ACL, cluster support off):
   * only the first may go away by itself.
   */
  static boolean isUnreachable(Throwable failure) {
    return !answered(failure, 0);
  }

  private static boolean answered(@Nullable Throwable t, int depth) {
    if (t == null || depth > 8) return false;
    if (t instanceof RedisCommandExecutionException) return true;
    for (Throwable s : t.getSuppressed()) {
      if (answered(s, depth + 1)) return true;
    }
    return t.getCause() != t && answered(t.getCause(), depth + 1);
  }

  /**
   * Whether {@code cause} says that the connection was lost or is being re-established, rather
   * than that Redis was slow or refused the command.
   */
  static boolean isDisconnect(@Nullable Throwable cause) {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RedisConnectionException || cause instanceof IOException) return true;
    if (cause instanceof RedisCommandTimeoutException
        || cause instanceof RedisCommandExecutionException) {
      return false;
    }
    String m = cause instanceof RedisException ? cause.getMessage() : null;
    return m != null && (m.startsWith("Currently not connected")
        || m.startsWith("Connection closed") || m.startsWith("Connection disconnected"));
  }

  private static String describe(Throwable t) {
    if (t instanceof TimeoutException || t instanceof RedisCommandTimeoutException) {
      return "no reply in time";
    }
    if (t instanceof InterruptedException) return "interrupted";
    if (t instanceof RedisConnectionException) return "cannot connect";
    if (t instanceof RedisCommandExecutionException) {
      // The server's error code (ERR, NOSCRIPT, CLUSTERDOWN, …); the rest may echo arguments.
      String m = String.valueOf(t.getMessage());
      int space = m.indexOf(' ');
      return "server error " + (space > 0 ? m.substring(0, space) : m);
    }
    if (t instanceof RedisException && t.getMessage() != null
        && t.getMessage().startsWith("Currently not connected")) {
      return "not connected";
    }
    return t.getClass().getSimpleName();
  }
}
