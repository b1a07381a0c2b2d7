#include "live_capture.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <pcap/pcap.h>

#include "pcapng_writer.h"

#define DEFAULT_SNAPLEN 262144
#define DEFAULT_BUFFER_KIB 32768
/*
 * tcpdump's timeout: the kernel hands a TPACKET_V3 block over at the
 * latest after it, so a quiet link's packets still come within 100 ms.
 */
#define TIMEOUT_MS 100

struct live_capture {
	const char *iface;              /* the configuration's */
	pcap_t *pcap;
	/* -w: the file (NULL for none) and its pcapng writer. */
	FILE *out;
	struct pcapng_writer *dump;
	struct pkt_time started;       /* isb_starttime */
	bool has_end;
	struct live_capture_end end;
	enum link_type link_type;
	bool nanosecond, promisc;
	int fd;
	/* The current read's callback (pcap_dispatch passes one pointer). */
	capture_frame_fn fn;
	void *ctx;
	bool refused;                   /* fn refused the frame it was given */
};

static const char setcap_fix[] =
	"setcap cap_net_raw=eip $(command -v tcplens)";

/* pcap_activate()'s failure as one line, and what it means. */
static enum live_capture_error activate_error(pcap_t *p, int rc,
					      const char *iface, char *msg,
					      size_t msg_len)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
		snprintf(msg, msg_len, "%s: no permission to capture (%s); run as root, or give tcplens the capability: %s",
			 iface, pcap_geterr(p), setcap_fix);
		return LIVE_CAPTURE_NO_PERMISSION;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(msg, msg_len, "%s: no such interface (%s); 'tcplens live -D' lists them",
			 iface, pcap_geterr(p));
		return LIVE_CAPTURE_NO_DEVICE;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(msg, msg_len, "%s: the interface is down; bring it up (ip link set %s up)",
			 iface, iface);
		return LIVE_CAPTURE_DOWN;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(msg, msg_len, "%s: no permission to put the interface in promiscuous mode; capture without it (-p), or %s",
			 iface, setcap_fix);
		return LIVE_CAPTURE_NO_PERMISSION;
	default:
		snprintf(msg, msg_len, "%s: cannot capture: %s (%s)", iface,
			 pcap_statustostr(rc), pcap_geterr(p));
		return LIVE_CAPTURE_OTHER;
	}
}

/* The options of tcpdump.c's open sequence, before pcap_activate(). */
static void configure(pcap_t *p, const struct live_capture_config *cfg)
{
	pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : DEFAULT_SNAPLEN);
	pcap_set_promisc(p, !cfg->no_promisc);
	pcap_set_timeout(p, TIMEOUT_MS);
	pcap_set_buffer_size(p, (cfg->buffer_kib > 0 ? cfg->buffer_kib
						     : DEFAULT_BUFFER_KIB) * 1024);
	if (cfg->immediate)
		pcap_set_immediate_mode(p, 1);
}

static enum live_capture_error set_filter(struct live_capture *c,
					  const char *filter, char *msg,
					  size_t msg_len)
{
	struct bpf_program prog;
	int rc;

	if (filter == NULL)
		return LIVE_CAPTURE_OK;
	if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, msg_len, "invalid filter expression '%s': %s",
			 filter, pcap_geterr(c->pcap));
		return LIVE_CAPTURE_FILTER;
	}
	rc = pcap_setfilter(c->pcap, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(msg, msg_len, "cannot set the filter '%s': %s", filter,
			 pcap_geterr(c->pcap));
		return LIVE_CAPTURE_FILTER;
	}
	return LIVE_CAPTURE_OK;
}

/*
 * pcapng holds LINKTYPE_ values, which are the DLT_ values except for
 * raw IP: DLT_RAW is 12 (14 on OpenBSD) where LINKTYPE_RAW is 101, as
 * libpcap's own dlt_to_linktype() maps it.
 */
static uint16_t linktype_of_dlt(int dlt)
{
	enum { LINKTYPE_RAW = 101 };

	return dlt == DLT_RAW ? LINKTYPE_RAW : (uint16_t)dlt;
}

