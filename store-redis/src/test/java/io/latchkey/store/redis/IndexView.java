package io.latchkey.store.redis;

import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and plants a workspace's index (layout 2: buckets of {@code id\1due-hour}, then {@code
 * \1flags} if any) in tests.
 */
final class IndexView {
  private IndexView() {}

  /** Every indexed id of the workspace, in index order, with its due hour. */
  static Map<String, Long> entries(RedisClusterCommands<String, String> redis, RedisKeys keys,
      String workspace) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String lb : lowerBounds(redis, keys, workspace)) {
      for (String m : redis.zrangebylex(keys.bucket(workspace, lb), Range.unbounded())) {
        int sep = m.indexOf('\u0001');
        int flags = m.indexOf('\u0001', sep + 1); // then the member's flags, if it has any
        out.put(m.substring(0, sep),
            Long.parseLong(m.substring(sep + 1, flags < 0 ? m.length() : flags)));
      }
    }
    return out;
  }

  static List<String> ids(RedisClusterCommands<String, String> redis, RedisKeys keys,
      String workspace) {
    return new ArrayList<>(entries(redis, keys, workspace).keySet());
  }

  /** The first bucket's lower bound ('') and every other bucket's. */
  static List<String> lowerBounds(RedisClusterCommands<String, String> redis, RedisKeys keys,
      String workspace) {
    List<String> lbs = new ArrayList<>();
    lbs.add("");
    lbs.addAll(redis.zrangebylex(keys.index(workspace), Range.unbounded()));
    return lbs;
  }

  /** Plants an entry in the first bucket, as a crash between index and record leaves one. */
  static void plant(RedisClusterCommands<String, String> redis, RedisKeys keys, String workspace,
      String id, long dueHour) {
    redis.zadd(keys.bucket(workspace, ""), 0, id + '\u0001' + dueHour);
    Double min = redis.zscore(keys.due(workspace), "");
    if (min == null || min > dueHour) redis.zadd(keys.due(workspace), dueHour, "");
  }

  /** Makes an indexed id (of the first bucket) due long ago, as if its record's TTL had ended. */
  static void makeDue(RedisClusterCommands<String, String> redis, RedisKeys keys,
      String workspace, String id) {
    String member = redis.zrangebylex(keys.bucket(workspace, ""),
        Range.create(id + '\u0001', id + '\u0002')).get(0);
    redis.zrem(keys.bucket(workspace, ""), member);
    int flags = member.indexOf('\u0001', id.length() + 1);
    redis.zadd(keys.bucket(workspace, ""), 0,
        id + '\u0001' + 1 + (flags < 0 ? "" : member.substring(flags)));
    Double min = redis.zscore(keys.due(workspace), "");
    if (min == null || min > 1) redis.zadd(keys.due(workspace), 1, "");
  }
}
