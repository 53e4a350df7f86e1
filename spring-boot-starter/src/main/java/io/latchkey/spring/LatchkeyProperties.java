package io.latchkey.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Latchkey's settings under {@code latchkey.*}. Unset values keep the library's defaults; {@code
 * latchkey.store} and at least one hashing key are required.
 */
@ConfigurationProperties("latchkey")
public class LatchkeyProperties {

  /** Where tokens live. */
  public enum StoreType {
    /** In this process only: tests, demos, single-instance hosts. */
    MEMORY,
    /** The application's own DataSource (PostgreSQL or H2). */
    JDBC,
    /** Redis, through the application's Lettuce RedisClient bean or latchkey.redis.uri. */
    REDIS
  }

  /** Whether to configure Latchkey at all. */
  private boolean enabled = true;

  /** Where tokens live: memory, jdbc (the application's DataSource) or redis. Required. */
  private @Nullable StoreType store;

  /** The prefix of every token (lowercase letters, digits, '_'), so leaked tokens are found. */
  private @Nullable String tokenPrefix;

  /**
   * Hashing keys by id, each at least 32 random bytes in base64 (make one with `latchkey keygen`).
   * Keep them out of the file: latchkey.hashing-keys.k1=${LATCHKEY_HASHING_KEY}. Several keys
   * allow rotation: tokens hashed with any of them validate.
   */
  private Map<String, String> hashingKeys = new LinkedHashMap<>();

  /**
   * Retiring hashing keys by id, in the same base64 form: tokens hashed with one still validate
   * and are re-hashed with the primary key when used, once each. Move a key here from
   * latchkey.hashing-keys only when every instance has the new primary key, and keep it while
   * tokens issued under it live.
   */
  private Map<String, String> retiringHashingKeys = new LinkedHashMap<>();

  /** The id of the key that hashes new tokens; required when there are several active keys. */
  private @Nullable String primaryHashingKey;

  /** How long a validated token is cached (default 30s). */
  private @Nullable Duration cacheTtl;

  /** How many tokens the cache holds at most (default 100000). */
  private @Nullable Long cacheMaximumSize;

  /** How long a cached token may still be served while the store is unreachable (default 0). */
  private @Nullable Duration serveStaleFor;

  /** The lifetime of a token issued without one (default 2 years). */
  private @Nullable Duration defaultLifetime;

  /** The longest lifetime a token may be issued with (default 2 years). */
  private @Nullable Duration maxLifetime;

  /** How often buffered usage (last used time, address) is written (default 5s). */
  private @Nullable Duration usageFlushInterval;

  private final Jdbc jdbc = new Jdbc();
  private final Redis redis = new Redis();
  private final Http http = new Http();
  private final Management management = new Management();

  /** Settings of latchkey.store=jdbc. */
  public static class Jdbc {
    /** Prefix of the token table's name. */
    private @Nullable String tablePrefix;

    /** Whether to create and upgrade the token table at startup. */
    private boolean migrate = true;

    public @Nullable String getTablePrefix() {
      return tablePrefix;
    }

    public void setTablePrefix(@Nullable String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    public boolean isMigrate() {
      return migrate;
    }

    public void setMigrate(boolean migrate) {
      this.migrate = migrate;
    }
  }

  /** Settings of latchkey.store=redis. */
  public static class Redis {
    /** Redis URI (redis://host:port), used when the application has no Lettuce RedisClient bean. */
    private @Nullable String uri;

    /** Prefix of every key and of the change channel (default "latchkey:"). */
    private @Nullable String keyPrefix;

    public @Nullable String getUri() {
      return uri;
    }

    public void setUri(@Nullable String uri) {
      this.uri = uri;
    }

    public @Nullable String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(@Nullable String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }
  }

  /**
   * The management API (REST/JSON over every token operation) served by the application, with
   * io.latchkey:latchkey-management on the classpath.
   */
  public static class Management {
    /**
     * Whether to serve the management API under latchkey.management.path. Its callers
     * authenticate with Latchkey tokens granted latchkey:tokens:read / latchkey:tokens:write.
     */
    private boolean enabled = false;

    /** The path the management API is served under, e.g. /latchkey (routes: /latchkey/...). */
    private String path = "/latchkey";

    /** The workspace whose management tokens manage every workspace (none by default). */
    private @Nullable String operatorWorkspace;

    /** The largest request body accepted (default 64KB); larger ones are answered 413. */
    private @Nullable DataSize maxBodySize;

