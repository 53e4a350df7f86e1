/**
 * {@link io.latchkey.store.jdbc.JdbcTokenStore}: token records in PostgreSQL (production, with a
 * LISTEN/NOTIFY change feed) or H2 (the embedded default), on Jdbi and HikariCP.
 */
@NullMarked
package io.latchkey.store.jdbc;

import org.jspecify.annotations.NullMarked;
