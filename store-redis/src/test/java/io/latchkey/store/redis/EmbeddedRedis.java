package io.latchkey.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import redis.embedded.RedisServer;

/**
 * Real Redis processes for the tests, from the redis-server binary that embedded-redis ships: one
 * standalone server and one three-master cluster per JVM, on free loopback ports, stopped when
 * the JVM exits. The cluster is formed by hand (CLUSTER MEET, ADDSLOTSRANGE) as redis-cli would.
 */
final class EmbeddedRedis {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static RedisServer standalone;
  private static int standalonePort;
  private static List<Integer> clusterPorts;

  private EmbeddedRedis() {}

  static synchronized String standaloneUri() {
    if (standalone == null) {
      standalonePort = freePort();
      standalone = server(standalonePort, false);
      RedisServer s = standalone;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(s)));
    }
    return "redis://127.0.0.1:" + standalonePort;
  }

  static synchronized String clusterUri() {
    if (clusterPorts == null) {
      List<Integer> ports = List.of(freePort(), freePort(), freePort());
      List<RedisServer> nodes = new ArrayList<>();
      for (int port : ports) nodes.add(server(port, true));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> nodes.forEach(EmbeddedRedis::stopQuietly)));
      formCluster(ports);
      clusterPorts = ports;
    }
    return "redis://127.0.0.1:" + clusterPorts.get(0);
  }

  /** A server of its own, for tests that stop it. */
  static RedisServer startOwn(int port) {
    return server(port, false);
  }

  static String freshPrefix() {
    return "t" + PREFIXES.incrementAndGet() + ":";
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RedisServer server(int port, boolean cluster) {
    try {
      RedisServer s = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("save \"\"")
          .setting("appendonly no")
          .settingIf(cluster, "cluster-enabled yes")
          .settingIf(cluster, "cluster-config-file nodes-" + port + ".conf")
          .settingIf(cluster, "cluster-node-timeout 5000")
          .build();
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void formCluster(List<Integer> ports) {
    int slotsPerNode = 16384 / ports.size();
    for (int i = 0; i < ports.size(); i++) {
      try (RedisClient c = RedisClient.create(RedisURI.create("127.0.0.1", ports.get(i)));
           StatefulRedisConnection<String, String> conn = c.connect()) {
        RedisCommands<String, String> r = conn.sync();
        r.flushall();
        r.clusterReset(true);
        int from = i * slotsPerNode;
        int to = i == ports.size() - 1 ? 16383 : from + slotsPerNode - 1;
        int[] slots = new int[to - from + 1];
        for (int s = 0; s < slots.length; s++) slots[s] = from + s;
        r.clusterAddSlots(slots);
        if (i > 0) r.clusterMeet("127.0.0.1", ports.get(0));
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (int port : ports) {
      try (RedisClient c = RedisClient.create(RedisURI.create("127.0.0.1", port));
           StatefulRedisConnection<String, String> conn = c.connect()) {
        while (!conn.sync().clusterInfo().contains("cluster_state:ok")
            || conn.sync().clusterNodes().lines().count() < ports.size()) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("cluster did not form");
          Thread.sleep(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static void stopQuietly(RedisServer s) {
    try {
      s.stop();
    } catch (IOException | RuntimeException ignored) {
      // already stopped
    }
  }
}
