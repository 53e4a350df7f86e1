package io.latchkey.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The key layout under one prefix. Hash tags ({@code {...}}) keep the keys that one script touches
 * in one Redis Cluster slot:
 *
 * <ul>
 *   <li>{@code <prefix>t:{<id>}}: the record, a hash (its own slot, chosen by the id);
 *   <li>{@code <prefix>w:{<workspace>}}: the workspace's ids, a sorted set with every score 0, so
 *       members sort by id ({@code ZRANGEBYLEX});
 *   <li>{@code <prefix>d:{<workspace>}}: the same ids scored by the Redis time (ms) after which
 *       their record is certainly gone, for sweeping the index; same slot as the index;
 *   <li>{@code <prefix>changes}: the pub/sub channel of the change feed (not a key).
 * </ul>
 *
 * <p>A workspace that is empty or holds a brace would break the hash tag, so it is spelled in
 * Base64url under the distinct kinds {@code wx}/{@code dx} instead: names stay injective.
 */
final class RedisKeys {
  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  String record(String id) {
    return prefix + "t:{" + id + "}";
  }

  /** A token's audit trail: in its record's slot, so one script writes both. */
  String trail(String id) {
    return prefix + "h:{" + id + "}";
  }

  /** The ids of a workspace's tokens that have a trail. */
  String auditIndex(String workspace) {
    return workspaceKey("a", workspace);
  }

  String index(String workspace) {
    return workspaceKey("w", workspace);
  }

  String due(String workspace) {
    return workspaceKey("d", workspace);
  }

  String channel() {
    return prefix + "changes";
  }

  private String workspaceKey(String kind, String workspace) {
    if (!workspace.isEmpty() && workspace.indexOf('{') < 0 && workspace.indexOf('}') < 0) {
      return prefix + kind + ":{" + workspace + "}";
    }
    String encoded = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(workspace.getBytes(StandardCharsets.UTF_8));
    return prefix + kind + "x:{~" + encoded + "}";
  }
}
