/*
 * The detectors' configuration: whether each runs and the severity its
 * findings carry (det[]), and each one's thresholds (unit[]), both by
 * finding id.  Durations are ns, shares are fractions of 1.
 *
 * A detector's thresholds are a struct its own file declares, kept in
 * its finding's unit[] block and read there through
 * DET_SETTINGS_ACCESSORS (detect_internal.h); the file also gives their
 * rows (key, range, default, meaning), which the YAML loader,
 * `tcplens config --defaults` and the man page follow.  Elsewhere a
 * threshold is reached by its section and key (settings.h), never by
 * its place in the block.
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

/*
 * Room for one detector's thresholds: four words, for the largest
 * (retransmit_burst's five).
 */
#define DET_SETTINGS_SIZE 32

union detector_settings {
	int64_t align_;         /* durations */
	double align_d_;        /* shares */
	unsigned char bytes[DET_SETTINGS_SIZE];
};

struct detect_config {
	struct detector_common det[FINDING_COUNT];
	union detector_settings unit[FINDING_COUNT];
};

#endif
