-- Revoke-all counts the rows its new watermark covers (state <> 'REVOKED', the time in the id or
-- imported_at_ms in a range) in its own transaction. H2 evaluates a condition on the columns of
-- the index it walks without reading the row, so with state and imported_at_ms in the
-- (workspace, id) index the count reads that index alone (a fraction of the table's pages). H2 has
-- no INCLUDE: they are trailing key columns, which keeps (workspace, id) its prefix for the
-- listing. It replaces the old index under the same name, so inserts maintain one index as before.
DROP INDEX ${prefix}tokens_workspace_id;
CREATE INDEX ${prefix}tokens_workspace_id ON ${prefix}tokens (workspace, id, state, imported_at_ms);
