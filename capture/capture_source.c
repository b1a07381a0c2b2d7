#include "capture_source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CAPTURE_READ_BUFFER = 1 << 20 };

struct capture_input {
	struct capture_input_info info;
	pcap_t *pcap;
	FILE *fp;
	uint64_t size;           /* 0 when not a regular file */
	char *read_buffer;       /* stdio's buffer: freed after the FILE */
	bool done;
	bool has_pending;        /* a frame is read and not yet returned */
	bool returned_pending;   /* refill before comparing again */
	struct pcap_pkthdr *hdr;
	const u_char *data;
};

struct capture_source {
	struct capture_input *inputs;
	size_t n_inputs;
	char warning[512];
	bool warning_ready;
};

static const struct {
	int dlt;
	enum link_type lt;
} link_map[] = {
	{DLT_EN10MB, LINK_TYPE_ETHERNET},
	{DLT_NULL, LINK_TYPE_NULL},
	{DLT_LOOP, LINK_TYPE_LOOP},
	{DLT_RAW, LINK_TYPE_RAW},
#if defined(DLT_IPV4)
	{DLT_IPV4, LINK_TYPE_IPV4},
#endif
#if defined(DLT_IPV6)
	{DLT_IPV6, LINK_TYPE_IPV6},
#endif
	{DLT_LINUX_SLL, LINK_TYPE_LINUX_SLL},
#if defined(DLT_LINUX_SLL2)
	{DLT_LINUX_SLL2, LINK_TYPE_LINUX_SLL2},
#endif
};

const char *capture_supported_link_types(void)
{
	return "EN10MB (Ethernet), LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, "
	       "IPV4, IPV6";
}

static bool link_type_from_dlt(int dlt, enum link_type *lt)
{
	for (size_t i = 0; i < sizeof(link_map) / sizeof(link_map[0]); i++) {
		if (link_map[i].dlt == dlt) {
			*lt = link_map[i].lt;
			return true;
		}
	}
	return false;
}

static const char *path_label(const char *path)
{
	return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

/* Looks at the first four bytes without moving the stream. */
static enum capture_format peek_format(FILE *fp, bool *nanosecond)
{
	unsigned char m[4];
	static const unsigned char pcapng[4] = {0x0a, 0x0d, 0x0d, 0x0a};
	static const unsigned char us_be[4] = {0xa1, 0xb2, 0xc3, 0xd4};
	static const unsigned char us_le[4] = {0xd4, 0xc3, 0xb2, 0xa1};
	static const unsigned char ns_be[4] = {0xa1, 0xb2, 0x3c, 0x4d};
	static const unsigned char ns_le[4] = {0x4d, 0x3c, 0xb2, 0xa1};

	*nanosecond = false;
	if (pread(fileno(fp), m, sizeof(m), 0) != (ssize_t)sizeof(m))
		return CAPTURE_FORMAT_UNKNOWN;
	if (memcmp(m, pcapng, 4) == 0)
		return CAPTURE_FORMAT_PCAPNG;
	if (memcmp(m, ns_be, 4) == 0 || memcmp(m, ns_le, 4) == 0) {
		*nanosecond = true;
		return CAPTURE_FORMAT_PCAP;
	}
	if (memcmp(m, us_be, 4) == 0 || memcmp(m, us_le, 4) == 0)
		return CAPTURE_FORMAT_PCAP;
	return CAPTURE_FORMAT_UNKNOWN;
}

static enum capture_error open_file(struct capture_input *in,
				    const char *path, char *msg,
				    size_t msg_len)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		in->fp = stdin;
	} else {
		in->fp = fopen(path, "rb");
		if (in->fp == NULL) {
			snprintf(msg, msg_len, "%s: cannot open: %s", path,
				 strerror(errno));
			return CAPTURE_ERR_OPEN;
		}
	}
	/*
	 * libpcap reads record by record through stdio, which refills 4 KiB
	 * at a time: a read() per ~30 packets.  A 1 MiB buffer makes that
	 * one per ~7000 and takes the syscall cost off the per-packet path.
	 * glibc ignores the size unless it is given the buffer itself.
	 * Standard input keeps its own: it outlives this source.
	 */
	if (in->fp != stdin)
		in->read_buffer = malloc(CAPTURE_READ_BUFFER);
	if (in->read_buffer != NULL)
		setvbuf(in->fp, in->read_buffer, _IOFBF, CAPTURE_READ_BUFFER);
	if (fstat(fileno(in->fp), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(msg, msg_len, "%s: is a directory, not a capture file",
				 path_label(path));
			return CAPTURE_ERR_OPEN;
		}
		if (S_ISREG(st.st_mode)) {
			in->size = (uint64_t)st.st_size;
			in->info.format = peek_format(in->fp, &in->info.nanosecond);
		}
	}
	return CAPTURE_OK;
}

