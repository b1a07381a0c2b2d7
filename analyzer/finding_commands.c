#include "finding_commands.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr_format.h"

/* Where expanded text goes; full when it would overflow (cut, as snprintf). */
struct text_out {
	char *buf;
	size_t len, cap;
};

static void put(struct text_out *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/*
 * The value of placeholder word (n bytes) in v; NULL when it is one but
 * the finding does not give it; word itself back when it is none.
 */
typedef const char *(*lookup_fn)(const void *v, const char *word, size_t n,
				  char *scratch, size_t scratch_len);

static bool word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Expands text[0..n) into o; false when a placeholder was not given
 * (its word is copied as it stands).
 */
static bool expand_run(struct text_out *o, const char *text, size_t n,
		       lookup_fn lookup, const void *v)
{
	char scratch[160];
	bool all = true;
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		if (!word_char(text[i])) {
			while (j < n && !word_char(text[j]))
				j++;
			put(o, text + i, j - i);
			i = j;
			continue;
		}
		while (j < n && word_char(text[j]))
			j++;
		const char *val = lookup(v, text + i, j - i, scratch,
					 sizeof(scratch));
		if (val == NULL) {
			all = false;
			put(o, text + i, j - i);
		} else {
			put(o, val, val == text + i ? j - i : strlen(val));
		}
		i = j;
	}
	return all;
}

/* text with its "[[...]]" parts kept only when complete (or keep_all). */
static void expand(struct text_out *o, const char *text, lookup_fn lookup,
		   const void *v, bool keep_all)
{
	const char *p = text;

	while (*p != '\0') {
		const char *open = strstr(p, "[[");
		const char *close = open != NULL ? strstr(open + 2, "]]") : NULL;

		if (open == NULL || close == NULL) {
			expand_run(o, p, strlen(p), lookup, v);
			return;
		}
		expand_run(o, p, (size_t)(open - p), lookup, v);
		size_t mark = o->len;

		if (!expand_run(o, open + 2, (size_t)(close - open - 2), lookup,
				v) && !keep_all) {
			o->len = mark;
			o->buf[mark] = '\0';
		}
		p = close + 2;
	}
}

static bool is_word(const char *word, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(word, name, n) == 0;
}

static bool same_addr(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 16) == 0;
}

/* ------------------------------------------------------------ advice */

struct advice_values {
	const struct finding *f;
	const struct finding_context *ctx;
};

/* The host the advice's ADDRESS means: the receiver, for retransmissions. */
static bool advice_address(const struct finding *f)
{
	const struct finding_place *p = &f->place;

	if (p->family == 0)
		return false;
	if (f->id == FINDING_RETRANSMIT_BURST)
		return p->has_party && !same_addr(p->party, p->addr);
	return true;
}

/* A file name as one shell word. */
static const char *shell_word(const char *s, char *out, size_t outlen)
{
	struct text_out o = {out, 0, outlen};

	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789._/+-=:,@") == strlen(s) && *s != '\0')
		return s;
	out[0] = '\0';
	put(&o, "'", 1);
	for (; *s != '\0'; s++)
		if (*s == '\'')
			put(&o, "'\\''", 4);
		else
			put(&o, s, 1);
	put(&o, "'", 1);
	return out;
}

static const char *advice_lookup(const void *vv, const char *word, size_t n,
				 char *scratch, size_t len)
{
	const struct advice_values *v = vv;
	const struct finding *f = v->f;
	const struct finding_place *p = f != NULL ? &f->place : NULL;

	if (is_word(word, n, "ADDRESS")) {
		if (f == NULL || !advice_address(f))
			return NULL;
		addr_format(p->family, p->addr, scratch, len);
		return scratch;
	}
	if (is_word(word, n, "PORT")) {
		if (p == NULL || p->family == 0 || !p->has_port)
			return NULL;
		snprintf(scratch, len, "%u", (unsigned)p->port);
		return scratch;
	}
	if (is_word(word, n, "CLIENT")) {
		if (p == NULL || f->id != FINDING_SHORT_CONNECTION_CHURN ||
		    !p->has_party)
			return NULL;
		addr_format(p->family, p->party, scratch, len);
		return scratch;
	}
	if (is_word(word, n, "FRAME")) {
		if (f == NULL || f->n_frames == 0)
			return NULL;
		snprintf(scratch, len, "%" PRIu64, f->frames[0]);
		return scratch;
	}
	if (is_word(word, n, "FILE")) {
		if (f == NULL || v->ctx == NULL || v->ctx->file == NULL)
			return NULL;
		return shell_word(v->ctx->file, scratch, len);
	}
	if (is_word(word, n, "IFACE"))
		return NULL;
	return word;
}

