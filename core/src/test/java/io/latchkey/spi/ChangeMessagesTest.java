package io.latchkey.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ChangeMessagesTest {

  /** Writes down what it was told. */
  static final class Recording implements ChangeListener {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void tokenChanged(String tokenId) {
      calls.add(tokenId);
    }

    @Override
    public void tokenChanged(String tokenId, long committedAtMillis) {
      calls.add(tokenId + " at " + committedAtMillis);
    }
  }

  @Test
  void encode_deliver_roundTrip() {
    Recording r = new Recording();
    ChangeMessages.deliver(r, ChangeMessages.encode("1AbC0000000000zz", 1_764_000_000_123L));

    assertThat(r.calls).containsExactly("1AbC0000000000zz at 1764000000123");
  }

  @Test
  void deliver_bareIdOfAnOlderWriter_plainChange() {
    Recording r = new Recording();
    ChangeMessages.deliver(r, "1AbC0000000000zz");

    assertThat(r.calls).containsExactly("1AbC0000000000zz");
    assertThat(ChangeMessages.committedAtMillis("1AbC0000000000zz")).isNull();
  }

  @Test
  void deliver_unreadableTime_stillNamesTheToken() {
    Recording r = new Recording();
    ChangeMessages.deliver(r, "1AbC0000000000zz@soon");
    ChangeMessages.deliver(r, "1AbC0000000000zz@");
    ChangeMessages.deliver(r, "1AbC0000000000zz@-5");

    assertThat(r.calls).containsExactly("1AbC0000000000zz", "1AbC0000000000zz",
        "1AbC0000000000zz");
  }

  @Test
  void parts_read() {
    String m = ChangeMessages.encode("1AbC0000000000zz", 42);

    assertThat(ChangeMessages.tokenId(m)).isEqualTo("1AbC0000000000zz");
    assertThat(ChangeMessages.committedAtMillis(m)).isEqualTo(42L);
  }

  @Test
  void defaultTwoArgumentMethod_callsThePlainOne() {
    List<String> ids = new CopyOnWriteArrayList<>();
    ChangeListener plain = ids::add;
    ChangeMessages.deliver(plain, ChangeMessages.encode("1AbC0000000000zz", 42));

    assertThat(ids).containsExactly("1AbC0000000000zz");
  }
}
