package io.latchkey.sneaky;

/** Must not compile: io.latchkey.internal is not exported. */
public final class Sneaky {
  static final Class<?> HIDDEN = io.latchkey.internal.Checks.class;
}
