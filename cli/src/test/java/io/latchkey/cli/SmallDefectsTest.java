package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/** The smaller defects found walking through the CLI (issue #11, point 6), one test each. */
@Timeout(120)
class SmallDefectsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void validate_badPermissionOrAddress_usageErrorNotRejection() {
    CliHarness cli = CliHarness.inMemory(dir);
    cli.stdin = cli.issue("acme", "a").get("token").asText();

    CliHarness.Run perm = cli.run("validate", "-r", "bad perm").assertOneLineError();
    CliHarness.Run ip = cli.run("validate", "--ip", "not-an-ip").assertOneLineError();
    CliHarness.Run range = cli.run("validate", "--ip", "10.0.0.0/8").assertOneLineError();

    assertThat(perm.exitCode()).isEqualTo(2);
    assertThat(perm.err()).contains("-r/--require \"bad perm\" is not a permission name");
    assertThat(ip.exitCode()).isEqualTo(2);
    assertThat(ip.err()).contains("--ip \"not-an-ip\" is not an IPv4 or IPv6 address");
    assertThat(range.exitCode()).isEqualTo(2);
  }

  @Test
  void issue_sameNameGrantedAndDenied_usageError() {
    CliHarness cli = CliHarness.inMemory(dir);

    CliHarness.Run r = cli.run("issue", "-w", "acme", "-n", "a", "-p", "q", "--deny", "q")
        .assertOneLineError();

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"q\" is both granted (-p) and denied (--deny)");
    assertThat(cli.ok("list", "-w", "acme").out()).contains("no tokens");
  }

  @Test
  void errors_nameTheFlagNotTheApiField() {
    CliHarness cli = CliHarness.inMemory(dir);
    String id = cli.issue("acme", "a").get("id").asText();

    CliHarness.Run expires = cli.run("issue", "-w", "acme", "-n", "b", "--expires-in", "-120h");
    CliHarness.Run ip = cli.run("update", id, "--allow-ip", "x");
    CliHarness.Run hostBits = cli.run("issue", "-w", "acme", "-n", "b", "--allow-ip", "10.0.0.7/8");
    CliHarness.Run metadata = cli.run("issue", "-w", "acme", "-n", "b", "--metadata", "x");

    assertThat(expires.err()).startsWith("latchkey issue: --expires-in must be positive");
    assertThat(ip.err()).startsWith("latchkey update: --allow-ip \"x\"");
    assertThat(hostBits.err()).startsWith("latchkey issue: --allow-ip \"10.0.0.7/8\"");
    assertThat(metadata.err()).contains("option '--metadata'").doesNotContain("option option");
    for (CliHarness.Run r : List.of(expires, ip, hostBits)) {
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).doesNotContain("expiresIn").doesNotContain("allowedIps")
          .doesNotContain("allowIp ");
    }
  }

  @Test
  void everyOptionAndParameter_hasADescription() {
    CommandLine root = Cli.create(new CliContext(Map.of(), new java.io.PrintWriter(
        java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()),
        java.io.InputStream.nullInputStream(), dir, null, s -> {}, null));
    List<String> missing = new ArrayList<>();
    collect(root, missing);
    assertThat(missing).isEmpty();
  }

  private static void collect(CommandLine cl, List<String> missing) {
    for (ArgSpec arg : cl.getCommandSpec().args()) {
      String[] d = arg.description();
      if (d.length == 0 || String.join("", d).isBlank()) {
        missing.add(cl.getCommandSpec().qualifiedName() + " " + arg.paramLabel()
            + (arg.isOption() ? " " + ((CommandLine.Model.OptionSpec) arg).longestName() : ""));
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) collect(sub, missing);
  }

  @Test
  void storedControlAndBidiCharacters_shownEscapedInTextAndJson() throws Exception {
    CliHarness cli = CliHarness.inMemory(dir);
    String evil = "safe\u202Eexe.txt\u009b31m\u2066x";
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    cli.store.insert(TokenRecord.builder().id("0000000000000001").workspace("acme").name(evil)
        .description("line\u0085two").hint("lk_...abcd").keyId("k1").hash(new byte[32])
        .state(StoredState.ACTIVE).permissions(Map.of()).allowedIps(List.of())
        .metadata(Map.of("k\u202D", "v\u001b[2J")).createdAt(now).createdBy("op\u200F")
        .updatedAt(now).expiresAt(now.plusSeconds(3600)).version(1).build());

    String show = cli.ok("show", "0000000000000001").out();
    String list = cli.ok("list", "-w", "acme").out();
    String json = cli.ok("show", "--json", "0000000000000001").out();

    for (String out : List.of(show, list, json)) {
      assertThat(out.chars().filter(c -> Render.unsafe(c) && c != '\n')).as(out).isEmpty();
    }
    assertThat(show).contains("safe\\u202Eexe.txt\\u009B31m\\u2066x", "line\\u0085two",
        "k\\u202D=v\\u001B[2J", "by op\\u200F");
    assertThat(JSON.readTree(json).get("name").asText()).isEqualTo(evil);
  }

  @Test
  void demoAndServe_json_oneObject() throws Exception {
    CliHarness cli = CliHarness.inMemory(dir);
    JsonNode demo = JSON.readTree(runService(cli, "demo", "--json"));
    JsonNode serve = JSON.readTree(runService(cli, "serve", "--port", "0", "--json"));

    assertThat(demo.get("url").asText()).startsWith("http://127.0.0.1:");
    assertThat(demo.get("tokens")).hasSize(2);
    assertThat(demo.get("tokens").get(0).get("token").asText()).startsWith("lk_");
    assertThat(serve.get("url").asText()).startsWith("http://127.0.0.1:");
    assertThat(serve.get("routes").has("POST /admin")).isTrue();
  }

  private static String runService(CliHarness cli, String... args) throws Exception {
    CompletableFuture<DemoService> started = new CompletableFuture<>();
    cli.onServerStarted = started::complete;
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<CliHarness.Run> run = thread.submit(() -> cli.run(args));
      started.get(30, TimeUnit.SECONDS).close();
      CliHarness.Run r = run.get(30, TimeUnit.SECONDS);
      assertThat(r.exitCode()).as(r.err()).isZero();
      return r.out();
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void secondDemo_keepsTheRunningDemosTokens() throws Exception {
    CliHarness first = CliHarness.inMemory(dir);
    CompletableFuture<DemoService> started = new CompletableFuture<>();
    first.onServerStarted = started::complete;
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<CliHarness.Run> run = thread.submit(() -> first.run("demo", "--json"));
      started.get(30, TimeUnit.SECONDS);
      JsonNode firstDemo = JSON.readTree(first.liveOut.toString());
      String readerId = firstDemo.get("tokens").get(0).get("id").asText();

      CliHarness second = CliHarness.on(dir, first.store);
      runService(second, "demo", "--json");

      assertThat(second.ok("show", "--json", readerId).json().get("state").asText())
          .isEqualTo("ACTIVE");
      started.get().close();
      assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    } finally {
      thread.shutdownNow();
    }
  }

  @Test
  void databaseThatDoesNotExist_configurationErrorNotOutage() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    CliHarness.Run r = cli.run("--store", "jdbc:h2:file:" + dir.resolve("none") + ";IFEXISTS=TRUE",
        "list", "-w", "a").assertOneLineError();

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("the database does not exist");
  }
}
