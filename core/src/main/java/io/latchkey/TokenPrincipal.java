package io.latchkey;

import java.security.Principal;

/**
 * The principal of a request that a Latchkey token authenticated, the same in every integration
 * (servlet, Spring Security, JAX-RS): {@link #getName()} is the token id (public, stable across
 * renames), and {@link #token()} the whole token as validated, with its workspace, name and
 * permissions. It holds no secret.
 */
public final class TokenPrincipal implements Principal {
  private final Token token;

  public TokenPrincipal(Token token) {
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
    return o instanceof TokenPrincipal p && p.token.id().equals(token.id());
  }

  @Override
  public int hashCode() {
    return token.id().hashCode();
  }

  @Override
  public String toString() {
    return "TokenPrincipal[id=" + getName() + ", workspace=" + token.workspace() + ", name="
        + token.name() + "]";
  }
}
