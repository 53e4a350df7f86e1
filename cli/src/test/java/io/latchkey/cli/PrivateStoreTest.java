package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.latchkey.store.jdbc.JdbcTokenStore;
import java.io.Reader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody but the owner can read or change the embedded store: files owner-only, H2's AUTO_SERVER
 * on loopback and closed without the store's password, and a data directory or key file that is
 * not private refused with the command that fixes it.
 */
@Timeout(120)
class PrivateStoreTest {
  @TempDir Path dir;

  private Path data() {
    return dir.resolve("latchkey-data");
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void everyFileOwnerOnly_andDatabaseHasAPassword() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    cli.issue("acme", "a");

    assertThat(mode(data())).isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(data())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
      }
    }
    assertThat(data().resolve("db-password")).isRegularFile();
    String url = new DataDir(data()).jdbcUrl();
    assertThatThrownBy(() -> DriverManager.getConnection(url, "", "").close())
        .isInstanceOf(SQLException.class).hasMessageContaining("Wrong user name or password");
  }

  @Test
  void autoServer_listensOnLoopbackOnly_andAdmitsNobodyWithoutThePassword() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    String id = cli.issue("acme", "target").get("id").asText();
    CompletableFuture<DemoService> started = new CompletableFuture<>();
    cli.onServerStarted = started::complete;
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<CliHarness.Run> serve = thread.submit(() -> cli.run("serve", "--port", "0"));
      started.get(30, TimeUnit.SECONDS);

      // What another local user would find, if they could read the lock file at all.
      Properties lock = new Properties();
      try (Reader r = Files.newBufferedReader(data().resolve("latchkey.lock.db"))) {
        lock.load(r);
      }
      String server = lock.getProperty("server");
      assertThat(server).as("AUTO_SERVER address in the lock file")
          .matches("(127\\.0\\.0\\.1|localhost):\\d+");
      int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
      Optional<InetAddress> external = externalAddress();
      if (external.isPresent()) {
        try (Socket s = new Socket()) {
          assertThatThrownBy(() -> s.connect(new InetSocketAddress(external.get(), port), 2000))
              .as("AUTO_SERVER reachable on " + external.get())
              .isInstanceOf(ConnectException.class);
        }
      }
      // Through the server, with the lock file's key but not the password: refused.
      String url = new DataDir(data()).jdbcUrl();
      assertThatThrownBy(() -> DriverManager.getConnection(url, "", "").close())
          .isInstanceOf(SQLException.class).hasMessageContaining("Wrong user name or password");
      assertThatThrownBy(() -> DriverManager.getConnection(url, "LATCHKEY", "guess").close())
          .isInstanceOf(SQLException.class).hasMessageContaining("Wrong user name or password");
      // The owner's second process still gets in.
      CliHarness other = CliHarness.real(dir);
      assertThat(other.ok("revoke", id).out()).contains("REVOKED");

      started.get().close();
      assertThat(serve.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    } finally {
      started.thenAccept(DemoService::close);
      thread.shutdownNow();
    }
  }

  private static Optional<InetAddress> externalAddress() throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) continue;
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  @Test
  void dataDirOpenToOthers_refusedWithChmod() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    cli.ok("list", "-w", "acme");
    Files.setPosixFilePermissions(data(), PosixFilePermissions.fromString("rwxr-x---"));

    CliHarness.Run r = cli.run("list", "-w", "acme").assertOneLineError();

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("open to group or others (rwxr-x---)")
        .contains("fix: chmod 700 " + data());
  }

  @Test
  void keyFileOrPasswordFileOpenToOthers_refusedWithChmod() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    cli.ok("list", "-w", "acme");
    for (String name : new String[] {"hashing-key", "db-password"}) {
      Path f = data().resolve(name);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));

      CliHarness.Run r = cli.run("list", "-w", "acme").assertOneLineError();

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains(f + " is open to group or others").contains("fix: chmod 600 " + f);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    cli.ok("list", "-w", "acme");
  }

  @Test
  void symbolicLinks_refused() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    cli.ok("--data-dir", "real", "list", "-w", "acme");
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));

    CliHarness.Run viaLink = cli.run("--data-dir", "link", "list", "-w", "acme");
    assertThat(viaLink.exitCode()).isEqualTo(2);
    assertThat(viaLink.err()).contains("is a symbolic link");

    Path key = dir.resolve("real/hashing-key");
    Path elsewhere = Files.move(key, dir.resolve("key-elsewhere"));
    Files.createSymbolicLink(key, elsewhere);
    CliHarness.Run keyLink = cli.run("--data-dir", "real", "list", "-w", "acme");
    assertThat(keyLink.exitCode()).isEqualTo(2);
    assertThat(keyLink.err()).contains(key + " is a symbolic link");
  }

  @Test
  void ownedByAnotherUser_refused() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away");
    CliHarness cli = CliHarness.real(dir);
    cli.ok("list", "-w", "acme");
    Files.setAttribute(data(), "unix:uid", 4242);

    CliHarness.Run r = cli.run("list", "-w", "acme").assertOneLineError();

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("belongs to another user (uid 4242");
  }

  @Test
  void databaseFromBeforePasswords_getsOneAndKeepsItsTokens() throws Exception {
    CliHarness cli = CliHarness.real(dir);
    String token = cli.issue("acme", "old").get("token").asText();
    // Make it look like an earlier version's database: the empty user, no password, no file.
    DataDir d = new DataDir(data());
    String password = Files.readString(d.passwordFile()).strip();
    try (var c = DriverManager.getConnection(d.jdbcUrl(), "latchkey", password);
         var st = c.createStatement()) {
      st.execute("CREATE USER \"\" PASSWORD '' ADMIN");
    }
    try (var c = DriverManager.getConnection(d.jdbcUrl(), "", "");
         var st = c.createStatement()) {
      st.execute("DROP USER LATCHKEY");
    }
    Files.delete(d.passwordFile());

    assertThat(cli.run("validate", token).exitCode()).isZero();

    assertThat(d.passwordFile()).isRegularFile();
    assertThatThrownBy(() -> DriverManager.getConnection(d.jdbcUrl(), "", "").close())
        .isInstanceOf(SQLException.class).hasMessageContaining("Wrong user name or password");
    try (JdbcTokenStore unused = JdbcTokenStore.builder().jdbcUrl(d.jdbcUrl())
        .username("latchkey").password(Files.readString(d.passwordFile()).strip()).build()) {
      // opens with the new password
    }
  }
}
