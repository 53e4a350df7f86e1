package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.InvalidArgumentException;
import io.latchkey.LegacyLimits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Legacy hashes against vectors from independent implementations: legacy-vectors.tsv (made by
 * generate_vectors.py with Python's hashlib, bcrypt and argon2-cffi) and the RFCs' own vectors.
 */
class LegacyHashTest {
  private static final HexFormat HEX = HexFormat.of();

  record Vector(String algorithm, String key, String hash) {
    @Override
    public String toString() {
      return algorithm + " " + hash.substring(0, Math.min(12, hash.length()));
    }
  }

  static Stream<Vector> vectors() throws IOException {
    List<Vector> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
        LegacyHashTest.class.getResourceAsStream("legacy/legacy-vectors.tsv")), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("#") || line.isBlank()) continue;
        String[] f = line.split("\t");
        out.add(new Vector(f[0], f[1], f[2]));
      }
    }
    assertThat(out).hasSizeGreaterThan(30);
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void independentVector_verifies_andOneCharacterChangeFails(Vector v) {
    LegacyHash h = LegacyHash.parse("hash", v.hash(), LegacyLimits.DEFAULT);
    assertThat(h.algorithm()).isEqualTo(v.algorithm());
    assertThat(h.matches(v.key())).isTrue();
    assertThat(h.matches(changeLast(v.key()))).isFalse();
    assertThat(h.matches(changeFirst(v.key()))).isFalse();
    // What a store keeps parses back to the same verifier.
    LegacyHash again = LegacyHash.parse("hash", h.encoded(), LegacyLimits.DEFAULT);
    assertThat(again.encoded()).isEqualTo(h.encoded());
    assertThat(again.matches(v.key())).isTrue();
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void independentVector_oneCharacterChangeOfTheHashFails(Vector v) {
    String hash = v.hash();
    // Change a character of the hash part (not its last: base64 may ignore that one's low bits)
    // to another one of the same alphabet.
    int at = hash.length() - 5;
    char c = hash.charAt(at);
    char other = Character.isDigit(c) ? (c == '0' ? '1' : '0') : (c == 'a' ? 'b' : (c == 'A' ? 'B' : 'a'));
    String changed = hash.substring(0, at) + other + hash.substring(at + 1);
    try {
      LegacyHash h = LegacyHash.parse("hash", changed, LegacyLimits.DEFAULT);
      assertThat(h.matches(v.key())).isFalse();
    } catch (InvalidArgumentException refused) {
      assertThat(refused.field()).isEqualTo("hash");
    }
  }

  @Test
  void scrypt_rfc7914Vectors() {
    String v1 = "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906";
    String v2 = "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640";
    LegacyHash h1 = LegacyHash.parse("hash", "$scrypt$ln=4,r=1,p=1$$" + b64(HEX.parseHex(v1)), LegacyLimits.DEFAULT);
    assertThat(h1.matches("")).isTrue();
    assertThat(h1.matches(" ")).isFalse();
    LegacyHash h2 = LegacyHash.parse("hash", "$scrypt$ln=10,r=8,p=16$" + b64("NaCl".getBytes(StandardCharsets.US_ASCII))
        + "$" + b64(HEX.parseHex(v2)), LegacyLimits.DEFAULT);
    assertThat(h2.matches("password")).isTrue();
    assertThat(h2.matches("passwore")).isFalse();
  }

  @Test
  void pbkdf2Sha256_rfc7914Vectors() {
    String v1 = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783";
    String v2 = "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
        + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d";
    LegacyHash h1 = LegacyHash.parse("hash", "pbkdf2_sha256$1$salt$" + b64(HEX.parseHex(v1)), LegacyLimits.DEFAULT);
    assertThat(h1.matches("passwd")).isTrue();
    assertThat(h1.matches("passwe")).isFalse();
    LegacyHash h2 = LegacyHash.parse("hash", "pbkdf2_sha256$80000$NaCl$" + b64(HEX.parseHex(v2)), LegacyLimits.DEFAULT);
    assertThat(h2.matches("Password")).isTrue();
    assertThat(h2.matches("password")).isFalse();
  }

  @Test
  void argon2_rfc9106Vectors() {
    byte[] password = filled(32, 0x01);
    byte[] salt = filled(16, 0x02);
    byte[] secret = filled(8, 0x03);
    byte[] ad = filled(12, 0x04);
    byte[] id = LegacyHash.Argon2.derive(Argon2Parameters.ARGON2_id, 0x13, 32, 3, 4, password, salt, secret, ad, 32);
    assertThat(HEX.formatHex(id))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    byte[] i = LegacyHash.Argon2.derive(Argon2Parameters.ARGON2_i, 0x13, 32, 3, 4, password, salt, secret, ad, 32);
    assertThat(HEX.formatHex(i))
        .isEqualTo("c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
  }

  @Test
  void bcrypt_costAboveTheCeiling_isRefused() {
    String cost31 = "$2b$31$" + "a".repeat(53);
    assertThatThrownBy(() -> LegacyHash.parse("row 3 hash", cost31, LegacyLimits.DEFAULT))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("row 3 hash has bcrypt cost 31, above the ceiling of 14")
        .hasMessageNotContaining("aaaa");
    // The ceiling is configurable.
    LegacyLimits low = new LegacyLimits(10, 1024, 1000, 4, 4);
    assertThatThrownBy(() -> LegacyHash.parse("hash", "$2b$11$" + "a".repeat(53), low))
        .hasMessageContaining("above the ceiling of 10");
    assertThat(LegacyHash.parse("hash", "$2b$10$" + "a".repeat(53), low).algorithm()).isEqualTo("bcrypt");
  }

  @Test
  void argon2_fourGibibytes_isRefused() {
    String huge = "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA";
    assertThatThrownBy(() -> LegacyHash.parse("row 7 hash", huge, LegacyLimits.DEFAULT))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("row 7 hash needs 4194304 KiB for Argon2, above the ceiling of 262144 KiB");
    assertThatThrownBy(() -> LegacyHash.parse("hash",
        "$argon2id$v=19$m=1024,t=99,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA", LegacyLimits.DEFAULT))
        .hasMessageContaining("Argon2 t=99, above the ceiling of 16");
  }

  @Test
  void scryptAndPbkdf2_absurdCosts_areRefused() {
    assertThatThrownBy(() -> LegacyHash.parse("hash", "$scrypt$ln=30,r=8,p=1$c2FsdA$" + b64(new byte[32]), LegacyLimits.DEFAULT))
        .hasMessageContaining("KiB for scrypt, above the ceiling");
    assertThatThrownBy(() -> LegacyHash.parse("hash", "pbkdf2_sha256$999999999$salt$" + b64(new byte[32]), LegacyLimits.DEFAULT))
        .hasMessageContaining("PBKDF2 iterations, above the ceiling");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "md5:5f4dcc3b5aa765d61d8327deb882cf99",
      "$1$saltsalt$abcdefghijklmnopqrstuv",
      "$argon2d$v=19$m=1024,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2g",
      "$2x$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234",
      "$2b$10$tooShort",
      "$2b$1x$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234",
      "$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz0123!",
      "$argon2id$v=19$m=1024,t=2$c29tZXNhbHQ$aGFzaGhhc2g",
      "$argon2id$v=18$m=1024,t=2,p=2$c29tZXNhbHQ$aGFzaGhhc2g",
      "$argon2id$v=19$m=1024,t=2,p=2$!!!$aGFzaGhhc2g",
      "$scrypt$N=1024,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
      "pbkdf2_sha256$-1$salt$aGFzaGhhc2hoYXNoaGFzaA==",
      "pbkdf2_sha256$1000$salt",
      "sha256:abcd",
      "sha512:" + "zz",
      "0123456789abcdef",
      "  ",
  })
  void malformedOrUnknown_isRefused_namingTheField(String stored) {
    assertThatThrownBy(() -> LegacyHash.parse("row 12 hash", stored, LegacyLimits.DEFAULT))
        .isInstanceOf(InvalidArgumentException.class)
        .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).isEqualTo("row 12 hash"))
        .satisfies(e -> {
          if (stored.length() > 12) assertThat(e.getMessage()).doesNotContain(stored.substring(stored.length() - 8));
        });
  }

  @Test
  void bcrypt_keyLongerThan72Bytes_comparesItsFirst72() {
    // Made by Python's bcrypt 3.2.2: bcrypt.hashpw(b"k" * 80, bcrypt.gensalt(rounds=4)).
    LegacyHash h = LegacyHash.parse("hash", "$2b$04$6rYk.2YfirEeHgCPvjTRHufypsiYkHHCtagZYC4OYIVzVQx4PfVMy",
        LegacyLimits.DEFAULT);
    assertThat(h.matches("k".repeat(80))).isTrue();
    assertThat(h.matches("k".repeat(73))).isTrue();
    assertThat(h.matches("k".repeat(71))).isFalse();
  }

  @Test
  void toString_showsTheAlgorithmOnly() {
    LegacyHash h = LegacyHash.parse("hash", "sha256:" + "ab".repeat(32), LegacyLimits.DEFAULT);
    assertThat(h.toString()).isEqualTo("LegacyHash[sha256]");
  }

  private static String changeLast(String s) {
    char c = s.charAt(s.length() - 1);
    return s.substring(0, s.length() - 1) + (char) (c == 'z' ? 'y' : c + 1);
  }

  private static String changeFirst(String s) {
    char c = s.charAt(0);
    return (char) (c == 'z' ? 'y' : c + 1) + s.substring(1);
  }

  private static String b64(byte[] raw) {
    return Base64.getEncoder().withoutPadding().encodeToString(raw);
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }
}
