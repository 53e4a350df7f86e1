package io.latchkey.benchmarks;

import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The floor: the least code that does what a cached Latchkey validation does, written by hand for
 * this benchmark and sharing nothing with the library. Same token layout ({@code
 * prefix_id(16)secret(33)crc(6)}, base62), same hash construction (HMAC-SHA256 under a pepper over
 * id and secret, built from the JDK's SHA-256 with no allocation), a plain {@link HashMap} from id
 * to record, a constant-time compare, then state, expiry, workspace, IPv4 allowlist and
 * permission checks. No cache expiry, no change feed, no usage recording, no listeners, no IPv6:
 * what it lacks is what the ratio to it charges the library for.
 *
 * <p>{@code oneBlock}: the same with the idea of issue #17, written by hand: the record keeps
 * SHA-256(id ‖ secret) and a request costs one digest block instead of the HMAC's four. The best
 * hand-written version of what Latchkey's cached path does now.
 */
public final class Floor {
  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final int ID = 16;
  private static final int SECRET = 33;
  private static final int CRC = 6;
  private static final int[] CRC_TABLE = new int[256];
  private static final byte[] VALUE = new byte[128];

  static {
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c;
    }
    java.util.Arrays.fill(VALUE, (byte) -1);
    for (int i = 0; i < 62; i++) VALUE[ALPHABET.charAt(i)] = (byte) i;
  }

  /** What the floor stores per token. */
  record Rec(String workspace, boolean active, long expiresAtMillis, byte[] hash, int net,
      int mask, Set<String> granted) {}

  private final String prefix;
  private final int length;
  private final byte[] ipad = new byte[64];
  private final byte[] opad = new byte[64];
  private final Map<String, Rec> records = new HashMap<>();
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final boolean oneBlock;

  public Floor(String prefix, byte[] pepper) {
    this(prefix, pepper, false);
  }

  public Floor(String prefix, byte[] pepper, boolean oneBlock) {
    this.oneBlock = oneBlock;
    this.prefix = prefix;
    this.length = prefix.length() + 1 + ID + SECRET + CRC;
    for (int i = 0; i < 64; i++) {
      byte b = i < pepper.length ? pepper[i] : 0;
      ipad[i] = (byte) (b ^ 0x36);
      opad[i] = (byte) (b ^ 0x5c);
    }
  }

  /** Makes a token, stores its record and returns the plaintext. Not thread-safe: setup only. */
  public String issue(SecureRandom random, String workspace, long expiresAtMillis, String cidr24,
      Set<String> granted) {
    StringBuilder sb = new StringBuilder(length).append(prefix).append('_');
    for (int i = 0; i < ID + SECRET; i++) sb.append(ALPHABET.charAt(random.nextInt(62)));
    long crc = crc(sb, sb.length());
    char[] tail = new char[CRC];
    for (int i = CRC - 1; i >= 0; i--) {
      tail[i] = ALPHABET.charAt((int) (crc % 62));
      crc /= 62;
    }
    String token = sb.append(tail).toString();
    Scratch s = scratch.get();
    hash(s, token);
    int net = ipv4(cidr24, 0, cidr24.indexOf('/'));
    String id = token.substring(prefix.length() + 1, prefix.length() + 1 + ID);
    records.put(id, new Rec(workspace, true, expiresAtMillis, s.out.clone(), net, 0xffffff00,
        Set.copyOf(granted)));
    return token;
  }

  /** The whole check; true if valid. */
  public boolean validate(String token, String clientIp, String workspace, String[] required) {
    if (token == null || token.length() != length || !token.startsWith(prefix)
        || token.charAt(prefix.length()) != '_') {
      return false;
    }
    int body = prefix.length() + 1;
    for (int i = body; i < length; i++) {
      char c = token.charAt(i);
      if (c >= 128 || VALUE[c] < 0) return false;
    }
    long sum = 0;
    for (int i = length - CRC; i < length; i++) sum = sum * 62 + VALUE[token.charAt(i)];
    if (sum != crc(token, length - CRC)) return false;

    Rec r = records.get(token.substring(body, body + ID));
    if (r == null) return false;
    Scratch s = scratch.get();
    hash(s, token);
    if (!MessageDigest.isEqual(s.out, r.hash)) return false;

    if (!r.active || System.currentTimeMillis() >= r.expiresAtMillis) return false;
    if (workspace != null && !workspace.equals(r.workspace)) return false;
    if ((ipv4(clientIp, 0, clientIp.length()) & r.mask) != r.net) return false;
    for (String p : required) {
      if (!r.granted.contains(p)) return false;
    }
    return true;
  }

  private static long crc(CharSequence s, int to) {
    int c = 0xFFFFFFFF;
    for (int i = 0; i < to; i++) c = CRC_TABLE[(c ^ s.charAt(i)) & 0xff] ^ (c >>> 8);
    return (~c) & 0xFFFFFFFFL;
  }

  /** Dotted quad to int; -1 (matches no /24) if malformed. */
  private static int ipv4(String s, int from, int to) {
    int value = 0;
    int parts = 0;
    int n = -1;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        n = (n < 0 ? 0 : n * 10) + (c - '0');
        if (n > 255) return -1;
      } else if (c == '.' && n >= 0 && parts < 3) {
        value = (value << 8) | n;
        parts++;
        n = -1;
      } else {
        return -1;
      }
    }
    return parts == 3 && n >= 0 ? (value << 8) | n : -1;
  }

  private void hash(Scratch s, String token) {
    int body = prefix.length() + 1;
    for (int i = 0; i < ID + SECRET; i++) s.in[i] = (byte) token.charAt(body + i);
    try {
      if (oneBlock) {
        s.md.update(s.in, 0, s.in.length);
        s.md.digest(s.out, 0, 32);
        return;
      }
      s.md.update(ipad);
      s.md.update(s.in, 0, s.in.length);
      s.md.digest(s.inner, 0, 32);
      s.md.update(opad);
      s.md.update(s.inner, 0, 32);
      s.md.digest(s.out, 0, 32);
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Scratch {
    final MessageDigest md;
    final byte[] in = new byte[ID + SECRET];
    final byte[] inner = new byte[32];
    final byte[] out = new byte[32];

    Scratch() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
