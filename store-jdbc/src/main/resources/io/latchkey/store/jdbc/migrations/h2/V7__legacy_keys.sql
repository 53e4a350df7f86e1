-- Imported legacy keys (core's LegacyKeys). Until its first use a record holds the hash of the
-- system it came from (key_id 'legacy:<algorithm>'): a bcrypt hash is 60 bytes, an Argon2 or
-- scrypt PHC string up to about 200, and core refuses more than 512. Its id is derived from the
-- key's lookup part, so the primary key is the lookup index and no other index is needed.
-- (V5 and V6 are taken by other changes; versions are applied independently.)
ALTER TABLE ${prefix}tokens ALTER COLUMN hash SET DATA TYPE VARBINARY(512);
