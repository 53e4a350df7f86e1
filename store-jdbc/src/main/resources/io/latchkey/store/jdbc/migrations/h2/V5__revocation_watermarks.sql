-- Revocation watermarks (core's revokeAll, docs/architecture.md "States"): per workspace, tokens
-- written before the watermark are REVOKED whatever their row says; rows are brought in line in
-- the background. One row per workspace ever revoked as a whole, raised (never lowered) in one
-- transaction with the count of the rows it revokes and the workspace's audit entry. H2 has no
-- change feed: another process reads the watermarks again within its cache's time-to-live.
CREATE TABLE ${prefix}revocation_watermarks (
  workspace    VARCHAR(128) PRIMARY KEY,
  watermark_ms BIGINT       NOT NULL
);

-- When an imported legacy key was written (TokenRecord.importedAt, epoch milliseconds): its id is
-- derived from its lookup part and carries no time, and its created_at is the old system's. NULL
-- for a token Latchkey issued (its id starts with its issue time). Keys imported before this
-- migration predate every watermark: 0.
ALTER TABLE ${prefix}tokens ADD COLUMN imported_at_ms BIGINT;
UPDATE ${prefix}tokens SET imported_at_ms = 0 WHERE hint LIKE 'legacy %';
