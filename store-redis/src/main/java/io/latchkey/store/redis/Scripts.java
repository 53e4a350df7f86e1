package io.latchkey.store.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts that make each change atomic. Each touches one record key only, so in a cluster
 * it runs on that key's node; the workspace index, in another slot, is written outside them (see
 * {@link RedisTokenStore} for the order).
 */
enum Scripts {
  /** KEYS: record. ARGV: channel, id, ttlMillis, field, value, … Returns 1, or 0 if it exists. */
  INSERT("""
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], unpack(ARGV, 4))
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      redis.call('PUBLISH', ARGV[1], ARGV[2])
      return 1
      """),
  /**
   * KEYS: record. ARGV: channel, id, expectedVersion, ttlMillis, field, value, … (never the usage
   * fields). Returns 1, or 0 if the record is gone or its version differs.
   */
  REPLACE("""
      local v = redis.call('HGET', KEYS[1], 'version')
      if (not v) or v ~= ARGV[3] then return 0 end
      redis.call('HSET', KEYS[1], unpack(ARGV, 5))
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      redis.call('PUBLISH', ARGV[1], ARGV[2])
      return 1
      """),
  /** KEYS: record. ARGV: channel, id. Returns the workspace of the removed record, or false. */
  DELETE("""
      local ws = redis.call('HGET', KEYS[1], 'workspace')
      if not ws then return false end
      redis.call('DEL', KEYS[1])
      redis.call('PUBLISH', ARGV[1], ARGV[2])
      return ws
      """),
  /**
   * KEYS: record. ARGV: usedAtMillis, ip or '', integration or ''. Moves last use forward only;
   * ignores missing records; no version change, no notification.
   */
  USAGE("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local last = redis.call('HGET', KEYS[1], 'lastUsedAt')
      if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
      redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[1])
      if ARGV[2] == '' then redis.call('HDEL', KEYS[1], 'lastUsedIp')
      else redis.call('HSET', KEYS[1], 'lastUsedIp', ARGV[2]) end
      if ARGV[3] == '' then redis.call('HDEL', KEYS[1], 'lastUsedIntegration')
      else redis.call('HSET', KEYS[1], 'lastUsedIntegration', ARGV[3]) end
      return 1
      """);

  final String source;
  final String sha;

  Scripts(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
