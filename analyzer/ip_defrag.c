#include "ip_defrag.h"

#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "decode.h"
#include "tunnel_identity.h"

enum {
	DEFRAG_BUCKETS = 4096,
	DEFRAG_DONE = 64,       /* completed datagrams remembered */
	DEFRAG_V4_HDR_MAX = 60,
	DEFRAG_V6_HDR = 40,
	DEFRAG_GROW = 4096,
};

struct defrag_range {
	uint32_t start, end; /* [start, end) of the fragmentable part */
};

struct defrag_dgram {
	uint8_t version, proto;
	uint32_t id;
	uint32_t ctx;            /* its tunnels' hash: the bucket only */
	/*
	 * The layers it came through: the tunnels that tell it apart
	 * (tunnel_path_same()), kept for the rebuilt datagram too.
	 */
	uint8_t encap_count;
	struct packet_encap encaps[PACKET_MAX_ENCAPS];
	uint8_t src[16], dst[16];
	int64_t first_ns;
	uint32_t known_end;      /* highest end seen, or the last's end */
	bool last_in;            /* the fragment without "more" arrived */
	bool have_header;
	uint8_t header[DEFRAG_V4_HDR_MAX];
	uint8_t header_len;
	uint8_t next_header;     /* IPv6: the fragment header's */
	uint8_t *data;
	uint32_t data_cap;
	struct defrag_range *ranges;
	uint32_t n_ranges, ranges_cap;
	uint64_t *frames;        /* of the fragments used, in arrival order */
	uint32_t n_frames, frames_cap;
	size_t charged;          /* bytes counted against the cap */
	struct defrag_dgram *older, *newer; /* age list */
	struct defrag_dgram *next_in_bucket;
};

/*
 * A datagram completed lately: a fragment of it arriving within
 * DEFRAG_DUPLICATE_NS is a copy (a capture on both sides of a router, or
 * -i any), not the start of a datagram that will never complete.
 */
struct defrag_done {
	uint8_t version, proto;
	uint32_t id;
	uint8_t encap_count;
	struct packet_encap encaps[PACKET_MAX_ENCAPS];
	uint8_t src[16], dst[16];
	int64_t at_ns;
};

#define DEFRAG_DUPLICATE_NS 1000000000LL

struct defrag {
	struct defrag_config cfg;
	struct defrag_done done[DEFRAG_DONE];
	uint32_t done_next;
	struct defrag_stats st;
	struct defrag_dgram *buckets[DEFRAG_BUCKETS];
	struct defrag_dgram *oldest, *newest;
	/* The last datagram handed out; *whole's views point here. */
	uint8_t out[DEFRAG_V4_HDR_MAX + DEFRAG_MAX_DATAGRAM];
	uint64_t *out_frames;    /* its fragments' frame numbers */
	size_t n_out_frames;
};

void defrag_config_defaults(struct defrag_config *cfg)
{
	cfg->timeout_v4_ns = 30LL * 1000000000;
	cfg->timeout_v6_ns = 60LL * 1000000000;
	cfg->memory_cap = (size_t)64 << 20;
}

struct defrag *defrag_new(const struct defrag_config *cfg)
{
	struct defrag *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	if (cfg != NULL)
		d->cfg = *cfg;
	else
		defrag_config_defaults(&d->cfg);
	return d;
}

static int64_t time_ns(struct pkt_time t)
{
	return pkt_time_ns(t);
}

/*
 * The tunnels a fragment came through, hashed for its bucket only:
 * fragments of different tunnels (overlapping tenant address spaces)
 * are never joined, and that is decided by comparing the tunnels
 * themselves (tunnel_path_same()), never this number.  The outer UDP
 * ports are no part of a tunnel's identity: a VXLAN sender's source
 * port hashes the inner flow, which a non-first fragment does not show.
 */
static uint32_t tunnel_ctx(const struct packet *pkt)
{
	uint64_t h = tunnel_path_hash(pkt->encaps, pkt->encap_count);

	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t key_hash(uint8_t version, uint8_t proto, uint32_t id,
			 const uint8_t *src, const uint8_t *dst, uint32_t ctx)
{
	/* FNV-1a: a fragment flood is bounded by the memory cap, not the
	 * hash, so a keyed hash buys nothing here. */
	uint32_t h = 2166136261u;
	size_t alen = version == 4 ? 4 : 16;

	for (size_t i = 0; i < alen; i++)
		h = (h ^ src[i]) * 16777619u;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ dst[i]) * 16777619u;
	h = (h ^ proto) * 16777619u;
	h = (h ^ id) * 16777619u;
	h = (h ^ (id >> 16)) * 16777619u;
	h = (h ^ ctx) * 16777619u;
	return (h ^ version) % DEFRAG_BUCKETS;
}

