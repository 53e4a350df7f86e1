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

    /**
     * Returns {@code latchkey.jdbc.table-prefix}.
     *
     * @return the prefix of the token table's name, or null for none
     */
    public @Nullable String getTablePrefix() {
      return tablePrefix;
    }

    /**
     * Sets {@code latchkey.jdbc.table-prefix}.
     *
     * @param tablePrefix the prefix of the token table's name, or null for none
     */
    public void setTablePrefix(@Nullable String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    /**
     * Returns {@code latchkey.jdbc.migrate}.
     *
     * @return whether the token table is created and upgraded at startup
     */
    public boolean isMigrate() {
      return migrate;
    }

    /**
     * Sets {@code latchkey.jdbc.migrate}.
     *
     * @param migrate whether the token table is created and upgraded at startup
     */
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

    /**
     * Returns {@code latchkey.redis.uri}.
     *
     * @return the Redis URI, or null to use the application's RedisClient bean
     */
    public @Nullable String getUri() {
      return uri;
    }

    /**
     * Sets {@code latchkey.redis.uri}.
     *
     * @param uri the Redis URI, or null to use the application's RedisClient bean
     */
    public void setUri(@Nullable String uri) {
      this.uri = uri;
    }

    /**
     * Returns {@code latchkey.redis.key-prefix}.
     *
     * @return the prefix of every key and of the change channel, or null for "latchkey:"
     */
    public @Nullable String getKeyPrefix() {
      return keyPrefix;
    }

    /**
     * Sets {@code latchkey.redis.key-prefix}.
     *
     * @param keyPrefix the prefix of every key and of the change channel, or null for "latchkey:"
     */
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

    /**
     * {@code latchkey.management.enabled}.
     *
     * @return whether the management API is served (false by default)
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets {@code latchkey.management.enabled}.
     *
     * @param enabled whether the management API is served
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * {@code latchkey.management.path}.
     *
     * @return the path the management API is served under, {@code /latchkey} by default
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets {@code latchkey.management.path}.
     *
     * @param path a path such as {@code /latchkey}, without a trailing slash
     */
    public void setPath(String path) {
      this.path = path;
    }

    /**
     * {@code latchkey.management.operator-workspace}.
     *
     * @return the workspace whose management tokens manage every workspace, or null for none
     */
    public @Nullable String getOperatorWorkspace() {
      return operatorWorkspace;
    }

    /**
     * Sets {@code latchkey.management.operator-workspace}.
     *
     * @param operatorWorkspace the operator workspace, or null for none
     */
    public void setOperatorWorkspace(@Nullable String operatorWorkspace) {
      this.operatorWorkspace = operatorWorkspace;
    }

    /**
     * {@code latchkey.management.max-body-size}.
     *
     * @return the largest request body accepted, or null for the default of 64KB
     */
    public @Nullable DataSize getMaxBodySize() {
      return maxBodySize;
    }

    /**
     * Sets {@code latchkey.management.max-body-size}.
     *
     * @param maxBodySize the largest request body accepted, or null for the default
     */
    public void setMaxBodySize(@Nullable DataSize maxBodySize) {
      this.maxBodySize = maxBodySize;
    }

    /**
     * {@code latchkey.management.idempotency-window}.
     *
     * @return how long a create's Idempotency-Key is remembered, or null for the default of 24h
     */
    public @Nullable Duration getIdempotencyWindow() {
      return idempotencyWindow;
    }

    /**
     * Sets {@code latchkey.management.idempotency-window}.
     *
     * @param idempotencyWindow how long this instance remembers a key, or null for the default
     */
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

    /**
     * Returns {@code latchkey.http.token-header}.
     *
     * @return the header that carries the token, or null for Authorization: Bearer
     */
    public @Nullable String getTokenHeader() {
      return tokenHeader;
    }

    /**
     * Sets {@code latchkey.http.token-header}.
     *
     * @param tokenHeader the header that carries the token, or null for Authorization: Bearer
     */
    public void setTokenHeader(@Nullable String tokenHeader) {
      this.tokenHeader = tokenHeader;
    }

    /**
     * Returns {@code latchkey.http.realm}.
     *
     * @return the realm in WWW-Authenticate, or null for "api"
     */
    public @Nullable String getRealm() {
      return realm;
    }

    /**
     * Sets {@code latchkey.http.realm}.
     *
     * @param realm the realm in WWW-Authenticate, or null for "api"
     */
    public void setRealm(@Nullable String realm) {
      this.realm = realm;
    }

    /**
     * Returns {@code latchkey.http.integration-header}.
     *
     * @return the header naming the calling integration, or null for X-Integration-Name
     */
    public @Nullable String getIntegrationHeader() {
      return integrationHeader;
    }

    /**
     * Sets {@code latchkey.http.integration-header}.
     *
     * @param integrationHeader the header naming the calling integration, or null for X-Integration-Name
     */
    public void setIntegrationHeader(@Nullable String integrationHeader) {
      this.integrationHeader = integrationHeader;
    }

    /**
     * Returns {@code latchkey.http.trusted-proxies}.
     *
     * @return the addresses or CIDR ranges of trusted reverse proxies
     */
    public List<String> getTrustedProxies() {
      return trustedProxies;
    }

    /**
     * Sets {@code latchkey.http.trusted-proxies}.
     *
     * @param trustedProxies the addresses or CIDR ranges of trusted reverse proxies
     */
    public void setTrustedProxies(List<String> trustedProxies) {
      this.trustedProxies = trustedProxies;
    }
  }

  /**
   * Returns {@code latchkey.enabled}.
   *
   * @return whether Latchkey is configured at all
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets {@code latchkey.enabled}.
   *
   * @param enabled whether Latchkey is configured at all
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns {@code latchkey.store}.
   *
   * @return where tokens live, or null when not set (startup then fails)
   */
  public @Nullable StoreType getStore() {
    return store;
  }

  /**
   * Sets {@code latchkey.store}.
   *
   * @param store where tokens live, or null when not set (startup then fails)
   */
  public void setStore(@Nullable StoreType store) {
    this.store = store;
  }

  /**
   * Returns {@code latchkey.token-prefix}.
   *
   * @return the prefix of every token, or null for the library's default
   */
  public @Nullable String getTokenPrefix() {
    return tokenPrefix;
  }

  /**
   * Sets {@code latchkey.token-prefix}.
   *
   * @param tokenPrefix the prefix of every token, or null for the library's default
   */
  public void setTokenPrefix(@Nullable String tokenPrefix) {
    this.tokenPrefix = tokenPrefix;
  }

  /**
   * Returns {@code latchkey.hashing-keys}.
   *
   * @return the active hashing keys by id, in base64
   */
  public Map<String, String> getHashingKeys() {
    return hashingKeys;
  }

  /**
   * Sets {@code latchkey.hashing-keys}.
   *
   * @param hashingKeys the active hashing keys by id, in base64
   */
  public void setHashingKeys(Map<String, String> hashingKeys) {
    this.hashingKeys = hashingKeys;
  }

  /**
   * Returns {@code latchkey.retiring-hashing-keys}.
   *
   * @return the retiring hashing keys by id, in base64
   */
  public Map<String, String> getRetiringHashingKeys() {
    return retiringHashingKeys;
  }

  /**
   * Sets {@code latchkey.retiring-hashing-keys}.
   *
   * @param retiringHashingKeys the retiring hashing keys by id, in base64
   */
  public void setRetiringHashingKeys(Map<String, String> retiringHashingKeys) {
    this.retiringHashingKeys = retiringHashingKeys;
  }

  /**
   * Returns {@code latchkey.primary-hashing-key}.
   *
   * @return the id of the key that hashes new tokens, or null when there is one active key
   */
  public @Nullable String getPrimaryHashingKey() {
    return primaryHashingKey;
  }

  /**
   * Sets {@code latchkey.primary-hashing-key}.
   *
   * @param primaryHashingKey the id of the key that hashes new tokens, or null when there is one active key
   */
  public void setPrimaryHashingKey(@Nullable String primaryHashingKey) {
    this.primaryHashingKey = primaryHashingKey;
  }

  /**
   * Returns {@code latchkey.cache-ttl}.
   *
   * @return how long a validated token is cached, or null for the default
   */
  public @Nullable Duration getCacheTtl() {
    return cacheTtl;
  }

  /**
   * Sets {@code latchkey.cache-ttl}.
   *
   * @param cacheTtl how long a validated token is cached, or null for the default
   */
  public void setCacheTtl(@Nullable Duration cacheTtl) {
    this.cacheTtl = cacheTtl;
  }

  /**
   * Returns {@code latchkey.cache-maximum-size}.
   *
   * @return how many tokens the cache holds at most, or null for the default
   */
  public @Nullable Long getCacheMaximumSize() {
    return cacheMaximumSize;
  }

  /**
   * Sets {@code latchkey.cache-maximum-size}.
   *
   * @param cacheMaximumSize how many tokens the cache holds at most, or null for the default
   */
  public void setCacheMaximumSize(@Nullable Long cacheMaximumSize) {
    this.cacheMaximumSize = cacheMaximumSize;
  }

  /**
   * Returns {@code latchkey.serve-stale-for}.
   *
   * @return how long a cached token may be served while the store is unreachable, or null for the default
   */
  public @Nullable Duration getServeStaleFor() {
    return serveStaleFor;
  }

  /**
   * Sets {@code latchkey.serve-stale-for}.
   *
   * @param serveStaleFor how long a cached token may be served while the store is unreachable, or null for the default
   */
  public void setServeStaleFor(@Nullable Duration serveStaleFor) {
    this.serveStaleFor = serveStaleFor;
  }

  /**
   * Returns {@code latchkey.default-lifetime}.
   *
   * @return the lifetime of a token issued without one, or null for the default
   */
  public @Nullable Duration getDefaultLifetime() {
    return defaultLifetime;
  }

  /**
   * Sets {@code latchkey.default-lifetime}.
   *
   * @param defaultLifetime the lifetime of a token issued without one, or null for the default
   */
  public void setDefaultLifetime(@Nullable Duration defaultLifetime) {
    this.defaultLifetime = defaultLifetime;
  }

  /**
   * Returns {@code latchkey.max-lifetime}.
   *
   * @return the longest lifetime a token may be issued with, or null for the default
   */
  public @Nullable Duration getMaxLifetime() {
    return maxLifetime;
  }

  /**
   * Sets {@code latchkey.max-lifetime}.
   *
   * @param maxLifetime the longest lifetime a token may be issued with, or null for the default
   */
  public void setMaxLifetime(@Nullable Duration maxLifetime) {
    this.maxLifetime = maxLifetime;
  }

  /**
   * Returns {@code latchkey.usage-flush-interval}.
   *
   * @return how often buffered usage is written, or null for the default
   */
  public @Nullable Duration getUsageFlushInterval() {
    return usageFlushInterval;
  }

  /**
   * Sets {@code latchkey.usage-flush-interval}.
   *
   * @param usageFlushInterval how often buffered usage is written, or null for the default
   */
  public void setUsageFlushInterval(@Nullable Duration usageFlushInterval) {
    this.usageFlushInterval = usageFlushInterval;
  }

  /**
   * The {@code latchkey.jdbc.*} settings.
   *
   * @return the settings, never null
   */
  public Jdbc getJdbc() {
    return jdbc;
  }

  /**
   * The {@code latchkey.redis.*} settings.
   *
   * @return the settings, never null
   */
  public Redis getRedis() {
    return redis;
  }

  /**
   * The {@code latchkey.http.*} settings.
   *
   * @return the settings, never null
   */
  public Http getHttp() {
    return http;
  }

  /**
   * The {@code latchkey.management.*} settings.
   *
   * @return the settings, never null
   */
  public Management getManagement() {
    return management;
  }
}
