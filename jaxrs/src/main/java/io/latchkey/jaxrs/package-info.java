/**
 * A Jakarta REST 3.1 filter that authenticates requests with Latchkey: {@link
 * io.latchkey.jaxrs.LatchkeyContainerFilter} and the {@link io.latchkey.jaxrs.RequiresPermission}
 * name binding.
 */
@NullMarked
package io.latchkey.jaxrs;

import org.jspecify.annotations.NullMarked;
