package io.latchkey.internal;

import java.lang.reflect.Field;

/** Test access to a cached entry's parts that the validator keeps private. */
final class Entries {
  private Entries() {}

  /**
   * Zeroes the stored hash an entry keeps (four final longs, set here by reflection), so that a
   * test can show that a later check no longer consults it.
   */
  static void spoilHash(CompiledToken entry) throws ReflectiveOperationException {
    for (String word : new String[] {"h0", "h1", "h2", "h3"}) {
      Field f = CompiledToken.class.getDeclaredField(word);
      f.setAccessible(true);
      f.setLong(entry, 0);
    }
  }
}
