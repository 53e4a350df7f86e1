package io.latchkey.internal;

import java.lang.reflect.Field;
import java.util.Arrays;

/** Test access to a cached entry's parts that the validator keeps private. */
final class Entries {
  private Entries() {}

  /**
   * Zeroes the stored hash an entry keeps (a private array, reached here by reflection), so that a
   * test can show that a later check no longer consults it.
   */
  static void spoilHash(CompiledToken entry) throws ReflectiveOperationException {
    Field f = CompiledToken.class.getDeclaredField("hash");
    f.setAccessible(true);
    Arrays.fill((byte[]) f.get(entry), (byte) 0);
  }
}
