package io.latchkey.cli;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import io.latchkey.Latchkey;
import io.latchkey.TokenManager;
import io.latchkey.spi.TokenStore;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One command's {@link Latchkey} over the store that the options and environment name. Closing it
 * closes Latchkey first (which flushes buffered usage, e.g. what {@code validate} recorded), then
 * the store if the session opened it.
 */
final class Session implements AutoCloseable {
  static final String ENV_STORE = "LATCHKEY_STORE";
  static final String ENV_KEY = "LATCHKEY_HASHING_KEY";
  static final String ENV_KEY_ID = "LATCHKEY_HASHING_KEY_ID";
  static final String ENV_KEYS = "LATCHKEY_HASHING_KEYS";
  static final String ENV_PREFIX = "LATCHKEY_TOKEN_PREFIX";
  static final String ENV_DATA_DIR = "LATCHKEY_DATA_DIR";
  static final String ENV_ACTOR = "LATCHKEY_ACTOR";
  static final String DEFAULT_KEY_ID = "k1";
  static final String DEFAULT_PREFIX = "lk";

  private final Latchkey latchkey;
  private final @Nullable TokenStore ownedStore;
  private final String storeDescription;
  private final String actor;
  private String prefix = DEFAULT_PREFIX;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Session(Latchkey latchkey, @Nullable TokenStore ownedStore, String storeDescription,
      String actor) {
    this.latchkey = latchkey;
    this.ownedStore = ownedStore;
    this.storeDescription = storeDescription;
    this.actor = actor;
  }

  /** How the command wants its Latchkey tuned. */
  record Tuning(@Nullable Duration cacheTtl) {
    static final Tuning DEFAULT = new Tuning(null);
  }

  /**
   * Opens the store and builds Latchkey.
   *
   * @throws ConfigException if the key, prefix or store URL is missing or malformed
   * @throws io.latchkey.StoreUnavailableException if the store cannot be reached
   */
  static Session open(LatchkeyCommand options, CliContext ctx, Tuning tuning) {
    Session s = openSession(options, ctx, tuning);
    s.prefix = first(options.prefix, ctx.env(ENV_PREFIX), DEFAULT_PREFIX);
    return s;
  }

  private static Session openSession(LatchkeyCommand options, CliContext ctx, Tuning tuning) {
    DataDir.loopbackOnly(); // before this process first loads H2, whichever store it opens
    String prefix = first(options.prefix, ctx.env(ENV_PREFIX), DEFAULT_PREFIX);
    String actor = first(options.actor, ctx.env(ENV_ACTOR), System.getProperty("user.name"),
        "cli");
    String keyId = first(ctx.env(ENV_KEY_ID), DEFAULT_KEY_ID);
    KeyRing envKeys = keysFromEnv(ctx, keyId);

    if (ctx.store() != null) {
      KeyRing keys = envKeys != null ? envKeys : KeyRing.of(HashingKey.generate(keyId));
      return new Session(build(ctx.store(), prefix, keys, tuning), null, "the test store", actor);
    }

    String url = first(options.store, ctx.env(ENV_STORE));
    if (url != null) {
      KeyRing keys = envKeys;
      if (keys == null) {
        if (!url.equalsIgnoreCase(Stores.MEMORY)) {
          throw new ConfigException(ENV_KEY + " is not set: with --store " + Stores.redact(url)
              + " the hashing key must come from the environment (make one with"
              + " `latchkey keygen`; id from " + ENV_KEY_ID + ", default " + DEFAULT_KEY_ID
              + "; several keys: " + ENV_KEYS + ")");
        }
        // Nothing outlives the process, so neither may the key.
        keys = KeyRing.of(HashingKey.generate(keyId));
      }
      TokenStore store = Stores.open(url);
      String description = url.equalsIgnoreCase(Stores.MEMORY)
          ? Stores.MEMORY + " (in this process only)" : Stores.redact(url);
      return withStore(store, prefix, keys, tuning, description, actor, null);
    }

    DataDir data = new DataDir(dataDir(options, ctx));
    data.ensureDirectory();
    try {
      KeyRing keys;
      if (data.hasKeyFile()) {
        keys = data.readKeyFile();
        if (envKeys != null && !envKeys.sameKeys(keys)) {
          String file = display(ctx, data.keyFile());
          throw new ConfigException(envName(ctx) + " does not match " + file + " (keys "
              + envKeys.ids() + " in the environment, " + keys.ids() + " in the file): this"
              + " store's tokens are hashed with the file's keys, so unset " + envName(ctx)
              + " to use them; to rotate, put the new key first in " + file);
        }
      } else if (envKeys != null) {
        keys = envKeys; // a store created with the environment's key has no key file
      } else {
        keys = data.loadOrCreateKey(keyId, file ->
            ctx.err().println("latchkey: created hashing key " + display(ctx, file)
                + " (owner-only); keep it with the data: tokens cannot be validated without it"));
      }
      TokenStore store = openEmbedded(data);
      return withStore(store, prefix, keys, tuning, display(ctx, data.path()), actor, data);
    } catch (RuntimeException e) {
      data.rollBackFirstUse();
      throw e;
    }
  }