const char *finding_fill(const char *text, const struct finding *f,
			 const struct finding_context *ctx, char *out,
			 size_t outlen)
{
	struct advice_values v = {f, ctx};
	struct text_out o = {out, 0, outlen};

	if (outlen == 0)
		return out;
	out[0] = '\0';
	if (text != NULL)
		expand(&o, text, advice_lookup, &v, f == NULL);
	return out;
}

/* ------------------------------------------------------------ filters */

/*
 * Each id's filter: its kind of packet, then the subject's parts, each
 * dropped when the subject lacks it (tshark calls some resent bytes
 * out of order: tests/crosscheck/tcp_analysis_check.py lists when).
 * IP is ip or ipv6; PARTY the
 * grouping's second party; FRAMES the evidence frames.  Checked against
 * tshark on the lab's captures (tests/crosscheck/filters.py): each
 * selects its finding's evidence frames.
 */
static const char *const filter_of[FINDING_COUNT] = {
[FINDING_SYN_FLOOD] = "tcp.flags.syn == 1[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]]",
[FINDING_SYN_UNANSWERED] = "(tcp.flags.syn == 1 || icmp || icmpv6)"
	"[[ && IP.addr == ADDRESS]][[ && tcp.port == PORT]]",
[FINDING_CONNECTION_REFUSED] = "tcp.flags.reset == 1"
	"[[ && IP.addr == ADDRESS]][[ && tcp.port == PORT]]",
[FINDING_CLOSE_WAIT_LEAK] = "(tcp.flags.fin == 1 || tcp.len == 0)"
	"[[ && IP.addr == ADDRESS]][[ && tcp.port == PORT]]",
[FINDING_TIME_WAIT_ACCUMULATION] = "tcp.flags.fin == 1"
	"[[ && IP.addr == ADDRESS]][[ && tcp.port == PORT]]",
[FINDING_RST_STORM] = "tcp.flags.reset == 1[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]]",
[FINDING_ABORTIVE_CLOSE] = "tcp.flags.reset == 1[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]]",
[FINDING_RETRANSMIT_BURST] = "(tcp.analysis.retransmission || "
	"tcp.analysis.fast_retransmission || "
	"tcp.analysis.spurious_retransmission || tcp.analysis.out_of_order)"
	"[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]][[ && IP.src == PARTY]]",
[FINDING_ZERO_WINDOW_STALL] = "(tcp.window_size_value == 0 || "
	"tcp.analysis.zero_window_probe || tcp.analysis.zero_window_probe_ack || "
	"tcp.analysis.window_update)[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]]",
[FINDING_HALF_OPEN] = "(tcp.flags.reset == 1 || "
	"tcp.analysis.retransmission || tcp.analysis.keep_alive)"
	"[[ && IP.addr == ADDRESS]][[ && tcp.port == PORT]]",
[FINDING_PORT_SCAN] = "(tcp.flags.syn == 1 || tcp.flags.reset == 1 || "
	"icmp || icmpv6)[[ && IP.addr == ADDRESS]]",
[FINDING_ICMP_ERROR] = "(icmp || icmpv6)[[ && IP.addr == ADDRESS]]"
	"[[ && (tcp.port == PORT || udp.port == PORT)]]",
[FINDING_FRAGMENTATION] = "(ip.flags.mf == 1 || ip.frag_offset > 0 || "
	"ipv6.fraghdr)[[ && IP.addr == ADDRESS]][[ && IP.addr == PARTY]]",
[FINDING_NAGLE_DELAYED_ACK] = "tcp.len > 0[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]]",
[FINDING_CHECKSUM_ERRORS] = "[[IP.src == ADDRESS]]",
[FINDING_SHORT_CONNECTION_CHURN] = "tcp.flags.syn == 1"
	"[[ && IP.addr == ADDRESS]][[ && tcp.port == PORT]]"
	"[[ && IP.addr == PARTY]]",
[FINDING_ACCEPT_QUEUE_OVERFLOW] = "(tcp.flags.syn == 1 || "
	"tcp.flags.reset == 1 || tcp.analysis.retransmission)"
	"[[ && IP.addr == ADDRESS]]"
	"[[ && tcp.port == PORT]]",
[FINDING_CAPTURE_COVERAGE] = "[[frame.number in FRAMES]]",
};