static enum capture_error open_pcap(struct capture_input *in, char *msg,
				    size_t msg_len)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const char *label = path_label(in->info.path);
	int dlt;

	errbuf[0] = '\0';
	/* Nanosecond precision: libpcap scales microsecond files up. */
	in->pcap = pcap_fopen_offline_with_tstamp_precision(
		in->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (in->pcap == NULL) {
		/* pcap_close would have closed it; on failure we still own it. */
		if (in->fp != stdin)
			fclose(in->fp);
		in->fp = NULL;
		snprintf(msg, msg_len,
			 "%s: not a pcap or pcapng capture file (%s)", label,
			 errbuf[0] != '\0' ? errbuf : "unreadable header");
		return CAPTURE_ERR_FORMAT;
	}
	in->fp = NULL; /* owned by libpcap now */
	dlt = pcap_datalink(in->pcap);
	in->info.dlt = dlt;
	in->info.snaplen = pcap_snapshot(in->pcap);
	if (!link_type_from_dlt(dlt, &in->info.link_type)) {
		const char *name = pcap_datalink_val_to_name(dlt);

		snprintf(msg, msg_len,
			 "%s: unsupported link type %d (%s); supported: %s",
			 label, dlt, name != NULL ? name : "unknown",
			 capture_supported_link_types());
		return CAPTURE_ERR_LINK_TYPE;
	}
	return CAPTURE_OK;
}

static enum capture_error set_filter(struct capture_input *in,
				     const char *filter, char *msg,
				     size_t msg_len)
{
	struct bpf_program prog;

	if (pcap_compile(in->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, msg_len, "invalid filter expression '%s': %s",
			 filter, pcap_geterr(in->pcap));
		return CAPTURE_ERR_FILTER;
	}
	if (pcap_setfilter(in->pcap, &prog) != 0) {
		snprintf(msg, msg_len, "%s: cannot apply filter '%s': %s",
			 path_label(in->info.path), filter,
			 pcap_geterr(in->pcap));
		pcap_freecode(&prog);
		return CAPTURE_ERR_FILTER;
	}
	pcap_freecode(&prog);
	return CAPTURE_OK;
}

void capture_source_free(struct capture_source *src)
{
	if (src == NULL)
		return;
	for (size_t i = 0; i < src->n_inputs; i++) {
		if (src->inputs[i].pcap != NULL)
			pcap_close(src->inputs[i].pcap);
		else if (src->inputs[i].fp != NULL && src->inputs[i].fp != stdin)
			fclose(src->inputs[i].fp);
		free(src->inputs[i].read_buffer);
	}
	free(src->inputs);
	free(src);
}

static int count_stdin(const char *const *paths, size_t n)
{
	int count = 0;

	for (size_t i = 0; i < n; i++)
		count += strcmp(paths[i], "-") == 0;
	return count;
}

struct capture_source *capture_source_open(const char *const *paths,
					   size_t n_paths,
					   const char *filter,
					   enum capture_error *err,
					   char *msg, size_t msg_len)
{
	struct capture_source *src = calloc(1, sizeof(*src));

	*err = CAPTURE_OK;
	if (src == NULL || n_paths == 0 ||
	    (src->inputs = calloc(n_paths, sizeof(*src->inputs))) == NULL) {
		snprintf(msg, msg_len, n_paths == 0 ? "no capture file given"
						    : "out of memory");
		*err = n_paths == 0 ? CAPTURE_ERR_USAGE : CAPTURE_ERR_NO_MEMORY;
		capture_source_free(src);
		return NULL;
	}
	if (count_stdin(paths, n_paths) > 1) {
		snprintf(msg, msg_len, "standard input ('-') given more than once");
		*err = CAPTURE_ERR_USAGE;
		capture_source_free(src);
		return NULL;
	}
	for (size_t i = 0; i < n_paths && *err == CAPTURE_OK; i++) {
		struct capture_input *in = &src->inputs[i];

		src->n_inputs = i + 1;
		in->info.path = paths[i];
		*err = open_file(in, paths[i], msg, msg_len);
		if (*err == CAPTURE_OK)
			*err = open_pcap(in, msg, msg_len);
		if (*err == CAPTURE_OK && filter != NULL && filter[0] != '\0')
			*err = set_filter(in, filter, msg, msg_len);
	}
	if (*err != CAPTURE_OK) {
		capture_source_free(src);
		return NULL;
	}
	return src;
}

