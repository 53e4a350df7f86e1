/**
 * The {@link io.latchkey.spi.TokenStore} contract as a JUnit 5 kit: {@link
 * io.latchkey.testkit.TokenStoreCompatibilityKit} and its {@link io.latchkey.testkit.MutableClock}.
 */
module io.latchkey.testkit {
  requires transitive io.latchkey;
  requires transitive org.junit.jupiter.api;
  requires org.assertj.core;

  exports io.latchkey.testkit;
  // JUnit instantiates the kit's @Nested classes reflectively.
  opens io.latchkey.testkit to org.junit.platform.commons;
}