/* pkt is a fragment of g: the same IP key, through the same tunnels. */
static bool key_match(const struct defrag_dgram *g, const struct packet *pkt)
{
	const struct packet_ip *ip = &pkt->ip;
	size_t alen = ip->version == 4 ? 4 : 16;

	/* IPv6 has no protocol in its key (RFC 8200 section 4.5). */
	return g->version == ip->version && g->id == ip->frag_id &&
	       (ip->version == 6 || g->proto == ip->proto) &&
	       memcmp(g->src, ip->src.bytes, alen) == 0 &&
	       memcmp(g->dst, ip->dst.bytes, alen) == 0 &&
	       tunnel_path_same(g->encaps, g->encap_count, pkt->encaps,
				pkt->encap_count);
}

static void charge(struct defrag *d, struct defrag_dgram *g, size_t now)
{
	d->st.memory_in_use = d->st.memory_in_use - g->charged + now;
	g->charged = now;
	if (d->st.memory_in_use > d->st.memory_peak)
		d->st.memory_peak = d->st.memory_in_use;
}

static size_t footprint(const struct defrag_dgram *g)
{
	return sizeof(*g) + g->data_cap +
	       (size_t)g->ranges_cap * sizeof(struct defrag_range) +
	       (size_t)g->frames_cap * sizeof(uint64_t);
}

static void unlink_dgram(struct defrag *d, struct defrag_dgram *g)
{
	struct defrag_dgram **pp = &d->buckets[key_hash(g->version, g->proto,
						       g->id, g->src, g->dst,
						       g->ctx)];

	while (*pp != NULL && *pp != g)
		pp = &(*pp)->next_in_bucket;
	if (*pp == g)
		*pp = g->next_in_bucket;
	if (g->older != NULL)
		g->older->newer = g->newer;
	else
		d->oldest = g->newer;
	if (g->newer != NULL)
		g->newer->older = g->older;
	else
		d->newest = g->older;
	charge(d, g, 0);
	free(g->data);
	free(g->ranges);
	free(g->frames);
	free(g);
}

static uint32_t covered(const struct defrag_dgram *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->n_ranges; i++)
		n += g->ranges[i].end - g->ranges[i].start;
	return n;
}

/* A datagram that will never complete: counted with what it missed. */
static void end_incomplete(struct defrag *d, struct defrag_dgram *g)
{
	d->st.incomplete++;
	d->st.incomplete_missing_bytes += g->known_end - covered(g) +
					  (g->last_in ? 0u : 1u);
	unlink_dgram(d, g);
}

void defrag_expire(struct defrag *d, struct pkt_time now)
{
	defrag_expire_ns(d, time_ns(now));
}

void defrag_expire_ns(struct defrag *d, int64_t t)
{
	/* The age list is in order of first fragment: stop at a young one. */
	while (d->oldest != NULL) {
		struct defrag_dgram *g = d->oldest;
		int64_t limit = g->version == 4 ? d->cfg.timeout_v4_ns
						: d->cfg.timeout_v6_ns;

		if (t - g->first_ns <= limit)
			break;
		end_incomplete(d, g);
	}
}

void defrag_flush(struct defrag *d, int64_t end_ns)
{
	defrag_expire_ns(d, end_ns);
	while (d->oldest != NULL) {
		d->st.incomplete_at_end++;
		end_incomplete(d, d->oldest);
	}
}

void defrag_free(struct defrag *d)
{
	if (d == NULL)
		return;
	while (d->oldest != NULL)
		unlink_dgram(d, d->oldest);
	free(d->out_frames);
	free(d);
}

const struct defrag_stats *defrag_get_stats(const struct defrag *d)
{
	return &d->st;
}

const uint64_t *defrag_completed_frames(const struct defrag *d, size_t *n)
{
	*n = d->n_out_frames;
	return d->out_frames;
}

