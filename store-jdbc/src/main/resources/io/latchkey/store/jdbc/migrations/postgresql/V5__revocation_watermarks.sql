-- Revocation watermarks (core's revokeAll, docs/architecture.md "States"): per workspace, tokens
-- written before the watermark are REVOKED whatever their row says; rows are brought in line in
-- the background. One row per workspace ever revoked as a whole, raised (never lowered) in one
-- transaction with the count of the rows it revokes and the workspace's audit entry.
CREATE TABLE ${prefix}revocation_watermarks (
  workspace    VARCHAR(128) PRIMARY KEY,
  watermark_ms BIGINT       NOT NULL
);

-- When an imported legacy key was written (TokenRecord.importedAt, epoch milliseconds): its id is
-- derived from its lookup part and carries no time, and its created_at is the old system's. NULL
-- for a token Latchkey issued (its id starts with its issue time). Keys imported before this
-- migration predate every watermark: 0. It never changes, so the change-feed trigger ignores it.
ALTER TABLE ${prefix}tokens ADD COLUMN imported_at_ms BIGINT;
UPDATE ${prefix}tokens SET imported_at_ms = 0 WHERE hint LIKE 'legacy %';

-- A raise reaches every instance through the same channel as a changed id. Ids are 16 base62
-- characters, so a payload starting with '!' cannot be one: '!w <watermark_ms> <workspace>'.
CREATE FUNCTION ${prefix}notify_watermark() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.watermark_ms = NEW.watermark_ms THEN
    RETURN NEW;
  END IF;
  PERFORM pg_notify('${prefix}changes', '!w ' || NEW.watermark_ms || ' ' || NEW.workspace);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ${prefix}revocation_watermarks_changed
  AFTER INSERT OR UPDATE ON ${prefix}revocation_watermarks
  FOR EACH ROW EXECUTE FUNCTION ${prefix}notify_watermark();