static const char *filter_lookup(const void *vv, const char *word, size_t n,
				 char *scratch, size_t len)
{
	const struct finding *f = vv;
	const struct finding_place *p = &f->place;

	if (is_word(word, n, "IP"))
		return p->family == 6 ? "ipv6" : p->family == 4 ? "ip" : NULL;
	if (is_word(word, n, "ADDRESS") || is_word(word, n, "PARTY")) {
		bool party = word[0] == 'P';

		if (p->family == 0 || (party && !p->has_party))
			return NULL;
		addr_format(p->family, party ? p->party : p->addr, scratch,
			    len);
		return scratch;
	}
	if (is_word(word, n, "PORT")) {
		if (p->family == 0 || !p->has_port)
			return NULL;
		snprintf(scratch, len, "%u", (unsigned)p->port);
		return scratch;
	}
	if (is_word(word, n, "FRAMES")) {
		struct text_out o = {scratch, 0, len};
		char one[24];

		if (f->n_frames == 0)
			return NULL;
		scratch[0] = '\0';
		put(&o, "{", 1);
		for (int i = 0; i < f->n_frames; i++) {
			int k = snprintf(one, sizeof(one), "%s%" PRIu64,
					 i ? " " : "", f->frames[i]);
			put(&o, one, (size_t)k);
		}
		put(&o, "}", 1);
		return scratch;
	}
	return word;
}

/* GRE's protocol type for Ethernet (NVGRE: the key is VSID << 8 | FlowID). */
#define GRE_PROTO_TEB 0x6558

/* tshark's field for the id that names a tunnel of kind both ways. */
static void tunnel_id_clause(const struct tunnel_info *t, char *out,
			     size_t len)
{
	uint32_t id = t->id;

	out[0] = '\0';
	if (!(t->flags & ENCAP_ID_SHARED))
		return;
	switch (t->kind) {
	case ENCAP_VXLAN:
		snprintf(out, len, "vxlan.vni == %" PRIu32 " && ", id);
		break;
	case ENCAP_GENEVE:
		snprintf(out, len, "geneve.vni == %" PRIu32 " && ", id);
		break;
	case ENCAP_ERSPAN:
		snprintf(out, len, "erspan.spanid == %" PRIu32 " && ", id);
		break;
	case ENCAP_MPLS:
		snprintf(out, len, "mpls.label == %" PRIu32 " && ", id);
		break;
	case ENCAP_GRE:
		/* The tunnel's id is NVGRE's VSID, the key's top 24 bits. */
		snprintf(out, len, "((gre.proto != 0x%x && gre.key == %" PRIu32
			 ") || (gre.proto == 0x%x && gre.key >= %" PRIu32
			 " && gre.key <= %" PRIu32 ")) && ", GRE_PROTO_TEB, id,
			 GRE_PROTO_TEB, (id & 0xffffffu) << 8,
			 (id & 0xffffffu) << 8 | 0xffu);
		break;
	default:
		break;
	}
}

/*
 * " && vxlan.vni == 300 && ip.addr == A && ip.addr == B": the subject's
 * tunnel.  tshark matches ip.addr and tcp.port in every header of a
 * packet, so the inner addresses alone select another tenant's same
 * addresses too.  The tunnel's id where tshark names it, and its outer
 * endpoints, both of which every packet of the tunnel carries (the id
 * alone would also take the same VNI between other VTEPs, which
 * tcplens tells apart).
 */
static void tunnel_clause(const struct finding_place *p, struct text_out *o)
{
	const struct tunnel_info *t = &p->tunnel;
	const char *ip = t->family == 6 ? "ipv6" : "ip";
	char id[160], a[ADDR_FORMAT_LEN], b[ADDR_FORMAT_LEN], all[400];

	tunnel_id_clause(t, id, sizeof(id));
	addr_format(t->family, t->addr[0], a, sizeof(a));
	addr_format(t->family, t->addr[1], b, sizeof(b));
	snprintf(all, sizeof(all), " && %s%s.addr == %s && %s.addr == %s", id,
		 ip, a, ip, b);
	put(o, all, strlen(all));
}

const char *finding_tshark_filter(const struct finding *f, char *out,
				  size_t outlen)
{
	struct text_out o = {out, 0, outlen};

	if (outlen == 0)
		return out;
	out[0] = '\0';
	if ((unsigned)f->id < FINDING_COUNT && filter_of[f->id] != NULL)
		expand(&o, filter_of[f->id], filter_lookup, f, false);
	if (o.len > 0 && f->place.in_tunnel && f->place.family != 0)
		tunnel_clause(&f->place, &o);
	return out;
}