  /**
   * Opens the data directory's database with its password, giving one to a database created
   * before databases had one, then makes every file in the directory owner-only.
   */
  private static TokenStore openEmbedded(DataDir data) {
    boolean legacy = data.hasDatabase() && !java.nio.file.Files.exists(data.passwordFile(),
        java.nio.file.LinkOption.NOFOLLOW_LINKS);
    String password = data.loadOrCreatePassword();
    if (legacy) {
      try {
        Stores.protectLegacyH2(data.jdbcUrl(), DataDir.DB_USER, password);
      } catch (RuntimeException e) {
        data.discardPasswordFile();
        throw e;
      }
      data.keepPasswordFile();
    }
    TokenStore store = Stores.openEmbedded(data.jdbcUrl(), DataDir.DB_USER, password);
    try {
      data.restrictFiles();
    } catch (RuntimeException e) {
      closeQuietly(store);
      throw e;
    }
    return store;
  }

  private static String envName(CliContext ctx) {
    return ctx.env(ENV_KEYS) != null ? ENV_KEYS : ENV_KEY;
  }

  private static Session withStore(TokenStore store, String prefix, KeyRing keys, Tuning tuning,
      String description, String actor, @Nullable DataDir data) {
    try {
      // Stores build while their backend is down (they connect when it returns); a command does
      // not wait for that: it fails now, in one line, before Latchkey's change feed starts
      // retrying and logging in the background.
      store.ping();
      return new Session(build(store, prefix, keys, tuning), store, description, actor);
    } catch (RuntimeException e) {
      closeQuietly(store);
      if (data != null) data.rollBackFirstUse();
      throw e;
    }
  }

  private static Latchkey build(TokenStore store, String prefix, KeyRing keys, Tuning tuning) {
    Latchkey.Builder b = Latchkey.builder().store(store);
    keys.addTo(b);
    try {
      b.tokenPrefix(prefix);
    } catch (InvalidArgumentException e) {
      throw new ConfigException("--prefix / " + ENV_PREFIX + " \"" + prefix + "\": "
          + e.getMessage());
    }
    if (tuning.cacheTtl() != null) b.cacheTtl(tuning.cacheTtl());
    return b.build();
  }

  /**
   * The keys the environment gives: {@code LATCHKEY_HASHING_KEYS} (several, {@code
   * id:base64[:retiring]}, comma-separated) or {@code LATCHKEY_HASHING_KEY} (one, its id from
   * {@code LATCHKEY_HASHING_KEY_ID}), or null. Both at once is refused: which would win?
   */
  private static @Nullable KeyRing keysFromEnv(CliContext ctx, String keyId) {
    String several = ctx.env(ENV_KEYS);
    String b64 = ctx.env(ENV_KEY);
    if (several != null && b64 != null) {
      throw new ConfigException(ENV_KEYS + " and " + ENV_KEY + " are both set: unset "
          + ENV_KEY + " (put its key in " + ENV_KEYS + " as " + keyId + ":BASE64)");
    }
    if (several != null) return KeyRing.parse(several, ENV_KEYS);
    if (b64 == null) return null;
    try {
      return KeyRing.of(HashingKey.fromBase64(keyId, b64));
    } catch (InvalidArgumentException e) {
      // The message names the problem, never the key's value.
      throw new ConfigException(ENV_KEY + " / " + ENV_KEY_ID + " is not usable: " + e.getMessage());
    }
  }

  static Path dataDir(LatchkeyCommand options, CliContext ctx) {
    if (options.dataDir != null) return ctx.workingDir().resolve(options.dataDir);
    String env = ctx.env(ENV_DATA_DIR);
    if (env != null) return ctx.workingDir().resolve(env);
    return ctx.workingDir().resolve(DataDir.DEFAULT_NAME);
  }

  /** A path as the user would type it: relative to the working directory when inside it. */
  static String display(CliContext ctx, Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path wd = ctx.workingDir().toAbsolutePath().normalize();
    return abs.startsWith(wd) && !abs.equals(wd) ? wd.relativize(abs).toString() : abs.toString();
  }

  @SafeVarargs
  private static <T> @Nullable T first(@Nullable T... values) {
    for (T v : values) if (v != null) return v;
    return null;
  }

  Latchkey latchkey() {
    return latchkey;
  }

  /** The token manager, recording the operator (--actor, LATCHKEY_ACTOR or the OS user). */
  TokenManager tokens() {
    return latchkey.tokens().as(actor);
  }

  /** The token prefix this session's tokens carry. */
  String prefix() {
    return prefix;
  }

  String storeDescription() {
    return storeDescription;
  }

  /**
   * Closes Latchkey (flushing usage), then the store if this session opened it. Idempotent.
   *
   * @throws io.latchkey.StoreUnavailableException if the usage this command recorded (last-used
   *     time and address of the tokens it validated) could not be written because the store
   *     failed: the command's work is done, but the user learns, with exit code 5, that those
   *     last-used times are lost
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    try {
      latchkey.close();
    } catch (io.latchkey.StoreUnavailableException e) {
      // Latchkey.close() throws this only when the final usage flush failed.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new io.latchkey.StoreUnavailableException("could not write the last-used time of the"
          + " tokens this command validated, now lost: " + cause.getMessage(), e);
    } finally {
      if (ownedStore != null) closeQuietly(ownedStore);
    }
  }

  private static void closeQuietly(TokenStore store) {
    try {
      store.close();
    } catch (Exception e) {
      // Closing after the work is done; the work's outcome is what the user needs to see.
    }
  }
}
