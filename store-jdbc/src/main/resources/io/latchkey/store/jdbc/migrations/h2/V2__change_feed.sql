-- H2 has no change feed; this version keeps both dialects on the same version numbers.
COMMENT ON TABLE ${prefix}tokens IS 'Latchkey API tokens: keyed hashes only, never plaintext';
