package io.latchkey.cli;

import io.latchkey.HashingKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * <p>Nobody else may read or change it. The directory and every file in it are owner-only; an
 * existing directory, key file or password file that is a symbolic link, belongs to another user,
 * or that group or others may read or write is refused with the command that fixes it. The
 * database has a random password, kept in the owner-only file {@code db-password}: H2's
 * {@code AUTO_SERVER} (which lets a second {@code latchkey} process reach the database while
 * {@code serve} runs) listens on 127.0.0.1 only, and without that password it admits nobody.
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
  static final String PASSWORD_FILE = "db-password";
  /** The database user; H2 stores it upper-case. */
  static final String DB_USER = "latchkey";
  /** H2 binds its servers to this address when the property is set before H2 first loads. */
  static final String H2_BIND_PROPERTY = "h2.bindAddress";

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
   * {@code disable} while {@code serve} runs) reach the database through the first one. No trace
   * file: H2 would create {@code latchkey.trace.db} on an internal error (seen on an assertion in
   * its close-time compaction) with the process's umask, outside the owner-only rule.
   */
  String jdbcUrl() {
    return "jdbc:h2:file:" + dir.resolve(DB_NAME).toString().replace('\\', '/')
        + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
  }

  Path passwordFile() {
    return dir.resolve(PASSWORD_FILE);
  }

  /**
   * Makes H2's AUTO_SERVER listen on loopback only. H2 reads the property once, when it first
   * loads, so {@link Main} sets it first thing; this covers embedding and tests.
   */
  static void loopbackOnly() {
    if (System.getProperty(H2_BIND_PROPERTY) == null) {
      System.setProperty(H2_BIND_PROPERTY, "127.0.0.1");
    }
  }

  boolean hasDatabase() {
    return Files.exists(dir.resolve(DB_NAME + ".mv.db"));
  }

  /**
   * Creates the directory, owner-only, if it is missing; refuses an existing one that is not
   * private.
   */
  void ensureDirectory() {
    if (Files.isSymbolicLink(dir)) {
      throw new ConfigException("data directory " + dir + " is a symbolic link; point --data-dir"
          + " at the directory itself");
    }
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      requirePrivate(dir, true);
      return;
    }
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
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
  KeyRing loadOrCreateKey(String keyId, java.util.function.Consumer<Path> onCreated) {
    Path file = keyFile();
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return readKey(file);
    if (hasDatabase()) {
      throw new ConfigException("the database in " + dir + " has no " + KEY_FILE
          + " file beside it: restore the file or set LATCHKEY_HASHING_KEY to the key it was"
          + " created with (a new key would make every existing token invalid)");
    }
    HashingKey key = HashingKey.generate(keyId);
    try {
      writeOwnerOnly(file, KeyRing.of(key).fileText());
    } catch (FileAlreadyExistsException e) {
      return readKey(file); // another process won the race; use its key
    } catch (IOException e) {
      throw new ConfigException("cannot write " + file + ": " + e.getMessage());
    }
    createdThisRun.add(file);
    onCreated.accept(file);
    return readKey(file);
  }

  /** Whether the directory has a key file (it may not: the key can come from the environment). */
  boolean hasKeyFile() {
    return Files.exists(keyFile(), LinkOption.NOFOLLOW_LINKS);
  }

  /** The keys in the key file; see {@link #loadOrCreateKey}. */
  KeyRing readKeyFile() {
    return readKey(keyFile());
  }

  /**
   * The database password, created with the database. A database made before there was one
   * (an empty password) gets one now: {@code legacy} is told so it can set it in the database.
   */
  String loadOrCreatePassword() {
    Path file = passwordFile();
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      requirePrivate(file, false);
      try {
        String pw = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (pw.isEmpty()) throw new ConfigException(file + " is empty; restore it from the backup");
        return pw;
      } catch (IOException e) {
        throw new ConfigException("cannot read " + file + ": " + e.getMessage());
      }
    }
    byte[] random = new byte[24];
    new java.security.SecureRandom().nextBytes(random);
    String pw = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      writeOwnerOnly(file, pw + "\n");
    } catch (FileAlreadyExistsException e) {
      return loadOrCreatePassword();
    } catch (IOException e) {
      throw new ConfigException("cannot write " + file + ": " + e.getMessage());
    }
    createdThisRun.add(file);
    return pw;
  }

  /** Forgets that this run created the password file (it is now the database's). */
  void keepPasswordFile() {
    createdThisRun.remove(passwordFile());
  }

  /** Removes a password file this run created, e.g. when setting it in the database failed. */
  void discardPasswordFile() {
    try {
      if (createdThisRun.remove(passwordFile())) Files.deleteIfExists(passwordFile());
    } catch (IOException e) {
      // Best effort; the next run refuses a password that does not open the database.
    }
  }

  /** Makes every file in the directory owner-only (H2 creates its files with the umask's mode). */
  void restrictFiles() {
    if (!posix()) return;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, OWNER_FILE);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new ConfigException("cannot make the files in " + dir + " owner-only: "
          + e.getMessage() + "; fix: chmod 600 " + dir + "/*");
    }
  }

  /** Writes a file that appears whole and owner-only, or fails if the name is taken. */
  private void writeOwnerOnly(Path file, String text) throws IOException {
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      if (posix()) Files.setPosixFilePermissions(tmp, OWNER_FILE);
      else ownerOnlyFallback(tmp);
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      publish(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Refuses a path that another user owns or that group or others may read or write, with the
   * command that fixes it. Symbolic links are refused by the callers before this.
   */
  static void requirePrivate(Path p, boolean directory) {
    if (!posix()) return;
    String what = directory ? "data directory " : "";
    if (Files.isSymbolicLink(p)) {
      throw new ConfigException(what + p + " is a symbolic link; replace it with the file itself");
    }
    try {
      Object owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      long me = currentUid();
      if (me >= 0 && owner instanceof Integer uid && uid != me) {
        throw new ConfigException(what + p + " belongs to another user (uid " + uid + ", you are "
            + me + "); use a directory of your own with --data-dir, or run as its owner");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> open = java.util.EnumSet.noneOf(PosixFilePermission.class);
      for (PosixFilePermission x : perms) if (!x.name().startsWith("OWNER")) open.add(x);
      if (!open.isEmpty()) {
        throw new ConfigException(what + p + " is open to group or others ("
            + PosixFilePermissions.toString(perms) + "); fix: chmod " + (directory ? "700 " : "600 ")
            + p);
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      if (e instanceof ConfigException c) throw c;
      throw new ConfigException("cannot check who may read " + p + ": " + e.getMessage());
    }
  }

  private static long currentUid() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid();
    } catch (RuntimeException | LinkageError e) {
      return -1; // not a Unix JDK: the mode check still runs
    }
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

  private static KeyRing readKey(Path file) {
    requirePrivate(file, false);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
    return KeyRing.parse(text, "key file " + file);
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
