package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.ForwardingStore;
import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.MapTokenStore;
import io.latchkey.NewToken;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.TokenRecord;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store client with one I/O thread (as Lettuce has) delivers a change notification for an id
 * while a validation is loading that id and waiting for the same thread. The validator must not
 * block that thread on the load, or the load never completes.
 */
class FeedDuringLoadTest {

  /** Each find first has the "I/O thread" deliver a notification for the id, then reads. */
  private static final class OneIoThreadStore extends ForwardingStore {
    final MapTokenStore backing;
    final ExecutorService io = Executors.newSingleThreadExecutor();

    OneIoThreadStore(MapTokenStore backing) {
      super(backing);
      this.backing = backing;
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      try {
        io.submit(() -> backing.publish(id)).get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new StoreUnavailableException("I/O thread stuck delivering a notification", e);
      }
      return super.find(id);
    }
  }

  @Test
  @Timeout(30)
  void validate_notificationForTheSameIdDuringLoad_doesNotDeadlock() {
    OneIoThreadStore store = new OneIoThreadStore(new MapTokenStore(true));
    try (Latchkey latchkey = Latchkey.builder().store(store)
        .hashingKey(HashingKey.generate("k1")).build()) {
      IssuedToken t = latchkey.tokens().issue(NewToken.in("ws").name("n"));
      for (int i = 0; i < 5; i++) {
        latchkey.invalidateCache();
        assertThat(latchkey.validator().validate(t.secret()).reasonOrNull())
            .as("attempt %s", i).isNull();
      }
    } finally {
      store.io.shutdownNow();
    }
  }
}
