-- Latchkey token records. ${prefix} is the configured table-name prefix.
-- JSON columns hold JSON text; H2 has no change feed.
CREATE TABLE ${prefix}tokens (
  id                    VARCHAR(16)  PRIMARY KEY,
  workspace             VARCHAR(128) NOT NULL,
  name                  VARCHAR(128) NOT NULL,
  description           VARCHAR(1024) NOT NULL,
  hint                  VARCHAR(64)  NOT NULL,
  key_id                VARCHAR(32)  NOT NULL,
  hash                  VARBINARY(64) NOT NULL,
  state                 VARCHAR(16)  NOT NULL,
  permissions           CHARACTER LARGE OBJECT NOT NULL,
  allowed_ips           CHARACTER LARGE OBJECT NOT NULL,
  metadata              CHARACTER LARGE OBJECT NOT NULL,
  created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by            VARCHAR(128) NOT NULL,
  updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at            TIMESTAMP WITH TIME ZONE NOT NULL,
  last_used_at          TIMESTAMP WITH TIME ZONE,
  last_used_ip          VARCHAR(64),
  last_used_integration VARCHAR(128),
  version               BIGINT       NOT NULL
);
CREATE INDEX ${prefix}tokens_workspace_id ON ${prefix}tokens (workspace, id);
