package io.latchkey;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A token as users see it: in listings, from {@link TokenManager#find}, and as the principal of a
 * valid {@link ValidationResult}. It holds no secret and no hash, only a {@link #hint()}.
 *
 * @param id the public id
 * @param workspace the workspace it belongs to
 * @param name a short human name
 * @param description a longer note, possibly empty
 * @param hint the prefix and the token's last four characters, e.g. {@code acme_...x7Qa}
 * @param state the effective state at the time this value was made
 * @param permissions permission name to grant ({@code true}) or explicit deny ({@code false})
 * @param allowedIps the IP addresses and CIDR ranges it may be used from; empty allows any
 * @param metadata free-form string metadata of the host's
 * @param createdAt when it was issued
 * @param createdBy who issued it
 * @param updatedAt when it last changed
 * @param expiresAt when it expires
 * @param lastUsedAt when it was last validated successfully, as far as flushed usage tells
 * @param lastUsedIp the client address of that validation
 * @param lastUsedIntegration the integration name of that validation
 */
public record Token(
    TokenId id,
    String workspace,
    String name,
    String description,
    String hint,
    TokenState state,
    Map<String, Boolean> permissions,
    List<String> allowedIps,
    Map<String, String> metadata,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    Instant expiresAt,
    @Nullable Instant lastUsedAt,
    @Nullable String lastUsedIp,
    @Nullable String lastUsedIntegration) {

  /**
   * Copies the collections.
   *
   * @param id the public id
   * @param workspace the workspace it belongs to
   * @param name a short human name
   * @param description a longer note, possibly empty
   * @param hint the prefix and the token's last four characters, e.g. {@code acme_...x7Qa}
   * @param state the effective state at the time this value was made
   * @param permissions permission name to grant ({@code true}) or explicit deny ({@code false})
   * @param allowedIps the IP addresses and CIDR ranges it may be used from; empty allows any
   * @param metadata free-form string metadata of the host's
   * @param createdAt when it was issued
   * @param createdBy who issued it
   * @param updatedAt when it last changed
   * @param expiresAt when it expires
   * @param lastUsedAt when it was last validated successfully, as far as flushed usage tells
   * @param lastUsedIp the client address of that validation
   * @param lastUsedIntegration the integration name of that validation
   */
  public Token {
    permissions = Map.copyOf(permissions);
    allowedIps = List.copyOf(allowedIps);
    metadata = Map.copyOf(metadata);
  }

  /**
   * Whether the permission is granted: present and {@code true}. An explicit deny is not.
   *
   * @param permission the permission name
   * @return true if it is granted (not absent, not denied)
   */
  public boolean granted(String permission) {
    return Boolean.TRUE.equals(permissions.get(permission));
  }

  /**
   * The names of the permissions that are granted.
   *
   * @return the names of the granted permissions
   */
  public Set<String> grantedPermissions() {
    return permissions.entrySet().stream()
        .filter(Map.Entry::getValue)
        .map(Map.Entry::getKey)
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }
}
