-- The persisted audit trail: one row per successful change, written in the transaction of the
-- change itself, kept after the token's row is deleted (no foreign key) until pruned by retention.
CREATE TABLE ${prefix}audit (
  id         VARCHAR(16)  PRIMARY KEY,
  token_id   VARCHAR(16)  NOT NULL,
  workspace  VARCHAR(128) NOT NULL,
  at         TIMESTAMP WITH TIME ZONE NOT NULL,
  actor      VARCHAR(128) NOT NULL,
  action     VARCHAR(32)  NOT NULL,
  detail     CHARACTER LARGE OBJECT NOT NULL
);
CREATE INDEX ${prefix}audit_token_id ON ${prefix}audit (token_id, id);
CREATE INDEX ${prefix}audit_workspace_id ON ${prefix}audit (workspace, id);
CREATE INDEX ${prefix}audit_at ON ${prefix}audit (at);