/* Remembers a fragment's frame; one fragment per range at most. */
static bool add_frame(struct defrag *d, struct defrag_dgram *g, uint64_t frame)
{
	if (g->n_frames == g->frames_cap) {
		uint32_t cap = g->frames_cap == 0 ? 8 : g->frames_cap * 2;
		uint64_t *f;

		if (d->st.memory_in_use + (cap - g->frames_cap) * sizeof(*f) >
		    d->cfg.memory_cap)
			return false;
		f = realloc(g->frames, cap * sizeof(*f));
		if (f == NULL)
			return false;
		g->frames = f;
		g->frames_cap = cap;
		charge(d, g, footprint(g));
	}
	g->frames[g->n_frames++] = frame;
	return true;
}

/* The datagram pkt is a fragment of, if one is being reassembled. */
static struct defrag_dgram *find(const struct defrag *d,
				 const struct packet *pkt)
{
	const struct packet_ip *ip = &pkt->ip;
	struct defrag_dgram *g;

	uint32_t ctx = tunnel_ctx(pkt);

	for (g = d->buckets[key_hash(ip->version, ip->proto, ip->frag_id,
				     ip->src.bytes, ip->dst.bytes, ctx)];
	     g != NULL; g = g->next_in_bucket)
		if (key_match(g, pkt))
			return g;
	return NULL;
}

/* Remembers g as completed now (a ring of the latest). */
static void remember_done(struct defrag *d, const struct defrag_dgram *g,
			  int64_t now)
{
	struct defrag_done *e = &d->done[d->done_next++ % DEFRAG_DONE];

	e->version = g->version;
	e->proto = g->proto;
	e->id = g->id;
	e->encap_count = g->encap_count;
	memcpy(e->encaps, g->encaps,
	       g->encap_count * sizeof(struct packet_encap));
	memcpy(e->src, g->src, sizeof(e->src));
	memcpy(e->dst, g->dst, sizeof(e->dst));
	e->at_ns = now;
}

/* pkt is a fragment of a datagram completed under a second ago. */
static bool completed_lately(const struct defrag *d, const struct packet *pkt)
{
	const struct packet_ip *ip = &pkt->ip;
	size_t alen = ip->version == 4 ? 4 : 16;
	int64_t now = time_ns(pkt->ts);

	for (uint32_t i = 0; i < DEFRAG_DONE; i++) {
		const struct defrag_done *e = &d->done[i];

		if (e->version != 0 && now - e->at_ns <= DEFRAG_DUPLICATE_NS &&
		    now >= e->at_ns && e->version == ip->version &&
		    e->id == ip->frag_id &&
		    (ip->version == 6 || e->proto == ip->proto) &&
		    memcmp(e->src, ip->src.bytes, alen) == 0 &&
		    memcmp(e->dst, ip->dst.bytes, alen) == 0 &&
		    tunnel_path_same(e->encaps, e->encap_count, pkt->encaps,
				     pkt->encap_count))
			return true;
	}
	return false;
}

static struct defrag_dgram *find_or_create(struct defrag *d,
					   const struct packet *pkt)
{
	const struct packet_ip *ip = &pkt->ip;
	uint32_t ctx = tunnel_ctx(pkt);
	uint32_t b = key_hash(ip->version, ip->proto, ip->frag_id,
			      ip->src.bytes, ip->dst.bytes, ctx);
	struct defrag_dgram *g = find(d, pkt);

	if (g != NULL)
		return g;
	while (d->st.memory_in_use + sizeof(*g) > d->cfg.memory_cap &&
	       d->oldest != NULL) {
		d->st.dropped_memory++;
		unlink_dgram(d, d->oldest);
	}
	if (d->st.memory_in_use + sizeof(*g) > d->cfg.memory_cap)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->version = ip->version;
	g->proto = ip->proto;
	g->id = ip->frag_id;
	g->ctx = ctx;
	g->encap_count = pkt->encap_count;
	memcpy(g->encaps, pkt->encaps,
	       pkt->encap_count * sizeof(struct packet_encap));
	memcpy(g->src, ip->src.bytes, sizeof(g->src));
	memcpy(g->dst, ip->dst.bytes, sizeof(g->dst));
	g->first_ns = time_ns(pkt->ts);
	g->next_in_bucket = d->buckets[b];
	d->buckets[b] = g;
	g->older = d->newest;
	if (d->newest != NULL)
		d->newest->newer = g;
	else
		d->oldest = g;
	d->newest = g;
	charge(d, g, footprint(g));
	return g;
}

