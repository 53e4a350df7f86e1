package io.latchkey.internal;

import io.latchkey.Harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenFormatTest {
  static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final char[] NON_BASE62 = {'-', '_', '.', '+', '/', '=', ' ', '\t', '\0', '\u007f', 'é',
      '\u0660', '\uff10', '\ud83d', 'ß', 'İ'};
  static final SecureRandom RANDOM = new SecureRandom();
  static final TokenFormat ACME = new TokenFormat("acme");

  static String newToken(TokenFormat format) {
    return format.assemble(TokenFormat.newId(System.currentTimeMillis(), RANDOM, Harness.TAGGER),
        TokenFormat.newSecret(RANDOM));
  }

  /** The checksum computed here independently: JDK CRC32 over ASCII bytes, 6 base62 digits. */
  static String expectedChecksum(String beforeChecksum) {
    CRC32 crc = new CRC32();
    crc.update(beforeChecksum.getBytes(StandardCharsets.US_ASCII));
    long v = crc.getValue();
    char[] out = new char[6];
    for (int i = 5; i >= 0; i--) {
      out[i] = ALPHABET.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lk", "acme", "acme_live", "a", "x9_y_z0"})
  void assemble_prefixUnderscoreIdSecretChecksum(String prefix) {
    TokenFormat format = new TokenFormat(prefix);
    String id = TokenFormat.newId(1_700_000_000_000L, RANDOM, Harness.TAGGER);
    String secret = TokenFormat.newSecret(RANDOM);

    String token = format.assemble(id, secret);

    assertThat(id).hasSize(16).matches("[0-9A-Za-z]{16}");
    assertThat(secret).hasSize(33).matches("[0-9A-Za-z]{33}");
    String before = prefix + "_" + id + secret;
    assertThat(token).isEqualTo(before + expectedChecksum(before));
    assertThat(token).hasSize(format.length()).hasSize(prefix.length() + 1 + 16 + 33 + 6);
    assertThat(format.isWellFormed(token)).isTrue();
    assertThat(format.extractId(token)).isEqualTo(id);
    assertThat(format.idOffset()).isEqualTo(prefix.length() + 1);
  }

  @Test
  void hint_isPrefixAndLastFourCharacters() {
    String token = newToken(ACME);
    assertThat(ACME.hint(token)).isEqualTo("acme_..." + token.substring(token.length() - 4));
  }

  @Test
  void newSecret_carriesAtLeast192BitsFromTheGivenSecureRandom() {
    assertThat(TokenFormat.SECRET_LENGTH * Math.log(62) / Math.log(2)).isGreaterThanOrEqualTo(192);
    AtomicInteger bytesDrawn = new AtomicInteger();
    SecureRandom counting = new SecureRandom() {
      private static final long serialVersionUID = 1L;

      @Override
      public void nextBytes(byte[] bytes) {
        bytesDrawn.addAndGet(bytes.length);
        super.nextBytes(bytes);
      }
    };
    String secret = TokenFormat.newSecret(counting);
    assertThat(secret).matches("[0-9A-Za-z]{33}");
    assertThat(bytesDrawn.get()).isGreaterThanOrEqualTo(33);
  }

  @Test
  void newSecret_isUniformOverTheAlphabet() {
    // 2,000 secrets = 66,000 digits, about 1,065 per digit (sd ~33). A modulo bias without
    // rejection sampling would put digits 0-7 near 1,330.
    int[] counts = new int[62];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      String s = TokenFormat.newSecret(RANDOM);
      assertThat(seen.add(s)).as("secrets repeat").isTrue();
      for (char c : s.toCharArray()) counts[ALPHABET.indexOf(c)]++;
    }
    for (int d = 0; d < 62; d++) {
      assertThat(counts[d]).as("count of digit %s", ALPHABET.charAt(d)).isBetween(900, 1_240);
    }
  }

  @Test
  void crc32_equalsJdkCrc32() {
    for (int len = 0; len < 300; len += 7) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < len; i++) sb.append((char) (0x20 + RANDOM.nextInt(0x5f)));
      String s = sb.toString();
      CRC32 jdk = new CRC32();
      jdk.update(s.getBytes(StandardCharsets.US_ASCII));
      assertThat(Crc32.of(s, 0, s.length())).as("crc of %s", s).isEqualTo(jdk.getValue());
    }
    CRC32 jdk = new CRC32();
    jdk.update("123456789".getBytes(StandardCharsets.US_ASCII));
    assertThat(Crc32.of("xx123456789yy", 2, 11)).isEqualTo(jdk.getValue()).isEqualTo(0xCBF43926L);
  }

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L, 61L, 62L, 3_843L, 3_844L, 1_700_000_000_000L, 1_767_225_600_000L,
      3_500_000_000_000L})
  void newId_encodesIssueTimeSoIdsSortByIt(long millis) {
    String id = TokenFormat.newId(millis, RANDOM, Harness.TAGGER);
    String later = TokenFormat.newId(millis + 1, RANDOM, Harness.TAGGER);
    String muchLater = TokenFormat.newId(millis + 86_400_000L, RANDOM, Harness.TAGGER);

    assertThat(id.charAt(0)).isEqualTo('1');
    assertThat(Base62.decodeFixed(id, 1, 7)).isEqualTo(millis);
    assertThat(id.compareTo(later)).isNegative();
    assertThat(later.compareTo(muchLater)).isNegative();
    assertThat(TokenFormat.isValidId(id)).isTrue();
  }

  static Stream<Arguments> malformed() {
    String valid = newToken(ACME);
    String body = valid.substring(5);
    String otherPrefix = newToken(new TokenFormat("acmx"));
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of("null", null));
    cases.add(Arguments.of("empty", ""));
    cases.add(Arguments.of("blank", "   "));
    cases.add(Arguments.of("prefix only", "acme_"));
    cases.add(Arguments.of("another prefix of the same length", otherPrefix));
    cases.add(Arguments.of("uppercase prefix", "ACME_" + body));
    cases.add(Arguments.of("no underscore", "acme" + body + "x"));
    cases.add(Arguments.of("dash instead of underscore", "acme-" + body));
    cases.add(Arguments.of("one character short", valid.substring(0, valid.length() - 1)));
    cases.add(Arguments.of("one character long", valid + "0"));
    cases.add(Arguments.of("body only", body));
    cases.add(Arguments.of("leading space", " " + valid.substring(1)));
    cases.add(Arguments.of("trailing newline", valid.substring(0, valid.length() - 1) + "\n"));
    cases.add(Arguments.of("surrounded by blanks", " " + valid + " "));
    cases.add(Arguments.of("Bearer scheme left in", "Bearer " + valid));
    cases.add(Arguments.of("non-base62 character", valid.substring(0, 20) + "-" + valid.substring(21)));
    cases.add(Arguments.of("non-ASCII letter", valid.substring(0, 20) + "é" + valid.substring(21)));
    cases.add(Arguments.of("Arabic-Indic digit", valid.substring(0, 20) + "\u0660" + valid.substring(21)));
    cases.add(Arguments.of("fullwidth digit", valid.substring(0, 20) + "\uff11" + valid.substring(21)));
    cases.add(Arguments.of("lone surrogate", valid.substring(0, 20) + "\ud83d" + valid.substring(21)));
    cases.add(Arguments.of("character with low byte of a digit", valid.substring(0, 20)
        + (char) (0x100 + valid.charAt(20)) + valid.substring(21)));
    cases.add(Arguments.of("1 MB string", "acme_" + "A".repeat(1 << 20)));
    cases.add(Arguments.of("1 MB of a valid token repeated", valid.repeat((1 << 20) / valid.length())));
    cases.add(Arguments.of("all zeros", "acme_" + "0".repeat(55)));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void extractId_rejectsMalformedWithoutThrowing(String what, String token) {
    assertThatCode(() -> {
      assertThat(ACME.isWellFormed(token)).isFalse();
      assertThat(ACME.extractId(token)).isNull();
    }).doesNotThrowAnyException();
  }

  /** Every position, every other base62 digit and a set of non-base62 characters. */
  static List<String> singleCharacterChanges(String valid) {
    List<String> changed = new ArrayList<>();
    for (int i = 0; i < valid.length(); i++) {
      char original = valid.charAt(i);
      for (char c : ALPHABET.toCharArray()) {
        if (c != original) changed.add(valid.substring(0, i) + c + valid.substring(i + 1));
      }
      for (char c : NON_BASE62) {
        if (c != original) changed.add(valid.substring(0, i) + c + valid.substring(i + 1));
      }
    }
    return changed;
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme", "lk", "acme_live"})
  void isWellFormed_rejectsEverySingleCharacterChange(String prefix) {
    TokenFormat format = new TokenFormat(prefix);
    for (int round = 0; round < 3; round++) {
      String valid = newToken(format);
      List<String> changes = singleCharacterChanges(valid);
      // Every position gets 61 other digits and every non-digit (15 others for an '_').
      assertThat(changes.size()).isEqualTo(valid.length() * (61 + NON_BASE62.length));
      for (String changed : changes) {
        assertThat(format.isWellFormed(changed)).as("accepted %s (from %s)", changed, valid)
            .isFalse();
        assertThat(format.extractId(changed)).isNull();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lk", "acme", "acme_live", "a1", "a", "abcdefghijklmnopqrstuvwxyz012345"})
  void isValidPrefix_accepts(String prefix) {
    assertThat(TokenFormat.isValidPrefix(prefix)).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"Acme", "1acme", "_acme", "acme_", "ac-me", "ac me", "acmé",
      "abcdefghijklmnopqrstuvwxyz0123456"})
  void isValidPrefix_rejects(String prefix) {
    assertThat(TokenFormat.isValidPrefix(prefix)).isFalse();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"000000000000000", "00000000000000000", "000000000000000-",
      "00000000000000é0", "0000000 00000000"})
  void isValidId_rejects(String id) {
    assertThat(TokenFormat.isValidId(id)).isFalse();
  }
}
