package io.latchkey.benchmarks.http;

import io.latchkey.spring.LatchkeyConfigurer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * One Spring Boot application, one endpoint under three chains: {@code /open/hello} (Spring
 * Security, permitAll), {@code /latchkey/hello} (Latchkey, {@code hasAuthority("bench:read")}) and
 * {@code /jwt/hello} (Spring Security's own JWT resource server, HS256 through Nimbus, {@code
 * hasAuthority("SCOPE_bench:read")}). Latency per request over real HTTP on loopback
 * ({@link SpringServer}); {@link InterleavedRatios} prints the ratios from one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpringSecurityHttpBenchmark {
  static final byte[] JWT_KEY = new byte[32];

  static {
    new SecureRandom().nextBytes(JWT_KEY);
  }

  SpringServer server;

  @SpringBootApplication
  public static class BenchApp {
    @Bean
    @Order(1)
    SecurityFilterChain latchkeyChain(HttpSecurity http) throws Exception {
      return http.securityMatcher("/latchkey/**")
          .authorizeHttpRequests(a -> a.anyRequest().hasAuthority("bench:read"))
          .with(LatchkeyConfigurer.latchkey(), Customizer.withDefaults())
          .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain jwtChain(HttpSecurity http) throws Exception {
      return http.securityMatcher("/jwt/**")
          .authorizeHttpRequests(a -> a.anyRequest().hasAuthority("SCOPE_bench:read"))
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .csrf(AbstractHttpConfigurer::disable)
          .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()))
          .build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain openChain(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .build();
    }

    @Bean
    JwtDecoder jwtDecoder() {
      return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(JWT_KEY, "HmacSHA256"))
          .macAlgorithm(MacAlgorithm.HS256).build();
    }

    @RestController
    static class Hello {
      @GetMapping({"/open/hello", "/latchkey/hello", "/jwt/hello"})
      String hello() {
        return "hello";
      }
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    server = new SpringServer();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.close();
  }

  @Benchmark
  public int unprotected() throws Exception {
    return Http.send(server.open);
  }

  @Benchmark
  public int latchkey() throws Exception {
    return Http.send(server.latchkey);
  }

  @Benchmark
  public int jwtHs256() throws Exception {
    return Http.send(server.jwt);
  }
}
