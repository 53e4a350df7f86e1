package io.latchkey.benchmarks;

import io.latchkey.Latchkey;
import io.latchkey.ValidationRequest;
import io.latchkey.internal.DefaultTokenValidator;
import io.latchkey.internal.UsageBuffer;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The scale figures of issue 12 in one run, printed as a table for the README:
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.latchkey.benchmarks.Scale [--quick]
 *     [--only=memory|h2|postgres|redis|validator]</pre>
 *
 * <p>One workspace of N tokens (1,000,000; 100,000 with {@code --quick}) and one of N/10 on every
 * backend (in memory, H2 in memory, PostgreSQL, Redis; the servers are the embedded ones the JMH
 * suite starts): the cost of a first and of a last page of 100, and of a full pass; a usage flush
 * of N dirty tokens; memory per token; the memory a validator keeps after N distinct tokens; and
 * PostgreSQL's cache miss against a bare primary-key read; revoke-all of N (time to return, until
 * a second instance answers REVOKED, of the background fix-up; a token issued after it is VALID).
 * {@code --revoke-all} runs only that part. Wall-clock figures on a shared machine:
 * medians of repeated calls, ratios rather than absolute times.
 */
public final class Scale {
  static final String BIG = "big";
  static final String TENTH = "tenth";
  static final int PAGE = 100;
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private final int n;
  private final List<String[]> rows = new ArrayList<>();

  private Scale(int n) {
    this.n = n;
  }

  public static void main(String[] args) throws Exception {
    boolean quick = Arrays.asList(args).contains("--quick");
    // --only=redis (or memory, h2, postgres, validator) runs one part: e.g. the deterministic
    // memory figures of one backend at full N. --revoke-all runs only the revoke-all measurement,
    // of every backend or, with --only=memory, h2, postgres or redis, of that one.
    String only = Arrays.stream(args).filter(a -> a.startsWith("--only=")).map(a -> a.substring(7))
        .findFirst().orElse(null);
    boolean revokeAllOnly = Arrays.asList(args).contains("--revoke-all");
    Scale s = new Scale(quick ? 100_000 : 1_000_000);
    long started = System.nanoTime();
    step("N = " + s.n + (quick ? " (quick)" : "") + (only == null ? "" : ", only " + only));
    if (!revokeAllOnly) {
      if (only == null || only.equals("memory")) s.inMemory();
      if (only == null || only.equals("h2")) s.h2();
      if (only == null || only.equals("postgres")) s.postgres();
      if (only == null || only.equals("redis")) s.redis();
      if (only == null || only.equals("validator")) s.validatorMemory();
      if (only == null || only.equals("validator")) s.cachedEntry();
      if (only == null || only.equals("postgres")) s.postgresMiss();
    }
    if (only == null || revokeAllOnly) s.revokeAllEverywhere(only);
    System.out.println();
    System.out.printf(Locale.ROOT, "Scale, N = %,d per workspace, %.0f s, %d CPUs%n%n", s.n,
        (System.nanoTime() - started) / 1e9, Runtime.getRuntime().availableProcessors());
    System.out.println("| backend | measure | figure | target | met |");
    System.out.println("|---|---|---:|---|---|");
    for (String[] r : s.rows) System.out.println("| " + String.join(" | ", r) + " |");
    System.exit(0); // the embedded servers stop in shutdown hooks
  }

  private static void step(String what) {
    System.out.println("[latchkey-scale] " + what);
  }

  private void row(String backend, String measure, String figure, String target, String met) {
    rows.add(new String[] {backend, measure, figure, target, met});
    step(backend + ": " + measure + " = " + figure);
  }

  // ---------------------------------------------------------------- backends

  private void inMemory() throws Exception {
    step("in memory");
    perTokenHeap();
    InMemoryTokenStore store = new InMemoryTokenStore();
    insertAll(store, BIG, n, 1);
    insertAll(store, TENTH, n / 10, 1);
    listing("memory", store);
    flush("memory", store);
    store.close();
  }

