package io.latchkey.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latchkey.management.ApiServer.Reply;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The workflows of the products Latchkey was modelled on, over real HTTP, on every backend.
 * Subclasses run every workflow in one server each ({@link Mount}): {@code JdkSeedWorkflowsTest}
 * (the JDK HttpServer) and {@code ServletSeedWorkflowsTest} (ManagementServlet in Tomcat).
 */
abstract class SeedWorkflowsTest {
  /** The server the API is mounted in. */
  abstract Mount mount();

  private static Reply verify(ApiServer s, String token, String ip) {
    return s.call("POST", "/verify", null,
        "{\"token\":\"" + token + "\",\"client_ip\":\"" + ip + "\"}");
  }

  /** PickyAssist: a project token with an IP whitelist; disable, enable, delete. */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void pickyAssist(Backend backend) {
    try (ApiServer s = new ApiServer(backend, mount())) {
      String admin = s.admin("project-1");
      Reply created = s.call("POST", "/workspaces/project-1/tokens", admin, """
          {"name": "whatsapp-bot", "allowed_ips": ["203.0.113.7", "2001:db8::/32", "10.0.0.0/8"]}
          """);
      assertThat(created.status()).isEqualTo(201);
      String id = created.json().path("id").asText();
      String secret = created.json().path("secret").asText();
      assertThat(created.json().path("allowed_ips")).hasSize(3);

      assertThat(verify(s, secret, "2001:db8::42").json().path("code").asText()).isEqualTo("VALID");
      assertThat(verify(s, secret, "10.9.8.7").json().path("valid").asBoolean()).isTrue();
      assertThat(verify(s, secret, "198.51.100.1").json().path("code").asText())
          .isEqualTo("IP_NOT_ALLOWED");

      String path = "/workspaces/project-1/tokens/" + id;
      assertThat(s.call("POST", path + "/disable", admin, null).json().path("state").asText())
          .isEqualTo("disabled");
      assertThat(verify(s, secret, "203.0.113.7").json().path("code").asText())
          .isEqualTo("DISABLED");
      assertThat(s.call("POST", path + "/enable", admin, null).json().path("state").asText())
          .isEqualTo("active");
      assertThat(verify(s, secret, "203.0.113.7").json().path("code").asText()).isEqualTo("VALID");
      Reply deleted = s.call("DELETE", path, admin, null);
      assertThat(deleted.status()).isEqualTo(204);
      assertThat(deleted.headers()).doesNotContainKey("content-length");
      assertThat(s.call("GET", path, admin, null).status()).isEqualTo(404);
      assertThat(verify(s, secret, "203.0.113.7").json().path("code").asText())
          .isEqualTo("UNKNOWN");
    }
  }

  /**
   * SoftwareOne: enable only after disable (a revoked token cannot be), edit name and
   * description, created by, last access, and an audit trail listing every step with its actor.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void softwareOne(Backend backend) {
    try (ApiServer s = new ApiServer(backend, mount())) {
      String admin = s.admin("acme");
      Map<String, String> onBehalf = Map.of("X-On-Behalf-Of", "jane@acme.example");
      Reply created = s.call("POST", "/workspaces/acme/tokens", admin,
          "{\"name\": \"erp\", \"description\": \"ERP sync\"}", onBehalf);
      String id = created.json().path("id").asText();
      String path = "/workspaces/acme/tokens/" + id;
      String createdBy = created.json().path("created_by").asText();
      assertThat(createdBy).startsWith("jane@acme.example via token:").endsWith("admin of acme");

      Reply edited = s.call("PATCH", path, admin,
          "{\"name\": \"erp-prod\", \"description\": \"ERP sync, production\"}", onBehalf);
      assertThat(edited.status()).isEqualTo(200);
      assertThat(edited.json().path("name").asText()).isEqualTo("erp-prod");
      assertThat(edited.json().path("description").asText()).isEqualTo("ERP sync, production");

      s.call("POST", path + "/disable", admin, null, onBehalf);
      s.call("POST", path + "/enable", admin, null, onBehalf);
      verify(s, created.json().path("secret").asText(), "192.0.2.1");
      s.latchkey.flushUsage();
      Reply read = s.call("GET", path, admin, null);
      assertThat(read.json().path("last_used_at").isNull()).isFalse();
      assertThat(read.json().path("last_used_ip").asText()).isEqualTo("192.0.2.1");
      assertThat(read.json().path("created_by").asText()).isEqualTo(createdBy);

      s.call("POST", path + "/revoke", admin, null, onBehalf);
      Reply enableRevoked = s.call("POST", path + "/enable", admin, null, onBehalf);
      assertThat(enableRevoked.status()).isEqualTo(409);
      assertThat(enableRevoked.error()).isEqualTo("illegal_transition");

      Reply history = s.call("GET", path + "/history", admin, null);
      List<String> actions = new ArrayList<>();
      for (JsonNode e : history.json().path("entries")) {
        actions.add(e.path("action").asText());
        assertThat(e.path("actor").asText()).isEqualTo(createdBy);
      }
      assertThat(actions).containsExactly("REVOKED", "ENABLED", "DISABLED", "UPDATED", "ISSUED");
      assertThat(s.call("GET", "/workspaces/acme/history?limit=2", admin, null)
          .json().path("next_cursor").isNull()).isFalse();
    }
  }

  /** softvisio: set (replace) versus update (merge) permissions, false being an explicit deny. */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void softvisio(Backend backend) {
    try (ApiServer s = new ApiServer(backend, mount())) {
      String admin = s.admin("app");
      String id = s.call("POST", "/workspaces/app/tokens", admin,
          "{\"name\": \"api\", \"permissions\": {\"read\": true}}").json().path("id").asText();
      String perms = "/workspaces/app/tokens/" + id + "/permissions";

      assertThat(s.call("PUT", perms, admin, "{\"read\": true, \"write\": true}")
          .json().path("permissions").toString()).contains("\"write\":true");
      JsonNode merged = s.call("PATCH", perms, admin, "{\"write\": false, \"admin\": true}")
          .json().path("permissions");
      assertThat(merged.path("read").asBoolean()).isTrue();
      assertThat(merged.path("write").isBoolean()).isTrue();
      assertThat(merged.path("write").asBoolean()).isFalse();
      assertThat(merged.path("admin").asBoolean()).isTrue();
      JsonNode replaced = s.call("PUT", perms, admin, "{\"admin\": true}").json()
          .path("permissions");
      assertThat(replaced.size()).isEqualTo(1);
      assertThat(s.call("GET", perms, admin, null).json().path("permissions")).isEqualTo(replaced);
    }
  }

