package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.latchkey.store.memory.InMemoryTokenStore;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The indicator reports {@link io.latchkey.Latchkey#health()}: store ping and feed state. */
class LatchkeyHealthIndicatorTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
          LatchkeyHealthAutoConfiguration.class))
      .withPropertyValues(SecurityHttpTestBase.HASHING_KEY);

  @Test
  void memoryStore_upWithFeedSubscribed() {
    runner.withPropertyValues("latchkey.store=memory").run(context -> {
      Health h = context.getBean(LatchkeyHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("store", "InMemoryTokenStore")
          .containsEntry("storeReachable", true).containsEntry("feed", "SUBSCRIBED");
    });
  }

  @Test
  void storeWithoutFeed_upWithFeedNone_thenPingFails_down() {
    PingableStore store = new PingableStore();
    runner.withBean(TokenStore.class, () -> store).run(context -> {
      LatchkeyHealthIndicator indicator = context.getBean(LatchkeyHealthIndicator.class);
      Health up = indicator.health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("storeReachable", true)
          .containsEntry("feed", "NONE");

      // Reads still answer; only the store's own liveness check fails. The indicator asks that.
      store.pingFails = true;
      Health down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsEntry("storeReachable", false)
          .containsEntry("feed", "NONE").doesNotContainKey("error");
    });
  }

  /** A store without a change feed whose {@link #ping()} can be made to fail. */
  static final class PingableStore implements TokenStore {
    private final InMemoryTokenStore delegate = new InMemoryTokenStore();
    volatile boolean pingFails;

    @Override
    public void ping() {
      if (pingFails) throw new StoreUnavailableException("ping refused", null);
    }

    @Override
    public boolean insert(TokenRecord record) {
      return delegate.insert(record);
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      return delegate.find(id);
    }

    @Override
    public boolean replace(TokenRecord updated, long expectedVersion) {
      return delegate.replace(updated, expectedVersion);
    }

    @Override
    public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
        @Nullable List<io.latchkey.AuditEntry> audits) {
      return delegate.replaceEach(updated, expectedVersions, audits);
    }

    @Override
    public boolean delete(String id) {
      return delegate.delete(id);
    }

    @Override
    public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
      return delegate.list(workspace, afterId, limit);
    }

    @Override
    public void applyUsage(Collection<UsageUpdate> updates) {
      delegate.applyUsage(updates);
    }
  }
}
