package io.latchkey.benchmarks.http;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@link SpringSecurityHttpBenchmark.BenchApp} started on a random loopback port, with a Latchkey
 * token (cached, in-memory store) and an HS256 JWT for its three chains.
 */
final class SpringServer implements AutoCloseable {
  final ConfigurableApplicationContext app;
  final HttpRequest open;
  final HttpRequest latchkey;
  final HttpRequest jwt;

  SpringServer() {
    byte[] key = SpringSecurityHttpBenchmark.JWT_KEY;
    app = new SpringApplicationBuilder(SpringSecurityHttpBenchmark.BenchApp.class).properties(
        "server.port=0", "server.address=127.0.0.1", "logging.level.root=warn",
        "spring.main.banner-mode=off", "latchkey.store=memory",
        "latchkey.usage-flush-interval=1h",
        "latchkey.hashing-keys.k1=" + Base64.getEncoder().encodeToString(key))
        .run();
    String url = "http://127.0.0.1:"
        + ((WebServerApplicationContext) app).getWebServer().getPort();
    String token = app.getBean(TokenManager.class).issue(NewToken.in("bench").name("bench")
        .permission("bench:read", true)).secret();
    SignedJWT signed = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
        .subject("bench").claim("scope", "bench:read")
        .expirationTime(Date.from(Instant.now().plusSeconds(3600))).build());
    try {
      signed.sign(new MACSigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    open = Http.get(url + "/open/hello");
    latchkey = Http.get(url + "/latchkey/hello", "Authorization", "Bearer " + token);
    jwt = Http.get(url + "/jwt/hello", "Authorization", "Bearer " + signed.serialize());
    try {
      Http.send(open);
      Http.send(latchkey);
      Http.send(jwt);
    } catch (Exception e) {
      app.close();
      throw new IllegalStateException("the benchmark application does not answer", e);
    }
  }

  @Override
  public void close() {
    app.close();
  }
}