static void input_break(struct capture_source *src, struct capture_input *in)
{
	const char *why = pcap_geterr(in->pcap);
	uint64_t at = in->info.frames + 1;

	in->info.broken_at_frame = at;
	snprintf(in->info.broken_reason, sizeof(in->info.broken_reason), "%s",
		 why);
	snprintf(src->warning, sizeof(src->warning),
		 "%s: capture breaks off in packet %llu (%s); analysed the "
		 "%llu packets before it",
		 path_label(in->info.path), (unsigned long long)at, why,
		 (unsigned long long)(at - 1));
	src->warning_ready = true;
	in->done = true;
}

/* Makes sure the input holds its next frame, unless it has ended. */
static void input_fill(struct capture_source *src, struct capture_input *in)
{
	int rc;

	if (in->done || (in->has_pending && !in->returned_pending))
		return;
	in->has_pending = false;
	in->returned_pending = false;
	rc = pcap_next_ex(in->pcap, &in->hdr, &in->data);
	if (rc == 1) {
		in->has_pending = true;
		return;
	}
	if (rc == PCAP_ERROR_BREAK) {
		in->done = true;
		return;
	}
	input_break(src, in);
}

static bool frame_before(const struct pcap_pkthdr *a,
			 const struct pcap_pkthdr *b)
{
	if (a->ts.tv_sec != b->ts.tv_sec)
		return a->ts.tv_sec < b->ts.tv_sec;
	return a->ts.tv_usec < b->ts.tv_usec;
}

static int emit_frame(struct capture_input *in, size_t i,
		      struct capture_frame *out)
{
	in->returned_pending = true;
	in->info.frames++;
	out->data = in->data;
	out->cap_len = in->hdr->caplen;
	out->wire_len = in->hdr->len;
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	out->ts.sec = (int64_t)in->hdr->ts.tv_sec;
	out->ts.nsec = (uint32_t)in->hdr->ts.tv_usec;
	out->link_type = in->info.link_type;
	out->input = i;
	return 1;
}

int capture_source_next(struct capture_source *src, struct capture_frame *out)
{
	struct capture_input *best = NULL;
	size_t best_i = 0;

	/* The common case, one file: nothing to merge. */
	if (src->n_inputs == 1) {
		input_fill(src, &src->inputs[0]);
		if (!src->inputs[0].has_pending || src->inputs[0].done)
			return 0;
		return emit_frame(&src->inputs[0], 0, out);
	}
	for (size_t i = 0; i < src->n_inputs; i++) {
		struct capture_input *in = &src->inputs[i];

		input_fill(src, in);
		if (!in->has_pending || in->done)
			continue;
		/* Strictly earlier only: ties keep the order files were given. */
		if (best == NULL || frame_before(in->hdr, best->hdr)) {
			best = in;
			best_i = i;
		}
	}
	if (best == NULL)
		return 0;
	return emit_frame(best, best_i, out);
}

const char *capture_source_take_warning(struct capture_source *src)
{
	if (!src->warning_ready)
		return NULL;
	src->warning_ready = false;
	return src->warning;
}

size_t capture_source_input_count(const struct capture_source *src)
{
	return src->n_inputs;
}

const struct capture_input_info *
capture_source_input(const struct capture_source *src, size_t i)
{
	return i < src->n_inputs ? &src->inputs[i].info : NULL;
}

void capture_source_progress(const struct capture_source *src,
			     uint64_t *done, uint64_t *total)
{
	*done = 0;
	*total = 0;
	for (size_t i = 0; i < src->n_inputs; i++) {
		const struct capture_input *in = &src->inputs[i];
		FILE *fp;
		long pos;

		if (in->size == 0 || in->pcap == NULL)
			continue;
		*total += in->size;
		fp = pcap_file(in->pcap);
		pos = fp != NULL ? ftell(fp) : -1;
		*done += in->done ? in->size : (pos > 0 ? (uint64_t)pos : 0);
	}
}
