package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How --store, the environment and the hashing key combine, and how they fail. */
class StoreOptionsTest {
  @TempDir Path dir;

  @Test
  void store_withoutHashingKey_usageErrorNamingTheVariable() {
    for (String url : new String[] {"jdbc:postgresql://db.internal/latchkey", "redis://cache:6379",
        "jdbc:h2:mem:x"}) {
      CliHarness.Run r = CliHarness.real(dir).run("--store", url, "list", "-w", "acme");

      assertThat(r.exitCode()).as(url).isEqualTo(2);
      r.assertOneLineError();
      assertThat(r.err()).contains("LATCHKEY_HASHING_KEY is not set").contains("keygen");
    }
    assertThat(Files.exists(dir.resolve("latchkey-data"))).isFalse();
  }

  @Test
  void store_fromEnvironment_sameAsOption() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_STORE", "redis://cache:6379");

    CliHarness.Run r = cli.run("list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--store redis://cache:6379");
  }

  @Test
  void store_unsupportedScheme_usageErrorListingTheSupportedOnes() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    CliHarness.Run r = cli.run("--store", "mysql://db/latchkey", "list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("\"mysql://db/latchkey\" is not supported")
        .contains("jdbc:postgresql://").contains("redis://");
  }

  @Test
  void store_passwordInUrl_neverPrinted() {
    CliHarness cli = CliHarness.real(dir);

    CliHarness.Run query = cli.run("--store",
        "jdbc:postgresql://db/latchkey?user=app&password=hunter2", "list", "-w", "acme");
    CliHarness.Run userInfo = cli.run("--store", "redis://:hunter2@cache:6379", "list", "-w", "a");
    CliHarness.Run unsupported = cli.run("--store", "mysql://root:hunter2@db/x", "list", "-w", "a");

    assertThat(query.err() + userInfo.err() + unsupported.err()).doesNotContain("hunter2")
        .contains("password=***").contains("://***@");
  }

  @Test
  void store_unreachableWithPasswords_exit5OneLineWithoutThePassword() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);

    for (String url : new String[] {"redis://hunter2@127.0.0.1:1",
        "jdbc:postgresql://127.0.0.1:1/latchkey?user=app&password=hunter2"}) {
      CliHarness.Run r = cli.run("--store", url, "list", "-w", "acme");

      assertThat(r.exitCode()).as(r.err()).isEqualTo(5);
      r.assertOneLineError();
      assertThat(r.err()).doesNotContain("hunter2");
    }
    assertThat(dir.resolve("latchkey-data")).doesNotExist();
  }

  @Test
  void hashingKey_malformedInEnvironment_usageErrorWithoutTheValue() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", "c2hvcnQ=");

    CliHarness.Run r = cli.run("--store", "memory:", "list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("LATCHKEY_HASHING_KEY").contains("at least 32 bytes")
        .doesNotContain("c2hvcnQ=");
  }

  @Test
  void hashingKeyId_malformed_usageError() {
    CliHarness cli = CliHarness.real(dir);
    cli.env.put("LATCHKEY_HASHING_KEY", CliHarness.KEY);
    cli.env.put("LATCHKEY_HASHING_KEY_ID", "no spaces");

    CliHarness.Run r = cli.run("--store", "memory:", "list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("hashingKeyId");
  }

  @Test
  void memoryStore_needsNoKeyAndLeavesNoFiles() throws Exception {
    CliHarness.Run r = CliHarness.real(dir).run("--store", "memory:", "issue", "-w", "a", "-n", "b");

    assertThat(r.exitCode()).as(r.err()).isZero();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void prefix_invalid_usageErrorNamingTheOption() {
    CliHarness cli = CliHarness.inMemory(dir);
    cli.env.put("LATCHKEY_TOKEN_PREFIX", "Acme");

    CliHarness.Run r = cli.run("list", "-w", "acme");

    assertThat(r.exitCode()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(r.err()).contains("--prefix / LATCHKEY_TOKEN_PREFIX \"Acme\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "issue -w acme -n a --allow-ip 10.0.0.7/8",
      "issue -w acme -n a -p bad~name",
      "issue -w a~b -n a",
      "list -w acme --after nope",
      "list -w bad~ws",
      "update 0000000000000000 --allow-ip 300.0.0.1",
      "permissions update 0000000000000000 -p bad~name",
      "permissions set 0000000000000000 --deny a:b -p a:b",
      "revoke-all -w bad~ws --yes",
      "rotate 0000000000000000 --overlap -1h",
      "serve --trusted-proxy 10.0.0.0/99",
      "validate",
      "show 123",
  })
  void badInput_neverOpensOrCreatesTheEmbeddedStore(String args) {
    CliHarness.Run r = CliHarness.real(dir).run(IssueCommandTest.split(args));

    assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
    r.assertOneLineError();
    assertThat(dir.resolve("latchkey-data")).doesNotExist();
  }
}
