package io.latchkey.examples.spring;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.TokenPrincipal;
import io.latchkey.management.ManagementApi;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static io.latchkey.spring.LatchkeyConfigurer.latchkey;

/** An invoices API protected by Latchkey tokens. See README.md beside this module's pom. */
@SpringBootApplication
@EnableMethodSecurity
public class ExampleApplication {

  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    return http
        .authorizeHttpRequests(a -> a
            .requestMatchers("/actuator/health/**").permitAll()
            .requestMatchers(HttpMethod.GET, "/invoices/**").hasAuthority("invoices:read")
            .anyRequest().authenticated())
        .with(latchkey(), Customizer.withDefaults())
        .build();
  }

  @RestController
  static class Invoices {
    @GetMapping("/invoices/{id}")
    String invoice(@PathVariable("id") String id, @AuthenticationPrincipal TokenPrincipal caller) {
      return "invoice " + id + " for " + caller.tokenName() + " (token " + caller.getName()
          + ", workspace " + caller.workspace() + ")\n";
    }

    @PostMapping("/invoices")
    @PreAuthorize("hasAuthority('invoices:write')")
    String create() {
      return "created\n";
    }
  }

  /**
   * Issues a demo token and a management token (for the management API at /latchkey) at startup
   * with the TokenManager bean and prints how to use them.
   */
  @Bean
  ApplicationRunner demoToken(TokenManager tokens, ApplicationContext context,
      @Value("${example.issue-demo-token:true}") boolean issue) {
    return args -> {
      if (!issue) return;
      IssuedToken t = tokens.as("example").issue(NewToken.in("acme").name("demo-reader")
          .permission("invoices:read", true));
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      System.out.println();
      System.out.println("Issued a demo token (invoices:read): " + t.secret());
      System.out.println("  curl -i -H 'Authorization: Bearer " + t.secret()
          + "' http://localhost:" + port + "/invoices/42");
      System.out.println("  curl -i -X POST -H 'Authorization: Bearer " + t.secret()
          + "' http://localhost:" + port + "/invoices   # 403 insufficient_scope");
      IssuedToken admin = tokens.as("example").issue(NewToken.in("acme").name("demo-admin")
          .permission(ManagementApi.READ, true).permission(ManagementApi.WRITE, true));
      System.out.println();
      System.out.println("Issued a management token for workspace acme: " + admin.secret());
      System.out.println("  curl -H 'Authorization: Bearer " + admin.secret()
          + "' http://localhost:" + port + "/latchkey/workspaces/acme/tokens");
      System.out.println();
    };
  }
}
