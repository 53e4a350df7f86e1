/** {@link io.latchkey.store.memory.InMemoryTokenStore}: the store for tests, demos and one process. */
@NullMarked
package io.latchkey.store.memory;

import org.jspecify.annotations.NullMarked;
