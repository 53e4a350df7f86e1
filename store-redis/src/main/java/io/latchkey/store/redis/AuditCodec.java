package io.latchkey.store.redis;

import io.latchkey.AuditEntry;
import io.latchkey.StoreUnavailableException;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import java.time.Instant;

/**
 * An {@link AuditEntry} as one sorted-set member: its id first, so members sort by entry id (all
 * scores are 0 and Redis orders them by bytes), then the fields, one per line. A backslash and a
 * line break inside a field are escaped, so any text round-trips.
 */
final class AuditCodec {
  private AuditCodec() {}

  static String encode(AuditEntry e) {
    return e.id() + '\n' + e.at().toEpochMilli() + '\n' + e.action().name() + '\n'
        + e.tokenId().value() + '\n' + escape(e.workspace()) + '\n' + escape(e.actor()) + '\n'
        + escape(e.detail());
  }

  static AuditEntry decode(String member) {
    String[] f = member.split("\n", -1);
    try {
      if (f.length != 7) throw new IllegalArgumentException("fields: " + f.length);
      return new AuditEntry(f[0], Instant.ofEpochMilli(Long.parseLong(f[1])), unescape(f[5]),
          unescape(f[4]), new TokenId(f[3]), TokenEvent.Type.valueOf(f[2]), unescape(f[6]));
    } catch (RuntimeException e) {
      throw new StoreUnavailableException("Redis token store holds a malformed audit entry "
          + (f[0].length() <= 16 ? f[0] : "") + " (" + e.getClass().getSimpleName() + ")", null);
    }
  }

  private static String escape(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0) return s;
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) return s;
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