  /** Heap per token of N tokens issued through Latchkey (three permissions, one range). */
  private void perTokenHeap() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    try (Latchkey l = Fixtures.latchkey(store).build()) {
      long before = usedHeap();
      for (int i = 0; i < n; i++) l.tokens().issue(Fixtures.newToken(i));
      long perToken = (usedHeap() - before) / n;
      row("memory", "heap per stored token (issued through Latchkey)", perToken + " B",
          "≤ 512 B", perToken <= 512 ? "yes" : "no");
    }
    store.close();
  }

  private void h2() throws Exception {
    step("H2");
    Path dir = Files.createTempDirectory("latchkey-scale");
    String url = "jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_DELAY=0";
    try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
      try (Connection c = DriverManager.getConnection(url)) {
        bulkInsert(c, "latchkey_tokens", BIG, n, "?");
        bulkInsert(c, "latchkey_tokens", TENTH, n / 10, "?");
      }
      long fresh = fileSize(dir);
      listing("H2", store);
      flush("H2", store);
      long afterFlush = fileSize(dir);
      flush("H2", store);
      long afterTwo = fileSize(dir);
      // Revoke one token in a hundred, as an operator would a few at a time.
      int revoked = 0;
      for (int i = 0; i < n; i += 100) {
        TokenRecord r = store.find(id(BIG, i)).orElseThrow();
        store.replace(r.toBuilder().state(StoredState.REVOKED).version(r.version() + 1).build(),
            r.version());
        revoked++;
      }
      long afterRevoke = fileSize(dir);
      long c0 = System.nanoTime();
      store.close(); // compacts the file (JdbcTokenStore: H2 file databases it opened)
      long closeMillis = (System.nanoTime() - c0) / 1_000_000;
      long closed = fileSize(dir);
      long tokens = n + n / 10;
      row("H2 file", "bytes per token: fresh / after 1 and 2 usage flushes of N / after "
              + revoked + " revokes / after close (close took)", fresh / tokens + " / "
              + afterFlush / tokens + " / " + afterTwo / tokens + " / " + afterRevoke / tokens
              + " / " + closed / tokens + " B (" + String.format(Locale.ROOT, "%,d", closeMillis)
              + " ms)",
          "stable under updates: ≤ 1.1× fresh", closed <= fresh * 11 / 10 ? "yes" : "no");
    }
  }

  private void postgres() throws Exception {
    step("PostgreSQL");
    String url = Backends.postgresUrl();
    String prefix = Backends.freshPrefix() + "_";
    try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(url).tablePrefix(prefix)
        .build()) {
      try (Connection c = DriverManager.getConnection(url)) {
        bulkInsert(c, prefix + "tokens", BIG, n, "CAST(? AS JSONB)");
        bulkInsert(c, prefix + "tokens", TENTH, n / 10, "CAST(? AS JSONB)");
        c.createStatement().execute("ANALYZE " + prefix + "tokens");
      }
      listing("PostgreSQL", store);
      flush("PostgreSQL", store);
    }
  }

  private void redis() throws Exception {
    step("Redis");
    String uri = Backends.redisUri();
    RedisClient client = RedisClient.create(uri);
    String keyPrefix = Backends.freshPrefix() + ":";
    try (StatefulRedisConnection<String, String> c = client.connect();
         RedisTokenStore store = RedisTokenStore.builder().uri(uri).keyPrefix(keyPrefix)
             .build()) {
      long before = redisUsed(c);
      insertAll(store, BIG, n, 8);
      long perToken = (redisUsed(c) - before) / n;
      var sync = c.sync();
      String recordKey = keyPrefix + "t{" + id(BIG, n / 2) + "}";
      long record = sync.memoryUsage(recordKey);
      // The index: its buckets (the first one's lower bound is empty), their directory and due
      // hours; see RedisKeys.
      String directory = keyPrefix + "i:{" + BIG + "}";
      List<String> lowerBounds = new ArrayList<>(sync.zrange(directory, 0, -1));
      lowerBounds.add("");
      long indexBytes = sync.memoryUsage(directory) + sync.memoryUsage(keyPrefix + "e:{" + BIG + "}");
      for (String lb : lowerBounds) indexBytes += sync.memoryUsage(directory + ":" + lb);
      String encoding = sync.objectEncoding(recordKey);
      row("Redis", "used_memory per token (MEMORY USAGE: record hash / index: "
              + "buckets, directory and due hours)",
          String.format(Locale.ROOT, "%d B (%d B %s / %.1f B in %d buckets)", perToken, record,
              encoding, (double) indexBytes / n, lowerBounds.size()), "≤ 400 B",
          perToken <= 400 ? "yes" : "no");
      insertAll(store, TENTH, n / 10, 8);
      listing("Redis", store);
      flush("Redis", store);
    } finally {
      client.shutdown();
    }
  }

  private static long redisUsed(StatefulRedisConnection<String, String> c) {
    for (String line : c.sync().info("memory").split("\r\n")) {
      if (line.startsWith("used_memory:")) return Long.parseLong(line.substring(12).trim());
    }
    throw new IllegalStateException("no used_memory in INFO");
  }

  // ---------------------------------------------------------------- measures

  private void listing(String backend, TokenStore store) {
    String lastCursor = id(BIG, n - PAGE - 1);
    store.list(BIG, null, PAGE); // warm up
    store.list(BIG, lastCursor, PAGE);
    // Interleaved, so that the machine's load falls on both alike.
    long[] first = new long[21];
    long[] last = new long[21];
    for (int i = 0; i < first.length; i++) {
      first[i] = time(() -> store.list(BIG, null, PAGE));
      last[i] = time(() -> store.list(BIG, lastCursor, PAGE));
    }
    // The fastest of 21: on a shared machine the median carries other processes' load.
    long f = Arrays.stream(first).min().orElseThrow();
    long l = Arrays.stream(last).min().orElseThrow();
    double ratio = (double) f / l;
    row(backend, "list: first page / last page of " + PAGE + " (fastest of 21)",
        String.format(Locale.ROOT, "%.2f ms / %.2f ms (%.2f×)", f / 1e6, l / 1e6, ratio),
        "within 2×", ratio <= 2 && ratio >= 0.5 ? "yes" : "no");
    // A full pass, page by page: linear in N if a page at the end costs what one at the start does.
    List<Long> pages = new ArrayList<>();
    long total = fullPass(store, BIG, n, pages);
    int tenth = Math.max(1, pages.size() / 10);
    long start = median(pages.subList(0, tenth));
    long end = median(pages.subList(pages.size() - tenth, pages.size()));
    double growth = (double) end / start;
    row(backend, "list: full pass of N in pages of 1,000; median page, last tenth / first tenth",
        String.format(Locale.ROOT, "%.1f s; %.1f ms / %.1f ms (%.2f×)", total / 1e9, end / 1e6,
            start / 1e6, growth), "linear: ≈ 1×", growth <= 2 ? "yes" : "no");
  }

  private static long median(List<Long> values) {
    long[] t = new long[values.size()];
    for (int i = 0; i < t.length; i++) t[i] = values.get(i);
    return median(t);
  }

  private static long time(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return System.nanoTime() - t0;
  }

  private static long median(long[] values) {
    long[] t = values.clone();
    Arrays.sort(t);
    return t[t.length / 2];
  }

  private static long fullPass(TokenStore store, String workspace, int expected,
      List<Long> pageNanos) {
    long t0 = System.nanoTime();
    String after = null;
    int seen = 0;
    while (true) {
      long p0 = System.nanoTime();
      List<TokenRecord> page = store.list(workspace, after, 1_000);
      pageNanos.add(System.nanoTime() - p0);
      seen += page.size();
      if (page.size() < 1_000) break;
      after = page.get(page.size() - 1).id();
    }
    if (seen != expected) throw new IllegalStateException("listed " + seen + " of " + expected);
    return System.nanoTime() - t0;
  }

  private void flush(String backend, TokenStore store) {
    UsageBuffer usage = new UsageBuffer(store);
    long at = System.currentTimeMillis();
    for (int i = 0; i < n; i++) usage.record(usage.peek(id(BIG, i)), at, "203.0.113.9", "scale");
    long t0 = System.nanoTime();
    int written = usage.flush(Duration.ofMinutes(10));
    long took = System.nanoTime() - t0;
    long t1 = System.nanoTime();
    int idle = usage.flush();
    long idleTook = System.nanoTime() - t1;
    row(backend, "usage flush of N dirty tokens (chunks of " + UsageBuffer.CHUNK_SIZE + ")",
        String.format(Locale.ROOT, "%,d written in %.1f s; %d slots left; idle flush %.3f ms",
            written, took / 1e9, usage.slotCount(), idleTook / 1e6),
        "all written", written == n && idle == 0 ? "yes" : "no");
  }

  /**
   * A validator over N distinct tokens with the default cache (64 MiB of estimated weight, at most
   * 100,000 entries): heap it keeps beyond the store's, after every token was validated once and
   * usage flushed.
   */
  private void validatorMemory() throws Exception {
    int tokens = n;
    step("validator memory after " + tokens + " distinct tokens");
    InMemoryTokenStore backing = new InMemoryTokenStore();
    // Usage is written nowhere, so that the store's own growth (last-used fields) is not counted.
    TokenStore store = Fixtures.ignoringUsage(backing);
    try (Latchkey l = Fixtures.latchkey(store).usageFlushInterval(Duration.ofDays(1)).build()) {
      List<String> secrets = Fixtures.issue(l.tokens(), tokens);
      ValidationRequest[] requests = new ValidationRequest[tokens];
      for (int i = 0; i < tokens; i++) requests[i] = Fixtures.request(secrets.get(i));
      secrets = null;
      long before = usedHeap();
      for (int i = 0; i < tokens; i++) {
        if (!l.validator().validate(requests[i]).isValid()) throw new IllegalStateException();
        if (i % 100_000 == 99_999) l.flushUsage();
      }
      l.flushUsage();
      long kept = usedHeap() - before;
      long cached = ((DefaultTokenValidator) l.validator()).cachedCount();
      row("validator", "heap kept after N distinct tokens (usage flushed), default cache",
          String.format(Locale.ROOT, "%.0f MB for %,d cached entries (%d B each)", kept / 1e6,
              cached, kept / Math.max(cached, 1)),
          "bounded by the cache", kept / Math.max(cached, 1) < 2_000 ? "yes" : "no");
    }
    backing.close();
  }

  /**
   * One cached entry's heap, class by class ({@link EntryFootprint}), over 100,000 tokens, in a
   * JVM of its own, so that nothing the earlier parts left can change between its two histograms:
   * once as the in-memory store's records give it, once as a store that decodes rows does.
   */
  private void cachedEntry() throws Exception {
    cachedEntry(false, "in-memory store");
    cachedEntry(true, "a store that decodes rows: JDBC, Redis");
  }

  private void cachedEntry(boolean decoded, String kind) throws Exception {
    step("a cached entry, " + kind + ", by class histogram (a JVM of its own)");
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx2g", "-cp",
        System.getProperty("java.class.path"), EntryFootprint.class.getName(), "100000"));
    if (decoded) command.add("--decoded");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> out = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    if (p.waitFor() != 0 || out.isEmpty()) throw new IllegalStateException(String.join("\n", out));
    out.forEach(System.out::println);
    String first = out.get(0); // "53,261 cached entries: 563 B each"
    int bytes = Integer.parseInt(first.replaceAll(".*: (\\d+) B each", "$1"));
    row("validator", "a cached entry, " + kind + " (class histograms, "
            + first.replaceAll(":.*", "") + " of the benchmark's token)", bytes + " B", "≤ 400 B",
        bytes <= 400 ? "yes" : "no");
  }

  /** PostgreSQL: a cache miss against a bare primary-key read through the same pool. */
  private void postgresMiss() throws Exception {
    step("PostgreSQL cache miss vs bare read");
    CacheMissBenchmark b = new CacheMissBenchmark();
    b.backend = Backends.POSTGRES;
    b.setUp();
    try {
      for (int i = 0; i < 5_000; i++) {
        b.latchkeyMiss();
        b.bareRead();
      }
      long[] miss = new long[21];
      long[] bare = new long[21];
      for (int round = 0; round < miss.length; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 1_000; i++) b.latchkeyMiss();
        long t1 = System.nanoTime();
        for (int i = 0; i < 1_000; i++) b.bareRead();
        long t2 = System.nanoTime();
        miss[round] = t1 - t0;
        bare[round] = t2 - t1;
      }
      Arrays.sort(miss);
      Arrays.sort(bare);
      double ratio = (double) miss[miss.length / 2] / bare[bare.length / 2];
      row("PostgreSQL", "cache miss / bare PK read (medians of 21 × 1,000)",
          String.format(Locale.ROOT, "%.2f× (%.0f µs / %.0f µs)", ratio,
              miss[miss.length / 2] / 1e6, bare[bare.length / 2] / 1e6), "≤ 1.1×",
          ratio <= 1.1 ? "yes" : "no");
    } finally {
      b.tearDown();
    }
  }


  // ---------------------------------------------------------------- revoke-all

  static final String RALL = "rall";
  /** Tokens issued through Latchkey (with secrets) among the N, validated on both instances. */
  static final int SAMPLE = 100;

  /**
   * Revoke-all on every backend, or on the one {@code --only} names (memory, h2, postgres, redis).
   */
  private void revokeAllEverywhere(@org.jspecify.annotations.Nullable String only) throws Exception {
    if (only == null || only.equals("memory")) revokeAllInMemory();
    if (only == null || only.equals("h2")) revokeAllH2();
    if (only == null || only.equals("postgres")) revokeAllPostgres();
    if (only == null || only.equals("redis")) revokeAllRedis();
  }

  private void revokeAllInMemory() throws Exception {
    step("revoke-all, in memory");
    InMemoryTokenStore memory = new InMemoryTokenStore();
    insertAll(memory, RALL, n - SAMPLE, 1, Scale::writtenRecord);
    revokeAll("memory", memory, memory, true);
    memory.close();
  }

  private void revokeAllH2() throws Exception {
    step("revoke-all, H2");
    Path dir = Files.createTempDirectory("latchkey-scale-rall");
    String h2 = "jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_DELAY=0";
    try (JdbcTokenStore store = JdbcTokenStore.create(h2)) {
      try (Connection c = DriverManager.getConnection(h2)) {
        bulkInsert(c, "latchkey_tokens", RALL, n - SAMPLE, "?", Scale::writtenId);
      }
      revokeAll("H2", store, store, false);
    }
  }

  private void revokeAllPostgres() throws Exception {
    step("revoke-all, PostgreSQL");
    String url = Backends.postgresUrl();
    String prefix = Backends.freshPrefix() + "_";
    try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(url).tablePrefix(prefix).build();
         JdbcTokenStore second = JdbcTokenStore.builder().jdbcUrl(url).tablePrefix(prefix)
             .build()) {
      try (Connection c = DriverManager.getConnection(url)) {
        bulkInsert(c, prefix + "tokens", RALL, n - SAMPLE, "CAST(? AS JSONB)", Scale::writtenId);
        // A table at rest, as autovacuum leaves it: the visibility map lets the count read the
        // covering index alone.
        c.createStatement().execute("VACUUM ANALYZE " + prefix + "tokens");
      }
      revokeAll("PostgreSQL", store, second, true);
    }
  }

  /**
   * Redis: N records written through the store's own insert (index and record scripts, 16 at a
   * time), then two stores on the same prefix, as two processes would have.
   */
  private void revokeAllRedis() throws Exception {
    step("revoke-all, Redis");
    String uri = Backends.redisUri();
    String keyPrefix = Backends.freshPrefix() + ":";
    try (RedisTokenStore store = RedisTokenStore.builder().uri(uri).keyPrefix(keyPrefix).build();
         RedisTokenStore second = RedisTokenStore.builder().uri(uri).keyPrefix(keyPrefix)
             .build()) {
      insertAll(store, RALL, n - SAMPLE, 16, Scale::writtenRecord);
      revokeAll("Redis", store, second, true);
    }
  }

  /**
   * Instance A calls revokeAll on a workspace of N tokens (SAMPLE of them issued through it, the
   * rest written directly, older); instance B has the SAMPLE cached as VALID. Measures the call,
   * the time until B answers REVOKED for every sampled token, and the fix-up (until the newest
   * records, which it reaches last, are stored REVOKED).
   */
  private void revokeAll(String backend, TokenStore storeA, TokenStore storeB, boolean feed)
      throws Exception {
    try (Latchkey a = Fixtures.latchkey(storeA).build();
         Latchkey b = Fixtures.latchkey(storeB).cacheTtl(Duration.ofHours(1)).build()) {
      List<String> sample = new ArrayList<>(SAMPLE);
      List<String> sampleIds = new ArrayList<>(SAMPLE);
      for (int i = 0; i < SAMPLE; i++) {
        var t = a.tokens().issue(io.latchkey.NewToken.in(RALL).name("sample-" + i));
        sample.add(t.secret());
        sampleIds.add(t.id().value());
      }
      for (String t : sample) {
        if (!b.validator().validate(t).isValid()) throw new IllegalStateException("not valid");
      }
      long start = System.nanoTime();
      int count = a.tokens().revokeAll(RALL);
      long returned = System.nanoTime() - start;
      row(backend, "revokeAll of N: the call returns (count " + count + ")",
          String.format(Locale.ROOT, "%.1f ms", returned / 1e6), "< 1 s at 1 M",
          returned < 1_000_000_000L && count == n ? "yes" : "no");
      if (feed) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!sample.stream().allMatch(t -> b.validator().validate(t).reasonOrNull()
            == io.latchkey.Reason.REVOKED)) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("B never revoked");
          Thread.sleep(1);
        }
        long seen = System.nanoTime() - start;
        row(backend, "revokeAll: until a second instance answers REVOKED for " + SAMPLE
                + " cached tokens", String.format(Locale.ROOT, "%.1f ms", seen / 1e6),
            "within the feed bound", "yes");
      } else {
        row(backend, "revokeAll: a second instance (no change feed)",
            "within cacheTtl", "within cacheTtl", "—");
      }
      var after = a.tokens().issue(io.latchkey.NewToken.in(RALL).name("after"));
      boolean afterValid = a.validator().validate(after.secret()).isValid()
          && b.validator().validate(after.secret()).isValid();
      row(backend, "revokeAll: a token issued after it returns", afterValid ? "VALID" : "NOT VALID",
          "VALID", afterValid ? "yes" : "no");
      String last = sampleIds.get(SAMPLE - 1);
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (storeA.find(last).orElseThrow().state() != StoredState.REVOKED
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long fixedUp = System.nanoTime() - start;
      boolean done = storeA.find(last).orElseThrow().state() == StoredState.REVOKED;
      row(backend, "revokeAll: background fix-up of N records (one replaceEach per chunk of 200)",
          done ? String.format(Locale.ROOT, "%.1f s", fixedUp / 1e9) : "not done in 30 min",
          "—", done ? "done" : "no");
    }
  }

  /** A Latchkey-format id written {@code i} ms before the fixtures' time, sorting by i. */
  static String writtenId(String workspace, int i) {
    String tail = Long.toString(1_000_000_000L + i, 36);
    return io.latchkey.spi.RevocationWatermarks.idBound(NOW.minusMillis(n0 - i))
        + "0".repeat(Math.max(0, 8 - tail.length())) + tail.substring(Math.max(0, tail.length() - 8));
  }

  private static final long n0 = 10_000_000L;

  static TokenRecord writtenRecord(String workspace, int i) {
    return record(workspace, i).toBuilder().id(writtenId(workspace, i)).build();
  }

  // ---------------------------------------------------------------- fixtures

  /** A 16-character id, ordered by {@code i} within a workspace. */
  static String id(String workspace, int i) {
    return String.format("%c%015d", workspace.equals(BIG) ? 'B' : 'T', i);
  }

  static TokenRecord record(String workspace, int i) {
    return TokenRecord.builder().id(id(workspace, i)).workspace(workspace).name("token-" + i)
        .hint("acme_...abcd").keyId("k1").hash(new byte[32]).state(StoredState.ACTIVE)
        .permissions(Map.of("invoices:read", true, "invoices:write", true, "admin", false))
        .allowedIps(List.of("203.0.113.0/24"))
        .createdAt(NOW).createdBy("scale").updatedAt(NOW)
        .expiresAt(NOW.plus(Duration.ofDays(365))).version(1).build();
  }

  private static void insertAll(TokenStore store, String workspace, int count, int threads)
      throws Exception {
    insertAll(store, workspace, count, threads, Scale::record);
  }

  private static void insertAll(TokenStore store, String workspace, int count, int threads,
      java.util.function.BiFunction<String, Integer, TokenRecord> records) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int from = t;
        parts.add(pool.submit(() -> {
          for (int i = from; i < count; i += threads) {
            if (!store.insert(records.apply(workspace, i))) {
              throw new IllegalStateException("dup");
            }
          }
        }));
      }
      for (Future<?> f : parts) f.get();
    } finally {
      pool.shutdown();
    }
  }

  private static void bulkInsert(Connection c, String table, String workspace, int count,
      String json) throws SQLException {
    bulkInsert(c, table, workspace, count, json, Scale::id);
  }

  private static void bulkInsert(Connection c, String table, String workspace, int count,
      String json, java.util.function.BiFunction<String, Integer, String> ids)
      throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, workspace, "
        + "name, description, hint, key_id, hash, state, permissions, allowed_ips, metadata, "
        + "created_at, created_by, updated_at, expires_at, version) VALUES (?, ?, ?, '', "
        + "'acme_...abcd', 'k1', ?, 'ACTIVE', " + json + ", " + json + ", " + json
        + ", ?, 'scale', ?, ?, 1)")) {
      Timestamp now = Timestamp.from(NOW);
      Timestamp expires = Timestamp.from(NOW.plus(Duration.ofDays(365)));
      byte[] hash = new byte[32];
      for (int i = 0; i < count; i++) {
        ps.setString(1, ids.apply(workspace, i));
        ps.setString(2, workspace);
        ps.setString(3, "token-" + i);
        ps.setBytes(4, hash);
        ps.setString(5, "{\"admin\":false,\"invoices:read\":true,\"invoices:write\":true}");
        ps.setString(6, "[\"203.0.113.0/24\"]");
        ps.setString(7, "{}");
        ps.setTimestamp(8, now);
        ps.setTimestamp(9, now);
        ps.setTimestamp(10, expires);
        ps.addBatch();
        if (i % 5_000 == 4_999) {
          ps.executeBatch();
          c.commit();
        }
      }
      ps.executeBatch();
      c.commit();
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long fileSize(Path dir) throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
