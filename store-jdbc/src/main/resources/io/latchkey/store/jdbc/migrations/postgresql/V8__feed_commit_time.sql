-- The change feed's payload carries the change's time: '<id>@<epoch milliseconds>' (ChangeMessages),
-- so a receiving instance can measure the feed's lag. Receivers still read a bare id (a message
-- sent before this version). The body is V3's with only the payload changed.
CREATE OR REPLACE FUNCTION ${prefix}notify_change() RETURNS trigger AS $$
DECLARE
  at TEXT := '@' || floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT::TEXT;
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('${prefix}changes', OLD.id || at);
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
      PERFORM pg_notify('${prefix}changes', OLD.id || at);
    END IF;
  END IF;
  PERFORM pg_notify('${prefix}changes', NEW.id || at);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
