package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.TokenRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One text policy for every field, in core (Checks): refused at the API with the field named,
 * what no backend can store faithfully (U+0000, unpaired surrogates) everywhere, and controls and
 * bidirectional formatting in names; sanitised, never thrown, on the validation path.
 */
class HostileTextTest {
  static final String LONE_HIGH = "a\uD83Db";
  static final String LONE_LOW = "a\uDE00b";
  static final String NUL = "a\u0000b";
  static final String C1 = "a\u0085b";
  static final String RLO = "invoice\u202Etxt.exe";
  static final String ISOLATE = "a\u2066b\u2069";

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("name", LONE_HIGH), Arguments.of("name", LONE_LOW), Arguments.of("name", NUL),
        Arguments.of("name", C1), Arguments.of("name", RLO), Arguments.of("name", ISOLATE),
        Arguments.of("description", LONE_HIGH), Arguments.of("description", LONE_LOW),
        Arguments.of("description", NUL), Arguments.of("description", C1),
        Arguments.of("metadata", LONE_HIGH), Arguments.of("metadata", LONE_LOW),
        Arguments.of("metadata", NUL),
        Arguments.of("createdBy", LONE_HIGH), Arguments.of("createdBy", RLO),
        Arguments.of("createdBy", C1), Arguments.of("actor", LONE_LOW),
        Arguments.of("actor", ISOLATE), Arguments.of("actor", NUL));
  }

  @ParameterizedTest(name = "{0}: {index}")
  @MethodSource("refused")
  void refusedText_isRefusedAtTheApiNamingTheField(String field, String text) {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      TokenRecord before = h.record(t.id());
      List<Runnable> calls = switch (field) {
        case "name" -> List.of(() -> NewToken.in("ws").name(text),
            () -> TokenUpdate.create().name(text));
        case "description" -> List.of(() -> NewToken.in("ws").description(text),
            () -> TokenUpdate.create().description(text));
        case "metadata" -> List.of(() -> NewToken.in("ws").metadata("k", text),
            () -> NewToken.in("ws").metadata(Map.of("k", text)),
            () -> TokenUpdate.create().metadata(Map.of("k", text)));
        case "createdBy" -> List.of(() -> NewToken.in("ws").createdBy(text));
        default -> List.of(() -> h.tokens().as(text));
      };
      for (Runnable call : calls) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo(field)).hasMessageStartingWith(field + " ")
            .hasMessageContaining("index ");
      }
      assertThat(h.record(t.id())).isEqualTo(before);
    }
  }

  @Test
  void acceptedText_isStoredExactly() {
    try (Harness h = Harness.create()) {
      String name = "billing ✓ 😀 עברית ñ \uFFFD \uFFFF";
      String description = "line\nline\r\n\ttab \u202Eright-to-left\u202C 😀";
      Map<String, String> metadata = Map.of("c0", "\u0001\u001b[31m", "c1", "\u0085\u009f",
          "bidi", "\u202E\u2066x\u2069", "emoji", "😀👍🏽", "nonchar", "\uFFFE\uFFFF");
      IssuedToken t = h.issue(NewToken.in("ws").name(name).description(description)
          .metadata(metadata).createdBy("ålice 😀"));
      Token got = h.tokens().get(t.id());
      assertThat(got.name()).isEqualTo(name);
      assertThat(got.description()).isEqualTo(description);
      assertThat(got.metadata()).isEqualTo(metadata);
      assertThat(got.createdBy()).isEqualTo("ålice 😀");
    }
  }

  @Test
  void integration_isSanitisedNeverThrown() {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue("ws", "t");
      Consumer<String> use = integration -> {
        h.clock.advance(Duration.ofMillis(1));
        assertThat(h.validator().validate(ValidationRequest.of(t.secret())
            .integration(integration)).isValid()).isTrue();
        h.latchkey.flushUsage();
      };
      use.accept(LONE_HIGH);
      assertThat(h.record(t.id()).lastUsedIntegration()).isEqualTo("a\uFFFDb");
      use.accept("\uDE00" + RLO);
      assertThat(h.record(t.id()).lastUsedIntegration()).isEqualTo("\uFFFDinvoice\uFFFDtxt.exe");
      use.accept("😀".repeat(100));
      assertThat(h.record(t.id()).lastUsedIntegration()).isEqualTo("😀".repeat(64));
      use.accept("x".repeat(127) + "😀");
      assertThat(h.record(t.id()).lastUsedIntegration()).as("never half a pair")
          .isEqualTo("x".repeat(127));
      use.accept("zapier ✓");
      assertThat(h.record(t.id()).lastUsedIntegration()).isEqualTo("zapier ✓");
    }
  }
}
