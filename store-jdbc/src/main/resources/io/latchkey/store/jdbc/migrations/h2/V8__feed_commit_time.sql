-- H2 has no change feed; this version keeps both dialects on the same version numbers.
COMMENT ON COLUMN ${prefix}tokens.updated_at IS 'when the record last changed';
