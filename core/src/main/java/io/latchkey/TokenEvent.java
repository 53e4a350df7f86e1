package io.latchkey;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the audit trail: a change to a token, or a rejected validation. Never carries a
 * token's secret or its hash.
 *
 * @param type what happened
 * @param at when
 * @param actor who did it ({@link TokenManager#actor()}), or {@code "validator"} for rejections
 * @param tokenId the token concerned; null for a rejection of a malformed token
 * @param workspace the token's workspace; null when unknown
 * @param reason for {@link Type#VALIDATION_REJECTED}, the exact reason; otherwise null
 * @param clientIp for rejections, the client address the request named; otherwise null
 * @param detail a short non-secret description, e.g. {@code "ACTIVE -> DISABLED"}
 */
public record TokenEvent(
    Type type,
    Instant at,
    String actor,
    @Nullable TokenId tokenId,
    @Nullable String workspace,
    @Nullable Reason reason,
    @Nullable String clientIp,
    String detail) {

  /** Kinds of events. */
  public enum Type {
    /** A token was issued. */
    ISSUED,
    /** Its name, description, allowlist or metadata changed. */
    UPDATED,
    /** Its permissions changed. */
    PERMISSIONS_CHANGED,
    /** It was disabled. */
    DISABLED,
    /** It was enabled again. */
    ENABLED,
    /** It was revoked. */
    REVOKED,
    /**
     * Every token of a workspace written before a moment was revoked at once ({@link
     * TokenManager#revokeAll}): the workspace's one entry, whose detail gives the count and the
     * watermark, and whose token id is {@code 0000000000000000} (it concerns no single token).
     * Each token then gets its own {@link #REVOKED} entry when its record is brought in line.
     */
    REVOKED_ALL,
    /** Its record was deleted. */
    DELETED,
    /** It was replaced by a new token; the old one expires after the overlap. */
    ROTATED,
    /** The record was re-hashed with the primary hashing key after a successful validation. */
    REHASHED,
    /** A validation was rejected; the detail names the reason. */
    VALIDATION_REJECTED
  }
}
