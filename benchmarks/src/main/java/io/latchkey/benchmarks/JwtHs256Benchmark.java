package io.latchkey.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What many hosts use instead: a stateless HS256 JWT, parsed and verified with Nimbus JOSE+JWT the
 * way its documentation shows (a {@link DefaultJWTProcessor} with a key selector and a claims
 * verifier for issuer, audience, expiry and required claims), then the same workspace and
 * permission checks. It needs no store, and it cannot be revoked before it expires.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms6g", "-Xmx6g"})
public class JwtHs256Benchmark {
  static final String ISSUER = "https://auth.acme.example";
  static final String AUDIENCE = "acme-api";

  DefaultJWTProcessor<SecurityContext> processor;
  String jwt;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    byte[] secret = Fixtures.PEPPER;
    long now = System.currentTimeMillis();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("bench-0")
        .jwtID(UUID.randomUUID().toString())
        .issueTime(new Date(now))
        .expirationTime(new Date(now + TimeUnit.HOURS.toMillis(2)))
        .claim("ws", Fixtures.WORKSPACE)
        .claim("scope", Fixtures.REQUIRED + " invoices:write")
        .build();
    SignedJWT signed = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    signed.sign(new MACSigner(secret));
    jwt = signed.serialize();

    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret)));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(AUDIENCE,
        new JWTClaimsSet.Builder().issuer(ISSUER).build(),
        new HashSet<>(List.of("sub", "exp", "iat", "jti", "ws", "scope"))));
    if (!jwtHs256()) throw new IllegalStateException("setup: the JWT does not verify");
  }

  @Benchmark
  public boolean jwtHs256() {
    try {
      JWTClaimsSet claims = processor.process(jwt, null);
      if (!Fixtures.WORKSPACE.equals(claims.getStringClaim("ws"))) return false;
      Set<String> scopes = Set.of(claims.getStringClaim("scope").split(" "));
      return scopes.contains(Fixtures.REQUIRED);
    } catch (Exception e) {
      return false;
    }
  }
}