/* Makes room for more bytes; false when the cap cannot allow them. */
static bool reserve(struct defrag *d, struct defrag_dgram *g, uint32_t end,
		    uint32_t ranges)
{
	uint32_t cap = g->data_cap, rcap = g->ranges_cap;
	uint8_t *data;
	struct defrag_range *r;

	while (cap < end)
		cap += DEFRAG_GROW;
	while (rcap < ranges)
		rcap = rcap == 0 ? 8 : rcap * 2;
	if (cap == g->data_cap && rcap == g->ranges_cap)
		return true;
	/* The oldest other datagrams make way (Linux: inet_frag_evictor). */
	while (d->st.memory_in_use + (cap - g->data_cap) +
		       (size_t)(rcap - g->ranges_cap) * sizeof(*r) >
		       d->cfg.memory_cap &&
	       d->oldest != NULL && d->oldest != g) {
		d->st.dropped_memory++;
		unlink_dgram(d, d->oldest);
	}
	if (d->st.memory_in_use + (cap - g->data_cap) +
		    (size_t)(rcap - g->ranges_cap) * sizeof(*r) >
	    d->cfg.memory_cap)
		return false;
	if (cap != g->data_cap) {
		data = realloc(g->data, cap);
		if (data == NULL)
			return false;
		g->data = data;
		g->data_cap = cap;
	}
	if (rcap != g->ranges_cap) {
		r = realloc(g->ranges, rcap * sizeof(*r));
		if (r == NULL)
			return false;
		g->ranges = r;
		g->ranges_cap = rcap;
	}
	charge(d, g, footprint(g));
	return true;
}

/* Whether the bytes [from, to) of frag (at offset) differ from g's. */
static bool overlap_conflicts(const struct defrag_dgram *g,
			      struct byte_view frag, uint32_t offset,
			      uint32_t from, uint32_t to)
{
	return memcmp(g->data + from, frag.ptr + (from - offset), to - from) != 0;
}

/* Counts an overlap [from, to), keeping the first few as evidence. */
static void note_overlap(struct defrag *d, const struct packet *pkt,
			 uint32_t from, uint32_t to, bool conflicting,
			 bool discarded)
{
	if (conflicting)
		d->st.overlaps_conflicting++;
	else
		d->st.overlaps_identical++;
	if (d->st.n_overlap_examples < DEFRAG_MAX_OVERLAP_EXAMPLES) {
		struct defrag_overlap *o =
			&d->st.overlap_examples[d->st.n_overlap_examples++];

		o->frame_no = pkt->frame_no;
		o->start = from;
		o->end = to;
		o->conflicting = conflicting;
		o->discarded = discarded;
	}
}

enum placement { PLACE_NEW, PLACE_DUPLICATE, PLACE_OVERLAP };

static enum placement place(struct defrag *d, const struct defrag_dgram *g,
			    const struct packet *pkt, struct byte_view frag,
			    uint32_t offset, uint32_t end)
{
	for (uint32_t i = 0; i < g->n_ranges; i++) {
		const struct defrag_range *r = &g->ranges[i];
		uint32_t from, to;
		bool dup, conflicting;

		if (end <= r->start || offset >= r->end)
			continue;
		from = offset > r->start ? offset : r->start;
		to = end < r->end ? end : r->end;
		dup = offset >= r->start && end <= r->end;
		conflicting = overlap_conflicts(g, frag, offset, from, to);
		/* A copy of bytes already held is a duplicate, no overlap. */
		if (!dup || conflicting)
			note_overlap(d, pkt, from, to, conflicting, !dup);
		return dup ? PLACE_DUPLICATE : PLACE_OVERLAP;
	}
	return PLACE_NEW;
}

