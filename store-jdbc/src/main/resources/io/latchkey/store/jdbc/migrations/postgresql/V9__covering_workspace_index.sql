-- Revoke-all counts the rows its new watermark covers (state <> 'REVOKED', the time in the id or
-- imported_at_ms in a range) in its own transaction; reading every row of a big workspace from the
-- table made that O(N) pass too slow at a million rows. The (workspace, id) index now carries the
-- two other columns the count reads, so the count is an index-only scan (the visibility map,
-- which VACUUM keeps current, decides how many heap pages it still visits). It replaces the old
-- index under the same name: the listing reads it exactly as before, inserts maintain one index as
-- before (each entry a few bytes wider), and an update that changes no indexed column stays HOT;
-- one that changes state (revoke, disable, enable) no longer can.
DROP INDEX ${prefix}tokens_workspace_id;
CREATE INDEX ${prefix}tokens_workspace_id ON ${prefix}tokens (workspace, id)
  INCLUDE (state, imported_at_ms);
