package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListingTest {
  final Harness h = Harness.create();
  final TokenManager tokens = h.tokens();

  @AfterEach
  void close() {
    h.close();
  }

  List<TokenId> issueMany(String workspace, int n, boolean advanceClock) {
    List<TokenId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(h.issue(workspace, "token-" + i).id());
      if (advanceClock) h.clock.advance(Duration.ofMillis(1));
    }
    return ids;
  }

  List<TokenId> listAll(TokenQuery query) {
    List<TokenId> out = new ArrayList<>();
    TokenPage page = tokens.list(query);
    out.addAll(ids(page));
    while (page.hasMore()) {
      page = tokens.list(query.after(page.nextCursor().orElseThrow()));
      out.addAll(ids(page));
    }
    return out;
  }

  static List<TokenId> ids(TokenPage page) {
    return page.tokens().stream().map(Token::id).toList();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 10, 25, 26, 1000})
  void list_pagesByKeysetInIssueOrder(int limit) {
    List<TokenId> issued = issueMany("ws", 25, true);
    issueMany("other", 5, true);
    assertThat(listAll(TokenQuery.in("ws").limit(limit))).containsExactlyElementsOf(issued);
  }

  @Test
  void list_pagesHaveTheRequestedSizeAndTheLastHasNoCursor() {
    issueMany("ws", 25, false);
    TokenPage first = tokens.list(TokenQuery.in("ws").limit(10));
    assertThat(first.tokens()).hasSize(10);
    assertThat(first.cursor()).isEqualTo(first.tokens().get(9).id().value());
    TokenPage second = tokens.list(TokenQuery.in("ws").limit(10).after(first.cursor()));
    TokenPage third = tokens.list(TokenQuery.in("ws").limit(10).after(second.cursor()));
    assertThat(third.tokens()).hasSize(5);
    assertThat(third.hasMore()).isFalse();
    assertThat(third.nextCursor()).isEmpty();

    TokenPage exact = tokens.list(TokenQuery.in("ws").limit(25));
    assertThat(exact.tokens()).hasSize(25);
    assertThat(exact.hasMore()).as("no empty page after an exactly full one").isFalse();
    assertThat(tokens.list(TokenQuery.in("empty")).tokens()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void list_stableWhileTokensAreAdded(boolean advanceClock) {
    List<TokenId> existing = issueMany("ws", 30, advanceClock);
    List<TokenId> seen = new ArrayList<>();
    TokenQuery query = TokenQuery.in("ws").limit(7);
    TokenPage page = tokens.list(query);
    seen.addAll(ids(page));
    while (page.hasMore()) {
      issueMany("ws", 3, advanceClock);
      page = tokens.list(query.after(page.nextCursor().orElseThrow()));
      seen.addAll(ids(page));
    }
    assertThat(new HashSet<>(seen)).as("no duplicates").hasSameSizeAs(seen);
    assertThat(seen).containsAll(existing);
    assertThat(seen).isSorted();
  }

  @Test
  void list_stableWhileTokensAreDeletedAndChanged() {
    List<TokenId> existing = issueMany("ws", 20, false);
    TokenPage first = tokens.list(TokenQuery.in("ws").limit(10));
    tokens.delete(existing.get(9)); // the cursor's own token
    tokens.disable(existing.get(12));
    List<TokenId> rest = listAll(TokenQuery.in("ws").limit(4).after(first.cursor()));
    assertThat(rest).containsExactlyElementsOf(existing.subList(10, 20));
  }

  @Test
  void list_expiringBefore_keepsOnlyTokensThatExpireEarlier() {
    TokenId soon = h.issue(NewToken.in("ws").name("soon").expiresIn(Duration.ofDays(3))).id();
    h.issue(NewToken.in("ws").name("later").expiresIn(Duration.ofDays(60)));
    h.issue("ws", "default"); // two years

    TokenPage page = tokens.list(TokenQuery.in("ws")
        .expiringBefore(Harness.START.plus(Duration.ofDays(30))));

    assertThat(page.tokens()).extracting(Token::id).containsExactly(soon);
    assertThatThrownBy(() -> TokenQuery.in("ws").expiringBefore(null))
        .isInstanceOfSatisfying(InvalidArgumentException.class,
            e -> assertThat(e.field()).isEqualTo("expiringBefore"));
  }

  @Test
  void list_filtersByEffectiveState() {
    TokenId active = h.issue("ws", "a").id();
    TokenId disabled = h.issue("ws", "d").id();
    TokenId revoked = h.issue("ws", "r").id();
    TokenId expired = h.issue(NewToken.in("ws").name("e").expiresIn(Duration.ofMinutes(1))).id();
    TokenId expiredDisabled =
        h.issue(NewToken.in("ws").name("ed").expiresIn(Duration.ofMinutes(1))).id();
    tokens.disable(disabled);
    tokens.disable(expiredDisabled);
    tokens.revoke(revoked);
    h.clock.advance(Duration.ofMinutes(1));

    assertThat(listAll(TokenQuery.in("ws").state(TokenState.ACTIVE))).containsExactly(active);
    assertThat(listAll(TokenQuery.in("ws").state(TokenState.DISABLED))).containsExactly(disabled);
    assertThat(listAll(TokenQuery.in("ws").state(TokenState.REVOKED))).containsExactly(revoked);
    assertThat(listAll(TokenQuery.in("ws").state(TokenState.EXPIRED)))
        .containsExactly(expired, expiredDisabled);
    assertThat(listAll(TokenQuery.in("ws").state(TokenState.ACTIVE).state(TokenState.REVOKED)))
        .containsExactly(active, revoked);
    assertThat(tokens.list(TokenQuery.in("ws").state(TokenState.EXPIRED)).tokens())
        .extracting(Token::state).containsOnly(TokenState.EXPIRED);
  }

  @Test
  void list_filtersByNameIgnoringCaseAcrossManyStoreBatches() {
    List<TokenId> matching = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      String name = i % 100 == 7 ? "Billing-Sync-" + i : "other-" + i;
      TokenId id = h.issue("ws", name).id();
      if (name.startsWith("Billing")) matching.add(id);
    }
    assertThat(listAll(TokenQuery.in("ws").nameContains("BILLING-sync").limit(2)))
        .containsExactlyElementsOf(matching);
    TokenPage one = tokens.list(TokenQuery.in("ws").nameContains("billing").limit(5));
    assertThat(one.tokens()).extracting(Token::name)
        .containsExactly("Billing-Sync-7", "Billing-Sync-107", "Billing-Sync-207",
            "Billing-Sync-307", "Billing-Sync-407");
    assertThat(one.hasMore()).isFalse();
  }

  @Test
  void list_showsTheHintAndNeverTheSecret() {
    List<IssuedToken> issued = new ArrayList<>();
    for (int i = 0; i < 5; i++) issued.add(h.issue("ws", "t" + i));
    TokenPage page = tokens.list(TokenQuery.in("ws"));
    for (int i = 0; i < 5; i++) {
      String secret = issued.get(i).secret();
      Token t = page.tokens().get(i);
      assertThat(t.hint()).isEqualTo("lk_..." + secret.substring(secret.length() - 4));
      assertThat(t.toString()).doesNotContain(secret).doesNotContain(secret.substring(19, 52));
    }
    assertThat(page.toString()).doesNotContain(issued.get(0).secret().substring(19, 52));
  }

  @Test
  void revokeAll_revokesTheWorkspaceOnlyAndReturnsTheCount() {
    List<TokenId> ws = issueMany("ws", 3, false);
    TokenId disabled = h.issue("ws", "d").id();
    TokenId revoked = h.issue("ws", "r").id();
    TokenId expired = h.issue(NewToken.in("ws").name("e").expiresIn(Duration.ofMinutes(1))).id();
    tokens.disable(disabled);
    tokens.revoke(revoked);
    List<TokenId> other = issueMany("other", 2, false);
    h.clock.advance(Duration.ofMinutes(1));
    int revokedEvents = h.events(TokenEvent.Type.REVOKED).size();

    assertThat(tokens.revokeAll("ws")).isEqualTo(5);

    assertThat(listAll(TokenQuery.in("ws").state(TokenState.REVOKED)))
        .containsExactlyInAnyOrder(ws.get(0), ws.get(1), ws.get(2), disabled, revoked, expired);
    for (TokenId id : other) assertThat(tokens.get(id).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(h.events(TokenEvent.Type.REVOKED)).hasSize(revokedEvents + 5);
    assertThat(tokens.revokeAll("ws")).isZero();
    assertThat(tokens.revokeAll("nobody")).isZero();
  }

  @Test
  void revokeAll_countsOnlyWhatThisCallRevoked() {
    List<TokenId> ids = issueMany("ws", 3, false);
    // Another administrator revokes one token after revokeAll listed it as active.
    h.store.afterList = () -> {
      h.store.afterList = null;
      tokens.revoke(ids.get(1));
    };
    assertThat(tokens.revokeAll("ws")).isEqualTo(2);
    assertThat(listAll(TokenQuery.in("ws").state(TokenState.REVOKED))).containsExactlyElementsOf(ids);
  }

  @Test
  void revokeAll_coversMoreThanOneStoreBatch() {
    issueMany("ws", 450, false);
    assertThat(tokens.revokeAll("ws")).isEqualTo(450);
    assertThat(listAll(TokenQuery.in("ws").state(TokenState.ACTIVE))).isEmpty();
  }

  @Test
  void validate_boundToAnotherWorkspaceIsMismatch() {
    IssuedToken t = h.issue("workspace-7", "t");
    assertThat(h.validator().validate(ValidationRequest.of(t.secret()).workspace("workspace-7"))
        .isValid()).isTrue();
    assertThat(h.validator().validate(ValidationRequest.of(t.secret()).workspace("workspace-8"))
        .reason()).contains(Reason.WORKSPACE_MISMATCH);
    assertThat(h.validator().validate(ValidationRequest.of(t.secret()).workspace("WORKSPACE-7"))
        .reason()).contains(Reason.WORKSPACE_MISMATCH);
    assertThat(h.validator().validate(ValidationRequest.of(t.secret()).workspace(""))
        .reason()).contains(Reason.WORKSPACE_MISMATCH);
    assertThat(h.validator().validate(ValidationRequest.of(t.secret()).workspace(null))
        .isValid()).isTrue();
  }

  @Test
  void tokenIds_ofAWorkspaceAreUnique() {
    Set<TokenId> ids = new HashSet<>(issueMany("ws", 200, false));
    assertThat(ids).hasSize(200);
  }

  @Test
  void list_withoutFilter_readsOneRowMoreThanThePage() {
    List<Integer> limits = new ArrayList<>();
    try (Latchkey l = Latchkey.builder().store(new ForwardingStore(h.store) {
          @Override
          public List<io.latchkey.spi.TokenRecord> list(String workspace, String afterId,
              int limit) {
            limits.add(limit);
            return super.list(workspace, afterId, limit);
          }
        }).clock(h.clock).hashingKey(Harness.K1).build()) {
      issueMany("ws", 30, false);
      TokenPage page = l.tokens().list(TokenQuery.in("ws").limit(10));
      assertThat(page.tokens()).hasSize(10);
      assertThat(limits).as("one store read of page + 1 rows").containsExactly(11);
    }
  }

  @Test
  void list_selectiveFilter_readsInGrowingBatches() {
    List<Integer> limits = new ArrayList<>();
    try (Latchkey l = Latchkey.builder().store(new ForwardingStore(h.store) {
          @Override
          public List<io.latchkey.spi.TokenRecord> list(String workspace, String afterId,
              int limit) {
            limits.add(limit);
            return super.list(workspace, afterId, limit);
          }
        }).clock(h.clock).hashingKey(Harness.K1).build()) {
      issueMany("ws", 300, false);
      TokenPage page = l.tokens().list(TokenQuery.in("ws").nameContains("token-299").limit(5));
      assertThat(page.tokens()).extracting(Token::name).containsExactly("token-299");
      assertThat(limits).containsExactly(6, 12, 24, 48, 96, 192);
    }
  }
}
