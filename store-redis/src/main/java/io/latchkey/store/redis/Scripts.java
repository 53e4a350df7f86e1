package io.latchkey.store.redis;

/**
 * The Lua scripts behind every change. Each touches the keys of one cluster slot only: a record
 * and its trail ({@code t{id}}, {@code h:{id}}), a workspace's index buckets and due hours ({@code
 * i:{ws}…}, {@code e:{ws}}), or a workspace's audit pointers ({@code hw:{ws}}). Field
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

  /** The most members an index bucket holds: below Redis's default listpack limit of 128. */
  static final int BUCKET_MAX = 120;

  /**
   * The workspace index (KEYS[1] the bucket directory, KEYS[2] the buckets' due hours, KEYS[3] the
   * ids whose written-at time is not in the id; the buckets themselves are KEYS[1] .. ':' .. lower
   * bound, in the same slot). A member is the id, '\1' and the hour (since the epoch, Redis time)
   * after which its record is certainly gone, then, only if it has any, '\1' and its flags:
   * {@code r} if the record is stored REVOKED, {@code w} if its written-at time is in KEYS[3]
   * rather than in its id. '\1' sorts below every character of an id, so members sort as their
   * ids do.
   *
   * <p>The last key is the workspace's bucket counters (a hash): for each bucket's lower bound,
   * how many of its members carry neither flag. Every script that adds, removes, moves or
   * re-flags a member keeps it, so a raise sums the counters of the buckets it covers whole
   * instead of reading their members. Counting starts when the hash exists: an insert into an
   * empty workspace creates it; a workspace indexed before the counters existed gets it from its
   * first raise, which counts every bucket once ({@code tally} does nothing until then).
   */
  private static final String INDEX_LIB = """
      local SEP = '\\1'
      local now_hour = math.floor(now / 3600000)
      local CKEY = KEYS[#KEYS]
      local counting = redis.call('EXISTS', CKEY) == 1
      local function bkey(lb) return KEYS[1] .. ':' .. lb end
      local function bucket_of(id)
        return redis.call('ZREVRANGEBYLEX', KEYS[1], '[' .. id, '-', 'LIMIT', 0, 1)[1] or ''
      end
      local function member_of(bk, id)
        return redis.call('ZRANGEBYLEX', bk, '[' .. id .. SEP, '(' .. id .. '\\2', 'LIMIT', 0, 1)[1]
      end
      local function id_of(m) return string.sub(m, 1, string.find(m, SEP, 1, true) - 1) end
      local function parts(m)
        local a = string.find(m, SEP, 1, true)
        local b = string.find(m, SEP, a + 1, true)
        if b then return tonumber(string.sub(m, a + 1, b - 1)), string.sub(m, b + 1) end
        return tonumber(string.sub(m, a + 1)), ''
      end
      local function due_of(m) local d = parts(m) return d end
      local function flags_of(m) local _, f = parts(m) return f end
      local function member(id, due, flags)
        local m = id .. SEP .. string.format('%d', due)
        if flags ~= '' then m = m .. SEP .. flags end
        return m
      end
      local function forget(m)
        if string.find(flags_of(m), 'w', 1, true) then redis.call('ZREM', KEYS[3], id_of(m)) end
      end
      -- a member the counters count: flagged neither REVOKED nor with a written-at time of its own
      local function plain(m)
        local f = flags_of(m)
        return not string.find(f, 'r', 1, true) and not string.find(f, 'w', 1, true)
      end
      local function tally(lb, m, delta)
        if counting and plain(m) then redis.call('HINCRBY', CKEY, lb, delta) end
      end
      local function drop_if_empty(lb)
        if redis.call('EXISTS', bkey(lb)) == 0 then
          redis.call('ZREM', KEYS[2], lb)
          -- the first bucket's counter stays: the hash must not vanish while counting
          if lb ~= '' then
            redis.call('ZREM', KEYS[1], lb)
            if counting then redis.call('HDEL', CKEY, lb) end
          end
        end
      end
      local function sweep(buckets)
        local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now_hour, 'LIMIT', 0, buckets)
        for _, lb in ipairs(due) do
          local bk = bkey(lb)
          local min = nil
          for _, m in ipairs(redis.call('ZRANGE', bk, 0, -1)) do
            local d = due_of(m)
            if d <= now_hour then
              redis.call('ZREM', bk, m)
              forget(m)
              tally(lb, m, -1)
            elseif (not min) or d < min then
              min = d
            end
          end
          if min then redis.call('ZADD', KEYS[2], min, lb) else drop_if_empty(lb) end
        end
      end
      """;

  private static final String SPLIT = """
      local function split(olb, id)
        local bk = bkey(olb)
        local members = redis.call('ZRANGE', bk, 0, -1)
        local n = #members
        -- Ids that grow with time arrive at the end: a new bucket then starts with the new id
        -- alone and the full one stays full. Otherwise the upper half moves.
        local from = math.floor(n / 2) + 1
        if id_of(members[n]) == id then from = n end
        local lb = id_of(members[from])
        local nbk = bkey(lb)
        local moved = {}
        local min = nil
        local plains = 0
        for i = from, n do
          moved[#moved + 1] = 0
          moved[#moved + 1] = members[i]
          local d = due_of(members[i])
          if (not min) or d < min then min = d end
          if plain(members[i]) then plains = plains + 1 end
        end
        redis.call('ZADD', nbk, unpack(moved))
        redis.call('ZREM', bk, unpack(members, from, n))
        redis.call('ZADD', KEYS[1], 0, lb)
        redis.call('ZADD', KEYS[2], min, lb)
        if counting then
          -- not -plains: Lua 5.1 writes minus zero as '-0', which HINCRBY refuses
          redis.call('HINCRBY', CKEY, olb, 0 - plains)
          redis.call('HINCRBY', CKEY, lb, plains)
        end
      end
      """;

  /**
   * Indexing one id: {@code start_counting} first (counters begin with an empty workspace), then
   * a sweep, then {@code index_one} per id. An existing member keeps its flags (a replace changes
   * them after its compare-and-set, see {@link #FLAG}). The due hour only ever rises, so it never
   * falls before the record's own expiry; {@code index_one} returns that expiry (absolute ms,
   * Redis time) for the record script's PEXPIREAT.
   */
  private static final String INDEX_ONE = """
      local function start_counting()
        if (not counting) and redis.call('EXISTS', KEYS[1], bkey('')) == 0 then
          -- an empty workspace: its counters start here, complete (HINCRBY creates them)
          redis.call('HINCRBY', CKEY, '', 0)
          counting = true
        end
      end
      local function index_one(id, ttl, margin, flags, written)
        local expire_at = now + ttl
        local due = math.ceil((expire_at + margin) / 3600000)
        local lb = bucket_of(id)
        local bk = bkey(lb)
        local current = member_of(bk, id)
        if current then
          if due_of(current) >= due then return expire_at end
          flags = flags_of(current)
          redis.call('ZREM', bk, current)
        elseif string.find(flags, 'w', 1, true) then
          redis.call('ZADD', KEYS[3], written, id)
        end
        local added = member(id, due, flags)
        redis.call('ZADD', bk, 0, added)
        if not current then tally(lb, added, 1) end
        local min = redis.call('ZSCORE', KEYS[2], lb)
        if (not min) or tonumber(min) > due then redis.call('ZADD', KEYS[2], due, lb) end
        if redis.call('ZCARD', bk) > BUCKET_MAX then split(lb, id) end
        return expire_at
      end
      """.replace("BUCKET_MAX", Integer.toString(BUCKET_MAX));

  /**
   * Indexes an id in its workspace before its record is written. KEYS: bucket directory, due
   * hours, written-at times, bucket counters. ARGV: id, the record's time to live (ms), how many
   * due buckets to sweep, margin (ms), the flags of a new member, its written-at time (ms, for
   * flag {@code w}). Returns the record's expiry (see {@link #INDEX_ONE}).
   */
  static final LuaScript INDEX = new LuaScript(NOW + INDEX_LIB + SPLIT + INDEX_ONE + """
      start_counting()
      sweep(tonumber(ARGV[3]))
      return index_one(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4]), ARGV[5], ARGV[6])
      """);

  /**
   * {@link #INDEX} for many ids of one workspace, for {@code replaceEach}. KEYS: as INDEX. ARGV:
   * how many due buckets to sweep, margin (ms), then per id: id, time to live (ms), flags,
   * written-at time (ms). Returns each record's expiry, in order.
   */
  static final LuaScript INDEX_EACH = new LuaScript(NOW + INDEX_LIB + SPLIT + INDEX_ONE + """
      start_counting()
      sweep(tonumber(ARGV[1]))
      local margin = tonumber(ARGV[2])
      local out = {}
      for i = 3, #ARGV, 4 do
        out[#out + 1] = index_one(ARGV[i], tonumber(ARGV[i + 1]), margin, ARGV[i + 2], ARGV[i + 3])
      end
      return out
      """);

  /** Removes an id from its workspace after its record is deleted. KEYS: as INDEX. ARGV: id. */
  static final LuaScript UNINDEX = new LuaScript(NOW + INDEX_LIB + """
      local lb = bucket_of(ARGV[1])
      local m = member_of(bkey(lb), ARGV[1])
      if m then
        redis.call('ZREM', bkey(lb), m)
        forget(m)
        tally(lb, m, -1)
      end
      drop_if_empty(lb)
      return 1
      """);

  /**
   * Sets (ARGV[2] '1') or clears ('0') the REVOKED flag of an indexed id (ARGV[1]) after a
   * replace changed it. KEYS: as INDEX. Does nothing if the id is not indexed.
   */
  static final LuaScript FLAG = new LuaScript(NOW + INDEX_LIB + """
      local lb = bucket_of(ARGV[1])
      local m = member_of(bkey(lb), ARGV[1])
      if not m then return 0 end
      local due, flags = parts(m)
      local w = string.find(flags, 'w', 1, true) and 'w' or ''
      local updated = member(ARGV[1], due, (ARGV[2] == '1' and 'r' or '') .. w)
      if updated ~= m then
        redis.call('ZREM', bkey(lb), m)
        redis.call('ZADD', bkey(lb), 0, updated)
        tally(lb, m, -1)
        tally(lb, updated, 1)
      end
      return 1
      """);

  /**
   * Raises a workspace's revocation watermark and counts what it newly covers. KEYS: bucket
   * directory, due hours, written-at times, the watermark, the workspace's audit pointers, the
   * workspace's own entries, bucket counters (built here if the workspace has none yet). ARGV: the watermark (ms), channel, the entry encoded up to its detail
   * ('' for none), its detail (where {@code {count}} becomes the count), its pointer, audit
   * retention (ms), the pointers' time to live (ms), the workspace (for the feed message {@code
   * !w <ms> <workspace>}). Returns -1 if the stored watermark is not
   * earlier (nothing written), else the count: indexed ids written in [old, new) (by id range for
   * ids that carry their time, by score in KEYS[3] for the others; ids of neither version count as
   * written at the epoch) whose member is not flagged REVOKED and not due (a due member's record
   * is certainly gone). Of the buckets the id ranges cover whole, only the counters are read
   * (a bucket that may hold due members is read member by member instead); the two buckets at
   * each end of a range are read member by member.
   */
  static final LuaScript RAISE = new LuaScript(NOW + INDEX_LIB + """
      local to = tonumber(ARGV[1])
      local old = redis.call('GET', KEYS[4])
      if old and tonumber(old) >= to then return -1 end
      local DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
      local function enc(ms, width)
        local v = math.max(0, math.min(3521614606207, ms))
        local out = {}
        for i = width, 1, -1 do
          local d = v % 62
          out[i] = string.sub(DIGITS, d + 1, d + 1)
          v = (v - d) / 62
        end
        return table.concat(out)
      end
      local function live(m)
        local due, flags = parts(m)
        return due > now_hour and not string.find(flags, 'r', 1, true)
      end
      -- members of one bucket in a lex range that are live and carry their time in their id
      local function walk(lb, min, max)
        local n = 0
        for _, m in ipairs(redis.call('ZRANGEBYLEX', bkey(lb), min, max)) do
          if live(m) and not string.find(flags_of(m), 'w', 1, true) then n = n + 1 end
        end
        return n
      end
      if not counting then
        -- indexed before the counters existed: count every bucket once, from now on kept
        local function plains(lb)
          local n = 0
          for _, m in ipairs(redis.call('ZRANGE', bkey(lb), 0, -1)) do
            if plain(m) then n = n + 1 end
          end
          return n
        end
        redis.call('HINCRBY', CKEY, '', plains(''))
        for _, lb in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          redis.call('HINCRBY', CKEY, lb, plains(lb))
        end
        counting = true
      end
      -- buckets that may hold due members: their counters count them, so they are walked
      local due_set = nil
      local function may_hold_due(lb)
        if not due_set then
          due_set = {}
          for _, b in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now_hour)) do
            due_set[b] = true
          end
        end
        return due_set[lb]
      end
      -- ids in [lo, hi) (hi nil: to the end) that carry their time: the two buckets at the ends
      -- of the range member by member, those in between by their counters
      local function count_range(lo, hi)
        if hi and lo >= hi then return 0 end
        local max = hi and ('(' .. hi) or '+'
        local first = bucket_of(lo)
        local n = walk(first, '[' .. lo, max)
        local inner = redis.call('ZRANGEBYLEX', KEYS[1], '(' .. first, max)
        local k = #inner
        if k == 0 then return n end
        n = n + walk(inner[k], '-', max)
        local batch = {}
        local function add_counters()
          if #batch == 0 then return end
          for _, c in ipairs(redis.call('HMGET', CKEY, unpack(batch))) do
            n = n + (tonumber(c) or 0)
          end
          batch = {}
        end
        for i = 1, k - 1 do
          local lb = inner[i]
          if may_hold_due(lb) then
            n = n + walk(lb, '-', '+')
          else
            batch[#batch + 1] = lb
            if #batch == 1000 then add_counters() end
          end
        end
        add_counters()
        return n
      end
      local from = old and tonumber(old) or 0
      local count = count_range('1' .. enc(from, 7), '1' .. enc(to, 7))
          + count_range(enc(from, 8), enc(to, 8))
      if from <= 0 and to > 0 then
        -- ids of neither version count as written at the epoch, as on JDBC
        count = count + count_range('', '0') + count_range('2', nil)
      end
      local min_score = old and string.format('%d', tonumber(old)) or '-inf'
      for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], min_score, '(' .. ARGV[1])) do
        local m = member_of(bkey(bucket_of(id)), id)
        if m and live(m) then count = count + 1 end
      end
      redis.call('SET', KEYS[4], ARGV[1])
      if ARGV[3] ~= '' then
        local detail = string.gsub(ARGV[4], '{count}', string.format('%d', count))
        redis.call('ZADD', KEYS[6], 0, ARGV[3] .. detail)
        redis.call('PEXPIRE', KEYS[6], ARGV[6])
        redis.call('ZADD', KEYS[5], 0, ARGV[5])
        local cutoff = now - tonumber(ARGV[6])
        for _, p in ipairs(redis.call('ZRANGE', KEYS[5], 0, 9)) do
          local at = tonumber(string.match(p, '\\n(%d+)$'))
          if at and at < cutoff then redis.call('ZREM', KEYS[5], p) else break end
        end
        redis.call('PEXPIRE', KEYS[5], ARGV[7])
      end
      redis.call('PUBLISH', ARGV[2], '!w ' .. ARGV[1] .. ' ' .. ARGV[8])
      return count
      """);

  /**
   * One page of ids after a cursor, sweeping first: the bucket that holds the cursor, then the
   * next ones, so a page costs the same at the end of the workspace as at its start. KEYS: as
   * INDEX. ARGV: '1' and the cursor, or '0' and '' for the first page; count; buckets to sweep.
   */
  static final LuaScript LIST = new LuaScript(NOW + INDEX_LIB + """
      sweep(tonumber(ARGV[4]))
      local want = tonumber(ARGV[3])
      local out = {}
      local lb = ''
      local min = '-'
      if ARGV[1] == '1' then
        lb = bucket_of(ARGV[2])
        min = '[' .. ARGV[2] .. '\\2'
      end
      while true do
        for _, m in ipairs(redis.call('ZRANGEBYLEX', bkey(lb), min, '+', 'LIMIT', 0, want - #out)) do
          out[#out + 1] = id_of(m)
        end
        if #out >= want then break end
        lb = redis.call('ZRANGEBYLEX', KEYS[1], '(' .. lb, '+', 'LIMIT', 0, 1)[1]
        if not lb then break end
        min = '-'
      end
      return out
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

  /** The fields a record may leave out, as Lua string literals. */
  private static final String OPTIONAL_FIELDS =
      "'" + String.join("', '", RecordCodec.OPTIONAL) + "'";

  /**
   * Compare-and-set on the version. KEYS: record, trail. ARGV: expected version, expire-at (ms),
   * channel, feed message, audit entry, trail TTL, then field, value, … (never the usage fields).
   * Returns
   * the state it had ('' for ACTIVE), a line break and the workspace it had; or nil if the record
   * is gone or its version differs.
   */
  static final LuaScript REPLACE = new LuaScript("""
      local version = redis.call('HGET', KEYS[1], 'v')
      if version ~= ARGV[1] then return false end
      local workspace = redis.call('HGET', KEYS[1], 'w')
      local state = redis.call('HGET', KEYS[1], 't') or ''
      redis.call('HDEL', KEYS[1], """ + OPTIONAL_FIELDS + """
      )
      redis.call('HSET', KEYS[1], unpack(ARGV, 7))
      redis.call('PEXPIREAT', KEYS[1], ARGV[2])
      """ + audit(5) + """
      redis.call('PUBLISH', ARGV[3], ARGV[4])
      return state .. '\\n' .. workspace
      """);

  /**
   * {@link #REPLACE} for many records in one script (a standalone server, or records that share
   * a cluster slot). KEYS: record and trail of each, in order. ARGV: per record, how many
   * arguments follow, then REPLACE's arguments. Returns per record what REPLACE returns, with ''
   * for nil (the record is gone or its version differs: nothing of it written). Each record
   * succeeds or fails on its own.
   */
  static final LuaScript REPLACE_EACH = new LuaScript("""
      local out = {}
      local a = 1
      for k = 1, #KEYS / 2 do
        local rk, tk = KEYS[2 * k - 1], KEYS[2 * k]
        local n = tonumber(ARGV[a])
        if redis.call('HGET', rk, 'v') ~= ARGV[a + 1] then
          out[k] = ''
        else
          local workspace = redis.call('HGET', rk, 'w')
          local state = redis.call('HGET', rk, 't') or ''
          redis.call('HDEL', rk, """ + OPTIONAL_FIELDS + """
      )
          redis.call('HSET', rk, unpack(ARGV, a + 7, a + n))
          redis.call('PEXPIREAT', rk, ARGV[a + 2])
          if ARGV[a + 5] ~= '' then
            redis.call('ZADD', tk, 0, ARGV[a + 5])
            redis.call('PEXPIRE', tk, ARGV[a + 6])
          end
          redis.call('PUBLISH', ARGV[a + 3], ARGV[a + 4])
          out[k] = state .. '\\n' .. workspace
        end
        a = a + n + 1
      end
      return out
      """);

  /**
   * KEYS: record, trail. ARGV: channel, feed message, audit entry, trail TTL. Returns the
   * workspace it had,
   * or nil if there was none. The trail stays.
   */
  static final LuaScript DELETE = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return false end
      local workspace = redis.call('HGET', KEYS[1], 'w') or ''
      redis.call('DEL', KEYS[1])
      """ + audit(3) + """
      redis.call('PUBLISH', ARGV[1], ARGV[2])
      return workspace
      """);

  /**
   * Points from the workspace's audit trail to an entry, before the change that writes the entry
   * into its token's trail (see {@link RedisTokenStore#workspaceHistory}). KEYS: the workspace's
   * pointers. ARGV: the pointer ({@code <entry id>\n<token id>\n<epoch ms>}), the audit
   * retention (ms), the key's time to live (ms). Drops up to 10 of the oldest pointers older than
   * the retention; the key itself expires when no audited change renews it.
   */
  static final LuaScript AUDIT_POINT = new LuaScript(NOW + """
      redis.call('ZADD', KEYS[1], 0, ARGV[1])
      local cutoff = now - tonumber(ARGV[2])
      for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, 9)) do
        local at = tonumber(string.match(m, '\\n(%d+)$'))
        if at and at < cutoff then redis.call('ZREM', KEYS[1], m) else break end
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """);

  /**
   * Moves last-used time forward only. KEYS: record. ARGV: used-at (ms), '1' if an address
   * follows, the address, '1' if an integration follows, the integration. Ignores a missing
   * record; never touches the version, the TTL or the change feed.
   */
  static final LuaScript USAGE = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local last = redis.call('HGET', KEYS[1], 'l')
      if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
      redis.call('HSET', KEYS[1], 'l', ARGV[1])
      if ARGV[2] == '1' then
        redis.call('HSET', KEYS[1], 'a', ARGV[3])
      else
        redis.call('HDEL', KEYS[1], 'a')
      end
      if ARGV[4] == '1' then
        redis.call('HSET', KEYS[1], 'g', ARGV[5])
      else
        redis.call('HDEL', KEYS[1], 'g')
      end
      return 1
      """);
}
