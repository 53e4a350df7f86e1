-- H2 compares strings by code unit already (ids sort as in Java) and has no change feed; this
-- version keeps both dialects on the same version numbers.
COMMENT ON COLUMN ${prefix}tokens.id IS 'token id: 16 base62 characters, not secret';
