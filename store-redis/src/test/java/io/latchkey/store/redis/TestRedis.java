package io.latchkey.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * Real Redis servers for the tests, from the redis-server binary that the embedded-redis jar ships
 * (6.2 on linux-amd64), on free loopback ports and bound to 127.0.0.1 only. One standalone server
 * and one three-master cluster are shared by every test class of the JVM; tests isolate
 * themselves by key prefix. A shutdown hook stops every server this class started.
 */
final class TestRedis {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static final List<Node> STARTED = new ArrayList<>();
  private static @Nullable Node standalone;
  private static @Nullable List<Node> cluster;
  private static @Nullable Path workDir;
  private static final List<Runnable> CLIENTS = new ArrayList<>();
  private static final Map<String, RedisCommands<String, String>> NODE_CONNECTIONS =
      new HashMap<>();
  private static @Nullable RedisClusterCommands<String, String> clusterAdmin;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TestRedis::stopAll, "test-redis-stopper"));
  }

  private TestRedis() {}

  /** The two deployments every Redis-specific test runs against. */
  enum Topology {
    STANDALONE,
    CLUSTER;

    /** A builder for a store on this topology, owning its client. */
    RedisTokenStore.Builder builder() {
      if (this == STANDALONE) return RedisTokenStore.builder().uri(standaloneUri());
      List<String> nodes = clusterUris();
      return RedisTokenStore.builder().clusterUri(nodes.get(0), nodes.get(1), nodes.get(2));
    }

    /** Commands that reach any key (routed by slot in a cluster). */
    synchronized RedisClusterCommands<String, String> admin() {
      if (this == STANDALONE) {
        return nodes().get(0);
      }
      if (clusterAdmin == null) {
        RedisClusterClient c = RedisClusterClient.create(
            clusterUris().stream().map(RedisURI::create).toList());
        CLIENTS.add(() -> c.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        clusterAdmin = c.connect().sync();
      }
      return clusterAdmin;
    }

    /** A connection to every master: for per-node commands (SCAN, SCRIPT, CLIENT). */
    synchronized List<RedisCommands<String, String>> nodes() {
      List<String> uris = this == STANDALONE ? List.of(standaloneUri()) : clusterUris();
      List<RedisCommands<String, String>> nodes = new ArrayList<>();
      for (String uri : uris) {
        nodes.add(NODE_CONNECTIONS.computeIfAbsent(uri, u -> connect(u)));
      }
      return nodes;
    }
  }

  /** A plain connection of the test's own, closed by the shutdown hook. */
  static synchronized RedisCommands<String, String> connect(String uri) {
    RedisClient c = RedisClient.create(uri);
    CLIENTS.add(() -> c.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
    return c.connect().sync();
  }

  /** A key prefix no other test uses in this JVM. */
  static String freshPrefix() {
    return "t" + PREFIXES.incrementAndGet() + ":";
  }

  /** The shared standalone server's URI. */
  static synchronized String standaloneUri() {
    if (standalone == null) standalone = start(false, port -> List.of());
    return standalone.uri();
  }

  /** The shared cluster's node URIs (three masters, no replicas), started once. */
  static synchronized List<String> clusterUris() {
    if (cluster == null) cluster = startCluster();
    return cluster.stream().map(Node::uri).toList();
  }

  /**
   * A server of the test's own, that it may stop and start. With {@code persistent}, every write
   * is appended and fsynced to a file, so data survives a restart on the same port.
   */
  static synchronized Node startOwn(boolean persistent, String... moreSettings) {
    List<String> settings = new ArrayList<>(List.of(moreSettings));
    if (persistent) settings.addAll(List.of("appendonly yes", "appendfsync always"));
    return start(false, port -> settings);
  }

  /** A running (or stopped) redis-server process. */
  static final class Node {
    final int port;
    private final RedisServer server;
    private volatile long pid;

    private Node(int port, RedisServer server) {
      this.port = port;
      this.server = server;
    }

    String uri() {
      return "redis://127.0.0.1:" + port;
    }

    void stop() {
      try {
        server.stop();
        pid = 0;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void start() {
      try {
        server.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      RedisClient c = RedisClient.create(uri());
      try (StatefulRedisConnection<String, String> conn = c.connect()) {
        String info = conn.sync().info("server");
        pid = Long.parseLong(info.lines().filter(l -> l.startsWith("process_id:")).findFirst()
            .orElseThrow().substring("process_id:".length()).trim());
      } finally {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    /**
     * Sends the running server a signal: {@code STOP} freezes it (its sockets stay open and
     * connections stay up, but nothing is answered), {@code CONT} resumes it. Nothing if stopped.
     */
    void signal(String name) {
      if (pid == 0) return;
      try {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
        if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " failed");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Starts a server on a free port; tries again elsewhere if another process took the port. */
  private static Node start(boolean cluster, IntFunction<List<String>> settings) {
    IOException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort(cluster);
      try {
        return start(port, settings.apply(port));
      } catch (UncheckedIOException e) {
        last = e.getCause();
      }
    }
    throw new UncheckedIOException("cannot start redis-server", last);
  }

  private static Node start(int port, List<String> settings) {
    try {
      Path dir = Files.createDirectories(workDir().resolve("node-" + port));
      var builder = RedisServer.newRedisServer()
          // Extracted into our work directory, which the shutdown hook removes.
          .executableProvider(ExecutableProvider.newJarResourceProvider(workDir().toFile()))
          .bind("127.0.0.1")
          .port(port)
          .setting("dir " + dir)
          .setting("save \"\"")
          .setting("protected-mode yes");
      for (String s : settings) builder.setting(s);
      Node node = new Node(port, builder.build());
      node.start();
      STARTED.add(node);
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server on port " + port, e);
    }
  }

  private static List<Node> startCluster() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(start(true, port -> List.of(
          "cluster-enabled yes",
          "cluster-config-file " + workDir().resolve("nodes-" + port + ".conf"),
          "cluster-node-timeout 5000",
          "appendonly no")));
    }
    RedisClient client = RedisClient.create();
    try {
      List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
      for (Node n : nodes) {
        connections.add(client.connect(RedisURI.create("127.0.0.1", n.port)));
      }
      int perNode = 16384 / nodes.size();
      for (int i = 0; i < nodes.size(); i++) {
        int from = i * perNode;
        int to = i == nodes.size() - 1 ? 16384 : (i + 1) * perNode;
        connections.get(i).sync().clusterAddSlots(IntStream.range(from, to).toArray());
      }
      RedisCommands<String, String> first = connections.get(0).sync();
      for (int i = 1; i < nodes.size(); i++) first.clusterMeet("127.0.0.1", nodes.get(i).port);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      for (StatefulRedisConnection<String, String> c : connections) {
        while (true) {
          String info = c.sync().clusterInfo();
          if (info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3")
              && info.contains("cluster_slots_ok:16384")) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("cluster did not form in 30 s:\n" + info);
          }
          Thread.sleep(50);
        }
      }
      connections.forEach(StatefulRedisConnection::close);
      return nodes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while forming the cluster", e);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** A free loopback port; for a cluster node, its bus port (port + 10000) must be free too. */
  private static int freePort(boolean withBusPort) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = bindAndRelease(0);
      if (!withBusPort) return port;
      if (port + 10000 <= 65535 && bindAndRelease(port + 10000) > 0) return port;
    }
    throw new IllegalStateException("no free port pair found");
  }

  private static int bindAndRelease(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      return -1;
    }
  }

  private static synchronized Path workDir() {
    if (workDir == null) {
      try {
        workDir = Files.createTempDirectory("latchkey-redis-test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return workDir;
  }

  private static synchronized void stopAll() {
    for (Runnable c : CLIENTS) {
      try {
        c.run();
      } catch (RuntimeException e) {
        // closing test clients is best effort
      }
    }
    for (Node n : STARTED) {
      try {
        n.stop();
      } catch (RuntimeException e) {
        // already stopped, or the process is gone: nothing left to end
      }
    }
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // temp files only
      }
    }
  }
}
