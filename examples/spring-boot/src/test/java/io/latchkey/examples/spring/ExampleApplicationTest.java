package io.latchkey.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.management.ManagementApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example as its README uses it, over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "server.address=127.0.0.1")
class ExampleApplicationTest {
  @LocalServerPort
  int port;

  @Autowired
  TokenManager tokens;

  @Test
  void readme_flow() throws Exception {
    IssuedToken t = tokens.issue(NewToken.in("acme").name("reader")
        .permission("invoices:read", true));
    HttpClient http = HttpClient.newHttpClient();
    URI invoice = URI.create("http://127.0.0.1:" + port + "/invoices/42");

    HttpResponse<String> ok = http.send(HttpRequest.newBuilder(invoice)
        .header("Authorization", "Bearer " + t.secret()).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> denied = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/invoices"))
        .header("Authorization", "Bearer " + t.secret())
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(invoice).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).startsWith("invoice 42 for reader");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(t.secret()).startsWith("demo_");
  }

  @Test
  void managementApi_listsAndCreatesTokens() throws Exception {
    IssuedToken admin = tokens.issue(NewToken.in("acme").name("admin")
        .permission(ManagementApi.READ, true).permission(ManagementApi.WRITE, true));
    HttpClient http = HttpClient.newHttpClient();
    URI list = URI.create("http://127.0.0.1:" + port + "/latchkey/workspaces/acme/tokens");

    HttpResponse<String> created = http.send(HttpRequest.newBuilder(list)
        .header("Authorization", "Bearer " + admin.secret())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"name\": \"billing-sync\", \"permissions\": {\"invoices:read\": true}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> listed = http.send(HttpRequest.newBuilder(list)
        .header("Authorization", "Bearer " + admin.secret()).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body()).contains("\"secret\":\"demo_");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.body()).contains("billing-sync");
  }
}
