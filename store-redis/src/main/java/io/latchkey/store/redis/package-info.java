/**
 * {@link io.latchkey.store.redis.RedisTokenStore}: token records in Redis or Redis Cluster, on
 * Lettuce, with Lua compare-and-set and a pub/sub change feed.
 */
@NullMarked
package io.latchkey.store.redis;

import org.jspecify.annotations.NullMarked;
