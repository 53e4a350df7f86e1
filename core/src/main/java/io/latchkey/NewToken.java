package io.latchkey;

import io.latchkey.internal.Checks;
import io.latchkey.internal.IpRanges;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What to issue: a fluent specification passed to {@link TokenManager#issue}. Each setter checks
 * its argument at once and names the field in the exception (a setter that throws leaves the
 * specification as it was); rules involving the store or the
 * configured lifetimes are checked by {@code issue}. Not thread-safe; reusable.
 *
 * <pre>{@code
 * NewToken.in("workspace-7").name("billing-sync").permission("invoices:read", true)
 *     .allowIp("203.0.113.0/24").createdBy("alice")
 * }</pre>
 */
public final class NewToken {
  private final String workspace;
  private @Nullable String name;
  private String description = "";
  private final Map<String, Boolean> permissions = new LinkedHashMap<>();
  private final List<String> allowedIps = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private @Nullable Duration lifetime;
  private @Nullable Instant expiresAt;
  private @Nullable String createdBy;

  private NewToken(String workspace) {
    this.workspace = workspace;
  }

  /**
   * Starts a token for a workspace.
   *
   * @throws InvalidArgumentException if the workspace id is null, blank or malformed
   * @param workspace the workspace the token belongs to
   * @return a new specification; set at least its name
   */
  public static NewToken in(String workspace) {
    return new NewToken(Checks.workspace(workspace));
  }

  /**
   * Required: a short human name, at most 128 characters.
   *
   * @param name a short label, e.g. the integration it is for
   * @return this specification
   */
  public NewToken name(String name) {
    this.name = Checks.name(name);
    return this;
  }

  /**
   * Optional note, at most 1024 characters.
   *
   * @param description a longer note
   * @return this specification
   */
  public NewToken description(String description) {
    this.description = Checks.description(description);
    return this;
  }

  /**
   * Grants ({@code true}) or explicitly denies ({@code false}) one permission.
   *
   * @param name the permission
   * @param granted true to grant it, false to deny it explicitly
   * @return this specification
   */
  public NewToken permission(String name, boolean granted) {
    Checks.permissionName("permission", name);
    if (!permissions.containsKey(name)) Checks.permissionCount(permissions.size() + 1);
    permissions.put(name, granted);
    return this;
  }

  /**
   * Adds every entry of {@code permissions}.
   *
   * @param permissions permissions to add, each granted or denied
   * @return this specification
   */
  public NewToken permissions(Map<String, Boolean> permissions) {
    Map<String, Boolean> merged = new LinkedHashMap<>(this.permissions);
    merged.putAll(Checks.permissions(permissions));
    Checks.permissionCount(merged.size());
    this.permissions.putAll(merged);
    return this;
  }

  /**
   * Allows an IPv4 or IPv6 address or CIDR range. A range with host bits set (e.g. {@code
   * 10.0.0.7/8}) is refused; once any range is given, requests from other addresses are refused.
   *
   * @param addressOrCidr an IPv4 or IPv6 address or CIDR range
   * @return this specification
   */
  public NewToken allowIp(String addressOrCidr) {
    String canonical = IpRanges.canonicalize("allowIp", addressOrCidr);
    if (!allowedIps.contains(canonical)) {
      Checks.allowlistSize(allowedIps.size() + 1);
      allowedIps.add(canonical);
    }
    return this;
  }

  /**
   * Allows each of the given addresses or ranges.
   *
   * @param addressesOrCidrs IPv4 or IPv6 addresses or CIDR ranges
   * @return this specification
   */
  public NewToken allowIps(List<String> addressesOrCidrs) {
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
   * Sets one metadata entry.
   *
   * @param key the metadata key
   * @param value its value
   * @return this specification
   */
  public NewToken metadata(String key, String value) {
    Checks.metadataEntry(key, value);
    if (!metadata.containsKey(key)) Checks.metadataCount(metadata.size() + 1);
    metadata.put(key, value);
    return this;
  }

  /**
   * Adds every entry of {@code metadata}.
   *
   * @param metadata entries to add
   * @return this specification
   */
  public NewToken metadata(Map<String, String> metadata) {
    Map<String, String> merged = new LinkedHashMap<>(this.metadata);
    merged.putAll(Checks.metadata(metadata));
    Checks.metadataCount(merged.size());
    this.metadata.putAll(merged);
    return this;
  }

  /**
   * Expire this long after issue (instead of the default lifetime). Clears {@link #expiresAt}.
   *
   * @param lifetime the token's lifetime from issue, positive
   * @return this specification
   */
  public NewToken expiresIn(Duration lifetime) {
    if (lifetime == null) throw new InvalidArgumentException("expiresIn", "must not be null");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new InvalidArgumentException("expiresIn", "must be positive, was " + lifetime);
    }
    this.lifetime = lifetime;
    this.expiresAt = null;
    return this;
  }

  /**
   * Expire at this instant (instead of the default lifetime). Clears {@link #expiresIn}.
   *
   * @param expiresAt when the token expires, in the future
   * @return this specification
   */
  public NewToken expiresAt(Instant expiresAt) {
    if (expiresAt == null) throw new InvalidArgumentException("expiresAt", "must not be null");
    this.expiresAt = expiresAt;
    this.lifetime = null;
    return this;
  }

  /**
   * Who issues it, for the record and the audit trail; defaults to the manager's actor.
   *
   * @param actor who the audit trail names as the issuer
   * @return this specification
   */
  public NewToken createdBy(String actor) {
    this.createdBy = Checks.actor("createdBy", actor);
    return this;
  }

  /**
   * The workspace the token will belong to.
   *
   * @return the workspace the token will belong to
   */
  public String workspace() {
    return workspace;
  }

  /**
   * The name, or null until set.
   *
   * @return the name, or null until set
   */
  public @Nullable String name() {
    return name;
  }

  /**
   * The description; empty unless set.
   *
   * @return the description; empty unless set
   */
  public String description() {
    return description;
  }

  /**
   * The permissions so far: granted (true) or denied (false).
   *
   * @return the permissions so far: granted (true) or denied (false)
   */
  public Map<String, Boolean> permissions() {
    return Collections.unmodifiableMap(permissions);
  }

  /**
   * The allowlist so far, in canonical form; empty allows any address.
   *
   * @return the allowlist so far, in canonical form; empty allows any address
   */
  public List<String> allowedIps() {
    return Collections.unmodifiableList(allowedIps);
  }

  /**
   * The metadata so far.
   *
   * @return the metadata so far
   */
  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /**
   * The lifetime set by {@link #expiresIn}, or null.
   *
   * @return the lifetime set by {@link #expiresIn}, or null
   */
  public @Nullable Duration lifetime() {
    return lifetime;
  }

  /**
   * The expiry set by {@link #expiresAt(Instant)}, or null.
   *
   * @return the expiry set by {@link #expiresAt(Instant)}, or null
   */
  public @Nullable Instant expiresAt() {
    return expiresAt;
  }

  /**
   * The issuer set by {@link #createdBy}, or null for the manager's actor.
   *
   * @return the issuer set by {@link #createdBy}, or null for the manager's actor
   */
  public @Nullable String createdBy() {
    return createdBy;
  }

  @Override
  public String toString() {
    return "NewToken[workspace=" + workspace + ", name=" + name + ", permissions=" + permissions
        + ", allowedIps=" + allowedIps + "]";
  }
}
