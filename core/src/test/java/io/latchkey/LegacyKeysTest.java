package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import io.latchkey.spi.TokenRecord;
import org.junit.jupiter.api.Test;

/** Import of legacy keys, their first validation and upgrade, and what a flood of guesses costs. */
class LegacyKeysTest {
  /** DRF-API-Key style: an 8-character public prefix, a dot, the secret. */
  static final LegacyFormat DRF = LegacyFormat.pattern(Pattern.compile("(?<lookup>[A-Za-z0-9]{8})\\.[A-Za-z0-9]+"));
  // From legacy-vectors.tsv (Python's bcrypt and hashlib).
  static final String KEY = "Ab3dEf9h.kJ2mNp5qRs8tUv1wXy4zA7bC0dE";
  static final String BCRYPT = "$2b$04$NBffPRbddy/W6Ch6XQWNc.sCo4GtwsyhhwlB2XhRvvptw16KAP22S";
  static final String SHA256 = "ae906f5b48d62a5442955fc299dd844a851f0d1711b9532acc0217256341a585";

  private static Harness legacy() {
    return Harness.create(b -> b.legacyFormat(DRF).legacyFormat(LegacyFormat.sha256Digest()));
  }

  private static LegacyKey bcryptKey() {
    return LegacyKey.in("acme").name("ci").lookup("Ab3dEf9h").hash(BCRYPT)
        .permissions(Map.of("read", true));
  }

