/**
 * Latchkey's implementation. Not part of the public API: these classes may change at any time and
 * are not supported for use outside Latchkey.
 */
@NullMarked
package io.latchkey.internal;

import org.jspecify.annotations.NullMarked;
