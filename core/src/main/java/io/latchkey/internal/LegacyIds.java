package io.latchkey.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The id of an imported legacy key: derived from its lookup part, so that the lookup part finds
 * its record with the one read by id every store already answers in one round trip. That primary
 * key is the lookup index, on every backend, and a lookup part can be imported only once.
 *
 * <p>16 base62 characters of SHA-256 over a fixed label and the lookup part (95 bits). Native ids
 * start with their issue time; these do not, and need not.
 */
public final class LegacyIds {
  private static final byte[] LABEL = "latchkey-legacy-lookup\0".getBytes(StandardCharsets.US_ASCII);

  /** Per thread: this runs on every validation of a legacy key, and a provider lookup is slow. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  });

  private LegacyIds() {}

  public static String idFor(String lookupPart) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(LABEL);
    byte[] d = md.digest(lookupPart.getBytes(StandardCharsets.UTF_8));
    char[] id = new char[TokenFormat.ID_LENGTH];
    for (int i = 0; i < id.length; i++) {
      // Two bytes per character: the bias of taking 16 bits modulo 62 is below 0.1 %.
      id[i] = Base62.digit((((d[2 * i] & 0xff) << 8) | (d[2 * i + 1] & 0xff)) % 62);
    }
    return new String(id);
  }
}
