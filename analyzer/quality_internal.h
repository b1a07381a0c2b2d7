/*
 * The parts of capture_quality.c in files of their own: why a frame was
 * not analysed (quality_coverage.c, the one place that reads what the
 * decoders left undecoded).  Not public: capture_quality.h is.
 */
#ifndef TCPLENS_QUALITY_INTERNAL_H
#define TCPLENS_QUALITY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "capture_quality.h"

/*
 * Whether the analyzer leaves pkt out (analyzer.c's process_ip() and
 * analyzer_feed() decide alike), and if so why and what it was.  A UDP
 * datagram to a tunnel's port is analysed, as its outer flow, yet comes
 * back with QUALITY_TUNNEL_PAYLOAD: *analysed tells the two apart.
 * Returns false for a frame analysed whole.  A fragment is neither: its
 * datagram counts once reassembled (*analysed true, false returned).
 */
bool quality_classify(const struct packet *pkt, bool *analysed,
		      struct quality_detail *what);

#endif
