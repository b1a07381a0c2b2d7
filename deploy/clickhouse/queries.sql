-- Questions an on-call engineer asks of the fleet, over the Distributed
-- tables tcplens.flows and tcplens.findings (schema-18.16.sql or
-- schema.sql).  Each runs on ClickHouse 18.16 and later:
--
--   clickhouse-client --multiquery < queries.sql
--
-- A flow's orig_state and resp_state are each endpoint's TCP state when
-- its capture ended (or the flow was evicted): CLOSE_WAIT or TIME_WAIT
-- there is a socket still held at that moment.  They are Nullable (null
-- for UDP and ICMP), and 18.16's countIf() refuses a Nullable condition:
-- hence ifNull(orig_state, '') inside countIf().

-- Which services leak CLOSE_WAIT across the fleet?  A socket in
-- CLOSE_WAIT received the peer's FIN and its application never called
-- close(); the kernel never times it out.  One row per service (the
-- endpoint left in CLOSE_WAIT), with how many sensors saw it.
SELECT
    if(ifNull(resp_state, '') = 'CLOSE_WAIT', resp_h, orig_h) AS host,
    if(ifNull(resp_state, '') = 'CLOSE_WAIT', resp_p, orig_p) AS port,
    count() AS close_wait_connections,
    uniqExact(sensor) AS sensors,
    topK(5)(sensor) AS some_sensors,
    min(ts) AS first_seen,
    max(ts) AS last_seen
FROM tcplens.flows
WHERE proto = 'tcp' AND (resp_state = 'CLOSE_WAIT' OR orig_state = 'CLOSE_WAIT')
GROUP BY host, port
ORDER BY close_wait_connections DESC, host, port
LIMIT 50;

-- TIME_WAIT per destination: which services' connections pile up in
-- TIME_WAIT, and on which side.  The side that closes first holds
-- TIME_WAIT for 60 s; a server (resp) side holding it means the server
-- closes first, which exhausts nothing on the server but fills its table,
-- while client (orig) side TIME_WAIT in thousands exhausts ephemeral
-- ports towards that one destination.
SELECT
    resp_h,
    resp_p,
    countIf(ifNull(orig_state, '') = 'TIME_WAIT') AS client_side_time_wait,
    countIf(ifNull(resp_state, '') = 'TIME_WAIT') AS server_side_time_wait,
    count() AS connections,
    uniqExact(orig_h) AS clients,
    uniqExact(sensor) AS sensors
FROM tcplens.flows
WHERE proto = 'tcp'
GROUP BY resp_h, resp_p
HAVING client_side_time_wait + server_side_time_wait > 0
ORDER BY client_side_time_wait + server_side_time_wait DESC, resp_h, resp_p
LIMIT 50;

-- Retransmission rate per path (client host to server host): the share
-- of TCP segments sent again, both directions, over paths with enough
-- traffic to mean something (100 segments or more).
SELECT
    orig_h,
    resp_h,
    sum(orig_pkts + resp_pkts) AS segments,
    sum(ifNull(orig_retrans, 0) + ifNull(resp_retrans, 0)) AS retransmissions,
    round(100 * retransmissions / segments, 2) AS retrans_percent,
    count() AS connections,
    uniqExact(sensor) AS sensors
FROM tcplens.flows
WHERE proto = 'tcp'
GROUP BY orig_h, resp_h
HAVING segments >= 100
ORDER BY retrans_percent DESC, segments DESC
LIMIT 50;

-- Top findings in the last hour: which problems, how many distinct
-- findings (a live sensor writes one row per change of a finding; a
-- finding is its sensor, id, subject and start), on how many sensors.
-- "The last hour" ends at the newest finding stored, so that the query
-- also answers for captures loaded after the fact; on a live fleet that
-- is now(): write now() - INTERVAL 1 HOUR there if you prefer.
SELECT
    id,
    severity,
    uniqExact(sensor, subject, first_ts_ns) AS findings,
    uniqExact(sensor) AS sensors,
    topK(5)(subject) AS top_subjects,
    max(last_ts) AS latest
FROM tcplens.findings
WHERE last_ts >= (SELECT max(last_ts) FROM tcplens.findings) - INTERVAL 1 HOUR
GROUP BY id, severity
ORDER BY indexOf(['critical', 'warning', 'info'], severity), findings DESC, id
LIMIT 50;
