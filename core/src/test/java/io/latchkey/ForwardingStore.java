package io.latchkey;

import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A store that passes everything to another; tests override what they watch. */
public class ForwardingStore implements TokenStore {
  private final TokenStore inner;

  public ForwardingStore(TokenStore inner) {
    this.inner = inner;
  }

  @Override
  public boolean insert(TokenRecord record) {
    return inner.insert(record);
  }

  @Override
  public Optional<TokenRecord> find(String id) {
    return inner.find(id);
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    return inner.replace(updated, expectedVersion);
  }

  @Override
  public boolean[] replaceEach(java.util.List<TokenRecord> updated, long[] expectedVersions,
      java.util.@org.jspecify.annotations.Nullable List<io.latchkey.AuditEntry> audits) {
    return inner.replaceEach(updated, expectedVersions, audits);
  }

  @Override
  public boolean delete(String id) {
    return inner.delete(id);
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    return inner.list(workspace, afterId, limit);
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    inner.applyUsage(updates);
  }

  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    return inner.subscribe(listener);
  }
}