  /**
   * ProjectManager: list, revoke one, revoke all; the plaintext shown once; two years by default;
   * one workspace per token; the integration name recorded as last integration.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void projectManager(Backend backend) {
    try (ApiServer s = new ApiServer(backend, mount())) {
      String admin = s.admin("pm-1");
      Reply first = s.call("POST", "/workspaces/pm-1/tokens", admin, "{\"name\": \"zapier\"}");
      Instant createdAt = Instant.parse(first.json().path("created_at").asText());
      assertThat(Instant.parse(first.json().path("expires_at").asText())).isEqualTo(
          createdAt.atZone(ZoneOffset.UTC).plusYears(2).toInstant());
      assertThat(first.json().path("workspace").asText()).isEqualTo("pm-1");
      String id = first.json().path("id").asText();
      String secret = first.json().path("secret").asText();
      for (int i = 0; i < 3; i++) {
        s.call("POST", "/workspaces/pm-1/tokens", admin, "{\"name\": \"t" + i + "\"}");
      }

      Reply read = s.call("GET", "/workspaces/pm-1/tokens/" + id, admin, null);
      assertThat(read.json().has("secret")).isFalse();
      assertThat(read.toString()).doesNotContain(secret);

      s.call("POST", "/workspaces/pm-1/tokens", admin, "{\"name\": \"short\", \"expires_in\": 600}");
      Reply expiring = s.call("GET",
          "/workspaces/pm-1/tokens?state=active&expiring_within=3600", admin, null);
      assertThat(expiring.json().path("tokens")).singleElement()
          .satisfies(t -> assertThat(t.path("name").asText()).isEqualTo("short"));
      s.call("DELETE", "/workspaces/pm-1/tokens/"
          + expiring.json().path("tokens").get(0).path("id").asText(), admin, null);

      Reply page = s.call("GET", "/workspaces/pm-1/tokens?limit=3", admin, null);
      assertThat(page.json().path("tokens")).hasSize(3);
      String cursor = page.json().path("next_cursor").asText();
      assertThat(s.call("GET", "/workspaces/pm-1/tokens?limit=3&cursor=" + cursor, admin, null)
          .json().path("tokens")).hasSize(2); // the fifth is the admin token itself

      s.call("POST", "/verify", null, "{\"token\":\"" + secret + "\"}",
          Map.of("X-Integration-Name", "zapier"));
      s.latchkey.flushUsage();
      assertThat(s.call("GET", "/workspaces/pm-1/tokens/" + id, admin, null).json()
          .path("last_used_integration").asText()).isEqualTo("zapier");

      assertThat(s.call("POST", "/workspaces/pm-1/tokens/" + id + "/revoke", admin, null)
          .json().path("state").asText()).isEqualTo("revoked");
      Reply all = s.call("POST", "/workspaces/pm-1/tokens/revoke-all", admin, null);
      assertThat(all.status()).isEqualTo(200);
      assertThat(all.json().path("revoked").asInt()).isEqualTo(4); // three tokens and the admin
      assertThat(s.call("GET", "/workspaces/pm-1/tokens", admin, null).status()).isEqualTo(401);
      assertThat(Duration.between(createdAt, Instant.now())).isLessThan(Duration.ofHours(1));
    }
  }
}
