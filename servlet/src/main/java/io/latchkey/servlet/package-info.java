/**
 * A Jakarta Servlet 6 {@link io.latchkey.servlet.LatchkeyFilter} that authenticates every request
 * with Latchkey's {@link io.latchkey.RequestAuthenticator} and exposes the token as the request's
 * principal.
 */
@NullMarked
package io.latchkey.servlet;

import org.jspecify.annotations.NullMarked;
