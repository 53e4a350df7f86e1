package io.latchkey.cli;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import io.latchkey.Latchkey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The hashing keys a command runs with, in the one format the environment
 * ({@code LATCHKEY_HASHING_KEYS}, comma-separated) and the data directory's key file (one per line)
 * share: {@code id:base64} or {@code id:base64:retiring}. The first entry that is not retiring is
 * the primary (new tokens are hashed with it); the others (accepted) still validate their tokens
 * and leave them on their key; retiring ones also have their tokens re-hashed with the primary on
 * use ({@code Latchkey.Builder.retiringHashingKey}).
 *
 * @param entries the keys in the order given
 */
record KeyRing(List<Entry> entries) {
  static final String RETIRING = "retiring";

  /** One key and its role. */
  record Entry(HashingKey key, boolean retiring) {
    String line() {
      return key.id() + ":" + key.toBase64() + (retiring ? ":" + RETIRING : "");
    }
  }

  KeyRing {
    entries = List.copyOf(entries);
  }

  static KeyRing of(HashingKey key) {
    return new KeyRing(List.of(new Entry(key, false)));
  }

  /**
   * Parses entries separated by commas or line breaks. Messages name the source and the entry's
   * position, never a key's value.
   *
   * @throws ConfigException if an entry is malformed, an id repeats or no key is primary
   */
  static KeyRing parse(String text, String source) {
    List<Entry> entries = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int n = 0;
    for (String raw : text.split("[,\\r\\n]+")) {
      String item = raw.strip();
      if (item.isEmpty() || item.startsWith("#")) continue;
      n++;
      String[] parts = item.split(":", -1);
      if (parts.length < 2 || parts.length > 3 || parts[0].isBlank()
          || (parts.length == 3 && !parts[2].strip().equalsIgnoreCase(RETIRING))) {
        throw new ConfigException(source + ": entry " + n + " is not id:base64 or"
            + " id:base64:retiring");
      }
      HashingKey key;
      try {
        key = HashingKey.fromBase64(parts[0].strip(), parts[1].strip());
      } catch (InvalidArgumentException e) {
        throw new ConfigException(source + ": entry " + n + " (id " + Render.oneLine(parts[0].strip())
            + ") is not a usable key: " + e.getMessage());
      }
      if (!ids.add(key.id())) {
        throw new ConfigException(source + ": key id " + key.id() + " appears twice");
      }
      entries.add(new Entry(key, parts.length == 3));
    }
    if (entries.isEmpty()) throw new ConfigException(source + " holds no key");
    KeyRing ring = new KeyRing(entries);
    if (entries.stream().allMatch(Entry::retiring)) {
      throw new ConfigException(source + ": every key is retiring; one must be primary (the"
          + " first entry without :retiring)");
    }
    return ring;
  }

  /** The key new tokens are hashed with: the first that is not retiring. */
  HashingKey primary() {
    for (Entry e : entries) if (!e.retiring()) return e.key();
    throw new IllegalStateException("no primary key"); // parse() refuses such a ring
  }

  /** Whether both hold the same keys (id and value) in the same roles; order aside from the primary. */
  boolean sameKeys(KeyRing other) {
    return primary().equals(other.primary())
        && new HashSet<>(entries).equals(new HashSet<>(other.entries));
  }

  String ids() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(e.key().id()).append(e.retiring() ? " (retiring)" : "");
    }
    return sb.toString();
  }

  /** The key file's text: one entry per line. */
  String fileText() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) sb.append(e.line()).append('\n');
    return sb.toString();
  }

  /** Adds the keys to a builder in their roles. */
  void addTo(Latchkey.Builder b) {
    for (Entry e : entries) {
      if (e.retiring()) retiring(b, e.key());
      else b.hashingKey(e.key());
    }
    if (!entries.get(0).key().equals(primary())) b.primaryHashingKey(primary().id());
  }

  private static void retiring(Latchkey.Builder b, HashingKey key) {
    b.retiringHashingKey(key);
  }
}
