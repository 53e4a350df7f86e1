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

  /** Starts a key of {@code workspace}. */
  public static LegacyKey in(String workspace) {
    return new LegacyKey(Checks.workspace(workspace));
  }

  public LegacyKey name(String name) {
    this.name = Checks.name(name);
    return this;
  }

  public LegacyKey description(String description) {
    this.description = Checks.description(description);
    return this;
  }

  /** Merges permissions in: name to grant ({@code true}) or explicit deny ({@code false}). */
  public LegacyKey permissions(Map<String, Boolean> permissions) {
    Map<String, Boolean> merged = new LinkedHashMap<>(this.permissions);
    merged.putAll(Checks.permissions(permissions));
    Checks.permissionCount(merged.size());
    this.permissions.putAll(merged);
    return this;
  }

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

  public LegacyKey metadata(Map<String, String> metadata) {
    Map<String, String> merged = new LinkedHashMap<>(this.metadata);
    merged.putAll(Checks.metadata(metadata));
    Checks.metadataCount(merged.size());
    this.metadata.putAll(merged);
    return this;
  }

  /** When the old system issued it; default: the time of import. */
  public LegacyKey createdAt(Instant createdAt) {
    if (createdAt == null) throw new InvalidArgumentException("createdAt", "must not be null");
    this.createdAt = createdAt;
    return this;
  }

  public LegacyKey createdBy(String actor) {
    this.createdBy = Checks.actor("createdBy", actor);
    return this;
  }

  /**
   * When it expires; default: two years after {@link #createdAt}. Either is capped at the
   * configured maximum lifetime from the time of import; one already past imports as EXPIRED.
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

  /** The hash the old system stored (formats: docs/architecture.md, "Legacy keys"). */
  public LegacyKey hash(String hash) {
    if (hash == null || hash.isBlank()) throw new InvalidArgumentException("hash", "must not be blank");
    this.hash = hash;
    this.plaintext = null;
    return this;
  }

  /** The key itself, for a system that stored keys in plaintext: hashed at import, never stored. */
  public LegacyKey plaintext(String key) {
    if (key == null || key.isEmpty()) throw new InvalidArgumentException("plaintext", "must not be empty");
    if (key.length() > MAX_KEY_LENGTH) {
      throw new InvalidArgumentException("plaintext", "must be at most " + MAX_KEY_LENGTH + " characters");
    }
    this.plaintext = key;
    this.hash = null;
    return this;
  }

  public String workspace() {
    return workspace;
  }

  public @Nullable String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public Map<String, Boolean> permissions() {
    return Collections.unmodifiableMap(permissions);
  }

  public List<String> allowedIps() {
    return Collections.unmodifiableList(allowedIps);
  }

  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  public @Nullable Instant createdAt() {
    return createdAt;
  }

  public @Nullable String createdBy() {
    return createdBy;
  }

  public @Nullable Instant expiresAt() {
    return expiresAt;
  }

  public @Nullable String lookup() {
    return lookup;
  }

  public @Nullable String hash() {
    return hash;
  }

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
