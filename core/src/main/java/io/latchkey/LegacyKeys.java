package io.latchkey;

import java.util.List;

/**
 * Imports keys of the system a host is leaving, and reports on them; from {@link
 * Latchkey#legacyKeys()}. An imported key keeps its old hash until it is first presented: a
 * validation that matches it with the configured {@link LegacyFormat} verifies the old hash and
 * replaces it with Latchkey's own, so each later validation costs what a native token's does.
 * Thread-safe.
 */
public interface LegacyKeys {

  /**
   * Imports one key. Importing the same key again (same lookup part, workspace and name) returns
   * the id it got the first time and changes nothing.
   *
   * @return the imported token's id
   * @throws InvalidArgumentException naming the field (hash, lookup, name, createdAt, ...) of a
   *     key that cannot be imported, e.g. a malformed hash, an unknown algorithm, a cost above
   *     {@link LegacyLimits}, or a lookup part another key already has
   * @throws StoreUnavailableException if the store cannot be reached
   */
  TokenId importKey(LegacyKey key);

  /**
   * Imports a batch. Rows are checked first (hashes, lookup parts repeated within the batch),
   * then stored; with {@link ImportReport.Mode#ALL_OR_NOTHING} a store conflict removes what this
   * call stored.
   *
   * @throws StoreUnavailableException if the store cannot be reached; with {@code
   *     ALL_OR_NOTHING} what this call stored is removed again as far as the store allows
   */
  ImportReport importAll(List<LegacyKey> keys, ImportReport.Mode mode);

  /**
   * How many keys of {@code workspace} still have their old hash (imported, not presented since).
   * Reads the whole workspace: an operator's query, not for a request path.
   *
   * @throws StoreUnavailableException if the store cannot be reached
   */
  long pending(String workspace);

  /** How many slow legacy verifications (bcrypt, scrypt, Argon2, PBKDF2) this instance ran. */
  long slowVerifications();
}
