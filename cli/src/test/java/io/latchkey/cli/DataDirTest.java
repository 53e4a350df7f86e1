package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirTest {
  @TempDir Path tmp;

  @Test
  void loadOrCreateKey_firstUse_ownerOnlyDirAndKeyFileAndNotice() throws Exception {
    DataDir data = new DataDir(tmp.resolve("latchkey-data"));
    List<Path> notices = new ArrayList<>();

    data.ensureDirectory();
    HashingKey key = data.loadOrCreateKey("k1", notices::add).primary();

    assertThat(notices).containsExactly(data.keyFile());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.path())))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.keyFile())))
        .isEqualTo("rw-------");
    assertThat(Files.readString(data.keyFile())).isEqualTo("k1:" + key.toBase64() + "\n");
    try (var files = Files.list(data.path())) {
      assertThat(files).containsExactly(data.keyFile()); // no temporary file left behind
    }
  }

  @Test
  void loadOrCreateKey_secondUse_sameKeyNoNotice() {
    DataDir data = new DataDir(tmp.resolve("d"));
    data.ensureDirectory();
    HashingKey first = data.loadOrCreateKey("k1", p -> {}).primary();
    List<Path> notices = new ArrayList<>();

    HashingKey again = new DataDir(tmp.resolve("d")).loadOrCreateKey("other-id", notices::add)
        .primary();

    assertThat(again).isEqualTo(first);
    assertThat(notices).isEmpty();
  }

  @Test
  void loadOrCreateKey_databaseWithoutKey_refusedRatherThanNewKey() throws Exception {
    DataDir data = new DataDir(tmp.resolve("d"));
    data.ensureDirectory();
    Files.writeString(data.path().resolve("latchkey.mv.db"), "");

    assertThatThrownBy(() -> data.loadOrCreateKey("k1", p -> {}))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("has no hashing-key file")
        .hasMessageContaining("LATCHKEY_HASHING_KEY");
    assertThat(Files.exists(data.keyFile())).isFalse();
  }

  @Test
  void loadOrCreateKey_corruptKeyFile_namesTheFile() throws Exception {
    DataDir data = new DataDir(tmp.resolve("d"));
    data.ensureDirectory();
    Files.writeString(data.keyFile(), "k1:not base64!\n");
    Files.setPosixFilePermissions(data.keyFile(), PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> data.loadOrCreateKey("k1", p -> {}))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(data.keyFile().toString())
        .hasMessageContaining("Base64");
  }

  @Test
  void rollBackFirstUse_removesWhatThisRunCreated() throws Exception {
    DataDir data = new DataDir(tmp.resolve("d"));
    data.ensureDirectory();
    data.loadOrCreateKey("k1", p -> {});
    Files.writeString(data.path().resolve("latchkey.mv.db"), "half-made");

    data.rollBackFirstUse();

    assertThat(Files.exists(data.path())).isFalse();
  }

  @Test
  void rollBackFirstUse_existingDirectory_onlyOwnFilesRemoved() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("d"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.writeString(dir.resolve("notes.txt"), "mine");
    DataDir data = new DataDir(dir);
    data.ensureDirectory();
    data.loadOrCreateKey("k1", p -> {});
    Files.writeString(dir.resolve("latchkey.mv.db"), "half-made");

    data.rollBackFirstUse();

    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(dir.resolve("notes.txt"));
    }
  }

  @Test
  void rollBackFirstUse_notFirstUse_touchesNothing() throws Exception {
    DataDir first = new DataDir(tmp.resolve("d"));
    first.ensureDirectory();
    first.loadOrCreateKey("k1", p -> {});
    DataDir later = new DataDir(tmp.resolve("d"));
    later.ensureDirectory();
    later.loadOrCreateKey("k1", p -> {});

    later.rollBackFirstUse();

    assertThat(Files.exists(later.keyFile())).isTrue();
  }

  @Test
  void ensureDirectory_parentMissingOrFileInTheWay_configError() throws Exception {
    Files.writeString(tmp.resolve("file"), "");

    assertThatThrownBy(() -> new DataDir(tmp.resolve("file")).ensureDirectory())
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a directory");
    assertThatThrownBy(() -> new DataDir(tmp.resolve("no/such/dir")).ensureDirectory())
        .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
  }

  @Test
  void jdbcUrl_fileDatabaseWithAutoServerAndImmediateWrites() {
    assertThat(new DataDir(tmp.resolve("d")).jdbcUrl())
        .isEqualTo("jdbc:h2:file:" + tmp.resolve("d").resolve("latchkey")
            + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0");
  }
}
