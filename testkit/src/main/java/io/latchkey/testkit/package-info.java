/**
 * {@link io.latchkey.testkit.TokenStoreCompatibilityKit}: the {@code TokenStore} contract as tests.
 * A store author extends it once, against a real backend.
 */
@NullMarked
package io.latchkey.testkit;

import org.jspecify.annotations.NullMarked;
