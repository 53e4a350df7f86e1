package io.latchkey.internal;

import io.latchkey.Token;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.TokenListener;
import io.latchkey.TokenState;
import io.latchkey.spi.TokenRecord;
import java.time.Instant;
import java.util.Map;

/** Conversions from stored records to public values, and safe event delivery. */
public final class Records {
  private static final System.Logger LOG = System.getLogger(Records.class.getName());

  private Records() {}

  /** The public view of a record, with its effective state at {@code nowMillis}. */
  public static Token toToken(TokenRecord r, long nowMillis) {
    return toToken(r,
        Transitions.effective(r.state(), r.expiresAt().toEpochMilli(), nowMillis));
  }

  static Token toToken(TokenRecord r, TokenState state) {
    return new Token(new TokenId(r.id()), r.workspace(), r.name(), r.description(), r.hint(),
        state, r.permissions(), r.allowedIps(), r.metadata(), r.createdAt(), r.createdBy(),
        r.updatedAt(), r.expiresAt(), r.lastUsedAt(), r.lastUsedIp(), r.lastUsedIntegration());
  }

  /**
   * The principal a cached entry keeps: the values many tokens have equal copies of are the
   * {@code shared} instances, a token never changed has one instant for created and updated, and
   * the id is {@code id}, the string the cache already holds as the key (equal to the record's,
   * which a store that decodes rows made anew).
   */
  static Token toCachedToken(TokenRecord r, String id, TokenState state, Shared shared) {
    Instant updated = r.updatedAt().equals(r.createdAt()) ? r.createdAt() : r.updatedAt();
    return new Token(new TokenId(id.equals(r.id()) ? id : r.id()), shared.of(r.workspace()),
        r.name(), shared.of(r.description()), r.hint(), state,
        shared.of(Map.copyOf(r.permissions())), shared.of(r.allowedIps()),
        shared.of(Map.copyOf(r.metadata())), r.createdAt(),
        shared.of(r.createdBy()), updated, r.expiresAt(), r.lastUsedAt(), r.lastUsedIp(),
        shared.ofNullable(r.lastUsedIntegration()));
  }

  /** Delivers an event; a listener's exception is logged and swallowed. */
  public static void emit(TokenListener listener, TokenEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING,
          "token listener failed on " + event.type() + " of " + event.tokenId() + ": " + e);
    }
  }
}
