package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the shaded jar that {@code package} built, run as separate processes in a fresh
 * directory with the embedded default store, exactly as an operator would run it.
 */
@Timeout(180)
class LatchkeyJarIT {
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private final List<Process> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build();
  private int outputs;

  static Path jar() {
    Path jar = Path.of(System.getProperty("latchkey.jar", "target/latchkey.jar"));
    assertThat(jar).as("run `mvn package` first: the shaded jar").isRegularFile();
    return jar.toAbsolutePath();
  }

  @BeforeEach
  void checkJar() {
    jar();
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    for (Process p : started) assertThat(p.isAlive()).as("process %s still alive", p.pid()).isFalse();
  }

  record Result(int exitCode, String out, String err) {}

  /** A process of the jar in the work directory, with no LATCHKEY_* inherited from the build. */
  private Process launch(@Nullable String stdin, Path out, Path err, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LATCHKEY_"));
    if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
    Process p = pb.start();
    started.add(p);
    if (stdin != null) {
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    return p;
  }

  private static java.io.File nullFile() {
    return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private Result run(@Nullable String stdin, String... args) throws Exception {
    Path out = Files.createTempFile("out", ".txt");
    Path err = Files.createTempFile("err", ".txt");
    Process p = launch(stdin, out, err, args);
    if (!p.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("latchkey " + String.join(" ", args) + " did not finish: "
          + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Starts a long-running command and waits for its "listening on" line. */
  private String startService(Process[] holder, Path out, String... args) throws Exception {
    Path err = work.resolve("service-" + (++outputs) + ".err");
    Process p = launch(null, out, err, args);
    holder[0] = p;
    long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(out));
      if (m.find()) return m.group(1);
      if (!p.isAlive()) {
        throw new AssertionError("service exited " + p.exitValue() + ": " + Files.readString(err));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("service did not start: " + Files.readString(err));
  }

  private HttpResponse<String> call(String method, String url, @Nullable String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(CALL_TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void jar_issueServeDisableFromAnotherProcess_serviceRejects() throws Exception {
    // 1. First use: the embedded store and its key file appear.
    Result issued = run(null, "issue", "--json", "-w", "acme", "-n", "e2e", "-p", "reports:read");
    assertThat(issued.exitCode()).as(issued.err()).isZero();
    assertThat(issued.err()).contains("created hashing key latchkey-data/hashing-key");
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(work.resolve("latchkey-data/hashing-key"))))
        .isEqualTo("rw-------");
    JsonNode token = JSON.readTree(issued.out());
    String plaintext = token.get("token").asText();
    String id = token.get("id").asText();

    // 2. The service, in its own process.
    Process[] service = new Process[1];
    String base = startService(service, work.resolve("serve.out"),
        "serve", "--port", "0", "--cache-ttl", "1s");

    HttpResponse<String> whoami = call("GET", base + "/whoami", plaintext);
    assertThat(whoami.statusCode()).as(whoami.body()).isEqualTo(200);
    assertThat(JSON.readTree(whoami.body()).get("id").asText()).isEqualTo(id);
    assertThat(call("GET", base + "/reports", plaintext).statusCode()).isEqualTo(200);
    assertThat(call("POST", base + "/admin", plaintext).statusCode()).isEqualTo(403);
    assertThat(call("GET", base + "/reports", null).statusCode()).isEqualTo(401);

    // 3. A second process disables the token while the service holds the database.
    Result disabled = run(null, "disable", id);
    assertThat(disabled.exitCode()).as(disabled.err()).isZero();
    assertThat(disabled.out()).startsWith(id + " DISABLED");

    // 4. The service notices within its cache time-to-live.
    HttpResponse<String> after = call("GET", base + "/reports", plaintext);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (after.statusCode() == 200 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      after = call("GET", base + "/reports", plaintext);
    }
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(after.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"api\", error=\"invalid_token\"");
    assertThat(JSON.readTree(after.body()).get("error").asText()).isEqualTo("invalid_token");

    // 5. A third process agrees, and says why; the token came in on stdin.
    Result validate = run(plaintext + "\n", "validate");
    assertThat(validate.exitCode()).isEqualTo(6);
    assertThat(validate.out()).startsWith("REJECTED DISABLED");

    // 6. SIGTERM stops the service cleanly; it flushed the usage the calls above recorded.
    service[0].destroy();
    assertThat(service[0].waitFor(20, TimeUnit.SECONDS)).isTrue();
    JsonNode shown = JSON.readTree(run(null, "show", "--json", id).out());
    assertThat(shown.get("lastUsedIp").asText()).isEqualTo("127.0.0.1");
  }

  private static final Pattern CURL = Pattern.compile(
      "curl -i(?: -X (\\w+))?(?: -H 'Authorization: Bearer (\\S+)')? (http://\\S+)");

  @Test
  void jar_demo_curlLinesAnswerAsAnnounced() throws Exception {
    Process[] demo = new Process[1];
    Path out = work.resolve("demo.out");
    startService(demo, out, "demo", "--exit-after", "120s", "--cache-ttl", "500ms");
    String printed = awaitLine(out, "disable [0-9A-Za-z]{16}");

    Matcher m = CURL.matcher(printed);
    int[] expected = {200, 200, 403, 401, 401};
    int i = 0;
    while (m.find() && i < expected.length) {
      HttpResponse<String> r = call(m.group(1) == null ? "GET" : m.group(1), m.group(3), m.group(2));
      assertThat(r.statusCode()).as(m.group()).isEqualTo(expected[i++]);
    }
    assertThat(i).as(printed).isEqualTo(expected.length);

    // The printed command for another terminal works as printed.
    Matcher disable = Pattern.compile("java -jar (\\S+) disable ([0-9A-Za-z]{16})").matcher(printed);
    assertThat(disable.find()).as(printed).isTrue();
    assertThat(Path.of(disable.group(1)).isAbsolute() ? Path.of(disable.group(1))
        : work.resolve(disable.group(1))).isRegularFile();
    assertThat(run(null, "disable", disable.group(2)).exitCode()).isZero();

    demo[0].destroy();
    assertThat(demo[0].waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(demo[0].exitValue()).as("SIGTERM is an orderly stop").isZero();
    JsonNode afterSignal = JSON.readTree(run(null, "list", "--json", "-w", "demo").out());
    assertThat(afterSignal.get("tokens")).as("the demo deletes its tokens on SIGTERM").isEmpty();
    // Killed hard, a demo leaves its tokens; the next demo clears them first, and an orderly
    // stop deletes its own.
    Process again = launch(null, work.resolve("demo2.out"), work.resolve("demo2.err"),
        "demo", "--exit-after", "1s");
    assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
    JsonNode left = JSON.readTree(run(null, "list", "--json", "-w", "demo").out());
    assertThat(left.get("tokens")).as(Files.readString(work.resolve("demo2.err"))).isEmpty();
  }

  private static String awaitLine(Path file, String regex) throws Exception {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + PROCESS_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.readString(file);
      if (p.matcher(text).find()) return text;
      Thread.sleep(100);
    }
    throw new AssertionError("no line matching " + regex + " in " + Files.readString(file));
  }

  @Test
  void jar_badInput_oneLineErrorsDocumentedCodesAndNoDataDir() throws Exception {
    Result unknownOption = run(null, "list", "-w", "acme", "--colour");
    Result malformedId = run(null, "show", "x1");
    Result badCidr = run(null, "issue", "-w", "acme", "-n", "a", "--allow-ip", "10.0.0.7/8");
    assertThat(work.resolve("latchkey-data")).doesNotExist();

    assertThat(unknownOption.exitCode()).isEqualTo(2);
    assertThat(malformedId.exitCode()).isEqualTo(2);
    assertThat(badCidr.exitCode()).isEqualTo(2);
    for (Result r : List.of(unknownOption, malformedId, badCidr)) {
      assertThat(r.err().lines()).hasSize(1);
      assertThat(r.out()).isEmpty();
    }
    assertThat(badCidr.err()).contains("did you mean 10.0.0.0/8");
  }

  @Test
  void jar_unreachableStore_exit5OneLine() throws Exception {
    String key = run(null, "keygen").out().strip();
    Path out = Files.createTempFile("out", ".txt");
    Path err = Files.createTempFile("err", ".txt");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar().toString(), "--store", "jdbc:postgresql://127.0.0.1:1/latchkey?connectTimeout=5",
        "list", "-w", "acme");
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LATCHKEY_"));
    pb.environment().put("LATCHKEY_HASHING_KEY", key);
    Process p = pb.start();
    started.add(p);
    assertThat(p.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(Files.readString(err)).isEqualTo(5);
    assertThat(Files.readString(err).lines()).hasSize(1);
    assertThat(work.resolve("latchkey-data")).doesNotExist();
  }

  /**
   * A data directory written by H2 2.3.232 (the version before the dependency update; files in
   * src/test/resources/h2-2.3.232-data-dir, token {@code 0VcSrTyV5REgIcqq}) must keep working
   * after H2 is upgraded. The file is dated an hour back, as a directory left between two commands
   * is, and opened from several fresh copies, one process each: an early try of H2 2.5.252 was seen
   * to fail the first open of an idle file (an MVStore panic, "Cannot read field time"), which one
   * open can miss. It did not reproduce later (0 in 48 opens, 18 through this test); H2 is held at
   * 2.3.232 for another reason (root pom.xml, H2CrashTest), and the copies stay as a guard.
   */
  @Test
  void jar_dataDirWrittenByH2_2_3_232_opensAndLists() throws Exception {
    // Its token predates keyed id tags, so it no longer validates by default: listing is the check
    // that the file opens, migrates and reads.
    for (int copy = 1; copy <= 6; copy++) {
      Path dir = work.resolve("old-data-" + copy);
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      for (String file : List.of("latchkey.mv.db", "hashing-key")) {
        try (var in = getClass().getResourceAsStream("/h2-2.3.232-data-dir/" + file)) {
          assertThat(in).as(file).isNotNull();
          Files.copy(in, dir.resolve(file));
        }
        Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(dir.resolve(file), java.nio.file.attribute.FileTime.from(
            java.time.Instant.now().minus(Duration.ofHours(1))));
      }
      String dataDir = "--data-dir=" + dir;

      Result listed = run(null, dataDir, "list", "-w", "ws1");
      assertThat(listed.exitCode()).as("copy %d: %s", copy, listed.err()).isZero();
      assertThat(listed.out()).contains("0VcSrTyV5REgIcqq", "old-token", "ACTIVE");
    }
  }
}
