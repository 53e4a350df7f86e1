package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.MetricsRecorder;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class MeteredTest {

  @Test
  void store_delegatesEveryTokenStoreMethod_defaultsIncluded() {
    Class<?> wrapper = Metered.store(new CountingStore(), MetricsRecorder.NONE).getClass();
    List<String> missing = new ArrayList<>();
    for (Method m : TokenStore.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) continue;
      try {
        wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        missing.add(m.getName());
      }
    }
    assertThat(missing).as("TokenStore methods Metered.store does not delegate").isEmpty();
  }

  @Test
  void store_pingRunsTheStoresOwnCheck_notAFindOnTheWrapper() {
    CountingStore inner = new CountingStore();
    AtomicInteger reads = new AtomicInteger();
    TokenStore metered = Metered.store(inner, new MetricsRecorder() {
      @Override
      public void storeRead(long nanos, boolean failed) {
        reads.incrementAndGet();
      }
    });
    metered.ping();
    assertThat(inner.pings).hasValue(1);
    assertThat(inner.finds).hasValue(0);
    assertThat(reads).as("a health check is not a validator read").hasValue(0);

    inner.down = true;
    assertThatThrownBy(metered::ping).isInstanceOf(StoreUnavailableException.class);
  }

  /** A store with its own ping; find fails so a default ping through find would show. */
  private static final class CountingStore implements TokenStore {
    final AtomicInteger pings = new AtomicInteger();
    final AtomicInteger finds = new AtomicInteger();
    volatile boolean down;

    @Override
    public void ping() {
      pings.incrementAndGet();
      if (down) throw new StoreUnavailableException("down", null);
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      finds.incrementAndGet();
      return Optional.empty();
    }

    @Override
    public boolean insert(TokenRecord record) {
      return false;
    }

    @Override
    public boolean replace(TokenRecord updated, long expectedVersion) {
      return false;
    }

    @Override
    public boolean delete(String id) {
      return false;
    }

    @Override
    public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
      return List.of();
    }

    @Override
    public void applyUsage(Collection<UsageUpdate> updates) {}
  }
}
