/*
 * The detectors' configuration: whether each runs, the severity its
 * findings carry, and its thresholds.  Durations are ns, shares are
 * fractions of 1.  Defaults and accepted ranges live in settings.c, the
 * one table the YAML loader, `tcplens config --defaults` and the man
 * page all follow.
 */
#ifndef TCPLENS_DETECT_CONFIG_H
#define TCPLENS_DETECT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "finding.h"

struct detector_common {
	bool enabled;
	uint8_t severity;       /* enum finding_severity */
};

struct detect_config {
	struct detector_common det[FINDING_COUNT];
	struct {
		int64_t window_ns;
		uint32_t min_half_open;
		uint32_t min_sources;
	} syn_flood;
	struct {
		uint32_t min_retries;
	} syn_unanswered;
	struct {
		uint32_t min_attempts;
	} connection_refused;
	struct {
		int64_t min_age_ns;
		uint32_t min_connections;
	} close_wait_leak;
	struct {
		uint32_t min_connections;
		uint32_t port_range_low, port_range_high;
		double port_share;
	} time_wait_accumulation;
	struct {
		int64_t window_ns;
		uint32_t min_rsts;
	} rst_storm;
	struct {
		uint32_t min_count;
	} abortive_close;
	struct {
		int64_t window_ns;
		uint32_t min_retransmissions;
		double min_share;
		uint32_t dead_peer_retries;
		uint32_t black_hole_size;
	} retransmit_burst;
	struct {
		int64_t min_duration_ns;
	} zero_window_stall;
	struct {
		uint32_t min_probes;
	} half_open;
	struct {
		int64_t window_ns;
		uint32_t min_targets;
		double min_failed_share;
	} port_scan;
	struct {
		uint32_t min_count;
	} icmp_error;
	struct {
		uint32_t min_datagrams;
	} fragmentation;
	struct {
		int64_t min_delay_ns;
		int64_t max_delay_ns;
		uint32_t min_events;
	} nagle_delayed_ack;
	struct {
		bool verify;
		uint32_t min_count;
	} checksum_errors;
	struct {
		int64_t window_ns;
		uint32_t min_connections;
		int64_t max_duration_ns;
	} short_connection_churn;
};

#endif
