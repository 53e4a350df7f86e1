package io.latchkey;

import io.latchkey.internal.Checks;
import io.latchkey.internal.IpRanges;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A key of the system a host is leaving, to import with {@link LegacyKeys}: its settings, the
 * <em>lookup part</em> by which a presented key finds it (see {@link LegacyFormat}), and either
 * its stored hash or its plaintext. Each setter checks its argument and names it in the {@link
 * InvalidArgumentException}; the hash itself is checked by the import, against the configured
 * {@link LegacyLimits}. {@link #toString()} shows neither hash nor plaintext. Not thread-safe.
 */
public final class LegacyKey {
  /** The longest lookup part. */
  public static final int MAX_LOOKUP_LENGTH = 256;
  /** The longest plaintext key. */
  public static final int MAX_KEY_LENGTH = 1024;

  private final String workspace;
  private @Nullable String name;
  private String description = "";
  private final Map<String, Boolean> permissions = new LinkedHashMap<>();
  private final List<String> allowedIps = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private @Nullable Instant createdAt;
  private @Nullable String createdBy;
  private @Nullable Instant expiresAt;
  private @Nullable String lookup;
  private @Nullable String hash;
  private @Nullable String plaintext;

  private LegacyKey(String workspace) {
    this.workspace = workspace;
  }

  /**
   * Starts a key of {@code workspace}.
   *
   * @param workspace the workspace the imported token will belong to
   * @return a new key with no other settings
   * @throws InvalidArgumentException if the workspace is malformed
   */
  public static LegacyKey in(String workspace) {
    return new LegacyKey(Checks.workspace(workspace));
  }

  /**
   * Sets the token's name; required by the import.
   *
   * @param name the name
   * @return this key
   * @throws InvalidArgumentException if the name is malformed
   */
  public LegacyKey name(String name) {
    this.name = Checks.name(name);
    return this;
  }

  /**
   * Sets the token's description; empty by default.
   *
   * @param description the description
   * @return this key
   * @throws InvalidArgumentException if the description is malformed or too long
   */
  public LegacyKey description(String description) {
    this.description = Checks.description(description);
    return this;
  }

  /**
   * Merges permissions in: name to grant ({@code true}) or explicit deny ({@code false}).
   *
   * @param permissions permission names, each mapped to grant or deny
   * @return this key
   * @throws InvalidArgumentException if a name is malformed or there would be too many (nothing
   *     is merged)
   */
  public LegacyKey permissions(Map<String, Boolean> permissions) {
    Map<String, Boolean> merged = new LinkedHashMap<>(this.permissions);
    merged.putAll(Checks.permissions(permissions));
    Checks.permissionCount(merged.size());
    this.permissions.putAll(merged);
    return this;
  }

  /**
   * Adds addresses or CIDR ranges the key may be used from (canonicalized, duplicates dropped);
   * any address when none.
   *
   * @param addressesOrCidrs IPv4 or IPv6 addresses or CIDR ranges
   * @return this key
   * @throws InvalidArgumentException if the list is null, an entry is malformed, or there would
   *     be too many (nothing is added)
   */
  public LegacyKey allowIps(List<String> addressesOrCidrs) {
    if (addressesOrCidrs == null) throw new InvalidArgumentException("allowIps", "must not be null");
    List<String> merged = new ArrayList<>(allowedIps);
    for (String ip : addressesOrCidrs) {
      String canonical = IpRanges.canonicalize("allowIp", ip);
      if (!merged.contains(canonical)) merged.add(canonical);
    }
    Checks.allowlistSize(merged.size());
    allowedIps.clear();
    allowedIps.addAll(merged);
    return this;
  }

  /**
   * Merges metadata in: later values replace earlier ones for the same key.
   *
   * @param metadata non-secret key-value pairs
   * @return this key
   * @throws InvalidArgumentException if an entry is malformed or there would be too many
   *     (nothing is merged)
   */
  public LegacyKey metadata(Map<String, String> metadata) {
    Map<String, String> merged = new LinkedHashMap<>(this.metadata);
    merged.putAll(Checks.metadata(metadata));
    Checks.metadataCount(merged.size());
    this.metadata.putAll(merged);
    return this;
  }

  /**
   * When the old system issued it; default: the time of import.
   *
   * @param createdAt the original issue time
   * @return this key
   * @throws InvalidArgumentException if {@code createdAt} is null
   */
  public LegacyKey createdAt(Instant createdAt) {
    if (createdAt == null) throw new InvalidArgumentException("createdAt", "must not be null");
    this.createdAt = createdAt;
    return this;
  }

  /**
   * Who issued it in the old system; default: {@code "import"}.
   *
   * @param actor the original issuer
   * @return this key
   * @throws InvalidArgumentException if the actor is malformed
   */
  public LegacyKey createdBy(String actor) {
    this.createdBy = Checks.actor("createdBy", actor);
    return this;
  }

  /**
   * When it expires; default: two years after {@link #createdAt}. Either is capped at the
   * configured maximum lifetime from the time of import; one already past imports as EXPIRED.
   *
   * @param expiresAt the expiry time
   * @return this key
   * @throws InvalidArgumentException if {@code expiresAt} is null
   */
  public LegacyKey expiresAt(Instant expiresAt) {
    if (expiresAt == null) throw new InvalidArgumentException("expiresAt", "must not be null");
    this.expiresAt = expiresAt;
    return this;
  }

  /**
   * The lookup part: the key's public prefix (e.g. {@code Ab3dEf9h} of {@code Ab3dEf9h.secret}).
   * May be left out for a {@code sha256:}/{@code sha512:} hash: the key is then found by its
   * digest ({@link LegacyFormat#sha256Digest()}). Unique across all workspaces.
   *
   * @param lookup the lookup part, at most {@value #MAX_LOOKUP_LENGTH} characters
   * @return this key
   * @throws InvalidArgumentException if the lookup part is blank, too long or has control
   *     characters
   */
  public LegacyKey lookup(String lookup) {
    if (lookup == null || lookup.isBlank()) throw new InvalidArgumentException("lookup", "must not be blank");
    if (lookup.length() > MAX_LOOKUP_LENGTH) {
      throw new InvalidArgumentException("lookup", "must be at most " + MAX_LOOKUP_LENGTH + " characters");
    }
    for (int i = 0; i < lookup.length(); i++) {
      if (Character.isISOControl(lookup.charAt(i))) {
        throw new InvalidArgumentException("lookup", "must not contain control characters");
      }
    }
    this.lookup = lookup;
    return this;
  }

  /**
   * The hash the old system stored (formats: docs/architecture.md, "Legacy keys"); replaces
   * a plaintext set earlier.
   *
   * @param hash the stored hash, in one of the supported formats
   * @return this key
   * @throws InvalidArgumentException if the hash is blank (its format is checked by the import)
   */
  public LegacyKey hash(String hash) {
    if (hash == null || hash.isBlank()) throw new InvalidArgumentException("hash", "must not be blank");
    this.hash = hash;
    this.plaintext = null;
    return this;
  }

  /**
   * The key itself, for a system that stored keys in plaintext: hashed at import, never stored;
   * replaces a hash set earlier.
   *
   * @param key the plaintext key, at most {@value #MAX_KEY_LENGTH} characters
   * @return this key
   * @throws InvalidArgumentException if the key is empty or too long
   */
  public LegacyKey plaintext(String key) {
    if (key == null || key.isEmpty()) throw new InvalidArgumentException("plaintext", "must not be empty");
    if (key.length() > MAX_KEY_LENGTH) {
      throw new InvalidArgumentException("plaintext", "must be at most " + MAX_KEY_LENGTH + " characters");
    }
    this.plaintext = key;
    this.hash = null;
    return this;
  }

  /**
   * The workspace the imported token will belong to.
   *
   * @return the workspace
   */
  public String workspace() {
    return workspace;
  }

  /**
   * The token's name.
   *
   * @return the name, or null if not set (the import then refuses the row)
   */
  public @Nullable String name() {
    return name;
  }

  /**
   * The token's description.
   *
   * @return the description; empty if not set
   */
  public String description() {
    return description;
  }

  /**
   * The permissions: name to grant ({@code true}) or deny ({@code false}).
   *
   * @return an unmodifiable view of the permissions
   */
  public Map<String, Boolean> permissions() {
    return Collections.unmodifiableMap(permissions);
  }

  /**
   * The canonical addresses and CIDR ranges the key may be used from.
   *
   * @return an unmodifiable view; empty means any address
   */
  public List<String> allowedIps() {
    return Collections.unmodifiableList(allowedIps);
  }

  /**
   * The token's metadata.
   *
   * @return an unmodifiable view of the metadata
   */
  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /**
   * When the old system issued the key.
   *
   * @return the issue time, or null for the time of import
   */
  public @Nullable Instant createdAt() {
    return createdAt;
  }

  /**
   * Who issued the key in the old system.
   *
   * @return the issuer, or null if not set
   */
  public @Nullable String createdBy() {
    return createdBy;
  }

  /**
   * When the key expires.
   *
   * @return the expiry time, or null for the default
   */
  public @Nullable Instant expiresAt() {
    return expiresAt;
  }

  /**
   * The lookup part by which a presented key finds the imported record.
   *
   * @return the lookup part, or null if not set
   */
  public @Nullable String lookup() {
    return lookup;
  }

  /**
   * The hash the old system stored; secret.
   *
   * @return the hash, or null if none (or a plaintext was set)
   */
  public @Nullable String hash() {
    return hash;
  }

  /**
   * The plaintext key; secret.
   *
   * @return the plaintext, or null if none (or a hash was set)
   */
  public @Nullable String plaintext() {
    return plaintext;
  }

  /** Shows the settings and the lookup part, never the hash or plaintext. */
  @Override
  public String toString() {
    return "LegacyKey[workspace=" + workspace + ", name=" + name + ", lookup=" + lookup
        + ", verifier=" + (plaintext != null ? "plaintext" : hash != null ? "hash" : "none") + "]";
  }
}
