-- 1. Token ids are base62 and sort in ASCII order (Java's String order, issue order). Under the
--    database's default collation (often en_US) 'a' sorts before 'B', so listing and keyset
--    cursors would disagree with every other store. "C" compares bytes, and is also the cheapest.
ALTER TABLE ${prefix}tokens ALTER COLUMN id TYPE VARCHAR(16) COLLATE "C";

-- 2. Notify every change except a usage write, whether or not it bumped the version: a row edited
--    by hand (UPDATE ... SET state = 'REVOKED') must still reach every cache at once.
CREATE OR REPLACE FUNCTION ${prefix}notify_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('${prefix}changes', OLD.id);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF (OLD.id, OLD.workspace, OLD.name, OLD.description, OLD.hint, OLD.key_id, OLD.hash,
        OLD.state, OLD.permissions, OLD.allowed_ips, OLD.metadata, OLD.created_at,
        OLD.created_by, OLD.updated_at, OLD.expires_at, OLD.version)
       IS NOT DISTINCT FROM
       (NEW.id, NEW.workspace, NEW.name, NEW.description, NEW.hint, NEW.key_id, NEW.hash,
        NEW.state, NEW.permissions, NEW.allowed_ips, NEW.metadata, NEW.created_at,
        NEW.created_by, NEW.updated_at, NEW.expires_at, NEW.version) THEN
      RETURN NEW; -- only last_used_* changed
    END IF;
    IF OLD.id <> NEW.id THEN
      PERFORM pg_notify('${prefix}changes', OLD.id);
    END IF;
  END IF;
  PERFORM pg_notify('${prefix}changes', NEW.id);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- A state edited by hand must still be one the store can read.
ALTER TABLE ${prefix}tokens ADD CONSTRAINT ${prefix}tokens_state
  CHECK (state IN ('ACTIVE', 'DISABLED', 'REVOKED'));
