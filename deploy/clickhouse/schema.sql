-- tcplens flows and findings in a current ClickHouse (23.x and later),
-- sharded: run this whole file on EVERY shard (or add ON CLUSTER fleet
-- to each statement if the cluster runs ClickHouse Keeper).
--
--   clickhouse-client --multiquery < schema.sql
--
-- NOT RUN BY THE TESTS: the only ClickHouse packaged here is Debian's
-- 18.16, which has none of DateTime64, IPv6 or TTL.  schema-18.16.sql is
-- the tested one; this file is the same tables, column for column (same
-- names, same order, same meaning), with the modern types:
--   * ts, first_ts, last_ts: DateTime64(9) in UTC, MATERIALIZED from the
--     exact integer *_ts_ns (tcplens' fractional "ts" keys are skipped as
--     unknown on insert, as in 18.16);
--   * addresses: IPv6, an IPv4 address stored IPv4-mapped (::ffff:a.b.c.d),
--     which ClickHouse parses from tcplens' dotted text;
--   * LowCardinality without a setting; TTL drops old rows (90 days here:
--     change it to your retention).
-- batch is written by `tcplens live --clickhouse` ("SENSOR-PID-START-N/ROW":
-- the batch and the row's place in it), which reads it back to send a
-- batch again after a failure without storing any row twice; rows loaded
-- from files leave it empty.
-- Insert with input_format_skip_unknown_fields=1 (the default since
-- 23.x): records carry keys (details, evidence, ...) without a column.

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
    orig_h IPv6,
    orig_p UInt16,
    resp_h IPv6,
    resp_p UInt16,
    ts_ns UInt64,
    ts DateTime64(9, 'UTC') MATERIALIZED fromUnixTimestamp64Nano(toInt64(ts_ns), 'UTC'),
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
    tunnel_orig_h Nullable(IPv6),
    tunnel_resp_h Nullable(IPv6),
    tunnel_id Nullable(UInt32)
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (sensor, resp_p, ts)
TTL toDateTime(ts) + INTERVAL 90 DAY;

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
    first_ts DateTime64(9, 'UTC') MATERIALIZED fromUnixTimestamp64Nano(toInt64(first_ts_ns), 'UTC'),
    last_ts_ns UInt64,
    last_ts DateTime64(9, 'UTC') MATERIALIZED fromUnixTimestamp64Nano(toInt64(last_ts_ns), 'UTC'),
    value Float64,
    threshold Float64,
    unit LowCardinality(String),
    title String,
    summary String,
    tshark_filter String
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(first_ts)
ORDER BY (sensor, id, first_ts)
TTL toDateTime(first_ts) + INTERVAL 90 DAY;

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
    orig_h IPv6,
    orig_p UInt16,
    resp_h IPv6,
    resp_p UInt16,
    ts_ns UInt64,
    ts DateTime64(9, 'UTC') ALIAS fromUnixTimestamp64Nano(toInt64(ts_ns), 'UTC'),
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
    tunnel_orig_h Nullable(IPv6),
    tunnel_resp_h Nullable(IPv6),
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
    first_ts DateTime64(9, 'UTC') ALIAS fromUnixTimestamp64Nano(toInt64(first_ts_ns), 'UTC'),
    last_ts_ns UInt64,
    last_ts DateTime64(9, 'UTC') ALIAS fromUnixTimestamp64Nano(toInt64(last_ts_ns), 'UTC'),
    value Float64,
    threshold Float64,
    unit LowCardinality(String),
    title String,
    summary String,
    tshark_filter String
)
ENGINE = Distributed(fleet, tcplens, findings_local, cityHash64(sensor));
