package io.latchkey.store.jdbc;

import static io.latchkey.store.jdbc.ValidationLoad.count;
import static io.latchkey.store.jdbc.ValidationLoad.worstMillis;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import io.latchkey.Health;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.StoreUnavailableException;
import io.latchkey.store.jdbc.ValidationLoad.Sample;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection against a real PostgreSQL while validations run on a second Latchkey instance:
 * the server stopped and restarted, every server process frozen with SIGSTOP and resumed with
 * SIGCONT, and every client backend terminated. Each test prints its figures (the store README
 * quotes one run).
 *
 * <p>The validating side has three Latchkey instances on one store, as in the Redis suite:
 * without a cache (every validation reads the database: the latency bound and the recovery),
 * with a long cache (stays valid through the outage; the feed delivers a revocation made after
 * recovery), and with a short cache served stale (never UNAVAILABLE). Bounds are generous: the
 * machine is shared and loaded.
 */
class PostgresOutageTest {
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  /**
   * The documented worst case of an uncached validation (store-jdbc README): connectionTimeout +
   * min(connectionTimeout, 1 s) + queryTimeout + 1.5 s (a cancel request bounded by 1 s, and a
   * retry on a dropped connection within 0.5 s).
   */
  private static final long BOUND_MILLIS = CONNECTION_TIMEOUT.toMillis()
      + Math.min(CONNECTION_TIMEOUT.toMillis(), 1_000) + QUERY_TIMEOUT.toMillis() + 1_000
      + JdbcTokenStore.Builder.NETWORK_GRACE_MILLIS;
  private static final long SLACK_MILLIS = 2_000;
  private static final long RECOVERY_LIMIT_MILLIS = 2_500;
  private static final Duration OUTAGE = Duration.ofSeconds(6);

  @TempDir Path dataDir;
  private EmbeddedPostgres pg;
  private int port;
  private JdbcTokenStore issuerStore;
  private JdbcTokenStore validatorStore;
  private Latchkey issuer;
  private Latchkey uncachedSide;
  private Latchkey cachedSide;
  private Latchkey staleSide;
  private IssuedToken token;

  @BeforeEach
  void start() throws IOException {
    pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
        .start();
    port = pg.getPort();
    HashingKey key = HashingKey.generate("k1");
    issuerStore = open();
    validatorStore = open();
    issuer = Latchkey.builder().store(issuerStore).tokenPrefix("acme").hashingKey(key).build();
    uncachedSide = Latchkey.builder().store(validatorStore).tokenPrefix("acme").hashingKey(key)
        .cacheTtl(Duration.ZERO).build();
    cachedSide = Latchkey.builder().store(validatorStore).tokenPrefix("acme").hashingKey(key)
        .cacheTtl(Duration.ofMinutes(5)).build();
    staleSide = Latchkey.builder().store(validatorStore).tokenPrefix("acme").hashingKey(key)
        .cacheTtl(Duration.ofMillis(500)).serveStaleFor(Duration.ofMinutes(5)).build();
    token = issuer.tokens().issue(NewToken.in("ws").name("under load"));
    assertThat(cachedSide.validator().validate(token.secret()).isValid()).isTrue();
    assertThat(staleSide.validator().validate(token.secret()).isValid()).isTrue();
  }

  private JdbcTokenStore open() {
    return JdbcTokenStore.builder().jdbcUrl(pg.getJdbcUrl("postgres", "postgres"))
        .username("postgres").connectionTimeout(CONNECTION_TIMEOUT).queryTimeout(QUERY_TIMEOUT)
        .build();
  }

  @AfterEach
  void stop() throws IOException {
    signal("CONT");
    for (AutoCloseable c : new AutoCloseable[] {issuer, uncachedSide, cachedSide, staleSide,
        issuerStore, validatorStore}) {
      try {
        if (c != null) c.close();
      } catch (Exception e) {
        // best effort
      }
    }
    if (pg != null) pg.close();
  }

  @Test
  void serverStopped_validationsBounded_recoverWithinASecond_feedDeliversAfterwards()
      throws Exception {
    try (ValidationLoad load = load()) {
      pause(Duration.ofMillis(500));
      long down = System.nanoTime();
      pg.close();
      pg = null;
      long issueMillis = failingIssueMillis();
      // What a host's health check sees: the store unreachable, the feed down.
      awaitTrue("health to report the outage", () -> {
        Health h = cachedSide.health();
        return !h.storeReachable() && h.feed() == Health.Feed.DOWN;
      });
      pause(OUTAGE.minusNanos(System.nanoTime() - down));
      pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
          .setPort(port).start();
      long back = System.nanoTime();
      pause(Duration.ofSeconds(3));
      load.close();
      report("stop " + OUTAGE.toSeconds() + " s", load, down, back, issueMillis);
    }
    assertRevocationDelivered();
  }

