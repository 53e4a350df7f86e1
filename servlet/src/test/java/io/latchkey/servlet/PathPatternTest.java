package io.latchkey.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.InvalidArgumentException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {
  @ParameterizedTest
  @CsvSource({
      "/invoices/**, /invoices, true",
      "/invoices/**, /invoices/1/lines, true",
      "/invoices/**, /invoicesx, false",
      "/invoices/*, /invoices/1, true",
      "/invoices/*, /invoices/1/lines, false",
      "/invoices/*, /invoices, false",
      "/a/**/c, /a/c, true",
      "/a/**/c, /a/b/b/c, true",
      "/a/**/c, /a/b/d, false",
      "/health, /health, true",
      "/health, /health/, true",
      "/health, /healthz, false",
      "/**, /, true",
      "/a/**/c/*, /a/x/c/c/d, true",
      "/a/**/c/*, /a/x/c, false",
      "/a/*/c, //a//b/c/, true",
      "/a/**, /b, false",
      "/**/x, /a/b/x, true",
      "/**/x, /a/b/y, false",
      "/*, /, false",
      "/ab, /a, false",
  })
  void matches(String pattern, String path, boolean expected) {
    assertThat(PathPattern.parse(pattern).matches(path)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"invoices", "/in*", "/a?b", ""})
  void parse_bad_namesTheField(String pattern) {
    assertThatThrownBy(() -> PathPattern.parse(pattern))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("pathPattern");
  }
}
