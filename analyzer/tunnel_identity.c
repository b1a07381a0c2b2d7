#include "tunnel_identity.h"

#include <string.h>

#include "decode.h"

/*
 * IPv6 transition tunnels (6in4 and 6to4, 6in6, Teredo, AYIYA) carry
 * IPv6's global addresses, often asymmetrically: a 6to4 or Teredo relay
 * answers from another address than the one it was sent to
 * (testdata/real/pcpp-6in4-ftp.pcap), so a conversation would part in
 * two.  The overlays (GRE, ERSPAN, VXLAN, Geneve, IPv4 in IP, GTP-U)
 * carry address spaces that may overlap: those separate.
 */
bool tunnel_identity_separates(const struct packet_encap *e)
{
	switch (e->kind) {
	case ENCAP_TEREDO:
	case ENCAP_AYIYA:
		return false;
	case ENCAP_IP_IN_IP:
		return e->outer_proto != IPPROTO_NUM_IPV6;
	default:
		return true;
	}
}

void tunnel_identity_of(struct tunnel_info *ti, uint16_t parent,
			const struct packet_encap *e)
{
	memset(ti, 0, sizeof(*ti));
	ti->kind = e->kind;
	ti->outer_proto = e->outer_proto;
	ti->family = e->src.family;
	ti->parent = parent;
	if (e->flags & ENCAP_ID_SHARED) {
		ti->flags = ENCAP_HAS_ID | ENCAP_ID_SHARED;
		ti->id = e->id;
	}
	memcpy(ti->addr[0], e->src.bytes, 16);
	memcpy(ti->addr[1], e->dst.bytes, 16);
	if (e->outer_proto == IPPROTO_NUM_UDP)
		ti->udp_port = e->dport;
}

bool tunnel_identity_same(const struct tunnel_info *a,
			  const struct tunnel_info *b)
{
	bool straight, crossed;

	if (a->kind != b->kind || a->outer_proto != b->outer_proto ||
	    a->family != b->family || a->parent != b->parent ||
	    a->flags != b->flags || a->id != b->id)
		return false;
	straight = memcmp(a->addr[0], b->addr[0], 16) == 0 &&
		   memcmp(a->addr[1], b->addr[1], 16) == 0;
	crossed = memcmp(a->addr[0], b->addr[1], 16) == 0 &&
		  memcmp(a->addr[1], b->addr[0], 16) == 0;
	return straight || crossed;
}

uint32_t tunnel_identity_hash(const struct tunnel_info *ti)
{
	const uint8_t *lo = ti->addr[0], *hi = ti->addr[1];
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	if (memcmp(lo, hi, 16) > 0) {
		lo = ti->addr[1];
		hi = ti->addr[0];
	}
	for (int i = 0; i < 16; i++)
		h = (h ^ lo[i]) * 0x100000001b3ULL;
	for (int i = 0; i < 16; i++)
		h = (h ^ hi[i]) * 0x100000001b3ULL;
	h ^= (uint64_t)ti->kind << 56 | (uint64_t)ti->outer_proto << 48 |
	     (uint64_t)ti->parent << 32 | ti->id;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h ^ (h >> 31));
}

/* The next layer of e[*i..n) that is a tunnel of the path, or NULL. */
static const struct packet_encap *next_tunnel(const struct packet_encap *e,
					      unsigned n, unsigned *i)
{
	for (; *i < n; (*i)++)
		if (e[*i].src.family != 0 && tunnel_identity_separates(&e[*i]))
			return &e[(*i)++];
	return NULL;
}

/* A tunnel's parent in a path is its position there (1 the outermost). */
bool tunnel_path_same(const struct packet_encap *a, unsigned na,
		      const struct packet_encap *b, unsigned nb)
{
	unsigned i = 0, j = 0;
	uint16_t depth = 0;

	for (;;) {
		const struct packet_encap *x = next_tunnel(a, na, &i);
		const struct packet_encap *y = next_tunnel(b, nb, &j);
		struct tunnel_info tx, ty;

		if (x == NULL || y == NULL)
			return x == y;
		tunnel_identity_of(&tx, depth, x);
		tunnel_identity_of(&ty, depth, y);
		if (!tunnel_identity_same(&tx, &ty))
			return false;
		depth++;
	}
}

uint64_t tunnel_path_hash(const struct packet_encap *e, unsigned n)
{
	const struct packet_encap *x;
	unsigned i = 0;
	uint16_t depth = 0;
	uint64_t h = 0;

	while ((x = next_tunnel(e, n, &i)) != NULL) {
		struct tunnel_info t;

		tunnel_identity_of(&t, depth++, x);
		h = (h ^ tunnel_identity_hash(&t)) * 0xa0761d6478bd642fULL + 1;
	}
	return h;
}
