/**
 * The service-provider interface that a storage backend implements.
 *
 * <p>A {@link io.latchkey.spi.TokenStore} persists {@link io.latchkey.spi.TokenRecord}s and knows
 * nothing of states, hashing or validation: those live in {@code latchkey-core} only, so that every
 * backend behaves the same. The contract is stated by {@code TokenStoreCompatibilityKit} in the
 * {@code latchkey-testkit} module; a store is correct when its subclass of that kit passes.
 */
@NullMarked
package io.latchkey.spi;

import org.jspecify.annotations.NullMarked;
