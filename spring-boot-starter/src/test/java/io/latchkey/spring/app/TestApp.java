package io.latchkey.spring.app;

import io.latchkey.TokenPrincipal;
import io.latchkey.spring.LatchkeyConfigurer;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.SpringBootApplication;
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

/** A host application as a user would write it: one chain, one line for Latchkey. */
@SpringBootApplication
@EnableMethodSecurity
public class TestApp {

  @Bean
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    return http
        .authorizeHttpRequests(a -> a
            .requestMatchers("/public", "/actuator/health/**").permitAll()
            .requestMatchers(HttpMethod.GET, "/invoices/**").hasAuthority("invoices:read")
            .anyRequest().authenticated())
        .with(LatchkeyConfigurer.latchkey(), Customizer.withDefaults())
        .build();
  }

  @RestController
  static class Api {
    @GetMapping("/invoices/{id}")
    String invoice(@PathVariable("id") String id, @AuthenticationPrincipal TokenPrincipal p,
        HttpServletRequest request) {
      return "invoice=" + id + " id=" + p.getName() + " workspace=" + p.workspace() + " name="
          + p.tokenName() + " servletPrincipal=" + request.getUserPrincipal().getName()
          + " session=" + (request.getSession(false) != null);
    }

    @PostMapping("/reports")
    @PreAuthorize("hasAuthority('reports:write')")
    String report() {
      return "report written";
    }

    @GetMapping("/public")
    String open() {
      return "open";
    }
  }
}
