-- The lifetime a token was issued with, in milliseconds (TokenRecord.lifetime). A rotation
-- shortens the old token's expires_at to the end of its overlap; this keeps the original lifetime
-- so that rotating the replacement again gives the same lifetime. Rows written before this
-- migration have NULL, and core then derives it from expires_at - created_at. It is written with
-- the rest of a record by insert and replace; it does not change validation, so the change-feed
-- trigger need not compare it.
ALTER TABLE ${prefix}tokens ADD COLUMN lifetime_ms BIGINT;
