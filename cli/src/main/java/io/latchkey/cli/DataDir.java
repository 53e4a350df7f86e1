package io.latchkey.cli;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The embedded default: an H2 database and, unless the key comes from the environment, the hashing
 * key file, in one owner-only directory ({@code ./latchkey-data} unless told otherwise).
 *
 * <p>First use never leaves a half-initialised directory: the key file appears whole (written to a
 * temporary file, then moved), and if opening the database fails on first use, what this run
 * created is removed again. A database without its key file is refused rather than given a new
 * key, since every token in it would silently stop validating.
 */
final class DataDir {
  static final String DEFAULT_NAME = "latchkey-data";
  static final String KEY_FILE = "hashing-key";
  static final String DB_NAME = "latchkey";

  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final List<Path> createdThisRun = new ArrayList<>();

  DataDir(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  Path path() {
    return dir;
  }

  Path keyFile() {
    return dir.resolve(KEY_FILE);
  }

  /**
   * The H2 URL of the database. {@code AUTO_SERVER} lets a second {@code latchkey} process (say,
   * {@code disable} while {@code serve} runs) reach the database through the first one.
   */
  String jdbcUrl() {
    return "jdbc:h2:file:" + dir.resolve(DB_NAME).toString().replace('\\', '/')
        + ";AUTO_SERVER=TRUE";
  }

  boolean hasDatabase() {
    return Files.exists(dir.resolve(DB_NAME + ".mv.db"));
  }

  /** Creates the directory, owner-only, if it is missing. */
  void ensureDirectory() {
    if (Files.isDirectory(dir)) return;
    if (Files.exists(dir)) {
      throw new ConfigException("data directory " + dir + " exists but is not a directory");
    }
    try {
      Path parent = dir.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new ConfigException("cannot create data directory " + dir + ": " + parent
            + " does not exist");
      }
      if (posix()) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
      } else {
        Files.createDirectory(dir);
      }
      createdThisRun.add(dir);
    } catch (FileAlreadyExistsException e) {
      // Another latchkey process created it a moment ago: fine.
    } catch (IOException e) {
      throw new ConfigException("cannot create data directory " + dir + ": " + e.getMessage());
    }
  }

  /**
   * The key from the key file, creating the file if neither it nor a database exists yet.
   *
   * @param onCreated told the path of a key file this call created
   */
  HashingKey loadOrCreateKey(String keyId, java.util.function.Consumer<Path> onCreated) {
    Path file = keyFile();
    if (Files.exists(file)) return readKey(file);
    if (hasDatabase()) {
      throw new ConfigException("the database in " + dir + " has no " + KEY_FILE
          + " file beside it: restore the file or set LATCHKEY_HASHING_KEY to the key it was"
          + " created with (a new key would make every existing token invalid)");
    }
    HashingKey key = HashingKey.generate(keyId);
    try {
      Path tmp = Files.createTempFile(dir, "." + KEY_FILE, ".tmp");
      try {
        if (posix()) Files.setPosixFilePermissions(tmp, OWNER_FILE);
        else ownerOnlyFallback(tmp);
        Files.writeString(tmp, key.id() + ":" + key.toBase64() + "\n", StandardCharsets.US_ASCII);
        publish(tmp, file);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      return readKey(file); // another process won the race; use its key
    } catch (IOException e) {
      throw new ConfigException("cannot write " + file + ": " + e.getMessage());
    }
    createdThisRun.add(file);
    onCreated.accept(file);
    return readKey(file);
  }

  /**
   * Makes the complete temporary file appear under its name in one step, failing if the name is
   * taken: two processes initialising at once must not overwrite each other's key. A hard link
   * does exactly that; a rename may replace, so it is only the fallback.
   */
  private static void publish(Path tmp, Path file) throws IOException {
    try {
      Files.createLink(file, tmp);
      return;
    } catch (UnsupportedOperationException | FileSystemException e) {
      if (e instanceof FileAlreadyExistsException taken) throw taken;
    }
    if (Files.exists(file)) throw new FileAlreadyExistsException(file.toString());
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file);
    }
  }

  private static HashingKey readKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
    int colon = text.indexOf(':');
    if (colon < 1) {
      throw new ConfigException(file + " is not a latchkey key file (expected id:base64)");
    }
    try {
      return HashingKey.fromBase64(text.substring(0, colon), text.substring(colon + 1));
    } catch (InvalidArgumentException e) {
      throw new ConfigException(file + " is not a usable key file: " + e.getMessage());
    }
  }

  /**
   * Removes what this run created: called when first use failed, so the next run starts clean
   * rather than from a directory that has a key but a broken database (or the other way round).
   */
  void rollBackFirstUse() {
    if (createdThisRun.isEmpty()) return;
    try {
      if (createdThisRun.contains(dir)) {
        deleteTree(dir);
      } else {
        for (Path p : createdThisRun) Files.deleteIfExists(p);
        try (Stream<Path> db = Files.list(dir)) {
          for (Path p : (Iterable<Path>) db::iterator) {
            if (p.getFileName().toString().startsWith(DB_NAME + ".")) Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the error that made us roll back is the one to report.
    }
    createdThisRun.clear();
  }

  /** Whether this run created the directory or the key file. */
  boolean firstUse() {
    return !createdThisRun.isEmpty();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static boolean posix() {
    return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static void ownerOnlyFallback(Path p) {
    java.io.File f = p.toFile();
    f.setReadable(false, false);
    f.setWritable(false, false);
    f.setReadable(true, true);
    f.setWritable(true, true);
  }
}
