package io.latchkey.spring;

import io.latchkey.Token;
import io.latchkey.TokenPrincipal;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by a Latchkey token: the principal is a {@link TokenPrincipal} (token
 * id, workspace, name; no secret), the authorities are the permissions the token grants, so {@code
 * hasAuthority("invoices:read")} and {@code @PreAuthorize} work. An explicit deny is never an
 * authority. {@link #getName()} is the token id.
 */
public final class LatchkeyAuthentication extends AbstractAuthenticationToken {
  private static final long serialVersionUID = 1L;

  /** The token's identity (id, workspace, name): part of the serialized form, never a secret. */
  private final TokenPrincipal principal;

  /**
   * An authenticated request for a token that validated.
   *
   * @param token the token as validated; its granted permissions become the authorities
   */
  public LatchkeyAuthentication(Token token) {
    super(authorities(token));
    this.principal = new TokenPrincipal(token);
    setAuthenticated(true);
  }

  private static List<GrantedAuthority> authorities(Token token) {
    return token.grantedPermissions().stream().sorted()
        .<GrantedAuthority>map(SimpleGrantedAuthority::new).toList();
  }

  /**
   * The token's identity, without its secret.
   *
   * @return the principal: token id, workspace and name
   */
  @Override
  public TokenPrincipal getPrincipal() {
    return principal;
  }

  /** Always null: the token's secret is not kept after validation. */
  @Override
  public Object getCredentials() {
    return null;
  }

  @Override
  public String getName() {
    return principal.getName();
  }

  /**
   * The token as validated.
   *
   * @return the token, with its permissions, workspace and metadata
   */
  public Token token() {
    return principal.token();
  }
}
