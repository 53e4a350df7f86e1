package io.latchkey.store.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}); when the node answers {@code NOSCRIPT} (a
 * restarted server, a failover, {@code SCRIPT FLUSH}, a node that never saw it) it is sent once in
 * full with {@code EVAL}, which also caches it there.
 */
final class LuaScript {
  private final String source;
  private final String sha1;

  LuaScript(String source) {
    this.source = source;
    try {
      this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  String sha1() {
    return sha1;
  }

  /**
   * Runs the script. Cancelling the returned future (as a timed-out caller does) cancels the
   * command underneath too, so that Lettuce never sends it after a reconnect: a change that the
   * caller was told failed must not happen later.
   */
  <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, String> commands,
      ScriptOutputType type, String[] keys, String... args) {
    AtomicReference<Future<?>> current = new AtomicReference<>();
    RedisFuture<T> bySha = commands.evalsha(sha1, type, keys, args);
    current.set(bySha);
    CompletableFuture<T> result = bySha.toCompletableFuture().exceptionallyCompose(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RedisNoScriptException) {
        RedisFuture<T> byEval = commands.eval(source, type, keys, args);
        current.set(byEval);
        return byEval.toCompletableFuture();
      }
      return CompletableFuture.failedFuture(cause);
    });
    result.whenComplete((v, e) -> {
      if (e instanceof CancellationException) current.get().cancel(false);
    });
    return result;
  }
}
