/**
 * The {@code latchkey} command: token administration from a shell, and a demo HTTP service guarded
 * by {@link io.latchkey.RequestAuthenticator}. Run {@code java -jar latchkey.jar --help}; the
 * entry point is {@link io.latchkey.cli.Main}. Nothing here is a library API.
 */
@NullMarked
package io.latchkey.cli;

import org.jspecify.annotations.NullMarked;