/* Inserts [start, end) into the sorted, disjoint ranges, merging. */
static void add_range(struct defrag_dgram *g, uint32_t start, uint32_t end)
{
	uint32_t i = 0, j;

	while (i < g->n_ranges && g->ranges[i].end <= start)
		i++;
	memmove(&g->ranges[i + 1], &g->ranges[i],
		(g->n_ranges - i) * sizeof(g->ranges[0]));
	g->ranges[i].start = start;
	g->ranges[i].end = end;
	g->n_ranges++;
	/* Merge with touching neighbours (overlaps were refused already). */
	if (i > 0 && g->ranges[i - 1].end == start) {
		g->ranges[i - 1].end = end;
		memmove(&g->ranges[i], &g->ranges[i + 1],
			(g->n_ranges - i - 1) * sizeof(g->ranges[0]));
		g->n_ranges--;
		i--;
	}
	j = i + 1;
	if (j < g->n_ranges && g->ranges[j].start == g->ranges[i].end) {
		g->ranges[i].end = g->ranges[j].end;
		memmove(&g->ranges[j], &g->ranges[j + 1],
			(g->n_ranges - j - 1) * sizeof(g->ranges[0]));
		g->n_ranges--;
	}
}

static uint32_t transport_min(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_NUM_TCP: return 20;
	case IPPROTO_NUM_UDP: return 8;
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6: return 8;
	default: return 0;
	}
}

static void keep_header(struct defrag *d, struct defrag_dgram *g,
			const struct packet *pkt, uint32_t len)
{
	size_t hlen = g->version == 4 ? pkt->ip.header.len : DEFRAG_V6_HDR;

	if (hlen > sizeof(g->header) || pkt->ip.header.len < hlen)
		return;
	memcpy(g->header, pkt->ip.header.ptr, hlen);
	g->header_len = (uint8_t)hlen;
	g->next_header = g->version == 6 ? pkt->ipv6.frag_next_header
					 : pkt->ip.proto;
	g->have_header = true;
	if (len < transport_min(g->next_header))
		d->st.tiny_first++;
}

/*
 * The fragments' tunnel layers go before the datagram's own (a tunnel
 * it carries).  Past PACKET_MAX_ENCAPS in all, its innermost layers
 * cannot be kept, and its inner flows without them would be merged
 * with another tunnel's: it is marked PKT_ANOM_ENCAP_TOO_DEEP and the
 * analyzer counts it untracked.
 */
static void prepend_encaps(struct packet *whole, const struct defrag_dgram *g)
{
	unsigned own = whole->encap_count, n = g->encap_count;

	if (n == 0)
		return;
	if (n + own > PACKET_MAX_ENCAPS) {
		packet_add_anomaly(whole, PKT_ANOM_ENCAP_TOO_DEEP);
		own = PACKET_MAX_ENCAPS - n;
	}
	memmove(&whole->encaps[n], &whole->encaps[0],
		own * sizeof(struct packet_encap));
	memcpy(&whole->encaps[0], g->encaps, n * sizeof(struct packet_encap));
	whole->encap_count = (uint8_t)(n + own);
}

/* Header + data into d->out, fields fixed, then decoded into *whole. */
static void emit(struct defrag *d, const struct defrag_dgram *g,
		 const struct packet *pkt, struct packet *whole)
{
	uint32_t hl = g->header_len, total = hl + g->known_end;
	uint8_t *h = d->out;

	memcpy(h, g->header, hl);
	memcpy(h + hl, g->data, g->known_end);
	if (g->version == 4) {
		struct byte_view hv = {h, hl};
		uint16_t ck;

		h[2] = (uint8_t)(total >> 8);
		h[3] = (uint8_t)total;
		h[6] &= 0x40; /* keep DF; no MF, offset 0 */
		h[7] = 0;
		h[10] = h[11] = 0;
		ck = (uint16_t)~checksum_fold(checksum_add(0, hv));
		h[10] = (uint8_t)(ck >> 8);
		h[11] = (uint8_t)ck;
	} else {
		h[4] = (uint8_t)(g->known_end >> 8);
		h[5] = (uint8_t)g->known_end;
		h[6] = g->next_header;
	}
	decode_packet(whole, g->version == 4 ? LINK_TYPE_IPV4 : LINK_TYPE_IPV6,
		      h, total, total);
	prepend_encaps(whole, g);
	whole->frame_no = pkt->frame_no;
	whole->ts = pkt->ts;
	whole->has_ts = pkt->has_ts;
}

enum end_verdict {
	END_OK,
	END_EMPTY,      /* nothing left of the fragment: dropped */
	END_CORRUPT,    /* contradicts the datagram: all of it dropped */
};

