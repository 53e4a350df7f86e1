-- Imported legacy keys (core's LegacyKeys). Until its first use a record holds the hash of the
-- system it came from (key_id 'legacy:<algorithm>'); BYTEA already holds its up to 512 bytes. Its
-- id is derived from the key's lookup part, so the primary key is the lookup index. This partial
-- index keeps the count of not-yet-upgraded keys per workspace cheap while it falls to zero:
--   SELECT workspace, count(*) FROM <prefix>tokens WHERE key_id LIKE 'legacy:%' GROUP BY workspace;
-- (V5 and V6 are taken by other changes; versions are applied independently.)
CREATE INDEX ${prefix}tokens_legacy ON ${prefix}tokens (workspace) WHERE key_id LIKE 'legacy:%';
