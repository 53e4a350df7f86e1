/**
 * Latchkey's public API: build a {@link io.latchkey.Latchkey} over a {@link
 * io.latchkey.spi.TokenStore}, manage tokens with its {@link io.latchkey.TokenManager} and check
 * requests with its {@link io.latchkey.TokenValidator}.
 */
@NullMarked
package io.latchkey;

import org.jspecify.annotations.NullMarked;