/*
 * The length rules of ip_frag_queue() and ip6_frag_queue(): a last
 * fragment that contradicts the known end, or data past it, kills the
 * whole datagram (their discard_qp); an IPv6 fragment not a multiple
 * of 8 bytes is dropped alone (answered with a parameter problem).
 */
static enum end_verdict accept_end(struct defrag *d, struct defrag_dgram *g,
				   bool more, uint32_t offset, uint32_t *end)
{
	if (!more) {
		if (*end < g->known_end || (g->last_in && *end != g->known_end))
			goto corrupt;
		g->last_in = true;
		g->known_end = *end;
	} else {
		/* Non-last fragments carry multiples of 8 bytes. */
		if (*end & 7u) {
			if (g->version == 6) {
				d->st.inconsistent_length++;
				return END_EMPTY;
			}
			*end &= ~7u;
		}
		if (*end > g->known_end) {
			if (g->last_in)
				goto corrupt;
			g->known_end = *end;
		}
	}
	return *end > offset ? END_OK : END_EMPTY;
corrupt:
	d->st.inconsistent_length++;
	return END_CORRUPT;
}

enum defrag_result defrag_add(struct defrag *d, const struct packet *pkt,
			      struct packet *whole)
{
	const struct packet_ip *ip = &pkt->ip;
	struct byte_view frag = ip->frag_data;
	uint32_t offset = ip->frag_offset;
	uint32_t end = offset + (uint32_t)frag.len;
	uint32_t hdr = ip->version == 4 ? (uint32_t)ip->header.len : 0;
	struct defrag_dgram *g;

	d->st.fragments++;
	defrag_expire(d, pkt->ts);
	if (!ip->is_fragment || (ip->version != 4 && ip->version != 6))
		return DEFRAG_DROPPED;
	/* Bytes the capture did not keep cannot be joined. */
	if (pkt->cap_len < pkt->wire_len) {
		d->st.not_captured++;
		return DEFRAG_DROPPED;
	}
	/* "Ping of death": a datagram that would pass 65535 bytes. */
	if (end + hdr > DEFRAG_MAX_DATAGRAM) {
		d->st.oversize++;
		return DEFRAG_DROPPED;
	}
	if (find(d, pkt) == NULL && completed_lately(d, pkt)) {
		d->st.duplicates++;
		return DEFRAG_DROPPED;
	}
	g = find_or_create(d, pkt);
	if (g == NULL)
		return DEFRAG_DROPPED;
	switch (accept_end(d, g, ip->frag_more, offset, &end)) {
	case END_OK:
		break;
	case END_EMPTY:
		return DEFRAG_DROPPED;
	case END_CORRUPT:
		/* As Linux: the whole datagram goes, counted once, here. */
		unlink_dgram(d, g);
		return DEFRAG_DROPPED;
	}
	frag.len = end - offset;
	switch (place(d, g, pkt, frag, offset, end)) {
	case PLACE_DUPLICATE:
		d->st.duplicates++;
		return DEFRAG_DROPPED;
	case PLACE_OVERLAP:
		d->st.discarded_overlap++;
		unlink_dgram(d, g);
		return DEFRAG_DROPPED;
	case PLACE_NEW:
		break;
	}
	if (!reserve(d, g, end, g->n_ranges + 1)) {
		d->st.dropped_memory++;
		unlink_dgram(d, g);
		return DEFRAG_DROPPED;
	}
	if (!add_frame(d, g, pkt->frame_no)) {
		d->st.dropped_memory++;
		unlink_dgram(d, g);
		return DEFRAG_DROPPED;
	}
	memcpy(g->data + offset, frag.ptr, frag.len);
	add_range(g, offset, end);
	if (offset == 0)
		keep_header(d, g, pkt, frag.len);
	if (!g->last_in || !g->have_header || g->n_ranges != 1 ||
	    g->ranges[0].start != 0 || g->ranges[0].end != g->known_end)
		return DEFRAG_HELD;
	emit(d, g, pkt, whole);
	/* Hand the frame list over; the datagram is about to go. */
	free(d->out_frames);
	d->out_frames = g->frames;
	d->n_out_frames = g->n_frames;
	g->frames = NULL;
	g->frames_cap = 0;
	d->st.reassembled++;
	remember_done(d, g, time_ns(pkt->ts));
	unlink_dgram(d, g);
	return DEFRAG_COMPLETE;
}
