package io.latchkey.spi;

import java.time.Instant;

/**
 * Which records a workspace's revocation watermark covers, in one place for core and every store
 * (docs/architecture.md, "States"). {@code revokeAll} sets the watermark to an instant; a record
 * of that workspace written by Latchkey before it is revoked, whatever its stored state says.
 *
 * <p>"Written" is not {@code createdAt}: an imported legacy key carries the {@code createdAt} of
 * the system it came from, and comparing that would revoke a key imported after a revoke-all at
 * once. It is the time Latchkey wrote the record, which never changes: the issue time in a native
 * id (ids start with it), or {@link TokenRecord#importedAt()} for an imported key.
 */
public final class RevocationWatermarks {
  /**
   * In the detail of the workspace's audit entry given to {@link
   * TokenStore#raiseRevocationWatermark(String, Instant, io.latchkey.AuditEntry)}: the store
   * replaces it by the count it returns, which it knows only inside its atomic write.
   */
  public static final String COUNT_PLACEHOLDER = "{count}";

  /**
   * {@code entry} with {@link #COUNT_PLACEHOLDER} in its detail replaced by {@code count}: what a
   * store stores once it has counted, and what core emits once the store returned.
   *
   * @param entry the workspace's entry, as given to the raise
   * @param count the number of records the raise covered
   * @return the same entry with the count in its detail
   */
  public static io.latchkey.AuditEntry withCount(io.latchkey.AuditEntry entry, int count) {
    return new io.latchkey.AuditEntry(entry.id(), entry.at(), entry.actor(), entry.workspace(),
        entry.tokenId(), entry.action(),
        entry.detail().replace(COUNT_PLACEHOLDER, Integer.toString(count)));
  }

  /**
   * The token id of a workspace's {@code REVOKED_ALL} audit entry, which concerns no single token:
   * a version-0 id at the epoch, which no token has.
   */
  public static final String WORKSPACE_ENTRY_TOKEN_ID = "0000000000000000";

  private static final String DIGITS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  /** 62^7 - 1: the largest time a version-1 id holds (2081). */
  private static final long MAX_MILLIS = 3_521_614_606_207L;

  private RevocationWatermarks() {}

  /**
   * When Latchkey wrote {@code r}: its {@link TokenRecord#importedAt()} if set; otherwise the issue
   * time in its id (version {@code 1}: 7 base62 characters after the version; version {@code 0},
   * before tags: the first 8). An imported key stored before records carried {@code importedAt}
   * (hint {@code "legacy ..."}, id not a time) counts as written at the epoch: it predates every
   * watermark.
   *
   * @param r the record
   * @return the instant the record was written, to the millisecond
   */
  public static Instant writtenAt(TokenRecord r) {
    return Instant.ofEpochMilli(writtenAtMillis(r));
  }

  /**
   * As {@link #writtenAt}, in epoch milliseconds.
   *
   * @param r the record
   * @return the epoch millisecond the record was written
   */
  public static long writtenAtMillis(TokenRecord r) {
    return writtenAtMillis(r.id(), r.hint(), r.importedAt());
  }

  /**
   * As {@link #writtenAt}, from the three fields it reads, for a store that keeps records in
   * another form.
   *
   * @param id the record's id
   * @param hint the record's hint
   * @param importedAt the record's {@link TokenRecord#importedAt()}, or null
   * @return the epoch millisecond the record was written
   */
  public static long writtenAtMillis(String id, String hint,
      @org.jspecify.annotations.Nullable Instant importedAt) {
    if (importedAt != null) return importedAt.toEpochMilli();
    if (hint.startsWith("legacy ")) return 0;
    if (id.length() < 8) return 0;
    char version = id.charAt(0);
    if (version == '1') return decode(id, 1, 7);
    if (version == '0') return decode(id, 0, 8);
    return 0;
  }

  /**
   * Whether a watermark covers a record: the record was written before it.
   *
   * @param watermark the workspace's watermark
   * @param r a record of that workspace
   * @return true if the record counts as revoked
   */
  public static boolean covers(Instant watermark, TokenRecord r) {
    return writtenAtMillis(r) < watermark.toEpochMilli();
  }

  /**
   * The smallest version-1 id issued at {@code at} or later, as an 8-character prefix: a record
   * without {@code importedAt} whose id starts with {@code 1} was written before {@code at} if and
   * only if its id sorts below this (ids are base62 in ASCII order), so a store can count or list
   * the records a watermark covers by an id range of its {@code (workspace, id)} index.
   *
   * @param at an instant
   * @return {@code "1"} and 7 base62 characters of {@code at}'s epoch milliseconds
   */
  public static String idBound(Instant at) {
    return "1" + encode(at.toEpochMilli(), 7);
  }

  /**
   * As {@link #idBound}, for ids made before tags (version {@code 0}): 8 base62 characters of
   * {@code at}'s epoch milliseconds.
   *
   * @param at an instant
   * @return the 8-character bound
   */
  public static String legacyIdBound(Instant at) {
    return encode(at.toEpochMilli(), 8);
  }

  private static String encode(long millis, int width) {
    long v = Math.max(0, Math.min(MAX_MILLIS, millis));
    char[] out = new char[width];
    for (int i = width - 1; i >= 0; i--) {
      out[i] = DIGITS.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
  }

  /** Each ASCII character's base62 value, or -1 (a table: a revoke-all count decodes every id). */
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < DIGITS.length(); i++) VALUES[DIGITS.charAt(i)] = (byte) i;
  }

  private static long decode(String s, int from, int width) {
    long v = 0;
    for (int i = from; i < from + width; i++) {
      char c = s.charAt(i);
      int d = c < 128 ? VALUES[c] : -1;
      if (d < 0) return 0;
      v = v * 62 + d;
    }
    return v;
  }
}
