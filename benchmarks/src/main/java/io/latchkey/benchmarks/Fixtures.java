package io.latchkey.benchmarks;

import io.latchkey.AuditEntry;
import io.latchkey.HashingKey;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.ValidationRequest;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What every benchmark shares: one kind of token and one kind of request. */
final class Fixtures {
  static final String PREFIX = "acme";
  static final String WORKSPACE = "workspace-7";
  static final String ALLOWED = "203.0.113.0/24";
  static final String CLIENT_IP = "203.0.113.9";
  static final String REQUIRED = "invoices:read";
  /** The pepper of both Latchkey and the floor (fixed, so the JVMs of one run agree). */
  static final byte[] PEPPER = new byte[32];

  static {
    for (int i = 0; i < PEPPER.length; i++) PEPPER[i] = (byte) (31 * i + 7);
  }

  private Fixtures() {}

  static Latchkey.Builder latchkey(TokenStore store) {
    return Latchkey.builder().store(store).tokenPrefix(PREFIX)
        .hashingKey(HashingKey.of("k1", PEPPER));
  }

  static NewToken newToken(int i) {
    return NewToken.in(WORKSPACE).name("bench-" + i)
        .permission(REQUIRED, true)
        .permission("invoices:write", true)
        .permission("admin", false)
        .allowIp(ALLOWED);
  }

  /** The request a host would build for {@code token}: address, workspace, one permission. */
  static ValidationRequest request(String token) {
    return ValidationRequest.of(token).clientIp(CLIENT_IP).workspace(WORKSPACE).require(REQUIRED);
  }

  /** Issues {@code n} tokens and returns their plaintexts. */
  static List<String> issue(TokenManager tokens, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(tokens.issue(newToken(i)).secret());
    return out;
  }

  /** {@code store}, but usage is written nowhere: for heap figures the store's growth would blur. */
  static TokenStore ignoringUsage(TokenStore store) {
    return ignoringUsage(store, false);
  }

  /**
   * As above; {@code decoding}: every record read is made of new objects, as a store that decodes
   * rows (JDBC, Redis) returns it, not of the ones the in-memory store keeps.
   */
  static TokenStore ignoringUsage(TokenStore store, boolean decoding) {
    return new TokenStore() {
      @Override public boolean insert(TokenRecord r) { return store.insert(r); }
      @Override public Optional<TokenRecord> find(String id) {
        Optional<TokenRecord> r = store.find(id);
        return decoding ? r.map(Fixtures::decoded) : r;
      }
      @Override public boolean replace(TokenRecord r, long v) { return store.replace(r, v); }
      @Override public boolean[] replaceEach(List<TokenRecord> r, long[] v,
          @Nullable List<AuditEntry> a) {
        return store.replaceEach(r, v, a);
      }
      @Override public boolean delete(String id) { return store.delete(id); }
      @Override public List<TokenRecord> list(String w, @Nullable String a, int l) {
        return store.list(w, a, l);
      }
      @Override public void applyUsage(Collection<UsageUpdate> u) {}
    };
  }

  /** {@code r} made of new strings, instants, maps and lists with the same values. */
  private static TokenRecord decoded(TokenRecord r) {
    Map<String, Boolean> permissions = new LinkedHashMap<>();
    r.permissions().forEach((k, v) -> permissions.put(fresh(k), v));
    Map<String, String> metadata = new LinkedHashMap<>();
    r.metadata().forEach((k, v) -> metadata.put(fresh(k), fresh(v)));
    return r.toBuilder().id(fresh(r.id())).workspace(fresh(r.workspace()))
        .name(fresh(r.name())).description(fresh(r.description()))
        .hint(fresh(r.hint())).keyId(fresh(r.keyId())).hash(r.hash().clone())
        .permissions(permissions).metadata(metadata)
        .allowedIps(r.allowedIps().stream().map(Fixtures::fresh).toList())
        .createdAt(copy(r.createdAt())).createdBy(fresh(r.createdBy()))
        .updatedAt(copy(r.updatedAt())).expiresAt(copy(r.expiresAt()))
        .lastUsedAt(r.lastUsedAt() == null ? null : copy(r.lastUsedAt())).build();
  }

  /** A new string with a new array (the copy constructor would share the original's). */
  private static String fresh(String s) {
    return new String(s.toCharArray());
  }

  private static Instant copy(Instant t) {
    return Instant.ofEpochSecond(t.getEpochSecond(), t.getNano());
  }
}