    /** How long this instance remembers a create's Idempotency-Key (default 24h, per process). */
    private @Nullable Duration idempotencyWindow;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public @Nullable String getOperatorWorkspace() {
      return operatorWorkspace;
    }

    public void setOperatorWorkspace(@Nullable String operatorWorkspace) {
      this.operatorWorkspace = operatorWorkspace;
    }

    public @Nullable DataSize getMaxBodySize() {
      return maxBodySize;
    }

    public void setMaxBodySize(@Nullable DataSize maxBodySize) {
      this.maxBodySize = maxBodySize;
    }

    public @Nullable Duration getIdempotencyWindow() {
      return idempotencyWindow;
    }

    public void setIdempotencyWindow(@Nullable Duration idempotencyWindow) {
      this.idempotencyWindow = idempotencyWindow;
    }
  }

  /** How requests are read and answered (servlet filter and Spring Security). */
  public static class Http {
    /**
     * The header that carries the token as its whole value, e.g. X-API-Key. Unset: the
     * Authorization: Bearer header.
     */
    private @Nullable String tokenHeader;

    /** The realm in WWW-Authenticate (default "api"). */
    private @Nullable String realm;

    /** The header naming the calling integration, recorded as usage (default X-Integration-Name). */
    private @Nullable String integrationHeader;

    /** Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed. */
    private List<String> trustedProxies = new ArrayList<>();

    public @Nullable String getTokenHeader() {
      return tokenHeader;
    }

    public void setTokenHeader(@Nullable String tokenHeader) {
      this.tokenHeader = tokenHeader;
    }

    public @Nullable String getRealm() {
      return realm;
    }

    public void setRealm(@Nullable String realm) {
      this.realm = realm;
    }

    public @Nullable String getIntegrationHeader() {
      return integrationHeader;
    }

    public void setIntegrationHeader(@Nullable String integrationHeader) {
      this.integrationHeader = integrationHeader;
    }

    public List<String> getTrustedProxies() {
      return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
      this.trustedProxies = trustedProxies;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable StoreType getStore() {
    return store;
  }

  public void setStore(@Nullable StoreType store) {
    this.store = store;
  }

  public @Nullable String getTokenPrefix() {
    return tokenPrefix;
  }

  public void setTokenPrefix(@Nullable String tokenPrefix) {
    this.tokenPrefix = tokenPrefix;
  }

  public Map<String, String> getHashingKeys() {
    return hashingKeys;
  }

  public void setHashingKeys(Map<String, String> hashingKeys) {
    this.hashingKeys = hashingKeys;
  }

  public Map<String, String> getRetiringHashingKeys() {
    return retiringHashingKeys;
  }

  public void setRetiringHashingKeys(Map<String, String> retiringHashingKeys) {
    this.retiringHashingKeys = retiringHashingKeys;
  }

  public @Nullable String getPrimaryHashingKey() {
    return primaryHashingKey;
  }

  public void setPrimaryHashingKey(@Nullable String primaryHashingKey) {
    this.primaryHashingKey = primaryHashingKey;
  }

  public @Nullable Duration getCacheTtl() {
    return cacheTtl;
  }

  public void setCacheTtl(@Nullable Duration cacheTtl) {
    this.cacheTtl = cacheTtl;
  }

  public @Nullable Long getCacheMaximumSize() {
    return cacheMaximumSize;
  }

  public void setCacheMaximumSize(@Nullable Long cacheMaximumSize) {
    this.cacheMaximumSize = cacheMaximumSize;
  }

  public @Nullable Duration getServeStaleFor() {
    return serveStaleFor;
  }

  public void setServeStaleFor(@Nullable Duration serveStaleFor) {
    this.serveStaleFor = serveStaleFor;
  }

  public @Nullable Duration getDefaultLifetime() {
    return defaultLifetime;
  }

  public void setDefaultLifetime(@Nullable Duration defaultLifetime) {
    this.defaultLifetime = defaultLifetime;
  }

  public @Nullable Duration getMaxLifetime() {
    return maxLifetime;
  }

  public void setMaxLifetime(@Nullable Duration maxLifetime) {
    this.maxLifetime = maxLifetime;
  }

  public @Nullable Duration getUsageFlushInterval() {
    return usageFlushInterval;
  }

  public void setUsageFlushInterval(@Nullable Duration usageFlushInterval) {
    this.usageFlushInterval = usageFlushInterval;
  }

  public Jdbc getJdbc() {
    return jdbc;
  }

  public Redis getRedis() {
    return redis;
  }

  public Http getHttp() {
    return http;
  }

  public Management getManagement() {
    return management;
  }
}
