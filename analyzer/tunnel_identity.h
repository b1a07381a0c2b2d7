/*
 * What makes two tunnel layers one tunnel: the one rule the tunnel
 * table (inner flow keys), fragment reassembly (fragments joined) and
 * copy detection (frames left out) follow, so "same tunnel" means one
 * thing.
 *
 * A layer is identified, in either direction, by its kind, the IP
 * protocol and family carrying it, its outer endpoints in either order
 * and, where the same id names it both ways (a VNI, a GRE key, NVGRE's
 * VSID, an ERSPAN session: ENCAP_ID_SHARED), that id.  Ids each end
 * picks for what it receives (GTP TEIDs) do not name tunnels, or a
 * connection's two directions would part.  Only layers that separate
 * their flows count (tunnel_identity_separates()): IPv6 transition
 * tunnels (6in4 and 6to4, 6in6, Teredo, AYIYA) do not.  Libc only.
 */
#ifndef TCPLENS_TUNNEL_IDENTITY_H
#define TCPLENS_TUNNEL_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

/* One tunnel layer as it is identified, within the one it runs in. */
struct tunnel_info {
	uint8_t kind;           /* enum encap_kind */
	uint8_t outer_proto;    /* IP protocol carrying it: 4, 17, 41, 47 */
	uint8_t family;         /* of the outer addresses */
	uint8_t flags;          /* ENCAP_HAS_ID, ENCAP_ID_SHARED */
	uint16_t parent;        /* the tunnel it runs in, 0 for none */
	uint16_t udp_port;      /* the tunnel's UDP port (4789 ...), or 0:
				 * recorded, not part of the identity */
	uint32_t id;            /* VNI, key, session: when ENCAP_ID_SHARED */
	uint8_t addr[2][16];    /* [0] sent the first packet seen */
};

/* Whether a layer's inner flows are told apart by it. */
bool tunnel_identity_separates(const struct packet_encap *e);
/* The identity of the tunnel layer e, run in parent (0: none). */
void tunnel_identity_of(struct tunnel_info *ti, uint16_t parent,
			const struct packet_encap *e);
/* The same tunnel, either way round; the hash alike both ways. */
bool tunnel_identity_same(const struct tunnel_info *a,
			  const struct tunnel_info *b);
uint32_t tunnel_identity_hash(const struct tunnel_info *ti);

/*
 * A packet's tunnels: its n encapsulation layers (pkt->encaps) reduced
 * to the ones with outer endpoints that separate, in order.  Two paths
 * are the same when they hold the same tunnels in the same order; the
 * hash is the same both ways, 0 for no tunnel.
 */
bool tunnel_path_same(const struct packet_encap *a, unsigned na,
		      const struct packet_encap *b, unsigned nb);
uint64_t tunnel_path_hash(const struct packet_encap *e, unsigned n);

#endif
