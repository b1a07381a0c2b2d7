/* fopencookie(3), to replay the bytes peeked from a pipe. */
#define _GNU_SOURCE
#include "capture_source.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapng_reader.h"

enum {
	CAPTURE_READ_BUFFER = 1 << 20,
	CAPTURE_MAGIC_LEN = 4,
	CAPTURE_NSEC_PER_SEC = 1000000000,
};

/* A filter compiled for one link type of a pcapng file's interfaces. */
struct link_filter {
	int dlt;
	bool ok;                 /* it compiled */
	struct bpf_program prog;
};

/* A pcapng interface as the reading side sees it. */
struct input_iface {
	bool supported;
	enum link_type link_type;
	int dlt;
	int filter;              /* index in the input's filters, or -1 */
};

struct capture_input {
	struct capture_input_info info;
	pcap_t *pcap;            /* classic pcap files: libpcap reads them */
	/* pcapng files: read here, each interface with its link type */
	struct pcapng_reader *ng;
	FILE *fp;                /* ours until libpcap takes it */
	uint64_t size;           /* 0 when not a regular file */
	char *read_buffer;       /* stdio's buffer: freed after the FILE */
	bool is_regular;
	dev_t dev;
	ino_t ino;
	const char *filter_text; /* NULL or "" for none */
	struct bpf_program filter;
	bool has_filter;
	struct input_iface *ifaces;
	size_t n_ifaces;
	struct link_filter *filters;
	size_t n_filters;
	/* The first record, read at open to learn the interfaces. */
	bool has_ahead;
	enum pcapng_result ahead_res;
	struct pcapng_record ahead;
	bool done;
	bool has_pending;        /* a frame is read and not yet returned */
	bool returned_pending;   /* refill before comparing again */
	struct pcap_pkthdr *hdr; /* libpcap's pending record */
	const u_char *data;
	struct capture_frame pending; /* pcapng's, not yet counted */
	bool warning_pending;
	char warning[512];
};

struct capture_source {
	struct capture_input *inputs;
	size_t n_inputs;
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
	{DLT_PPP, LINK_TYPE_PPP},
	{DLT_PPP_SERIAL, LINK_TYPE_PPP_HDLC},
	{DLT_C_HDLC, LINK_TYPE_C_HDLC},
	{DLT_IEEE802_11, LINK_TYPE_IEEE802_11},
	{DLT_IEEE802_11_RADIO, LINK_TYPE_IEEE802_11_RADIOTAP},
	{DLT_PPI, LINK_TYPE_PPI},
};

const char *capture_supported_link_types(void)
{
	return "EN10MB (Ethernet), LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, "
	       "IPV4, IPV6, PPP, PPP_SERIAL, C_HDLC, IEEE802_11, "
	       "IEEE802_11_RADIO, PPI";
}

bool capture_link_type_from_dlt(int dlt, enum link_type *lt)
{
	for (size_t i = 0; i < sizeof(link_map) / sizeof(link_map[0]); i++) {
		if (link_map[i].dlt == dlt) {
			*lt = link_map[i].lt;
			return true;
		}
	}
	return false;
}

/*
 * pcapng files hold LINKTYPE_ values, which are the DLT_ values except
 * for raw IP: LINKTYPE_RAW is 101 where DLT_RAW is 12 (14 on OpenBSD).
 * libpcap maps it the same way for classic pcap files.
 */
static int dlt_of_linktype(uint32_t linktype)
{
	enum { LINKTYPE_RAW = 101 };

	if (linktype == LINKTYPE_RAW)
		return DLT_RAW;
	return linktype > INT_MAX ? -1 : (int)linktype;
}

const char *capture_link_type_name(int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);

	return name != NULL ? name : "unknown";
}

