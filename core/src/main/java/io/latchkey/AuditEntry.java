package io.latchkey;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the persisted audit trail: a successful change to a token, stored by the token
 * store in the same atomic write as the change itself. Never carries a token's secret or hash.
 *
 * @param id the entry's id: 16 base62 characters that sort by time (the cursor of {@link
 *     AuditPage}); unique
 * @param at when the change was made, to the millisecond
 * @param actor who made it ({@link TokenManager#actor()}; {@code "validator"} for a re-hash)
 * @param workspace the token's workspace
 * @param tokenId the token changed
 * @param action what was done; never {@link TokenEvent.Type#VALIDATION_REJECTED}
 * @param detail a short non-secret description of what changed, e.g. {@code "ACTIVE -> DISABLED"}
 */
public record AuditEntry(
    String id,
    Instant at,
    String actor,
    String workspace,
    TokenId tokenId,
    TokenEvent.Type action,
    String detail) {

  public AuditEntry {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(at, "at == null");
    Objects.requireNonNull(actor, "actor == null");
    Objects.requireNonNull(workspace, "workspace == null");
    Objects.requireNonNull(tokenId, "tokenId == null");
    Objects.requireNonNull(action, "action == null");
    Objects.requireNonNull(detail, "detail == null");
    if (action == TokenEvent.Type.VALIDATION_REJECTED) {
      throw new IllegalArgumentException("a rejected validation is not a change");
    }
  }
}
