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

  /** An update that changes nothing yet. */
  public static TokenUpdate create() {
    return new TokenUpdate();
  }

  public TokenUpdate name(String name) {
    this.name = Checks.name(name);
    return this;
  }

  public TokenUpdate description(String description) {
    this.description = Checks.description(description);
    return this;
  }

  /** Replaces the allowlist; an empty list allows any address. */
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

  /** Replaces the metadata. */
  public TokenUpdate metadata(Map<String, String> metadata) {
    Map<String, String> checked = Checks.metadata(metadata);
    Checks.metadataCount(checked.size());
    this.metadata = Map.copyOf(checked);
    return this;
  }

  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  public Optional<List<String>> allowedIps() {
    return Optional.ofNullable(allowedIps);
  }

  public Optional<Map<String, String>> metadata() {
    return Optional.ofNullable(metadata);
  }

  /** Whether nothing is set. */
  public boolean isEmpty() {
    return name == null && description == null && allowedIps == null && metadata == null;
  }

  @Override
  public String toString() {
    return "TokenUpdate[name=" + name + ", description=" + description + ", allowedIps="
        + allowedIps + ", metadata=" + metadata + "]";
  }
}