  @Test
  void serverFrozen_validationsBounded_recoverWithinASecond_feedDeliversAfterwards()
      throws Exception {
    try (ValidationLoad load = load()) {
      pause(Duration.ofMillis(500));
      long down = System.nanoTime();
      signal("STOP");
      long issueMillis = failingIssueMillis();
      pause(OUTAGE.minusNanos(System.nanoTime() - down));
      signal("CONT");
      long back = System.nanoTime();
      pause(Duration.ofSeconds(3));
      load.close();
      report("freeze " + OUTAGE.toSeconds() + " s", load, down, back, issueMillis);
    }
    assertRevocationDelivered();
  }

  @Test
  void backendsTerminated_readsRetriedOnAnotherConnection_noValidationAnswersUnavailable() throws Exception {
    try (ValidationLoad load = load();
         Connection admin = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"))) {
      pause(Duration.ofMillis(500));
      long down = System.nanoTime();
      int terminated = 0;
      for (int i = 0; i < 5; i++) {
        try (Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid))"
                 + " FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                 + " AND backend_type = 'client backend'")) {
          rs.next();
          terminated += rs.getInt(1);
        }
        pause(Duration.ofMillis(200));
      }
      long back = System.nanoTime();
      pause(Duration.ofSeconds(2));
      load.close();
      List<Sample> uncached = load.samples("uncached", t -> t - down >= 0);
      Sample recovered = ValidationLoad.firstValidAfter(uncached, back);
      System.out.printf("FAULT postgresql terminate-backends x5: %d backends, %d validations,"
              + " worst %d ms, %d answered UNAVAILABLE; cached %d UNAVAILABLE%n", terminated,
          uncached.size(), worstMillis(uncached), count(uncached, Reason.UNAVAILABLE),
          count(load.samples("cached", t -> true), Reason.UNAVAILABLE));
      assertThat(terminated).isGreaterThan(5);
      assertThat(load.escaped()).isEmpty();
      assertThat(worstMillis(uncached)).isLessThan(BOUND_MILLIS + SLACK_MILLIS);
      assertThat(recovered).isNotNull();
      // A read on a terminated backend is sent again on another connection.
      assertThat(count(uncached, Reason.UNAVAILABLE)).isZero();
      assertThat(count(load.samples("cached", t -> true), Reason.UNAVAILABLE)).isZero();
      assertThat(count(load.samples("stale", t -> true), Reason.UNAVAILABLE)).isZero();
    }
    assertRevocationDelivered();
  }

  @Test
  void serverFrozen_hostDataSource_readBoundedByTheStoresSocketTimeout() throws Exception {
    com.zaxxer.hikari.HikariDataSource host = new com.zaxxer.hikari.HikariDataSource();
    // As the README advises for a host pool: pgjdbc waits for a query timeout's cancel request
    // before it reports the failure, up to cancelSignalTimeout (10 s by default).
    host.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres") + "&cancelSignalTimeout=1");
    host.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    try (JdbcTokenStore store = JdbcTokenStore.builder().dataSource(host)
        .queryTimeout(QUERY_TIMEOUT).build()) {
      store.find(token.id().value()).orElseThrow(); // a pooled connection, just used
      Duration freeze = Duration.ofSeconds(8);
      signal("STOP");
      long frozen = System.nanoTime();
      // Resumed by another thread: a read that is not bounded returns only then.
      Thread resume = new Thread(() -> {
        pause(freeze);
        signal("CONT");
      }, "resume-postgres");
      resume.start();
      long failedMillis;
      try {
        assertThatThrownBy(() -> store.find(token.id().value()))
            .isInstanceOf(StoreUnavailableException.class);
        failedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen);
      } finally {
        resume.join();
      }
      System.out.printf("FAULT postgresql freeze %d s, host DataSource: find failed after %d ms"
          + " (bound %d ms)%n", freeze.toSeconds(), failedMillis, BOUND_MILLIS);
      // Without the store's socket timeout the read would wait for the whole freeze.
      assertThat(failedMillis).isLessThan(Math.min(BOUND_MILLIS + SLACK_MILLIS,
          freeze.toMillis() - 1_000));
      awaitTrue("the host pool to serve again", () -> {
        try {
          return store.find(token.id().value()).isPresent();
        } catch (StoreUnavailableException e) {
          return false;
        }
      });
    } finally {
      host.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private ValidationLoad load() {
    return new ValidationLoad()
        .add("uncached", uncachedSide.validator(), token.secret())
        .add("cached", cachedSide.validator(), token.secret())
        .add("stale", staleSide.validator(), token.secret());
  }

  /**
   * Sends a signal to every process of the server: the postmaster (its pid is the first line of
   * {@code postmaster.pid}) and its children (backends, checkpointer, WAL writer…). {@code STOP}
   * freezes the database, sockets open and connections up; {@code CONT} resumes it.
   */
  private void signal(String name) {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    try {
      long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      List<String> command = new ArrayList<>(List.of("kill", "-" + name));
      command.add(Long.toString(postmaster));
      ProcessHandle.of(postmaster).ifPresent(p -> p.descendants()
          .forEach(d -> command.add(Long.toString(d.pid()))));
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      kill.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A management call during the outage: it throws, and this is how long it took. */
  private long failingIssueMillis() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> issuer.tokens().issue(NewToken.in("ws").name("during outage")))
        .isInstanceOf(StoreUnavailableException.class);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  private void report(String fault, ValidationLoad load, long down, long back,
      long issueMillis) {
    List<Sample> during = load.samples("uncached", t -> t - down >= 0 && t - back < 0);
    List<Sample> all = load.samples("uncached", t -> t - down >= 0);
    Sample recovered = ValidationLoad.firstValidAfter(all, back);
    long recoveryMillis = recovered == null ? -1
        : TimeUnit.NANOSECONDS.toMillis(recovered.endNanos() - back);
    List<Sample> cached = load.samples("cached", t -> true);
    List<Sample> stale = load.samples("stale", t -> true);
    System.out.printf("FAULT postgresql %s: uncached validations %d, worst %d ms (bound %d ms),"
            + " %d UNAVAILABLE; valid again %d ms after the server returned; cached %d"
            + " validations, %d UNAVAILABLE; served stale %d, %d UNAVAILABLE; issue threw"
            + " StoreUnavailableException after %d ms%n",
        fault, during.size(), worstMillis(all), BOUND_MILLIS, count(during, Reason.UNAVAILABLE),
        recoveryMillis, cached.size(), count(cached, Reason.UNAVAILABLE), stale.size(),
        count(stale, Reason.UNAVAILABLE), issueMillis);
    assertThat(load.escaped()).isEmpty();
    assertThat(count(during, Reason.UNAVAILABLE)).as("uncached validations during the outage")
        .isPositive();
    assertThat(worstMillis(all)).isLessThan(BOUND_MILLIS + SLACK_MILLIS);
    assertThat(recovered).as("an uncached validation after the server returned").isNotNull();
    assertThat(recoveryMillis).isLessThan(RECOVERY_LIMIT_MILLIS);
    assertThat(count(cached, Reason.UNAVAILABLE)).as("cached token answered UNAVAILABLE").isZero();
    assertThat(count(stale, Reason.UNAVAILABLE)).as("stale-served token answered UNAVAILABLE")
        .isZero();
    assertThat(issueMillis).isLessThan(BOUND_MILLIS + SLACK_MILLIS);
  }

  /** After recovery, a revocation reaches the long-cached instance through the feed. */
  private void assertRevocationDelivered() {
    awaitTrue("health to report the store and the feed up", () -> cachedSide.health().isUp());
    awaitTrue("the issuer to reach the database again", () -> {
      try {
        issuer.tokens().revoke(token.id());
        return true;
      } catch (StoreUnavailableException e) {
        return false;
      }
    });
    long revoked = System.nanoTime();
    awaitTrue("the revocation to reach the cached instance", () -> cachedSide.validator()
        .validate(token.secret()).reasonOrNull() == Reason.REVOKED);
    System.out.printf("FAULT postgresql feed: revocation seen by the cached instance after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revoked));
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out: " + what);
      pause(Duration.ofMillis(10));
    }
  }

  private static void pause(Duration d) {
    if (d.isNegative()) return;
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
