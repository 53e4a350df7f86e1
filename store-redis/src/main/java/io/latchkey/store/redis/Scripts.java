package io.latchkey.store.redis;

/**
 * The Lua scripts behind every change. Each touches the keys of one cluster slot only: a record
 * ({@code t:{id}}), or a workspace's index and due set ({@code w:{ws}}, {@code d:{ws}}). Field
 * names are those of {@link RecordCodec}. Numbers that go back into Redis commands are formatted
 * with {@code %d}: Lua's default number format keeps only 14 digits.
 */
final class Scripts {
  private Scripts() {}

  /** Redis's own clock in milliseconds; the scripts that read it write afterwards. */
  private static final String NOW = """
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      """;

  /** Drops index entries whose record is certainly gone (expired by its TTL). */
  private static final String SWEEP = """
      local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now),
          'LIMIT', 0, tonumber(ARGV[3]))
      for _, gid in ipairs(gone) do
        redis.call('ZREM', KEYS[1], gid)
        redis.call('ZREM', KEYS[2], gid)
      end
      """;

  /**
   * Indexes an id in its workspace before its record is written. KEYS: index, due. ARGV: id, the
   * record's time to live (ms), sweep limit, margin (ms). The due time only ever rises, so it never
   * falls before the record's own expiry; returns that expiry (absolute ms, Redis time) for the
   * record script's PEXPIREAT.
   */
  static final LuaScript INDEX = new LuaScript(NOW + SWEEP + """
      local expire_at = now + tonumber(ARGV[2])
      local due = expire_at + tonumber(ARGV[4])
      redis.call('ZADD', KEYS[1], 0, ARGV[1])
      local current = redis.call('ZSCORE', KEYS[2], ARGV[1])
      if (not current) or tonumber(current) < due then
        redis.call('ZADD', KEYS[2], string.format('%d', due), ARGV[1])
      end
      return expire_at
      """);

  /** Removes an id from its workspace after its record is deleted. KEYS: index, due. ARGV: id. */
  static final LuaScript UNINDEX = new LuaScript("""
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      return 1
      """);

  /**
   * One page of ids after a cursor, sweeping first. KEYS: index, due. ARGV: the ZRANGEBYLEX
   * minimum ({@code -} or {@code (id}), count, sweep limit.
   */
  static final LuaScript LIST = new LuaScript(NOW + SWEEP + """
      return redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, tonumber(ARGV[2]))
      """);

  /**
   * Appends an audit entry to the token's trail ({@code h:{id}}, the record's slot) in the script
   * that makes the change. ARGV[AUDIT] is the entry ('' for none), ARGV[AUDIT + 1] the trail's
   * time to live (ms) from now; KEYS[2] the trail.
   */
  private static String audit(int argv) {
    return "if ARGV[" + argv + "] ~= '' then\n"
        + "  redis.call('ZADD', KEYS[2], 0, ARGV[" + argv + "])\n"
        + "  redis.call('PEXPIRE', KEYS[2], ARGV[" + (argv + 1) + "])\n"
        + "end\n";
  }

  /**
   * Insert if absent. KEYS: record, trail. ARGV: expire-at (ms), channel, feed message
   * ({@code ChangeMessages}: id and commit time), audit entry, trail
   * TTL, then field, value, …. Returns 1 if inserted, 0 if the id exists.
   */
  static final LuaScript INSERT = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], unpack(ARGV, 6))
      redis.call('PEXPIREAT', KEYS[1], ARGV[1])
      """ + audit(4) + """
      redis.call('PUBLISH', ARGV[2], ARGV[3])
      return 1
      """);

  /**
   * Compare-and-set on the version. KEYS: record, trail. ARGV: expected version, expire-at (ms),
   * channel, feed message, audit entry, trail TTL, then field, value, … (never the usage fields).
   * Returns
   * the workspace it had, or nil if the record is gone or its version differs.
   */
  static final LuaScript REPLACE = new LuaScript("""
      local version = redis.call('HGET', KEYS[1], 'ver')
      if version ~= ARGV[1] then return false end
      local workspace = redis.call('HGET', KEYS[1], 'ws')
      redis.call('HSET', KEYS[1], unpack(ARGV, 7))
      redis.call('PEXPIREAT', KEYS[1], ARGV[2])
      """ + audit(5) + """
      redis.call('PUBLISH', ARGV[3], ARGV[4])
      return workspace
      """);

  /**
   * KEYS: record, trail. ARGV: channel, feed message, audit entry, trail TTL. Returns the
   * workspace it had,
   * or nil if there was none. The trail stays.
   */
  static final LuaScript DELETE = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return false end
      local workspace = redis.call('HGET', KEYS[1], 'ws') or ''
      redis.call('DEL', KEYS[1])
      """ + audit(3) + """
      redis.call('PUBLISH', ARGV[1], ARGV[2])
      return workspace
      """);

  /**
   * Records, before an audited change, that a token has a trail in a workspace: the workspace's
   * audit index ({@code a:{ws}}, the workspace's slot) maps token id to the time its trail may
   * expire, which only rises. KEYS: audit index. ARGV: token id, trail TTL (ms), sweep limit.
   * Harmless if the change then fails: the token's trail simply lacks the entry.
   */
  static final LuaScript AUDIT_INDEX = new LuaScript(NOW + """
      local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now),
          'LIMIT', 0, tonumber(ARGV[3]))
      for _, gid in ipairs(gone) do redis.call('ZREM', KEYS[1], gid) end
      local due = now + tonumber(ARGV[2])
      local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
      if (not current) or tonumber(current) < due then
        redis.call('ZADD', KEYS[1], string.format('%d', due), ARGV[1])
      end
      return 1
      """);

  /** The ids of the tokens with a live trail in a workspace. KEYS: audit index. */
  static final LuaScript AUDIT_TOKENS = new LuaScript(NOW + """
      return redis.call('ZRANGEBYSCORE', KEYS[1], string.format('%d', now), '+inf')
      """);

  /**
   * Moves last-used time forward only. KEYS: record. ARGV: used-at (ms), '1' if an address
   * follows, the address, '1' if an integration follows, the integration. Ignores a missing
   * record; never touches the version, the TTL or the change feed.
   */
  static final LuaScript USAGE = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local last = redis.call('HGET', KEYS[1], 'lua')
      if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
      redis.call('HSET', KEYS[1], 'lua', ARGV[1])
      if ARGV[2] == '1' then
        redis.call('HSET', KEYS[1], 'lip', ARGV[3])
      else
        redis.call('HDEL', KEYS[1], 'lip')
      end
      if ARGV[4] == '1' then
        redis.call('HSET', KEYS[1], 'lint', ARGV[5])
      else
        redis.call('HDEL', KEYS[1], 'lint')
      end
      return 1
      """);
}
