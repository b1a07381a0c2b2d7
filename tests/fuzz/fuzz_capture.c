/*
 * libFuzzer entry point over whole capture files: the input is written
 * to an in-memory file and read as tcplens reads any capture (libpcap
 * for pcap, capture/pcapng_reader.c for pcapng, the capture source's
 * merge, timestamp and length checks), then every frame is decoded and
 * counted.  libpcap is not instrumented, so the guidance comes from
 * tcplens' own code, the pcapng reader above all; what matters is that
 * no file, however broken, crashes or leaks.  An odd size reads the
 * file twice and merges the two (capture_source_next), an even size
 * reads it once through capture_source_run(), as the CLI does.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture_quality.h"
#include "capture_source.h"
#include "decode.h"
#include "proto_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct counts {
	struct proto_stats st;
	struct capture_quality *quality;
	struct frame_dups *dups;
	uint64_t frames;
};

/* Decoded, counted, and judged by the capture quality (duplicates ...). */
static void count_frame(void *ctx, const struct capture_frame *f)
{
	struct counts *c = ctx;
	struct packet pkt;

	decode_packet(&pkt, f->link_type, f->data, f->cap_len, f->wire_len);
	pkt.ts = f->ts;
	pkt.has_ts = f->has_ts;
	pkt.frame_no = ++c->frames;
	proto_stats_add(&c->st, &pkt);
	if (c->quality != NULL && c->dups != NULL)
		capture_quality_on_packet(c->quality, &pkt,
					  frame_dups_check(c->dups, &pkt));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct counts c;
	struct capture_source *src;
	struct capture_frame f;
	enum capture_error err;
	char path[64], msg[512];
	const char *paths[2] = {path, path};
	int fd = memfd_create("tcplens-fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	proto_stats_init(&c.st, (size & 1) != 0);
	c.frames = 0;
	c.quality = capture_quality_new();
	c.dups = frame_dups_new();
	/* An odd size reads the file twice, to fuzz the merge as well. */
	src = capture_source_open(paths, 1 + (size & 1), NULL, &err, msg,
				  sizeof(msg));
	if (src != NULL) {
		if ((size & 1) == 0) {
			while (capture_source_run(src, count_frame, &c, 7) > 0)
				;
		}
		while (capture_source_next(src, &f) == 1)
			count_frame(&c, &f);
		while (capture_source_take_warning(src) != NULL)
			;
		capture_source_free(src);
	}
	if (c.quality != NULL)
		capture_quality_report(c.quality);
	capture_quality_free(c.quality);
	frame_dups_free(c.dups);
	close(fd);
	return 0;
}
