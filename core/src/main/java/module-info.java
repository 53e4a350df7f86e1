/**
 * Latchkey: an embeddable API-token store. {@link io.latchkey} is the API a host calls;
 * {@link io.latchkey.spi} is what a token store implements. The implementation,
 * {@code io.latchkey.internal}, is not exported: it may change in any release.
 */
module io.latchkey {
  requires com.github.benmanes.caffeine;
  // bcrypt, scrypt and Argon2 for imported legacy keys (the JDK has none of them).
  requires org.bouncycastle.provider;
  // Nullness annotations: in the API's signatures, not needed at run time.
  requires static transitive org.jspecify;

  exports io.latchkey;
  exports io.latchkey.spi;
}
