package io.latchkey.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The key layout under one prefix (layout {@value #LAYOUT}). Hash tags ({@code {...}}) keep the
 * keys that one script touches in one Redis Cluster slot:
 *
 * <ul>
 *   <li>{@code <prefix>layout}: the layout version of the keys under the prefix, a string;
 *   <li>{@code <prefix>t{<id>}}: the record, a hash (its own slot, chosen by the id);
 *   <li>{@code <prefix>h:{<id>}}: the token's audit trail, in the record's slot;
 *   <li>{@code <prefix>i:{<workspace>}:<lower bound>}: one bucket of the workspace's index, a
 *       sorted set of at most {@value Scripts#BUCKET_MAX} members {@code <id>\u0001<due hour>},
 *       every score 0, so members sort by id; the first bucket's lower bound is empty;
 *   <li>{@code <prefix>i:{<workspace>}}: the lower bounds of the other buckets, every score 0;
 *   <li>{@code <prefix>e:{<workspace>}}: each bucket's lower bound scored by (at most) the
 *       earliest due hour in it, so a sweep finds the buckets with entries to drop;
 *   <li>{@code <prefix>hw:{<workspace>}}: the workspace's audit pointers, {@code <entry
 *       id>\n<token id>\n<epoch ms>}, every score 0, so they sort by entry id;
 *   <li>{@code <prefix>hwe:{<workspace>}}: the workspace's own audit entries, those of no single
 *       token ({@code REVOKED_ALL}), as in a token's trail; written with their pointer;
 *   <li>{@code <prefix>r:{<workspace>}}: the workspace's revocation watermark, epoch ms;
 *   <li>{@code <prefix>w:{<workspace>}}: the indexed ids whose written-at time is not in the id
 *       (imported keys), scored by it, so a raise counts them without a scan;
 *   <li>{@code <prefix>n:{<workspace>}}: the bucket counters, a hash from each bucket's lower
 *       bound to how many of its members carry no flag, so a raise sums them instead of reading
 *       every member;
 *   <li>{@code <prefix>watermarked}: a set of the workspaces that may have a watermark, added to
 *       before each raise, so every watermark's workspace is in it;
 *   <li>{@code <prefix>changes}: the pub/sub channel of the change feed (not a key).
 * </ul>
 *
 * <p>A workspace that is empty or holds a brace would break the hash tag, so it is spelled in
 * Base64url under the distinct kinds {@code ix}/{@code ex}/{@code hwx}/{@code hwex}/{@code rx}/{@code
 * wx}/{@code nx} instead: names stay
 * injective.
 */
final class RedisKeys {
  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  /** The layout version this code reads and writes; stored under {@link #layout()}. */
  static final int LAYOUT = 2;

  String layout() {
    return prefix + "layout";
  }

  String record(String id) {
    return prefix + "t{" + id + "}";
  }

  /** A record key of layout 1, for finding data written before layout {@value #LAYOUT}. */
  String layout1RecordPattern() {
    StringBuilder b = new StringBuilder();
    for (char c : prefix.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') b.append('\\');
      b.append(c);
    }
    return b.append("t:{*").toString();
  }

  /** A token's audit trail: in its record's slot, so one script writes both. */
  String trail(String id) {
    return prefix + "h:{" + id + "}";
  }

  /** The workspace's audit pointers (see {@link RedisTokenStore#workspaceHistory}). */
  String workspaceTrail(String workspace) {
    return workspaceKey("hw", workspace);
  }

  /** The workspace's own audit entries ({@code REVOKED_ALL}), in the pointers' slot. */
  String workspaceEntries(String workspace) {
    return workspaceKey("hwe", workspace);
  }

  /** The workspace's revocation watermark, epoch milliseconds as a string. */
  String watermark(String workspace) {
    return workspaceKey("r", workspace);
  }

  /** The workspace's indexed ids whose written-at time is not in the id, scored by it. */
  String writtenAt(String workspace) {
    return workspaceKey("w", workspace);
  }

  /**
   * The workspace's bucket counters: a hash from each index bucket's lower bound to how many of
   * its members are flagged neither REVOKED nor with a written-at time of their own.
   */
  String counters(String workspace) {
    return workspaceKey("n", workspace);
  }

  /** Every workspace that may have a watermark (a set, in a slot of its own). */
  String watermarked() {
    return prefix + "watermarked";
  }

  /** The bucket directory; a bucket's key is this, a colon, and its lower bound. */
  String index(String workspace) {
    return workspaceKey("i", workspace);
  }

  /** The index bucket whose lower bound is {@code lowerBound} ('' for the first). */
  String bucket(String workspace, String lowerBound) {
    return index(workspace) + ":" + lowerBound;
  }

  String due(String workspace) {
    return workspaceKey("e", workspace);
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
