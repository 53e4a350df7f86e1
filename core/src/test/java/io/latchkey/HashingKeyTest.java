package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HashingKeyTest {

  @Test
  void generate_makesDistinct256BitKeys() {
    HashingKey a = HashingKey.generate("k1");
    HashingKey b = HashingKey.generate("k1");
    assertThat(a.id()).isEqualTo("k1");
    assertThat(a.bytes()).hasSize(32);
    assertThat(a.bytes()).isNotEqualTo(b.bytes());
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void fromBase64_roundTripsToBase64() {
    HashingKey key = HashingKey.generate("k-2_x");
    HashingKey back = HashingKey.fromBase64("k-2_x", key.toBase64());
    assertThat(back).isEqualTo(key);
    assertThat(back.bytes()).isEqualTo(key.bytes());
    assertThat(HashingKey.fromBase64("k-2_x", "  " + key.toBase64() + "\n")).isEqualTo(key);
  }

  @Test
  void fromBase64_acceptsTheUrlSafeAlphabet() {
    byte[] bytes = new byte[48];
    Arrays.fill(bytes, (byte) 0xfb); // encodes with '+' and '/' in the standard alphabet
    String url = Base64.getUrlEncoder().encodeToString(bytes);
    assertThat(url).contains("-").contains("_");
    assertThat(HashingKey.fromBase64("k1", url).bytes()).isEqualTo(bytes);
    assertThat(HashingKey.fromBase64("k1", Base64.getEncoder().encodeToString(bytes)).bytes())
        .isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64!", "AAAA*AAA", "====", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-+"})
  void fromBase64_rejectsBadBase64(String text) {
    assertThatThrownBy(() -> HashingKey.fromBase64("k1", text))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("hashingKey"))
        .hasMessage("hashingKey is not valid Base64");
  }

  @Test
  void fromBase64_rejectsNull() {
    assertThatThrownBy(() -> HashingKey.fromBase64("k1", null))
        .isInstanceOf(InvalidArgumentException.class).hasMessage("hashingKey must not be null");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 16, 31})
  void fromBase64_rejectsKeysShorterThan32Bytes(int length) {
    String text = Base64.getEncoder().encodeToString(new byte[length]);
    assertThatThrownBy(() -> HashingKey.fromBase64("k1", text))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("hashingKey must be at least 32 bytes, was " + length);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"k 1", "k.1", "kë", "abcdefghijklmnopqrstuvwxyz0123456"})
  void of_rejectsMalformedIds(String id) {
    assertThatThrownBy(() -> HashingKey.of(id, new byte[32]))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("hashingKeyId"))
        .hasMessageStartingWith("hashingKeyId ");
  }

  @Test
  void of_copiesTheBytesInAndOut() {
    byte[] bytes = Harness.bytes(7);
    HashingKey key = HashingKey.of("k1", bytes);
    bytes[0] ^= 1;
    byte[] out = key.bytes();
    assertThat(out).isEqualTo(Harness.bytes(7));
    out[1] ^= 1;
    assertThat(key.bytes()).isEqualTo(Harness.bytes(7));
  }

  @Test
  void toString_showsTheIdAndHidesTheBytes() {
    HashingKey key = HashingKey.generate("k1");
    String text = key.toString();
    assertThat(text).isEqualTo("HashingKey[id=k1]");
    assertThat(text).doesNotContain(key.toBase64())
        .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(key.bytes()))
        .doesNotContain(HexFormat.of().formatHex(key.bytes()))
        .doesNotContain(Arrays.toString(key.bytes()));
  }
}
