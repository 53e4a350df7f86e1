package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.Harness;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.ValidationRequest;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Point 5 and 6 of the security review: the hasher keeps no id or secret after a call, and a fresh
 * thread per request (a virtual thread, in hosts that run one per request) costs no scratch state.
 */
class HasherMemoryTest {
  static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void afterHashing_noBufferReachableFromTheHasherHoldsTheIdOrSecret() throws Exception {
    TokenFormat format = new TokenFormat("lk");
    Hasher hasher = new Hasher(List.of(Harness.K1, Harness.K2), 1);
    String token = format.assemble(TokenFormat.newId(1_000L, RANDOM, hasher),
        TokenFormat.newSecret(RANDOM));
    byte[] hash = hasher.hashPrimary(token, format.idOffset());
    assertThat(hasher.matches(0, hash, token, format.idOffset())).isTrue();
    assertThat(hasher.matches(1, hash, token, format.idOffset())).isFalse();
    hasher.tagMatches(token, format.idOffset());

    byte[] secret = token.substring(format.idOffset() + TokenFormat.ID_LENGTH,
        format.idOffset() + TokenFormat.BODY_LENGTH).getBytes(StandardCharsets.US_ASCII);
    List<byte[]> arrays = reachableByteArrays(hasher);
    assertThat(arrays).as("the walk reached the hasher's buffers").hasSizeGreaterThan(4);
    for (byte[] a : arrays) {
      assertThat(indexOf(a, Arrays16.slice(secret, 0, 16))).as("a buffer holds the secret")
          .isEqualTo(-1);
    }
  }

  /** Byte arrays reachable through fields of our own classes, ThreadLocals read on this thread. */
  static List<byte[]> reachableByteArrays(Object root) throws IllegalAccessException {
    List<byte[]> out = new ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Object> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      Object o = todo.remove(todo.size() - 1);
      if (o == null || !seen.add(o)) continue;
      Class<?> c = o.getClass();
      if (o instanceof byte[]) {
        out.add((byte[]) o);
      } else if (c.isArray() && !c.getComponentType().isPrimitive()) {
        for (int i = 0; i < Array.getLength(o); i++) todo.add(Array.get(o, i));
      } else if (o instanceof ThreadLocal) {
        todo.add(((ThreadLocal<?>) o).get());
      } else if (c.getName().startsWith("io.latchkey")) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
          for (Field f : k.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
            f.setAccessible(true);
            todo.add(f.get(o));
          }
        }
      }
    }
    return out;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  static final class Arrays16 {
    static byte[] slice(byte[] a, int from, int len) {
      return java.util.Arrays.copyOfRange(a, from, from + len);
    }
  }

  @Test
  void cachedValidation_onAFreshThreadPerRequest_allocatesNoScratchState() throws Exception {
    try (Harness h = Harness.create()) {
      IssuedToken t = h.issue(NewToken.in("ws").name("t").allowIp("2001:db8::/32")
          .permission("read", true));
      ValidationRequest request = ValidationRequest.of(t.secret()).clientIp("2001:db8::7")
          .require("read");
      for (int i = 0; i < 50_000; i++) {
        if (!h.validator().validate(request).isValid()) throw new AssertionError("invalid");
      }
      long platform = medianAllocatedOnFreshThreads(h.latchkey, request, false);
      // The cached path allocates at most the id it extracts (a String); a digest with its
      // buffers and a ThreadLocal map, as a per-thread cache makes them, cost about 900 bytes.
      assertThat(platform).as("bytes allocated by a validation on a fresh platform thread")
          .isLessThan(200);
      if (Runtime.version().feature() >= 21) {
        long virtual = medianAllocatedOnFreshThreads(h.latchkey, request, true);
        assertThat(virtual).as("bytes allocated by a validation on a fresh virtual thread")
            .isLessThan(200);
      }
    }
  }

  static long medianAllocatedOnFreshThreads(Latchkey l, ValidationRequest request, boolean virtual)
      throws Exception {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<Long> samples = new ArrayList<>();
    for (int i = 0; i < 41; i++) {
      AtomicLong allocated = new AtomicLong();
      Runnable task = () -> {
        long base0 = mx.getCurrentThreadAllocatedBytes();
        long base1 = mx.getCurrentThreadAllocatedBytes();
        l.validator().validate(request);
        long after = mx.getCurrentThreadAllocatedBytes();
        allocated.set(after - base1 - (base1 - base0));
      };
      Thread thread = virtual ? startVirtual(task) : new Thread(task);
      if (!virtual) thread.start();
      thread.join();
      samples.add(allocated.get());
    }
    Collections.sort(samples);
    return samples.get(samples.size() / 2);
  }

  static Thread startVirtual(Runnable task) throws Exception {
    return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
  }
}
