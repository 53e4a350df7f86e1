-- The persisted audit trail: one row per successful change, written in the transaction of the
-- change itself, kept after the token's row is deleted (no foreign key) until pruned by retention.
-- Ids are base62 and sort by time; "C" makes the database sort them as Java does.
CREATE TABLE ${prefix}audit (
  id         VARCHAR(16)  COLLATE "C" PRIMARY KEY,
  token_id   VARCHAR(16)  COLLATE "C" NOT NULL,
  workspace  VARCHAR(128) NOT NULL,
  at         TIMESTAMPTZ  NOT NULL,
  actor      VARCHAR(128) NOT NULL,
  action     VARCHAR(32)  NOT NULL,
  detail     TEXT         NOT NULL
);
-- Newest first per token and per workspace: WHERE token_id = ? AND id < ? ORDER BY id DESC.
CREATE INDEX ${prefix}audit_token_id ON ${prefix}audit (token_id, id);
CREATE INDEX ${prefix}audit_workspace_id ON ${prefix}audit (workspace, id);
CREATE INDEX ${prefix}audit_at ON ${prefix}audit (at);
