-- H2 compares strings by code unit already (ids sort as in Java) and has no change feed, so of
-- PostgreSQL's V3 only the state check applies here.
COMMENT ON COLUMN ${prefix}tokens.id IS 'token id: 16 base62 characters, not secret';

-- A state edited by hand must still be one the store can read.
ALTER TABLE ${prefix}tokens ADD CONSTRAINT ${prefix}tokens_state
  CHECK (state IN ('ACTIVE', 'DISABLED', 'REVOKED'));
