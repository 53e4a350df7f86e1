package io.latchkey;

import io.latchkey.internal.Checks;
import io.latchkey.internal.IpRanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Changes to a token's editable fields, passed to {@link TokenManager#update}. Fields left unset
 * keep their value; the allowlist and the metadata, when set, replace the old ones whole.
 * Permissions have their own methods on {@link TokenManager}. Not thread-safe.
 */
public final class TokenUpdate {
  private @Nullable String name;
  private @Nullable String description;
  private @Nullable List<String> allowedIps;
  private @Nullable Map<String, String> metadata;

  private TokenUpdate() {}

  /**
   * An update that changes nothing yet.
   *
   * @return an update that changes nothing yet
   */
  public static TokenUpdate create() {
    return new TokenUpdate();
  }

  /**
   * Sets a new name (surrounding blanks stripped).
   *
   * @param name not blank, at most 128 characters
   * @return this update
   */
  public TokenUpdate name(String name) {
    this.name = Checks.name(name);
    return this;
  }

  /**
   * Sets a new description.
   *
   * @param description at most 1024 characters
   * @return this update
   */
  public TokenUpdate description(String description) {
    this.description = Checks.description(description);
    return this;
  }

  /**
   * Replaces the allowlist; an empty list allows any address.
   *
   * @param addressesOrCidrs the complete new allowlist; empty allows any address
   * @return this update
   */
  public TokenUpdate allowedIps(List<String> addressesOrCidrs) {
    if (addressesOrCidrs == null) {
      throw new InvalidArgumentException("allowedIps", "must not be null");
    }
    List<String> canonical = new ArrayList<>();
    for (String ip : addressesOrCidrs) {
      String c = IpRanges.canonicalize("allowedIps", ip);
      if (!canonical.contains(c)) canonical.add(c);
    }
    Checks.allowlistSize(canonical.size());
    this.allowedIps = List.copyOf(canonical);
    return this;
  }

  /**
   * Replaces the metadata.
   *
   * @param metadata the complete new metadata
   * @return this update
   */
  public TokenUpdate metadata(Map<String, String> metadata) {
    Map<String, String> checked = Checks.metadata(metadata);
    Checks.metadataCount(checked.size());
    this.metadata = Map.copyOf(checked);
    return this;
  }

  /**
   * The new name, if set.
   *
   * @return the new name, if set, else empty
   */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /**
   * The new description, if set.
   *
   * @return the new description, if set, else empty
   */
  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /**
   * The new allowlist in canonical form, if set.
   *
   * @return the new allowlist in canonical form, if set, else empty
   */
  public Optional<List<String>> allowedIps() {
    return Optional.ofNullable(allowedIps);
  }

  /**
   * The new metadata, if set.
   *
   * @return the new metadata, if set, else empty
   */
  public Optional<Map<String, String>> metadata() {
    return Optional.ofNullable(metadata);
  }

  /**
   * Whether nothing is set.
   *
   * @return true if no field is set
   */
  public boolean isEmpty() {
    return name == null && description == null && allowedIps == null && metadata == null;
  }

  @Override
  public String toString() {
    return "TokenUpdate[name=" + name + ", description=" + description + ", allowedIps="
        + allowedIps + ", metadata=" + metadata + "]";
  }
}