static struct pkt_time wall_now(void)
{
	struct timespec ts;
	struct pkt_time t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = (int64_t)ts.tv_sec;
	t.nsec = (uint32_t)ts.tv_nsec;
	return t;
}

/* The -w file with its pcapng header. */
static enum live_capture_error open_write(struct live_capture *c,
					  const struct live_capture_config *cfg,
					  int dlt, char *msg, size_t msg_len)
{
	struct pcapng_writer_interface ifc = {0};

	c->out = fopen(cfg->write_path, "wb");
	ifc.link_type = linktype_of_dlt(dlt);
	ifc.snaplen = (uint32_t)pcap_snapshot(c->pcap);
	ifc.nanosecond = c->nanosecond;
	ifc.name = cfg->iface;
	if (c->out != NULL)
		c->dump = pcapng_writer_new(c->out, &ifc);
	if (c->dump == NULL) {
		snprintf(msg, msg_len, "cannot write the capture to %s: %s",
			 cfg->write_path, strerror(errno));
		return LIVE_CAPTURE_WRITE;
	}
	c->started = wall_now();
	return LIVE_CAPTURE_OK;
}

/*
 * "any" in Linux cooked v2, as tcpdump 4.99 asks for it: v2 keeps the
 * interface index and the full protocol, v1 (libpcap 1.10's default)
 * does not.  A libpcap without it keeps v1, which tcplens decodes too.
 */
static void prefer_cooked_v2(struct live_capture *c, const char *iface)
{
#ifdef DLT_LINUX_SLL2
	if (strcmp(iface, "any") == 0)
		(void)pcap_set_datalink(c->pcap, DLT_LINUX_SLL2);
#else
	(void)c;
	(void)iface;
#endif
}

/* After activation: link type, filter, -w file. */
static enum live_capture_error link_and_outputs(struct live_capture *c,
						const struct live_capture_config *cfg,
						char *msg, size_t msg_len)
{
	int dlt;
	enum live_capture_error err;

	prefer_cooked_v2(c, cfg->iface);
	dlt = pcap_datalink(c->pcap);

	if (!capture_link_type_from_dlt(dlt, &c->link_type)) {
		snprintf(msg, msg_len, "%s: link type %d (%s) is not one tcplens decodes (%s)",
			 cfg->iface, dlt, capture_link_type_name(dlt),
			 capture_supported_link_types());
		return LIVE_CAPTURE_LINK_TYPE;
	}
	err = set_filter(c, cfg->filter, msg, msg_len);
	if (err != LIVE_CAPTURE_OK)
		return err;
	if (cfg->write_path != NULL)
		return open_write(c, cfg, dlt, msg, msg_len);
	return LIVE_CAPTURE_OK;
}

static enum live_capture_error finish_open(struct live_capture *c,
					   const struct live_capture_config *cfg,
					   char *msg, size_t msg_len)
{
	enum live_capture_error err = link_and_outputs(c, cfg, msg, msg_len);

	if (err != LIVE_CAPTURE_OK)
		return err;
	c->fd = pcap_get_selectable_fd(c->pcap);
	if (c->fd < 0 || pcap_setnonblock(c->pcap, 1, msg) != 0) {
		if (c->fd < 0)
			snprintf(msg, msg_len, "%s: no descriptor to wait on", cfg->iface);
		return LIVE_CAPTURE_OTHER;
	}
	return LIVE_CAPTURE_OK;
}

