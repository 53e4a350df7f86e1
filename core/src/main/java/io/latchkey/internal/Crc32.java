package io.latchkey.internal;

/**
 * CRC-32 (IEEE 802.3, as {@link java.util.zip.CRC32}) over the low bytes of ASCII characters,
 * computed straight from a {@link CharSequence} so the hot path needs no byte copy.
 */
final class Crc32 {
  private static final int[] TABLE = new int[256];

  static {
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      TABLE[n] = c;
    }
  }

  private Crc32() {}

  static long of(CharSequence s, int from, int to) {
    int c = 0xFFFFFFFF;
    for (int i = from; i < to; i++) c = TABLE[(c ^ s.charAt(i)) & 0xff] ^ (c >>> 8);
    return (~c) & 0xFFFFFFFFL;
  }
}
