-- tcplens flows and findings in ClickHouse 18.16 (Debian bookworm's
-- clickhouse-server), sharded: run this whole file on EVERY shard.
--
--   clickhouse-client --multiquery \
--       --allow_experimental_low_cardinality_type=1 < schema-18.16.sql
--
-- Each shard holds its sensors' rows in the *_local MergeTree tables;
-- tcplens.flows and tcplens.findings are Distributed tables over the
-- cluster 'fleet' (rename it to the cluster of your remote_servers) that
-- read every shard.  A sensor writes to its own shard's *_local table, or
-- to the Distributed table, which places a sensor's rows on one shard.
--
-- Column for column the same as schema.sql (the modern DDL), with the
-- types 18.16 has:
--   * ts and first_ts/last_ts are DateTime (seconds), MATERIALIZED from
--     the exact integer *_ts_ns: 18.16 cannot parse tcplens' fractional
--     "ts":1795462128.964747 into DateTime, and a key named after a
--     MATERIALIZED column is skipped as unknown on insert.
--   * addresses are String (18.16 has no IPv6 type);
--   * LowCardinality needs allow_experimental_low_cardinality_type=1;
--   * no TTL (it came in 19.6): partitions are days, dropped by hand or
--     cron (see README.md).
-- Keys that may be null in tcplens' output are Nullable here: 18.16 reads
-- a null into a non-Nullable number as 0 (or nan) without a word.
-- batch is written by `tcplens live --clickhouse` ("SENSOR-PID-START-N/ROW":
-- the batch and the row's place in it), which reads it back to send a
-- batch again after a failure without storing any row twice; rows loaded
-- from files leave it empty.
-- Insert with input_format_skip_unknown_fields=1: records carry keys
-- (details, evidence, history_truncated, ...) that have no column.

CREATE DATABASE IF NOT EXISTS tcplens;

-- One finished flow per row, as `tcplens flows -F ndjson --sensor NAME`
-- prints it.  Ordered by (sensor, resp_p, ts): the questions are about
-- services (a destination port) on a capture point over time.
CREATE TABLE IF NOT EXISTS tcplens.flows_local
(
    sensor LowCardinality(String) DEFAULT '',
    batch String DEFAULT '',
    uid String,
    proto LowCardinality(String),
    orig_h String,
    orig_p UInt16,
    resp_h String,
    resp_p UInt16,
    ts_ns UInt64,
    ts DateTime MATERIALIZED toDateTime(intDiv(ts_ns, 1000000000)),
    duration Float64,
    orig_pkts UInt64,
    resp_pkts UInt64,
    orig_bytes UInt64,
    resp_bytes UInt64,
    orig_ip_bytes UInt64,
    resp_ip_bytes UInt64,
    missed_bytes UInt64,
    conn_state LowCardinality(String),
    history String,
    orig_state LowCardinality(Nullable(String)),
    resp_state LowCardinality(Nullable(String)),
    close LowCardinality(Nullable(String)),
    close_initiator LowCardinality(Nullable(String)),
    orig_retrans Nullable(UInt64),
    resp_retrans Nullable(UInt64),
    orig_retrans_bytes Nullable(UInt64),
    resp_retrans_bytes Nullable(UInt64),
    duplicates UInt64,
    rtt_ms Nullable(Float64),
    orig_handshake_rtt_ms Nullable(Float64),
    resp_handshake_rtt_ms Nullable(Float64),
    orig_rtt_avg_ms Nullable(Float64),
    orig_rtt_max_ms Nullable(Float64),
    resp_rtt_avg_ms Nullable(Float64),
    resp_rtt_max_ms Nullable(Float64),
    orig_mss Nullable(UInt16),
    resp_mss Nullable(UInt16),
    orig_max_in_flight Nullable(UInt64),
    resp_max_in_flight Nullable(UInt64),
    orig_zero_window_ms Nullable(Float64),
    resp_zero_window_ms Nullable(Float64),
    port_reused Nullable(UInt8),
    icmp_errors UInt64,
    end LowCardinality(String),
    tunnel Nullable(String),
    tunnel_type LowCardinality(Nullable(String)),
    tunnel_orig_h Nullable(String),
    tunnel_resp_h Nullable(String),
    tunnel_id Nullable(UInt32)
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (sensor, resp_p, ts);

-- One finding per row: `tcplens report -F ndjson --sensor NAME` lines of
-- "type":"finding" (state ''), and `tcplens live -F ndjson` finding lines
-- (state new, update, resolved, withdrawn or folded: one row per change).
CREATE TABLE IF NOT EXISTS tcplens.findings_local
(
    sensor LowCardinality(String) DEFAULT '',
    batch String DEFAULT '',
    id LowCardinality(String),
    severity LowCardinality(String),
    state LowCardinality(String) DEFAULT '',
    subject String,
    ongoing UInt8,
    holding UInt8,
    first_ts_ns UInt64,
    first_ts DateTime MATERIALIZED toDateTime(intDiv(first_ts_ns, 1000000000)),
    last_ts_ns UInt64,
    last_ts DateTime MATERIALIZED toDateTime(intDiv(last_ts_ns, 1000000000)),
    value Float64,
    threshold Float64,
    unit LowCardinality(String),
    title String,
    summary String,
    tshark_filter String
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(first_ts)
ORDER BY (sensor, id, first_ts);

-- The fleet: every shard's rows, read (and, if sensors insert here, written)
-- through these.  Their columns are the local tables', except that
-- ts, first_ts and last_ts are ALIAS here: ClickHouse 18.16 forwards a
-- Distributed table's MATERIALIZED columns to the shards, whose local
-- tables then refuse the insert ("Cannot insert column ts, because it is
-- MATERIALIZED column"; without insert_distributed_sync=1 the rows wait
-- in the Distributed table's queue for ever, unread).  The sharding key
-- keeps a sensor's rows on one shard.
CREATE TABLE IF NOT EXISTS tcplens.flows
(
    sensor LowCardinality(String) DEFAULT '',
    batch String DEFAULT '',
    uid String,
    proto LowCardinality(String),
    orig_h String,
    orig_p UInt16,
    resp_h String,
    resp_p UInt16,
    ts_ns UInt64,
    ts DateTime ALIAS toDateTime(intDiv(ts_ns, 1000000000)),
    duration Float64,
    orig_pkts UInt64,
    resp_pkts UInt64,
    orig_bytes UInt64,
    resp_bytes UInt64,
    orig_ip_bytes UInt64,
    resp_ip_bytes UInt64,
    missed_bytes UInt64,
    conn_state LowCardinality(String),
    history String,
    orig_state LowCardinality(Nullable(String)),
    resp_state LowCardinality(Nullable(String)),
    close LowCardinality(Nullable(String)),
    close_initiator LowCardinality(Nullable(String)),
    orig_retrans Nullable(UInt64),
    resp_retrans Nullable(UInt64),
    orig_retrans_bytes Nullable(UInt64),
    resp_retrans_bytes Nullable(UInt64),
    duplicates UInt64,
    rtt_ms Nullable(Float64),
    orig_handshake_rtt_ms Nullable(Float64),
    resp_handshake_rtt_ms Nullable(Float64),
    orig_rtt_avg_ms Nullable(Float64),
    orig_rtt_max_ms Nullable(Float64),
    resp_rtt_avg_ms Nullable(Float64),
    resp_rtt_max_ms Nullable(Float64),
    orig_mss Nullable(UInt16),
    resp_mss Nullable(UInt16),
    orig_max_in_flight Nullable(UInt64),
    resp_max_in_flight Nullable(UInt64),
    orig_zero_window_ms Nullable(Float64),
    resp_zero_window_ms Nullable(Float64),
    port_reused Nullable(UInt8),
    icmp_errors UInt64,
    end LowCardinality(String),
    tunnel Nullable(String),
    tunnel_type LowCardinality(Nullable(String)),
    tunnel_orig_h Nullable(String),
    tunnel_resp_h Nullable(String),
    tunnel_id Nullable(UInt32)
)
ENGINE = Distributed(fleet, tcplens, flows_local, cityHash64(sensor));

CREATE TABLE IF NOT EXISTS tcplens.findings
(
    sensor LowCardinality(String) DEFAULT '',
    batch String DEFAULT '',
    id LowCardinality(String),
    severity LowCardinality(String),
    state LowCardinality(String) DEFAULT '',
    subject String,
    ongoing UInt8,
    holding UInt8,
    first_ts_ns UInt64,
    first_ts DateTime ALIAS toDateTime(intDiv(first_ts_ns, 1000000000)),
    last_ts_ns UInt64,
    last_ts DateTime ALIAS toDateTime(intDiv(last_ts_ns, 1000000000)),
    value Float64,
    threshold Float64,
    unit LowCardinality(String),
    title String,
    summary String,
    tshark_filter String
)
ENGINE = Distributed(fleet, tcplens, findings_local, cityHash64(sensor));
