package io.latchkey.cli;

import java.util.Map;

/**
 * The core names the field a bad value was given for ({@code expiresIn must be positive}); the user
 * typed a flag. This renames the one for the other, so every CLI error speaks in flags.
 */
final class Flags {
  private static final Map<String, String> FLAG = Map.ofEntries(
      Map.entry("name", "--name"),
      Map.entry("workspace", "--workspace"),
      Map.entry("description", "--description"),
      Map.entry("permission", "--permission/--deny"),
      Map.entry("permissions", "--permission/--deny"),
      Map.entry("allowIp", "--allow-ip"),
      Map.entry("allowIps", "--allow-ip"),
      Map.entry("allowedIps", "--allow-ip"),
      Map.entry("metadata", "--metadata"),
      Map.entry("expiresIn", "--expires-in"),
      Map.entry("expiresAt", "--expires-at"),
      Map.entry("overlap", "--overlap"),
      Map.entry("limit", "--limit"),
      Map.entry("cursor", "--after"),
      Map.entry("nameContains", "--name-contains"),
      Map.entry("state", "--state"),
      Map.entry("trustedProxies", "--trusted-proxy"),
      Map.entry("integrationHeader", "--integration-header"),
      Map.entry("cacheTtl", "--cache-ttl"),
      Map.entry("actor", "--actor"),
      Map.entry("createdBy", "--actor"),
      Map.entry("tokenPrefix", "--prefix"),
      Map.entry("token", "the token from standard input"));

  private Flags() {}

  /** The message with its leading field name replaced by the flag that sets it, if there is one. */
  static String rename(String field, String message) {
    String flag = FLAG.get(field);
    if (flag == null || !message.startsWith(field)) return message;
    String rest = message.substring(field.length());
    if (!rest.isEmpty() && Character.isLetterOrDigit(rest.charAt(0))) return message;
    return flag + rest;
  }
}
