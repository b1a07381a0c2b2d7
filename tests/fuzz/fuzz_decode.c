/*
 * libFuzzer entry point over the whole decode path and the statistics it
 * feeds.  One input holds several packets, so later stateful layers
 * (fragment reassembly, flows) are fuzzed across packets too:
 *
 *   input  := packet*
 *   packet := link_type:u8 cap_len:u16be wire_extra:u8 bytes[cap_len]
 *
 * Each packet is copied into an exact-size heap buffer, so ASan reports
 * any read past the captured end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "proto_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto_stats st;
	struct packet pkt;
	size_t off = 0;

	proto_stats_init(&st, (size & 1) != 0);
	while (size - off >= 4) {
		enum link_type lt = (enum link_type)(data[off] % LINK_TYPE_COUNT);
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		uint32_t extra = data[off + 3];
		uint8_t *copy;

		off += 4;
		if (len > size - off)
			len = size - off;
		copy = malloc(len > 0 ? len : 1);
		if (copy == NULL)
			return 0;
		if (len > 0)
			memcpy(copy, data + off, len);
		decode_packet(&pkt, lt, copy, (uint32_t)len,
			      (uint32_t)len + extra);
		pkt.frame_no++;
		pkt.has_ts = (extra & 2) != 0;
		proto_stats_add(&st, &pkt);
		free(copy);
		off += len;
	}
	return 0;
}
