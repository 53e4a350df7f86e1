-- Latchkey token records. ${prefix} is the configured table-name prefix.
-- Sizes follow core's argument limits, so core rejects an oversized value before the database sees it.
CREATE TABLE ${prefix}tokens (
  id                    VARCHAR(16)  PRIMARY KEY,
  workspace             VARCHAR(128) NOT NULL,
  name                  VARCHAR(128) NOT NULL,
  description           VARCHAR(1024) NOT NULL,
  hint                  VARCHAR(64)  NOT NULL,
  key_id                VARCHAR(32)  NOT NULL,
  hash                  BYTEA        NOT NULL,
  state                 VARCHAR(16)  NOT NULL,
  permissions           JSONB        NOT NULL,
  allowed_ips           JSONB        NOT NULL,
  metadata              JSONB        NOT NULL,
  created_at            TIMESTAMPTZ  NOT NULL,
  created_by            VARCHAR(128) NOT NULL,
  updated_at            TIMESTAMPTZ  NOT NULL,
  expires_at            TIMESTAMPTZ  NOT NULL,
  last_used_at          TIMESTAMPTZ,
  last_used_ip          VARCHAR(64),
  last_used_integration VARCHAR(128),
  version               BIGINT       NOT NULL
);
-- Keyset listing of a workspace: WHERE workspace = ? AND id > ? ORDER BY id.
CREATE INDEX ${prefix}tokens_workspace_id ON ${prefix}tokens (workspace, id);
