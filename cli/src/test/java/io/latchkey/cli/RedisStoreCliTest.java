package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/** --store redis://… against a real Redis started here, and an unreachable one. */
class RedisStoreCliTest {
  private static RedisServer redis;
  private static int port;
  @TempDir Path dir;

  @BeforeAll
  static void startRedis() throws IOException {
    port = freePort();
    redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
    redis.start();
  }

  @AfterAll
  static void stopRedis() throws IOException {
    redis.stop();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void issueValidateDisable_onRedis() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);
    String store = "redis://127.0.0.1:" + port;

    JsonNode issued = cli.issue("acme", "billing", "--store", store, "-p", "invoices:read");
    String id = issued.get("id").asText();
    cli.stdin = issued.get("token").asText();
    assertThat(cli.run("--store", store, "validate", "-r", "invoices:read").exitCode()).isZero();
    cli.ok("--store", store, "disable", id);
    CliHarness.Run rejected = cli.run("--store", store, "validate", "--json");
    assertThat(rejected.exitCode()).isEqualTo(6);
    assertThat(rejected.json().get("reason").asText()).isEqualTo("DISABLED");
  }

  @Test
  void unreachableRedis_exitFiveWithOneLine() throws IOException {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    CliHarness.Run r = cli.run("--store", "redis://127.0.0.1:" + freePort(), "list", "-w", "a");

    assertThat(r.exitCode()).isEqualTo(5);
    r.assertOneLineError();
  }

  @Test
  void clusterUrlAgainstAStandaloneRedis_usageErrorSayingSo() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    CliHarness.Run r = cli.run("--store", "redis-cluster://127.0.0.1:" + port, "list", "-w", "a");

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("standalone Redis").contains("use redis://127.0.0.1:" + port);
  }
}