  static byte[] legacyHmac(HashingKey key, String presented) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
    return mac.doFinal(("latchkey-legacy\0" + presented).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void importedBcryptKey_firstValidationUpgrades_laterOnesRunNoSlowVerifier() throws Exception {
    try (Harness h = legacy()) {
      TokenId id = h.latchkey.legacyKeys().importKey(bcryptKey());
      assertThat(h.record(id).keyId()).isEqualTo("legacy:bcrypt");
      assertThat(h.latchkey.legacyKeys().pending("acme")).isEqualTo(1);

      ValidationResult first = h.validator().validate(ValidationRequest.of(KEY).require("read"));
      assertThat(first).isInstanceOf(ValidationResult.Valid.class);
      assertThat(((ValidationResult.Valid) first).principal().id()).isEqualTo(id);
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(1);
      Harness.await("upgrade", () -> h.record(id).keyId().equals("k1"));
      assertThat(h.record(id).hash()).isEqualTo(legacyHmac(Harness.K1, KEY));
      assertThat(h.latchkey.legacyKeys().pending("acme")).isZero();
      // The event follows the write on the background thread: wait for it, then check it is one.
      Harness.await("REHASHED event", () -> !h.events(TokenEvent.Type.REHASHED).isEmpty());
      assertThat(h.events(TokenEvent.Type.REHASHED)).hasSize(1);

      h.latchkey.invalidateCache(); // read the upgraded record from the store
      for (int i = 0; i < 3; i++) {
        assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      }
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(1);
      assertThat(h.validator().validate(KEY.substring(0, KEY.length() - 1) + "F"))
          .isEqualTo(ValidationResult.rejected(Reason.UNKNOWN));
      assertThat(h.validator().validate(ValidationRequest.of(KEY).require("write")))
          .isEqualTo(ValidationResult.rejected(Reason.PERMISSION_DENIED));
      assertThat(h.validator().validate(ValidationRequest.of(KEY).workspace("other")))
          .isEqualTo(ValidationResult.rejected(Reason.WORKSPACE_MISMATCH));

      h.tokens().disable(id);
      assertThat(h.validator().validate(KEY)).isEqualTo(ValidationResult.rejected(Reason.DISABLED));
      h.tokens().enable(id);
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      h.tokens().revoke(id);
      assertThat(h.validator().validate(KEY)).isEqualTo(ValidationResult.rejected(Reason.REVOKED));
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(1);
    }
  }

  @Test
  void upgradeRacingARevoke_neverUndoesTheRevoke() throws Exception {
    try (Harness h = legacy()) {
      TokenId id = h.latchkey.legacyKeys().importKey(bcryptKey());
      h.store.findDelayMillis = 100; // the upgrade's read and the revoke's overlap
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      h.tokens().revoke(id);
      h.store.findDelayMillis = 0;
      Harness.await("upgrade", () -> h.record(id).keyId().equals("k1"));
      assertThat(h.record(id).state()).isEqualTo(io.latchkey.spi.StoredState.REVOKED);
      assertThat(h.validator().validate(KEY)).isEqualTo(ValidationResult.rejected(Reason.REVOKED));
    }
  }

  @Test
  void secondValidation_beforeTheUpgradeIsReadBack_runsNoSlowVerifier() {
    try (Harness h = legacy()) {
      h.latchkey.legacyKeys().importKey(bcryptKey());
      h.store.replaceDown = true; // the upgrade cannot land
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(1);
    }
  }

  @Test
  void floodOfWrongGuesses_forOnePrefix_costsOneSlowVerificationPerPeriod() throws Exception {
    try (Harness h = legacy()) {
      h.latchkey.legacyKeys().importKey(bcryptKey());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<ValidationResult>> results = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
          String guess = "Ab3dEf9h.guess" + i;
          results.add(pool.submit(() -> h.validator().validate(guess)));
        }
        for (Future<ValidationResult> r : results) {
          assertThat(r.get()).isEqualTo(ValidationResult.rejected(Reason.UNKNOWN));
        }
      } finally {
        pool.shutdown();
      }
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(1);
      // The price: the owner's key is refused too until the period ends...
      assertThat(h.validator().validate(KEY)).isEqualTo(ValidationResult.rejected(Reason.UNKNOWN));
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(1);
      // ...and then accepted.
      h.clock.advance(Duration.ofMillis(1001));
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isEqualTo(2);
    }
  }

  @Test
  void plaintextImport_storesOnlyTheKeyedHash_andNeverRunsASlowVerifier() throws Exception {
    try (Harness h = legacy()) {
      TokenId id = h.latchkey.legacyKeys().importKey(
          LegacyKey.in("acme").name("old").lookup("Ab3dEf9h").plaintext(KEY));
      TokenRecord r = h.record(id);
      assertThat(r.keyId()).isEqualTo("k1");
      assertThat(r.hash()).isEqualTo(legacyHmac(Harness.K1, KEY));
      assertThat(r.toString()).doesNotContain("kJ2mNp5q");
      assertThat(h.latchkey.legacyKeys().pending("acme")).isZero();
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(h.latchkey.legacyKeys().slowVerifications()).isZero();
    }
  }

  @Test
  void sha256DigestWithoutLookup_isFoundByTheDigestOfTheKey() throws Exception {
    try (Harness h = legacy()) {
      TokenId id = h.latchkey.legacyKeys().importKey(LegacyKey.in("acme").name("unkey").hash(SHA256));
      assertThat(h.tokens().get(id).hint()).isEqualTo("legacy sha256 digest");
      // Not of the DRF shape: the digest format finds it.
      String other = "Ab3dEf9h-" + KEY;
      assertThat(h.validator().validate(other)).isEqualTo(ValidationResult.rejected(Reason.UNKNOWN));
      // KEY matches the DRF pattern, whose lookup part names no record; the digest format is next.
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
      Harness.await("upgrade", () -> h.record(id).keyId().equals("k1"));
      h.latchkey.invalidateCache();
      assertThat(h.validator().validate(KEY)).isInstanceOf(ValidationResult.Valid.class);
    }
  }

  @Test
  void withoutALegacyFormat_aForeignKeyIsMalformed_beforeAnyLookup() {
    try (Harness h = Harness.create()) {
      h.latchkey.legacyKeys().importKey(bcryptKey());
      int finds = h.store.finds.get();
      assertThat(h.validator().validate(KEY)).isEqualTo(ValidationResult.rejected(Reason.MALFORMED));
      assertThat(h.store.finds.get()).isEqualTo(finds);
    }
  }

  @Test
  void aKeyNoFormatRecognises_isMalformed() {
    try (Harness h = Harness.create(b -> b.legacyFormat(DRF))) {
      assertThat(h.validator().validate("nope")).isEqualTo(ValidationResult.rejected(Reason.MALFORMED));
    }
  }

  @Test
  void expiry_defaultsToTwoYearsAfterCreation_cappedByTheMaximum_pastImportsAsExpired() {
    try (Harness h = Harness.create(b -> b.maxLifetime(Period.ofDays(365)))) {
      Instant created = Harness.START.minus(Duration.ofDays(30));
      TokenId capped = h.latchkey.legacyKeys().importKey(bcryptKey().createdAt(created));
      assertThat(h.tokens().get(capped).expiresAt()).isEqualTo(Harness.START.plus(Duration.ofDays(365)));
      assertThat(h.tokens().get(capped).createdAt()).isEqualTo(created);
      TokenId old = h.latchkey.legacyKeys().importKey(LegacyKey.in("acme").name("old").lookup("Zz9yXx8w")
          .hash(BCRYPT).createdAt(Instant.parse("2023-06-01T00:00:00Z")));
      assertThat(h.tokens().get(old).expiresAt()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
      assertThat(h.tokens().get(old).state()).isEqualTo(TokenState.EXPIRED);
    }
    try (Harness h = Harness.create()) {
      Instant created = Harness.START.minus(Duration.ofDays(30));
      TokenId id = h.latchkey.legacyKeys().importKey(bcryptKey().createdAt(created));
      // Two years after creation, within the default maximum of two years from now.
      assertThat(h.tokens().get(id).expiresAt()).isEqualTo(Instant.parse("2027-12-02T00:00:00Z"));
    }
  }

  @Test
  void badHashes_areRefusedNamingTheField() {
    try (Harness h = legacy()) {
      LegacyKeys keys = h.latchkey.legacyKeys();
      assertThatThrownBy(() -> keys.importKey(bcryptKey().hash("$2b$31$" + "a".repeat(53))))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageStartingWith("hash has bcrypt cost 31");
      assertThatThrownBy(() -> keys.importKey(bcryptKey().hash("md5:5f4dcc3b5aa765d61d8327deb882cf99")))
          .hasMessageStartingWith("hash is not a supported hash");
      assertThatThrownBy(() -> keys.importKey(LegacyKey.in("acme").name("x").hash(BCRYPT)))
          .hasMessage("lookup must be set for a bcrypt hash");
      assertThatThrownBy(() -> keys.importKey(LegacyKey.in("acme").lookup("abc").hash(BCRYPT)))
          .hasMessage("name must be set");
      assertThat(h.store.all().size()).isZero();
    }
  }

  @Test
  void batch_allOrNothing_storesNothingWhenOneRowIsBad() {
    try (Harness h = legacy()) {
      ImportReport report = h.latchkey.legacyKeys().importAll(List.of(
          bcryptKey(),
          LegacyKey.in("acme").name("b").lookup("Bb3dEf9h").hash("$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA"),
          LegacyKey.in("acme").name("c").lookup("Ab3dEf9h").hash(SHA256)),
          ImportReport.Mode.ALL_OR_NOTHING);
      assertThat(report.imported()).isEmpty();
      assertThat(report.problems()).extracting(Object::toString).containsExactly(
          "row 2 hash needs 4194304 KiB for Argon2, above the ceiling of 262144 KiB (LegacyLimits.maxMemoryKiB)",
          "row 3 lookup repeats the lookup part of row 1");
      assertThat(h.store.all().size()).isZero();
    }
  }

  @Test
  void batch_allOrNothing_undoesWhatItStoredOnAConflictWithTheStore() {
    try (Harness h = legacy()) {
      h.latchkey.legacyKeys().importKey(LegacyKey.in("other").name("taken").lookup("Cc3dEf9h").hash(BCRYPT));
      ImportReport report = h.latchkey.legacyKeys().importAll(List.of(
          bcryptKey(), LegacyKey.in("acme").name("c").lookup("Cc3dEf9h").hash(BCRYPT)),
          ImportReport.Mode.ALL_OR_NOTHING);
      assertThat(report.imported()).isEmpty();
      assertThat(report.problems()).singleElement().asString()
          .startsWith("row 2 lookup is already used by token ");
      assertThat(h.store.all().size()).isEqualTo(1);
    }
  }

  @Test
  void batch_goodRows_importsTheGoodOnes_andARerunImportsNothingTwice() {
    try (Harness h = legacy()) {
      List<LegacyKey> rows = List.of(
          bcryptKey(),
          LegacyKey.in("acme").name("bad").lookup("Bb3dEf9h").hash("$2b$10$short"),
          LegacyKey.in("acme").name("digest").hash(SHA256));
      ImportReport first = h.latchkey.legacyKeys().importAll(rows, ImportReport.Mode.GOOD_ROWS);
      assertThat(first.imported()).hasSize(2);
      assertThat(first.problems()).extracting(ImportReport.Problem::row, ImportReport.Problem::field)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "hash"));
      ImportReport again = h.latchkey.legacyKeys().importAll(rows, ImportReport.Mode.GOOD_ROWS);
      assertThat(again.imported()).isEmpty();
      assertThat(again.alreadyImported()).isEqualTo(2);
      assertThat(h.store.all().size()).isEqualTo(2);
      assertThat(h.events(TokenEvent.Type.ISSUED)).hasSize(2);
      // Importing one key again returns its id and changes nothing.
      assertThat(h.latchkey.legacyKeys().importKey(bcryptKey())).isEqualTo(first.imported().get(0));
    }
  }

  @Test
  void legacyKey_toString_showsNoSecret() {
    assertThat(bcryptKey().toString()).doesNotContain("NBffPR").contains("verifier=hash");
    assertThat(LegacyKey.in("a").name("b").lookup("c").plaintext(KEY).toString()).doesNotContain("kJ2m");
  }
}