struct live_capture *live_capture_open(const struct live_capture_config *cfg,
				       enum live_capture_error *err,
				       char *msg, size_t msg_len,
				       char *warning, size_t warning_len)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct live_capture *c = calloc(1, sizeof(*c));
	int rc;

	warning[0] = '\0';
	*err = LIVE_CAPTURE_OTHER;
	if (c == NULL) {
		snprintf(msg, msg_len, "out of memory");
		return NULL;
	}
	c->iface = cfg->iface;
	c->pcap = pcap_create(cfg->iface, errbuf);
	if (c->pcap == NULL) {
		snprintf(msg, msg_len, "%s: cannot capture: %s", cfg->iface, errbuf);
		free(c);
		return NULL;
	}
	configure(c->pcap, cfg);
	c->nanosecond = pcap_set_tstamp_precision(c->pcap,
				PCAP_TSTAMP_PRECISION_NANO) == 0;
	c->promisc = !cfg->no_promisc;
	rc = pcap_activate(c->pcap);
	if (rc < 0) {
		*err = activate_error(c->pcap, rc, cfg->iface, msg, msg_len);
		live_capture_close(c);
		return NULL;
	}
	if (rc > 0)
		snprintf(warning, warning_len, "%s: %s (%s)", cfg->iface,
			 pcap_statustostr(rc), pcap_geterr(c->pcap));
	*err = finish_open(c, cfg, msg, msg_len);
	if (*err != LIVE_CAPTURE_OK) {
		live_capture_close(c);
		return NULL;
	}
	return c;
}

/*
 * The statistics block: what live_capture_set_end() gave (what the live
 * run judged with), else pcap_stats now and no end beyond the last frame.
 */
static int close_write(struct live_capture *c)
{
	struct pcapng_writer_stats s = {0};
	struct live_capture_stats now;
	int err;

	if (c->dump == NULL) {
		if (c->out != NULL)
			fclose(c->out);
		return 0;
	}
	s.has_start = true;
	s.start = c->started;
	if (c->has_end) {
		s.has_end = true;
		s.end = c->end.end;
		s.has_ifrecv = true;
		s.ifrecv = c->end.received;
		s.has_osdrop = c->end.has_drops;
		s.osdrop = c->end.ps_drop;
		s.has_ifdrop = c->end.has_drops && c->end.has_ifdrop;
		s.ifdrop = c->end.ps_ifdrop;
	} else if (live_capture_stats(c, &now)) {
		s.has_ifrecv = s.has_osdrop = true;
		s.ifrecv = now.received;
		s.osdrop = now.ps_drop;
		s.has_ifdrop = now.has_ifdrop;
		s.ifdrop = now.ps_ifdrop;
	}
	pcapng_writer_stats(c->dump, &s);
	err = pcapng_writer_error(c->dump);
	pcapng_writer_free(c->dump);
	if (fclose(c->out) != 0 && err == 0)
		err = errno;
	c->dump = NULL;
	c->out = NULL;
	return err;
}

void live_capture_set_end(struct live_capture *c,
			  const struct live_capture_end *end)
{
	if (c == NULL)
		return;
	c->end = *end;
	c->has_end = true;
}

int live_capture_close(struct live_capture *c)
{
	int err;

	if (c == NULL)
		return 0;
	err = close_write(c);
	pcap_close(c->pcap);
	free(c);
	return err;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *hdr,
		      const u_char *data)
{
	struct live_capture *c = (struct live_capture *)user;
	struct capture_frame f;

	f.data = data;
	f.cap_len = hdr->caplen;
	f.wire_len = hdr->len > hdr->caplen ? hdr->len : hdr->caplen;
	f.link_type = c->link_type;
	f.ts.sec = (int64_t)hdr->ts.tv_sec;
	f.ts.nsec = (uint32_t)hdr->ts.tv_usec * (c->nanosecond ? 1u : 1000u);
	f.has_ts = true;
	f.input = 0;
	c->refused = false;
	c->fn(c->ctx, &f);
	if (c->dump != NULL && !c->refused)
		pcapng_writer_packet(c->dump, f.ts, data, hdr->caplen, hdr->len);
}

void live_capture_refuse_frame(struct live_capture *c)
{
	c->refused = true;
}

/*
 * Whether the interface is down or gone.  libpcap 1.10 reads the
 * socket's ENETDOWN and then waits, silently, for the interface to come
 * back up, so a capture would sit there reading nothing: the caller
 * asks after each POLLERR.  "any" never goes down.
 */