static const char *path_label(const char *path)
{
	return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

static enum capture_format format_of_magic(const unsigned char *m, size_t len,
					   bool *nanosecond)
{
	static const unsigned char pcapng[4] = {0x0a, 0x0d, 0x0d, 0x0a};
	static const unsigned char us_be[4] = {0xa1, 0xb2, 0xc3, 0xd4};
	static const unsigned char us_le[4] = {0xd4, 0xc3, 0xb2, 0xa1};
	static const unsigned char ns_be[4] = {0xa1, 0xb2, 0x3c, 0x4d};
	static const unsigned char ns_le[4] = {0x4d, 0x3c, 0xb2, 0xa1};

	*nanosecond = false;
	if (len < CAPTURE_MAGIC_LEN)
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

/*
 * A pipe cannot be rewound, so the magic read from it is handed back to
 * libpcap through a stdio stream that replays it before the rest of the
 * pipe.  The same input then gives the same output, piped or not.
 */
struct replay {
	int fd;
	FILE *owner;             /* closed with the stream; NULL for stdin */
	unsigned char prefix[CAPTURE_MAGIC_LEN];
	size_t len, pos;
};

static ssize_t replay_read(void *cookie, char *buf, size_t n)
{
	struct replay *r = cookie;
	size_t got = 0;
	ssize_t k;

	while (got < n && r->pos < r->len)
		buf[got++] = (char)r->prefix[r->pos++];
	if (got == n)
		return (ssize_t)got;
	do
		k = read(r->fd, buf + got, n - got);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return got > 0 ? (ssize_t)got : -1;
	return (ssize_t)(got + (size_t)k);
}

static int replay_close(void *cookie)
{
	struct replay *r = cookie;

	if (r->owner != NULL)
		fclose(r->owner);
	free(r);
	return 0;
}

static bool read_prefix(int fd, unsigned char *buf, size_t want, size_t *got)
{
	ssize_t k;

	*got = 0;
	while (*got < want) {
		k = read(fd, buf + *got, want - *got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return false;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return true;
}

static enum capture_error open_stream(struct capture_input *in, char *msg,
				      size_t msg_len)
{
	static const cookie_io_functions_t io = {
		.read = replay_read, .close = replay_close,
	};
	struct replay *r = calloc(1, sizeof(*r));
	FILE *fp;

	if (r == NULL) {
		snprintf(msg, msg_len, "out of memory");
		return CAPTURE_ERR_NO_MEMORY;
	}
	r->fd = fileno(in->fp);
	r->owner = in->fp == stdin ? NULL : in->fp;
	if (!read_prefix(r->fd, r->prefix, CAPTURE_MAGIC_LEN, &r->len)) {
		snprintf(msg, msg_len, "%s: cannot read: %s",
			 path_label(in->info.path), strerror(errno));
		free(r);
		return CAPTURE_ERR_OPEN;
	}
	in->info.format = format_of_magic(r->prefix, r->len,
					  &in->info.nanosecond);
	fp = fopencookie(r, "r", io);
	if (fp == NULL) {
		snprintf(msg, msg_len, "out of memory");
		free(r);
		return CAPTURE_ERR_NO_MEMORY;
	}
	in->fp = fp; /* closing it closes the original too */
	return CAPTURE_OK;
}

static enum capture_error open_file(struct capture_input *in,
				    const char *path, char *msg,
				    size_t msg_len)
{
	unsigned char magic[CAPTURE_MAGIC_LEN];
	struct stat st;

	if (strcmp(path, "-") == 0) {
		in->fp = stdin;
	} else {
		in->fp = fopen(path, "rb");
		if (in->fp == NULL) {
			int e = errno;

			snprintf(msg, msg_len, "%s: cannot open: %s", path,
				 strerror(e));
			return e == ENOMEM ? CAPTURE_ERR_NO_MEMORY
					   : CAPTURE_ERR_OPEN;
		}
	}
	if (fstat(fileno(in->fp), &st) != 0) {
		snprintf(msg, msg_len, "%s: cannot stat: %s", path_label(path),
			 strerror(errno));
		return CAPTURE_ERR_OPEN;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(msg, msg_len, "%s: is a directory, not a capture file",
			 path_label(path));
		return CAPTURE_ERR_OPEN;
	}
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	in->is_regular = S_ISREG(st.st_mode);
	if (!in->is_regular)
		return open_stream(in, msg, msg_len);
	in->size = (uint64_t)st.st_size;
	if (pread(fileno(in->fp), magic, sizeof(magic), 0) == (ssize_t)sizeof(magic))
		in->info.format = format_of_magic(magic, sizeof(magic),
						  &in->info.nanosecond);
	/*
	 * libpcap reads record by record through stdio, which refills 4 KiB
	 * at a time: a read() per ~30 packets.  A 1 MiB buffer makes that
	 * one per ~7000 and takes the syscall cost off the per-packet path.
	 * glibc ignores the size unless it is given the buffer itself.
	 */
	in->read_buffer = malloc(CAPTURE_READ_BUFFER);
	if (in->read_buffer != NULL)
		setvbuf(in->fp, in->read_buffer, _IOFBF, CAPTURE_READ_BUFFER);
	return CAPTURE_OK;
}

static void close_stream(FILE *fp)
{
	if (fp != NULL && fp != stdin)
		fclose(fp);
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
		/*
		 * libpcap says "out of memory" or "malloc: ..." when it could
		 * not allocate: the file is not at fault.
		 */
		if (strstr(errbuf, "out of memory") != NULL ||
		    strstr(errbuf, strerror(ENOMEM)) != NULL) {
			snprintf(msg, msg_len, "%s: out of memory opening it",
				 label);
			return CAPTURE_ERR_NO_MEMORY;
		}
		snprintf(msg, msg_len,
			 "%s: not a pcap or pcapng capture file (%s)", label,
			 errbuf[0] != '\0' ? errbuf : "unreadable header");
		return CAPTURE_ERR_FORMAT; /* in->fp is still ours to close */
	}
	in->fp = NULL; /* owned by libpcap now */
	dlt = pcap_datalink(in->pcap);
	in->info.dlt = dlt;
	in->info.snaplen = pcap_snapshot(in->pcap);
	if (!capture_link_type_from_dlt(dlt, &in->info.link_type)) {
		const char *name = pcap_datalink_val_to_name(dlt);

		snprintf(msg, msg_len,
			 "%s: unsupported link type %d (%s); supported: %s",
			 label, dlt, name != NULL ? name : "unknown",
			 capture_supported_link_types());
		return CAPTURE_ERR_LINK_TYPE;
	}
	return CAPTURE_OK;
}

/*
 * The filter runs here (pcap_offline_filter) rather than inside libpcap
 * (pcap_setfilter), so every record read is counted: a break is then
 * reported at its record number in the file, filter or not.
 */
static enum capture_error compile_filter(struct capture_input *in,
					 const char *filter, char *msg,
					 size_t msg_len)
{
	if (pcap_compile(in->pcap, &in->filter, filter, 1,
			 PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, msg_len, "invalid filter expression '%s': %s",
			 filter, pcap_geterr(in->pcap));
		return CAPTURE_ERR_FILTER;
	}
	in->has_filter = true;
	return CAPTURE_OK;
}

/* ------------------------------------------------------------ pcapng */

/*
 * The filter compiled for dlt, shared by every interface of that link
 * type: its index, or -1 when memory ran out.  A filter that does not
 * compile for the type is kept too, with ok false, and its message in
 * msg.
 */
static int link_filter_for(struct capture_input *in, int dlt, uint32_t snaplen,
			   char *msg, size_t msg_len)
{
	struct link_filter *lf;
	pcap_t *dead;

	for (size_t i = 0; i < in->n_filters; i++)
		if (in->filters[i].dlt == dlt)
			return (int)i;
	lf = realloc(in->filters, (in->n_filters + 1) * sizeof(*lf));
	if (lf == NULL)
		return -1;
	in->filters = lf;
	lf = &in->filters[in->n_filters];
	memset(lf, 0, sizeof(*lf));
	lf->dlt = dlt;
	/* A filter's accepting return is the snaplen: it must not be 0. */
	dead = pcap_open_dead(dlt, snaplen != 0 && snaplen <= INT_MAX
				   ? (int)snaplen : 262144);
	if (dead == NULL)
		return -1;
	lf->ok = pcap_compile(dead, &lf->prog, in->filter_text, 1,
			      PCAP_NETMASK_UNKNOWN) == 0;
	if (!lf->ok)
		snprintf(msg, msg_len, "invalid filter expression '%s' for link "
			 "type %d: %s", in->filter_text, dlt, pcap_geterr(dead));
	pcap_close(dead);
	return (int)in->n_filters++;
}

/*
 * Interface idx of the file, set up on first use with its link type and
 * filter; NULL when memory ran out.  A filter that does not compile for
 * it leaves msg set.
 */
static struct input_iface *input_iface(struct capture_input *in, size_t idx,
				       char *msg, size_t msg_len)
{
	while (in->n_ifaces <= idx) {
		const struct pcapng_interface *pi =
			pcapng_reader_interface(in->ng, in->n_ifaces);
		struct input_iface *ifc;
		size_t cap = in->n_ifaces + 1;

		ifc = realloc(in->ifaces, cap * sizeof(*ifc));
		if (ifc == NULL || pi == NULL) {
			if (ifc != NULL)
				in->ifaces = ifc;
			return NULL;
		}
		in->ifaces = ifc;
		ifc = &in->ifaces[in->n_ifaces];
		ifc->dlt = dlt_of_linktype(pi->link_type);
		ifc->supported = capture_link_type_from_dlt(ifc->dlt, &ifc->link_type);
		ifc->filter = -1;
		if (ifc->supported && in->filter_text != NULL &&
		    in->filter_text[0] != '\0') {
			ifc->filter = link_filter_for(in, ifc->dlt, pi->snaplen,
						      msg, msg_len);
			if (ifc->filter < 0)
				return NULL;
		}
		in->n_ifaces++;
	}
	return &in->ifaces[idx];
}

/*
 * What a file's interfaces say when it opens: those described before
 * its first packet.  A file with none, or with only link types tcplens
 * does not decode, fails as a classic pcap file of such a type would.
 */
static enum capture_error check_interfaces(struct capture_input *in,
					   char *msg, size_t msg_len)
{
	const char *label = path_label(in->info.path);
	size_t n = pcapng_reader_interface_count(in->ng);
	const struct pcapng_interface *first = pcapng_reader_interface(in->ng, 0);
	bool any = false;
	char why[300] = "";

	if (n == 0) {
		snprintf(msg, msg_len, "%s: not a pcap or pcapng capture file (%s)",
			 label, in->ahead_res == PCAPNG_BROKEN
			 ? pcapng_reader_error(in->ng)
			 : "no interface description block");
		return CAPTURE_ERR_FORMAT;
	}
	in->info.dlt = dlt_of_linktype(first->link_type);
	in->info.snaplen = first->snaplen > INT_MAX ? INT_MAX
						    : (int)first->snaplen;
	for (size_t i = 0; i < n; i++) {
		struct input_iface *ifc = input_iface(in, i, why, sizeof(why));

		if (ifc == NULL) {
			snprintf(msg, msg_len, "%s: out of memory opening it", label);
			return CAPTURE_ERR_NO_MEMORY;
		}
		if (why[0] != '\0') {
			snprintf(msg, msg_len, "%s", why);
			return CAPTURE_ERR_FILTER;
		}
		if (ifc->supported && !any)
			in->info.link_type = ifc->link_type;
		any |= ifc->supported;
	}
	if (!any) {
		const char *name = pcap_datalink_val_to_name(in->info.dlt);

		snprintf(msg, msg_len,
			 "%s: unsupported link type %d (%s); supported: %s",
			 label, in->info.dlt, name != NULL ? name : "unknown",
			 capture_supported_link_types());
		return CAPTURE_ERR_LINK_TYPE;
	}
	return CAPTURE_OK;
}

/*
 * pcapng files are read here rather than by libpcap, which (1.10) stops
 * at the first interface whose link type or snaplen differs from the
 * first one's.  The first record is read at once: the interfaces
 * described before it are what the file is.
 */
static enum capture_error open_pcapng(struct capture_input *in,
				      const char *filter, char *msg,
				      size_t msg_len)
{
	const char *label = path_label(in->info.path);
	enum pcapng_result res;

	in->filter_text = filter;
	in->ng = pcapng_reader_new(in->fp);
	res = in->ng == NULL ? PCAPNG_NO_MEMORY : pcapng_reader_start(in->ng);
	if (res == PCAPNG_RECORD) {
		res = pcapng_reader_next(in->ng, &in->ahead);
		in->ahead_res = res;
		in->has_ahead = true;
	}
	if (res == PCAPNG_NO_MEMORY) {
		snprintf(msg, msg_len, "%s: out of memory opening it", label);
		return CAPTURE_ERR_NO_MEMORY;
	}
	if (!in->has_ahead) {
		snprintf(msg, msg_len, "%s: not a pcap or pcapng capture file (%s)",
			 label, pcapng_reader_error(in->ng));
		return CAPTURE_ERR_FORMAT;
	}
	in->info.interfaces = (uint32_t)pcapng_reader_interface_count(in->ng);
	return check_interfaces(in, msg, msg_len);
}

void capture_source_free(struct capture_source *src)
{
	if (src == NULL)
		return;
	for (size_t i = 0; i < src->n_inputs; i++) {
		struct capture_input *in = &src->inputs[i];

		if (in->has_filter)
			pcap_freecode(&in->filter);
		for (size_t k = 0; k < in->n_filters; k++)
			if (in->filters[k].ok)
				pcap_freecode(&in->filters[k].prog);
		free(in->filters);
		free(in->ifaces);
		pcapng_reader_free(in->ng);
		if (in->pcap != NULL)
			pcap_close(in->pcap);
		else
			close_stream(in->fp);
		free(in->read_buffer);
	}
	free(src->inputs);
	free(src);
}

/*
 * "-" twice, or "-" and /dev/stdin, or one pipe under two names: a
 * stream can be read once, so the second would see nothing or garbage.
 */
static bool same_stream_twice(const struct capture_source *src, size_t last)
{
	const struct capture_input *b = &src->inputs[last];

	for (size_t i = 0; i < last; i++) {
		const struct capture_input *a = &src->inputs[i];

		if (!a->is_regular && !b->is_regular && a->dev == b->dev &&
		    a->ino == b->ino)
			return true;
	}
	return false;
}

static size_t count_stdin(const char *const *paths, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += strcmp(paths[i], "-") == 0;
	return count;
}

static enum capture_error open_input(struct capture_source *src, size_t i,
				     const char *path, const char *filter,
				     char *msg, size_t msg_len)
{
	struct capture_input *in = &src->inputs[i];
	enum capture_error err;

	in->info.path = path;
	err = open_file(in, path, msg, msg_len);
	if (err == CAPTURE_OK && same_stream_twice(src, i)) {
		snprintf(msg, msg_len, "%s: the same stream (standard input or "
			 "a pipe) is given more than once", path_label(path));
		err = CAPTURE_ERR_USAGE;
	}
	in->info.file_bytes = in->size;
	in->info.interfaces = 1;
	if (err == CAPTURE_OK && in->info.format == CAPTURE_FORMAT_PCAPNG)
		return open_pcapng(in, filter, msg, msg_len);
	if (err == CAPTURE_OK)
		err = open_pcap(in, msg, msg_len);
	if (err == CAPTURE_OK && filter != NULL && filter[0] != '\0')
		err = compile_filter(in, filter, msg, msg_len);
	return err;
}

struct capture_source *capture_source_open(const char *const *paths,
					   size_t n_paths,
					   const char *filter,
					   enum capture_error *err,
					   char *msg, size_t msg_len)
{
	struct capture_source *src;

	*err = CAPTURE_OK;
	if (n_paths == 0) {
		snprintf(msg, msg_len, "no capture file given");
		*err = CAPTURE_ERR_USAGE;
		return NULL;
	}
	if (count_stdin(paths, n_paths) > 1) {
		snprintf(msg, msg_len, "standard input ('-') given more than once");
		*err = CAPTURE_ERR_USAGE;
		return NULL;
	}
	src = calloc(1, sizeof(*src));
	if (src == NULL ||
	    (src->inputs = calloc(n_paths, sizeof(*src->inputs))) == NULL) {
		snprintf(msg, msg_len, "out of memory");
		*err = CAPTURE_ERR_NO_MEMORY;
		free(src);
		return NULL;
	}
	/* Every input is opened before any is read: a bad file fails first. */
	for (size_t i = 0; i < n_paths && *err == CAPTURE_OK; i++) {
		src->n_inputs = i + 1;
		*err = open_input(src, i, paths[i], filter, msg, msg_len);
	}
	if (*err != CAPTURE_OK) {
		capture_source_free(src);
		return NULL;
	}
	return src;
}

/* The input's stream, whoever reads it. */
static FILE *input_stream(const struct capture_input *in)
{
	return in->pcap != NULL ? pcap_file(in->pcap) : in->fp;
}

/* The input ended early, for why: the rest of the file is unread. */
static void input_break(struct capture_input *in, const char *why)
{
	uint64_t at = in->info.records + 1;
	FILE *fp = input_stream(in);
	long pos = fp != NULL && in->is_regular ? ftell(fp) : -1;

	in->info.broken_at_frame = at;
	snprintf(in->info.broken_reason, sizeof(in->info.broken_reason), "%s",
		 why);
	if (pos >= 0 && (uint64_t)pos < in->size)
		in->info.unread_bytes = in->size - (uint64_t)pos;
	snprintf(in->warning, sizeof(in->warning),
		 "%s: capture breaks off in packet %llu (%s); analysed the "
		 "%llu packets before it",
		 path_label(in->info.path), (unsigned long long)at, why,
		 (unsigned long long)(at - 1));
	in->warning_pending = true;
	in->done = true;
}

/* Makes sure the input holds its next matching frame, unless it ended. */
static void pcap_fill(struct capture_input *in)
{
	int rc;

	while ((rc = pcap_next_ex(in->pcap, &in->hdr, &in->data)) == 1) {
		in->info.records++;
		if (!in->has_filter ||
		    pcap_offline_filter(&in->filter, in->hdr, in->data) != 0) {
			in->has_pending = true;
			return;
		}
	}
	if (rc == PCAP_ERROR_BREAK)
		in->done = true;
	else
		input_break(in, pcap_geterr(in->pcap));
}

/* ------------------------------------------------------- pcapng records */

/* The interface statistics, summed into the input's info at its end. */
static void ng_sum_stats(struct capture_input *in)
{
	struct capture_input_info *info = &in->info;
	size_t n = pcapng_reader_interface_count(in->ng);

	info->interfaces = (uint32_t)n;
	info->interfaces_with_stats = 0;
	info->ifdrop = info->osdrop = 0;
	info->has_end_time = false;
	for (size_t i = 0; i < n; i++) {
		const struct pcapng_interface *pi = pcapng_reader_interface(in->ng, i);

		info->interfaces_with_stats += pi->has_stats;
		if (pi->has_endtime && (!info->has_end_time ||
		    pkt_time_ns(pi->endtime) > info->end_time_ns)) {
			info->has_end_time = true;
			info->end_time_ns = pkt_time_ns(pi->endtime);
		}
		if (pi->has_ifdrop) {
			info->has_ifdrop = true;
			info->ifdrop += pi->ifdrop;
		}
		if (pi->has_osdrop) {
			info->has_osdrop = true;
			info->osdrop += pi->osdrop;
		}
	}
}

static void ng_end(struct capture_input *in, enum pcapng_result res)
{
	ng_sum_stats(in);
	if (res == PCAPNG_END)
		in->done = true;
	else
		input_break(in, res == PCAPNG_NO_MEMORY
			    ? "out of memory reading a block"
			    : pcapng_reader_error(in->ng));
}

static void ng_skip_link(struct capture_input *in, int dlt)
{
	struct capture_input_info *info = &in->info;
	size_t k;

	info->unsupported_link_records++;
	for (k = 0; k < info->n_skipped_links; k++)
		if (info->skipped_links[k].dlt == dlt)
			break;
	if (k == CAPTURE_MAX_SKIPPED_LINKS)
		return;          /* counted in the total only */
	if (k == info->n_skipped_links) {
		info->n_skipped_links++;
		info->skipped_links[k].dlt = dlt;
	}
	info->skipped_links[k].records++;
}

static bool ng_matches(struct capture_input *in, const struct input_iface *ifc,
		       const struct pcapng_record *rec)
{
	const struct link_filter *lf;
	struct pcap_pkthdr hdr;

	if (ifc->filter < 0)
		return true;
	lf = &in->filters[ifc->filter];
	if (!lf->ok) {
		in->info.unfiltered_records++;
		return false;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.caplen = rec->cap_len;
	hdr.len = rec->wire_len;
	return pcap_offline_filter(&lf->prog, &hdr, rec->data) != 0;
}

/* The next record into in->pending, as far as the file goes. */
static void ng_fill(struct capture_input *in)
{
	struct pcapng_record rec;
	enum pcapng_result res;
	struct input_iface *ifc;
	char why[300];

	for (;;) {
		if (in->has_ahead) {
			in->has_ahead = false;
			res = in->ahead_res;
			rec = in->ahead;
		} else {
			res = pcapng_reader_next(in->ng, &rec);
		}
		if (res != PCAPNG_RECORD) {
			ng_end(in, res);
			return;
		}
		in->info.records++;
		why[0] = '\0';
		ifc = input_iface(in, rec.interface, why, sizeof(why));
		if (ifc == NULL) {
			ng_end(in, PCAPNG_NO_MEMORY);
			return;
		}
		if (!ifc->supported) {
			ng_skip_link(in, ifc->dlt);
			continue;
		}
		if (!ng_matches(in, ifc, &rec))
			continue;
		in->pending.data = rec.data;
		in->pending.cap_len = rec.cap_len;
		in->pending.wire_len = rec.wire_len;
		in->pending.link_type = ifc->link_type;
		in->pending.ts = rec.ts;
		/* A simple packet block has no time, a corrupt one none we trust. */
		in->pending.has_ts = rec.has_ts && !rec.ts_corrupt;
		if (rec.ts_corrupt)
			in->info.bad_timestamps++;
		in->has_pending = true;
		return;
	}
}

/* Makes sure the input holds its next matching frame, unless it ended. */
static void input_fill(struct capture_input *in)
{
	if (in->done || (in->has_pending && !in->returned_pending))
		return;
	in->has_pending = false;
	in->returned_pending = false;
	if (in->ng != NULL)
		ng_fill(in);
	else
		pcap_fill(in);
}

/*
 * libpcap reads a classic pcap record's two 32-bit time fields as signed
 * (struct pcap_sf_pkthdr) and sign-extends them into the 64-bit
 * timeval, although pcap-savefile(5) defines them as unsigned: seconds
 * at or after 2^31 (2038) come out negative, and so does a fraction
 * field at or above 2^31, multiplied by 1000 when a microsecond file is
 * read at nanosecond precision.  The unsigned value is recovered from
 * the file's own resolution.  pcapng times are computed from an
 * unsigned 64-bit count and are never negative.
 */
static uint64_t record_seconds(const struct pcap_pkthdr *hdr)
{
	int64_t sec = (int64_t)hdr->ts.tv_sec;

	return sec < 0 ? (uint64_t)(sec + ((int64_t)1 << 32)) : (uint64_t)sec;
}

static uint64_t record_fraction_ns(const struct capture_input *in,
				   const struct pcap_pkthdr *hdr)
{
	int64_t ns = (int64_t)hdr->ts.tv_usec;
	int64_t scale = in->info.nanosecond ? 1 : 1000;

	return ns < 0 ? (uint64_t)(ns + ((int64_t)1 << 32) * scale)
		      : (uint64_t)ns;
}

/*
 * Opened with nanosecond precision, tv_usec holds nanoseconds.  A file
 * can hold a fraction of a second or more there, or (pcapng) a time past
 * PKT_TIME_MAX_SEC.  Either is a corrupt record: the fraction is
 * carried into the seconds (as tshark shows it) and the time past the
 * limit held there, so that every difference of two times fits in
 * 64-bit nanoseconds; *corrupt tells the caller not to trust the time.
 */
static struct pkt_time record_time(const struct capture_input *in,
				   const struct pcap_pkthdr *hdr, bool *corrupt)
{
	struct pkt_time t;
	uint64_t sec = record_seconds(hdr);
	uint64_t ns = record_fraction_ns(in, hdr);

	*corrupt = false;
	if (ns >= CAPTURE_NSEC_PER_SEC) {
		sec += ns / CAPTURE_NSEC_PER_SEC;
		ns %= CAPTURE_NSEC_PER_SEC;
		*corrupt = true;
	}
	if (sec > PKT_TIME_MAX_SEC) {
		sec = PKT_TIME_MAX_SEC;
		ns = 0;
		*corrupt = true;
	}
	t.sec = (int64_t)sec;
	t.nsec = (uint32_t)ns;
	return t;
}

/* What every frame handed out is counted for, whoever read it. */
static void frame_count(struct capture_input *in, struct capture_frame *out)
{
	in->info.frames++;
	/* More captured than was on the wire cannot be: trust the bytes. */
	if (out->cap_len > out->wire_len) {
		out->wire_len = out->cap_len;
		in->info.caplen_over_wire++;
	}
}

static void frame_fill(struct capture_input *in, size_t i,
		       const struct pcap_pkthdr *hdr, const u_char *data,
		       struct capture_frame *out)
{
	bool corrupt_time;

	out->data = data;
	out->cap_len = hdr->caplen;
	out->wire_len = hdr->len;
	out->ts = record_time(in, hdr, &corrupt_time);
	/*
	 * A corrupt time is no better than none: one frame 2,147 s ahead
	 * would expire every connection around it.  The frame moves no
	 * clock.
	 */
	out->has_ts = !corrupt_time;
	if (corrupt_time)
		in->info.bad_timestamps++;
	out->link_type = in->info.link_type;
	out->input = i;
	frame_count(in, out);
}

static int emit_frame(struct capture_input *in, size_t i,
		      struct capture_frame *out)
{
	in->returned_pending = true;
	if (in->ng != NULL) {
		*out = in->pending;
		out->input = i;
		frame_count(in, out);
	} else {
		frame_fill(in, i, in->hdr, in->data, out);
	}
	return 1;
}

/* The time the input's pending frame will carry. */
static struct pkt_time pending_time(const struct capture_input *in)
{
	bool unused;

	if (in->ng != NULL)
		return in->pending.ts;
	return record_time(in, in->hdr, &unused);
}

/* Merge order by the times the frames will carry, not the raw fields. */
static bool frame_before(const struct capture_input *a,
			 const struct capture_input *b)
{
	struct pkt_time ta = pending_time(a);
	struct pkt_time tb = pending_time(b);

	if (ta.sec != tb.sec)
		return ta.sec < tb.sec;
	return ta.nsec < tb.nsec;
}

int capture_source_next(struct capture_source *src, struct capture_frame *out)
{
	struct capture_input *best = NULL;
	size_t best_i = 0;

	/* The common case, one file: nothing to merge. */
	if (src->n_inputs == 1) {
		input_fill(&src->inputs[0]);
		if (!src->inputs[0].has_pending || src->inputs[0].done)
			return 0;
		return emit_frame(&src->inputs[0], 0, out);
	}
	for (size_t i = 0; i < src->n_inputs; i++) {
		struct capture_input *in = &src->inputs[i];

		input_fill(in);
		if (!in->has_pending || in->done)
			continue;
		/* Strictly earlier only: ties keep the order files were given. */
		if (best == NULL || frame_before(in, best)) {
			best = in;
			best_i = i;
		}
	}
	if (best == NULL)
		return 0;
	return emit_frame(best, best_i, out);
}

struct dispatch {
	struct capture_input *in;
	capture_frame_fn fn;
	void *ctx;
	size_t delivered;
};

static void dispatch_one(u_char *user, const struct pcap_pkthdr *hdr,
			 const u_char *data)
{
	struct dispatch *d = (struct dispatch *)(void *)user;
	struct capture_frame frame;

	d->in->info.records++;
	if (d->in->has_filter &&
	    pcap_offline_filter(&d->in->filter, hdr, data) == 0)
		return;
	frame_fill(d->in, 0, hdr, data, &frame);
	d->fn(d->ctx, &frame);
	d->delivered++;
}

/* pcapng: the records as ng_fill() finds them, straight to fn. */
static size_t run_single_ng(struct capture_input *in, capture_frame_fn fn,
			    void *ctx, size_t max_frames)
{
	struct capture_frame frame;
	size_t n = 0;

	while (n < max_frames) {
		input_fill(in);
		if (!in->has_pending || in->done)
			break;
		emit_frame(in, 0, &frame);
		fn(ctx, &frame);
		n++;
	}
	return n;
}

static size_t run_single(struct capture_input *in, capture_frame_fn fn,
			 void *ctx, size_t max_frames)
{
	struct dispatch d = {in, fn, ctx, 0};
	struct capture_frame frame;
	int cnt = max_frames > INT_MAX ? INT_MAX : (int)max_frames;
	int rc;

	if (in->ng != NULL)
		return run_single_ng(in, fn, ctx, max_frames);
	/* A frame capture_source_next() read but did not hand out yet. */
	if (in->has_pending && !in->returned_pending && !in->done) {
		emit_frame(in, 0, &frame);
		fn(ctx, &frame);
		return 1;
	}
	/* Filtered-out records count for cnt: go on until a frame or the end. */
	while (!in->done && d.delivered == 0) {
		rc = pcap_dispatch(in->pcap, cnt, dispatch_one, (u_char *)&d);
		if (rc == 0 || rc == PCAP_ERROR_BREAK)
			in->done = true;
		else if (rc < 0)
			input_break(in, pcap_geterr(in->pcap));
	}
	return d.delivered;
}

size_t capture_source_run(struct capture_source *src, capture_frame_fn fn,
			  void *ctx, size_t max_frames)
{
	struct capture_frame frame;
	size_t n = 0;

	if (max_frames == 0)
		return 0;
	if (src->n_inputs == 1)
		return run_single(&src->inputs[0], fn, ctx, max_frames);
	while (n < max_frames && capture_source_next(src, &frame) == 1) {
		fn(ctx, &frame);
		n++;
	}
	return n;
}

const char *capture_source_take_warning(struct capture_source *src)
{
	for (size_t i = 0; i < src->n_inputs; i++) {
		if (src->inputs[i].warning_pending) {
			src->inputs[i].warning_pending = false;
			return src->inputs[i].warning;
		}
	}
	return NULL;
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

		if (in->size == 0 || (in->pcap == NULL && in->ng == NULL))
			continue;
		*total += in->size;
		fp = input_stream(in);
		pos = fp != NULL ? ftell(fp) : -1;
		*done += in->done ? in->size : (pos > 0 ? (uint64_t)pos : 0);
	}
}
