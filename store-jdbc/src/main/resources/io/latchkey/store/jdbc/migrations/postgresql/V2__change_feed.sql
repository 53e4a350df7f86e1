-- The change feed: every insert, delete and versioned update (not usage writes) notifies the id,
-- whoever made the change, in the same transaction.
CREATE FUNCTION ${prefix}notify_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('${prefix}changes', OLD.id);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.version = NEW.version THEN
    RETURN NEW;
  END IF;
  PERFORM pg_notify('${prefix}changes', NEW.id);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ${prefix}tokens_changed
  AFTER INSERT OR UPDATE OR DELETE ON ${prefix}tokens
  FOR EACH ROW EXECUTE FUNCTION ${prefix}notify_change();