static bool iface_gone_down(const struct live_capture *c, char *msg,
			    size_t msg_len)
{
	struct ifreq ifr;

	if (strcmp(c->iface, "any") == 0 || strlen(c->iface) >= IFNAMSIZ)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, c->iface, strlen(c->iface));
	if (ioctl(c->fd, SIOCGIFFLAGS, &ifr) == 0) {
		if (ifr.ifr_flags & IFF_UP)
			return false;
		snprintf(msg, msg_len, "%s: the interface went down during the capture; the report covers what was captured before",
			 c->iface);
		return true;
	}
	if (errno != ENODEV && errno != ENXIO)
		return false;
	snprintf(msg, msg_len, "%s: the interface went away during the capture; the report covers what was captured before",
		 c->iface);
	return true;
}

/* The frames the ring still holds, before the capture ends. */
static void drain(struct live_capture *c)
{
	for (int i = 0; i < 64; i++)
		if (pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c) <= 0)
			return;
}

int live_capture_read(struct live_capture *c, int timeout_ms,
		      capture_frame_fn fn, void *ctx, char *msg,
		      size_t msg_len)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	int n;

	if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
		snprintf(msg, msg_len, "%s: cannot wait for packets: %s",
			 c->iface, strerror(errno));
		return -1;
	}
	c->fn = fn;
	c->ctx = ctx;
	/* Non-blocking: whatever the ring holds now, 0 when nothing. */
	n = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c);
	if (n == PCAP_ERROR) {
		snprintf(msg, msg_len, "%s: the capture failed: %s", c->iface,
			 pcap_geterr(c->pcap));
		return -1;
	}
	if ((pfd.revents & (POLLERR | POLLHUP)) &&
	    iface_gone_down(c, msg, msg_len)) {
		drain(c);
		return -1;
	}
	return n < 0 ? 0 : n;
}

void live_capture_flush(struct live_capture *c)
{
	if (c->dump != NULL)
		pcapng_writer_flush(c->dump);
}

bool live_capture_stats(struct live_capture *c, struct live_capture_stats *s)
{
	struct pcap_stat ps;

	if (pcap_stats(c->pcap, &ps) != 0)
		return false;
	s->received = ps.ps_recv;
	s->ps_drop = ps.ps_drop;
	s->ps_ifdrop = ps.ps_ifdrop;
	s->has_ifdrop = c->promisc;
	return true;
}

bool live_capture_nanosecond(const struct live_capture *c)
{
	return c->nanosecond;
}

static void flag_add(char *out, size_t len, const char *word)
{
	size_t used = strlen(out);

	snprintf(out + used, len - used, "%s%s", used > 0 ? ", " : "", word);
}

/* tcpdump -D's flags: "Up, Running, Connected", or "none". */
static void iface_flags(const pcap_if_t *d, char *out, size_t len)
{
	bpf_u_int32 status = d->flags & PCAP_IF_CONNECTION_STATUS;

	out[0] = '\0';
	if (d->flags & PCAP_IF_UP)
		flag_add(out, len, "Up");
	if (d->flags & PCAP_IF_RUNNING)
		flag_add(out, len, "Running");
	if (d->flags & PCAP_IF_WIRELESS)
		flag_add(out, len, "Wireless");
	if (d->flags & PCAP_IF_LOOPBACK)
		flag_add(out, len, "Loopback");
	else if (status == PCAP_IF_CONNECTION_STATUS_CONNECTED)
		flag_add(out, len, "Connected");
	else if (status == PCAP_IF_CONNECTION_STATUS_DISCONNECTED)
		flag_add(out, len, "Disconnected");
	if (out[0] == '\0')
		snprintf(out, len, "none");
}

bool live_capture_list(FILE *out, char *msg, size_t msg_len)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all;
	int i = 1;

	if (pcap_findalldevs(&all, errbuf) != 0) {
		snprintf(msg, msg_len, "cannot list the interfaces: %s", errbuf);
		return false;
	}
	for (pcap_if_t *d = all; d != NULL; d = d->next, i++) {
		char flags[64];

		iface_flags(d, flags, sizeof(flags));
		fprintf(out, "%d.%s", i, d->name);
		if (d->description != NULL)
			fprintf(out, " (%s)", d->description);
		fprintf(out, " [%s]\n", flags);
	}
	pcap_freealldevs(all);
	return true;
}
