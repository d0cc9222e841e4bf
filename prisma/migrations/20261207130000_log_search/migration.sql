-- Log search across runs (searchLogs): a trigram index over the message of the lines at ERROR and
-- above, chosen by measurement (docs/performance.md, "Log search"): the same index over every line
-- halved ingest, over WARNING and above it cost 14% of it. The build holds a SHARE lock on log_line, so appends wait for it (seconds at
-- 10,000,000 lines); a large installation can build it beforehand, without blocking, with the same
-- statement and CONCURRENTLY, and this migration then finds it in place.

-- CreateIndex
CREATE INDEX IF NOT EXISTS "log_line_message_search_idx" ON "log_line" USING GIN ("message" gin_trgm_ops) WHERE level = ANY (ARRAY['ERROR'::"LogLevel", 'CRITICAL'::"LogLevel"]);

-- A search narrowed to a time window (received_at) reads only that window's blocks: lines are
-- appended in time order, so a block range index answers it; it costs appends next to nothing.
-- CreateIndex
CREATE INDEX IF NOT EXISTS "log_line_received_at_idx" ON "log_line" USING BRIN ("received_at");
