package io.latchkey.store.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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

  <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, String> commands,
      ScriptOutputType type, String[] keys, String... args) {
    CompletableFuture<T> bySha = commands.<T>evalsha(sha1, type, keys, args).toCompletableFuture();
    return bySha.exceptionallyCompose(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RedisNoScriptException) {
        return commands.<T>eval(source, type, keys, args).toCompletableFuture();
      }
      return CompletableFuture.failedFuture(cause);
    });
  }
}
