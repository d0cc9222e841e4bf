-- log_line loses its foreign key to run. The key checked every stored line against run, one trigger
-- call and index lookup per line (measured: a third of the append statement's time, and half of what
-- a COPY into log_line can take), and checked nothing the append statement does not: lines are only
-- ever inserted by it, in the statement that has just locked that RUNNING run's row, and a run that
-- is being deleted cannot be locked for an append.
--
-- What the key did besides, deleting a run's lines with the run (or with its scraper, whose runs go
-- with it), a statement trigger on run now does, once per deleting statement rather than per row.

-- DropForeignKey
ALTER TABLE "log_line" DROP CONSTRAINT "log_line_run_id_fkey";

CREATE FUNCTION "delete_log_lines_of_deleted_runs"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "log_line" l USING "deleted_run" d WHERE l."run_id" = d."id";
  RETURN NULL;
END
$$;

CREATE TRIGGER "run_deletes_its_log_lines" AFTER DELETE ON "run"
  REFERENCING OLD TABLE AS "deleted_run"
  FOR EACH STATEMENT EXECUTE FUNCTION "delete_log_lines_of_deleted_runs"();
