package io.latchkey.servlet;

import io.latchkey.InvalidArgumentException;
import io.latchkey.Token;
import java.security.Principal;

/**
 * The principal of a request that a Latchkey token authenticated: {@link #getName()} is the token
 * id (public, stable across renames), and {@link #token()} the whole token as validated, with its
 * workspace, name and permissions. It holds no secret.
 */
public final class LatchkeyPrincipal implements Principal {
  private final Token token;

  public LatchkeyPrincipal(Token token) {
    if (token == null) throw new InvalidArgumentException("token", "must not be null");
    this.token = token;
  }

  /** The token id. */
  @Override
  public String getName() {
    return token.id().value();
  }

  public Token token() {
    return token;
  }

  public String workspace() {
    return token.workspace();
  }

  /** The token's human name. */
  public String tokenName() {
    return token.name();
  }

  /** Whether the token grants the permission (an explicit deny does not). */
  public boolean granted(String permission) {
    return permission != null && token.granted(permission);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatchkeyPrincipal p && p.token.id().equals(token.id());
  }

  @Override
  public int hashCode() {
    return token.id().hashCode();
  }

  @Override
  public String toString() {
    return "LatchkeyPrincipal[id=" + getName() + ", workspace=" + token.workspace() + ", name="
        + token.name() + "]";
  }
}
