/**
 * {@link io.latchkey.store.redis.RedisTokenStore}: a {@link io.latchkey.spi.TokenStore} on Redis
 * through Lettuce, for standalone Redis and Redis Cluster alike.
 *
 * <p>Each record is one Redis hash, read with one {@code HGETALL}; each workspace has a sorted-set
 * index for keyset listing and revoke-all. Every change runs as a Lua script that touches the keys
 * of one cluster slot only and publishes the token id on the store's change channel.
 */
@NullMarked
package io.latchkey.store.redis;

import org.jspecify.annotations.NullMarked;
