package io.latchkey.spi;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a store persists for one token. It holds the keyed hash of the secret, never the secret;
 * {@link #toString()} omits the hash as well.
 *
 * <p>The compact constructor normalises what every backend must round-trip exactly: instants are
 * truncated to milliseconds, maps are sorted copies, lists are copies. A store returns from {@link
 * TokenStore#find} a record equal to the one it was given.
 *
 * @param id the token id (not secret), the primary key
 * @param workspace the workspace the token belongs to
 * @param name a short human name
 * @param description a longer note, possibly empty
 * @param hint a non-secret hint: the prefix and the token's last four characters
 * @param keyId the id of the hashing key that produced {@code hash}, or {@code legacy:<algorithm>}
 *     for an imported key not yet used (see docs/architecture.md, "Legacy keys")
 * @param hash HMAC-SHA256 of the token's id and secret (32 bytes); for an imported key, the HMAC
 *     of the whole key, or until its first use its legacy hash as text (at most 512 bytes)
 * @param state the stored state
 * @param permissions permission name to grant ({@code true}) or explicit deny ({@code false})
 * @param allowedIps canonical IP addresses and CIDR ranges; empty allows any address
 * @param metadata free-form string metadata
 * @param createdAt when it was issued
 * @param createdBy who issued it
 * @param updatedAt when it last changed (usage aside)
 * @param expiresAt when it expires
 * @param lifetime the lifetime the token was issued with, kept when a rotation shortens {@code
 *     expiresAt} to the end of its overlap, so that a replacement gets the original lifetime again
 *     (not what is left of the overlap). Milliseconds; when not given (null, e.g. a row written
 *     before stores kept it) it is {@code expiresAt - createdAt}
 * @param lastUsedAt when it was last validated successfully, or null
 * @param lastUsedIp the client address of that validation, or null
 * @param lastUsedIntegration the integration name of that validation, or null
 * @param version incremented by every replace; the compare-and-set token
 * @param importedAt for an imported legacy key, when the import wrote it; null for a token Latchkey
 *     issued, whose id carries that time. Never changes. Revocation watermarks compare it (see
 *     {@link RevocationWatermarks#writtenAt})
 */
public record TokenRecord(
    String id,
    String workspace,
    String name,
    String description,
    String hint,
    String keyId,
    byte[] hash,
    StoredState state,
    Map<String, Boolean> permissions,
    List<String> allowedIps,
    Map<String, String> metadata,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    Instant expiresAt,
    Duration lifetime,
    @Nullable Instant lastUsedAt,
    @Nullable String lastUsedIp,
    @Nullable String lastUsedIntegration,
    long version,
    @Nullable Instant importedAt) {

  /**
   * Checks the required components, copies the collections and the hash, and truncates times to
   * milliseconds, as every store keeps them.
   *
   * @throws NullPointerException naming the first required component that is null
   * @param id the token id (not secret), the primary key
   * @param workspace the workspace the token belongs to
   * @param name a short human name
   * @param description a longer note, possibly empty
   * @param hint a non-secret hint: the prefix and the token's last four characters
   * @param keyId the id of the hashing key that produced {@code hash}
   * @param hash HMAC-SHA256 of the token's id and secret (32 bytes)
   * @param state the stored state
   * @param permissions permission name to grant ({@code true}) or explicit deny ({@code false})
   * @param allowedIps canonical IP addresses and CIDR ranges; empty allows any address
   * @param metadata free-form string metadata
   * @param createdAt when it was issued
   * @param createdBy who issued it
   * @param updatedAt when it last changed (usage aside)
   * @param expiresAt when it expires
   * @param lifetime the lifetime the token was issued with, kept when a rotation shortens {@code
   *         expiresAt} to the end of its overlap, so that a replacement gets the original lifetime again
   *         (not what is left of the overlap). Milliseconds; when not given (null, e.g. a row written
   *         before stores kept it) it is {@code expiresAt - createdAt}
   * @param lastUsedAt when it was last validated successfully, or null
   * @param lastUsedIp the client address of that validation, or null
   * @param lastUsedIntegration the integration name of that validation, or null
   * @param version incremented by every replace; the compare-and-set token
   * @param importedAt for an imported legacy key, when the import wrote it; null otherwise
   */
  public TokenRecord {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(workspace, "workspace == null");
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(description, "description == null");
    Objects.requireNonNull(hint, "hint == null");
    Objects.requireNonNull(keyId, "keyId == null");
    Objects.requireNonNull(hash, "hash == null");
    Objects.requireNonNull(state, "state == null");
    Objects.requireNonNull(createdBy, "createdBy == null");
    hash = hash.clone();
    permissions = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(permissions, "permissions == null")));
    allowedIps = List.copyOf(Objects.requireNonNull(allowedIps, "allowedIps == null"));
    metadata = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(metadata, "metadata == null")));
    createdAt = Objects.requireNonNull(createdAt, "createdAt == null").truncatedTo(ChronoUnit.MILLIS);
    updatedAt = Objects.requireNonNull(updatedAt, "updatedAt == null").truncatedTo(ChronoUnit.MILLIS);
    expiresAt = Objects.requireNonNull(expiresAt, "expiresAt == null").truncatedTo(ChronoUnit.MILLIS);
    lastUsedAt = lastUsedAt == null ? null : lastUsedAt.truncatedTo(ChronoUnit.MILLIS);
    importedAt = importedAt == null ? null : importedAt.truncatedTo(ChronoUnit.MILLIS);
    lifetime = (lifetime == null ? Duration.between(createdAt, expiresAt) : lifetime)
        .truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Returns a copy of the hash.
   *
   * @return a copy of the keyed hash, so that no caller can change the record
   */
  @Override
  public byte[] hash() {
    return hash.clone();
  }

  /**
   * Returns a builder that starts from this record.
   *
   * @return a builder holding this record's values
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns an empty builder.
   *
   * @return a builder with no values set
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) return true;
    if (!(o instanceof TokenRecord r)) return false;
    return version == r.version
        && id.equals(r.id)
        && workspace.equals(r.workspace)
        && name.equals(r.name)
        && description.equals(r.description)
        && hint.equals(r.hint)
        && keyId.equals(r.keyId)
        && Arrays.equals(hash, r.hash)
        && state == r.state
        && permissions.equals(r.permissions)
        && allowedIps.equals(r.allowedIps)
        && metadata.equals(r.metadata)
        && createdAt.equals(r.createdAt)
        && createdBy.equals(r.createdBy)
        && updatedAt.equals(r.updatedAt)
        && expiresAt.equals(r.expiresAt)
        && lifetime.equals(r.lifetime)
        && Objects.equals(lastUsedAt, r.lastUsedAt)
        && Objects.equals(lastUsedIp, r.lastUsedIp)
        && Objects.equals(lastUsedIntegration, r.lastUsedIntegration)
        && Objects.equals(importedAt, r.importedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, version, state);
  }

  /** Shows everything but the hash. */
  @Override
  public String toString() {
    return "TokenRecord[id=" + id
        + ", workspace=" + workspace
        + ", name=" + name
        + ", hint=" + hint
        + ", keyId=" + keyId
        + ", state=" + state
        + ", permissions=" + permissions
        + ", allowedIps=" + allowedIps
        + ", metadata=" + metadata
        + ", createdAt=" + createdAt
        + ", createdBy=" + createdBy
        + ", updatedAt=" + updatedAt
        + ", expiresAt=" + expiresAt
        + ", lifetime=" + lifetime
        + ", lastUsedAt=" + lastUsedAt
        + ", lastUsedIp=" + lastUsedIp
        + ", lastUsedIntegration=" + lastUsedIntegration
        + ", version=" + version
        + (importedAt == null ? "" : ", importedAt=" + importedAt)
        + "]";
  }

  /** Builds a {@link TokenRecord}; not thread-safe. */
  public static final class Builder {
    private @Nullable String id;
    private @Nullable String workspace;
    private String name = "";
    private String description = "";
    private @Nullable String hint;
    private @Nullable String keyId;
    private byte @Nullable [] hash;
    private StoredState state = StoredState.ACTIVE;
    private Map<String, Boolean> permissions = Map.of();
    private List<String> allowedIps = List.of();
    private Map<String, String> metadata = Map.of();
    private @Nullable Instant createdAt;
    private @Nullable String createdBy;
    private @Nullable Instant updatedAt;
    private @Nullable Instant expiresAt;
    private @Nullable Duration lifetime;
    private @Nullable Instant lastUsedAt;
    private @Nullable String lastUsedIp;
    private @Nullable String lastUsedIntegration;
    private long version;
    private @Nullable Instant importedAt;

    private Builder() {}

    private Builder(TokenRecord r) {
      id = r.id;
      workspace = r.workspace;
      name = r.name;
      description = r.description;
      hint = r.hint;
      keyId = r.keyId;
      hash = r.hash;
      state = r.state;
      permissions = r.permissions;
      allowedIps = r.allowedIps;
      metadata = r.metadata;
      createdAt = r.createdAt;
      createdBy = r.createdBy;
      updatedAt = r.updatedAt;
      expiresAt = r.expiresAt;
      lifetime = r.lifetime;
      lastUsedAt = r.lastUsedAt;
      lastUsedIp = r.lastUsedIp;
      lastUsedIntegration = r.lastUsedIntegration;
      version = r.version;
      importedAt = r.importedAt;
    }

    /**
     * Sets {@link TokenRecord#id()}.
     *
     * @param id the value
     * @return this builder
     */
    public Builder id(String id) { this.id = id; return this; }
    /**
     * Sets {@link TokenRecord#workspace()}.
     *
     * @param workspace the value
     * @return this builder
     */
    public Builder workspace(String workspace) { this.workspace = workspace; return this; }
    /**
     * Sets {@link TokenRecord#name()}.
     *
     * @param name the value
     * @return this builder
     */
    public Builder name(String name) { this.name = name; return this; }
    /**
     * Sets {@link TokenRecord#description()}.
     *
     * @param description the value
     * @return this builder
     */
    public Builder description(String description) { this.description = description; return this; }
    /**
     * Sets {@link TokenRecord#hint()}.
     *
     * @param hint the value
     * @return this builder
     */
    public Builder hint(String hint) { this.hint = hint; return this; }
    /**
     * Sets {@link TokenRecord#keyId()}.
     *
     * @param keyId the value
     * @return this builder
     */
    public Builder keyId(String keyId) { this.keyId = keyId; return this; }
    /**
     * Sets {@link TokenRecord#hash()}.
     *
     * @param hash the value
     * @return this builder
     */
    public Builder hash(byte[] hash) { this.hash = hash; return this; }
    /**
     * Sets {@link TokenRecord#state()}.
     *
     * @param state the value
     * @return this builder
     */
    public Builder state(StoredState state) { this.state = state; return this; }
    /**
     * Sets {@link TokenRecord#permissions()}.
     *
     * @param permissions the value
     * @return this builder
     */
    public Builder permissions(Map<String, Boolean> permissions) { this.permissions = permissions; return this; }
    /**
     * Sets {@link TokenRecord#allowedIps()}.
     *
     * @param allowedIps the value
     * @return this builder
     */
    public Builder allowedIps(List<String> allowedIps) { this.allowedIps = allowedIps; return this; }
    /**
     * Sets {@link TokenRecord#metadata()}.
     *
     * @param metadata the value
     * @return this builder
     */
    public Builder metadata(Map<String, String> metadata) { this.metadata = metadata; return this; }
    /**
     * Sets {@link TokenRecord#createdAt()}.
     *
     * @param createdAt the value
     * @return this builder
     */
    public Builder createdAt(Instant createdAt) { this.createdAt = createdAt; return this; }
    /**
     * Sets {@link TokenRecord#createdBy()}.
     *
     * @param createdBy the value
     * @return this builder
     */
    public Builder createdBy(String createdBy) { this.createdBy = createdBy; return this; }
    /**
     * Sets {@link TokenRecord#updatedAt()}.
     *
     * @param updatedAt the value
     * @return this builder
     */
    public Builder updatedAt(Instant updatedAt) { this.updatedAt = updatedAt; return this; }
    /**
     * Sets {@link TokenRecord#expiresAt()}.
     *
     * @param expiresAt the value
     * @return this builder
     */
    public Builder expiresAt(Instant expiresAt) { this.expiresAt = expiresAt; return this; }
    /**
     * The lifetime issued with; null (the default) derives it from createdAt and expiresAt.
     *
     * @param lifetime the lifetime, or null
     * @return this builder
     */
    public Builder lifetime(@Nullable Duration lifetime) { this.lifetime = lifetime; return this; }
    /**
     * Sets {@link TokenRecord#lastUsedAt()}.
     *
     * @param lastUsedAt the value
     * @return this builder
     */
    public Builder lastUsedAt(@Nullable Instant lastUsedAt) { this.lastUsedAt = lastUsedAt; return this; }
    /**
     * Sets {@link TokenRecord#lastUsedIp()}.
     *
     * @param lastUsedIp the value
     * @return this builder
     */
    public Builder lastUsedIp(@Nullable String lastUsedIp) { this.lastUsedIp = lastUsedIp; return this; }
    /**
     * Sets {@link TokenRecord#lastUsedIntegration()}.
     *
     * @param lastUsedIntegration the value
     * @return this builder
     */
    public Builder lastUsedIntegration(@Nullable String lastUsedIntegration) { this.lastUsedIntegration = lastUsedIntegration; return this; }
    /**
     * Sets {@link TokenRecord#version()}.
     *
     * @param version the value
     * @return this builder
     */
    public Builder version(long version) { this.version = version; return this; }
    /**
     * Sets {@link TokenRecord#importedAt()}.
     *
     * @param importedAt the value, or null (a token Latchkey issued)
     * @return this builder
     */
    public Builder importedAt(@Nullable Instant importedAt) { this.importedAt = importedAt; return this; }

    /**
     * Builds the record.
     *
     * @throws NullPointerException naming the first required field that was not set
     * @return the record
     */
    @SuppressWarnings("NullAway")
    public TokenRecord build() {
      return new TokenRecord(id, workspace, name, description, hint, keyId, hash, state,
          permissions, allowedIps, metadata, createdAt, createdBy, updatedAt, expiresAt, lifetime,
          lastUsedAt, lastUsedIp, lastUsedIntegration, version, importedAt);
    }
  }
}
