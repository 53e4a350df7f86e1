package io.latchkey.cli;

import io.latchkey.InvalidArgumentException;
import io.latchkey.TokenId;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option and argument types, each failing with a message that says what a good value is. */
final class Converters {
  private Converters() {}

  static final class Id implements ITypeConverter<TokenId> {
    @Override
    public TokenId convert(String value) {
      if (Redact.isTokenShaped(value)) {
        // A pasted token: never echo it, and point to the way that keeps it off the command line.
        throw new TypeConversionException("that is a whole token (" + Redact.secrets(value.strip())
            + "), not an id; it is now in your shell history, so treat it as leaked. To act on a"
            + " token, pass --token - and paste it on standard input");
      }
      try {
        return TokenId.of(value.strip());
      } catch (InvalidArgumentException e) {
        throw new TypeConversionException("\"" + Render.oneLine(value) + "\" is not a token id: "
            + "an id is 16 letters and digits, as shown by list and issue");
      }
    }
  }

  /**
   * {@code 500ms}, {@code 90s}, {@code 15m}, {@code 24h}, {@code 30d}, {@code 2w}, or ISO-8601
   * ({@code PT24H}).
   */
  static final class Span implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String s = value.strip().toLowerCase(Locale.ROOT);
      try {
        if (s.startsWith("p")) return Duration.parse(s.toUpperCase(Locale.ROOT));
        if (s.length() >= 3 && s.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.length() >= 2) {
          long n = Long.parseLong(s.substring(0, s.length() - 1));
          switch (s.charAt(s.length() - 1)) {
            case 's': return Duration.ofSeconds(n);
            case 'm': return Duration.ofMinutes(n);
            case 'h': return Duration.ofHours(n);
            case 'd': return Duration.ofDays(n);
            case 'w': return Duration.ofDays(Math.multiplyExact(n, 7));
            default: break;
          }
        }
      } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
        // fall through to the one message
      }
      throw new TypeConversionException("\"" + Render.oneLine(value)
          + "\" is not a duration: use e.g. 500ms, 90s, 15m, 24h, 30d, 2w or PT24H");
    }
  }

  /** An ISO-8601 instant, {@code 2026-01-31T00:00:00Z}, or a date, {@code 2026-01-31} (UTC). */
  static final class When implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      String s = value.strip();
      try {
        if (s.length() == 10) return java.time.LocalDate.parse(s).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("\"" + Render.oneLine(value)
            + "\" is not a time: use e.g. 2026-01-31 or 2026-01-31T12:00:00Z");
      }
    }
  }
}
