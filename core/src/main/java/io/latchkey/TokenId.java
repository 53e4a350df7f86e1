package io.latchkey;

import io.latchkey.internal.TokenFormat;

/**
 * The public, non-secret id of a token: the first part of its body, 16 base62 characters. It is
 * what listings, events, logs and the store's primary key use.
 *
 * @param value the 16-character id
 */
public record TokenId(String value) implements Comparable<TokenId> {

  /**
   * Checks the id's form.
   *
   * @throws InvalidArgumentException if {@code value} is not a well-formed token id
   * @param value the 16-character id
   */
  public TokenId {
    if (value == null) {
      throw new InvalidArgumentException("tokenId", "must not be null");
    }
    if (!TokenFormat.isValidId(value)) {
      throw new InvalidArgumentException("tokenId",
          "must be " + TokenFormat.ID_LENGTH + " base62 characters");
    }
  }

  /**
   * Parses a token id.
   *
   * @throws InvalidArgumentException if {@code value} is not a well-formed token id
   * @param value the 16-character id
   * @return the id
   */
  public static TokenId of(String value) {
    return new TokenId(value);
  }

  @Override
  public int compareTo(TokenId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
