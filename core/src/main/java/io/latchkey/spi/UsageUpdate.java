package io.latchkey.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The latest use of one token, as buffered by the validator and written in batches through {@link
 * TokenStore#applyUsage}. A store applies it only if {@code usedAt} is later than the record's
 * {@code lastUsedAt}: last-used time never moves backwards.
 *
 * @param tokenId the token's id
 * @param usedAt when it was used, truncated to milliseconds
 * @param clientIp the client address in canonical form, or null when the request named none
 * @param integration the calling integration's name, or null when the request named none
 */
public record UsageUpdate(
    String tokenId, Instant usedAt, @Nullable String clientIp, @Nullable String integration) {

  /**
   * Checks the required components and truncates {@code usedAt} to milliseconds, as stores keep it.
   *
   * @throws NullPointerException if {@code tokenId} or {@code usedAt} is null
   * @param tokenId the token's id
   * @param usedAt when it was used, truncated to milliseconds
   * @param clientIp the client address in canonical form, or null when the request named none
   * @param integration the calling integration's name, or null when the request named none
   */
  public UsageUpdate {
    Objects.requireNonNull(tokenId, "tokenId == null");
    Objects.requireNonNull(usedAt, "usedAt == null");
    usedAt = usedAt.truncatedTo(ChronoUnit.MILLIS);
  }
}
