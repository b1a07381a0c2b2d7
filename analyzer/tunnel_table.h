/*
 * The tunnels a capture holds, each named once by a small id that inner
 * flow keys carry (struct flow_key's tunnel), so that inner flows of
 * different tunnels with the same 5-tuple (overlapping tenant or pod
 * address spaces) are never merged.
 *
 * A tunnel is identified by the tunnel it runs in (0: none) and
 * tunnel_identity.h's rule, the one reassembly and copy detection
 * follow too.
 *
 * Entries are never changed or freed while the table lives, so a flow's
 * tunnel id can be resolved at any time, from any thread that learnt of
 * the flow after it was created (the entries stay where they are).  At
 * most TUNNEL_TABLE_MAX tunnels are named: traffic of more is counted
 * (tunnel_table_refused) and not tracked, never merged.  Memory grows
 * by one chunk when a new tunnel needs it, never per packet.
 */
#ifndef TCPLENS_TUNNEL_TABLE_H
#define TCPLENS_TUNNEL_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"
#include "tunnel_identity.h"

#define TUNNEL_TABLE_MAX 65535u

struct tunnel_table;

struct tunnel_table *tunnel_table_new(void);
void tunnel_table_free(struct tunnel_table *t);
/*
 * The id of the tunnel layer e runs in parent (0: none); *created when
 * it is new.  0 when TUNNEL_TABLE_MAX are named or memory ran out.
 */
uint16_t tunnel_table_intern(struct tunnel_table *t, uint16_t parent,
			     const struct packet_encap *e, bool *created);
/* The tunnel named id, or NULL (0, or never given out). */
const struct tunnel_info *tunnel_table_get(const struct tunnel_table *t,
					   uint16_t id);
/* Packets of tunnels past TUNNEL_TABLE_MAX (or memory), not tracked. */
uint64_t tunnel_table_refused(const struct tunnel_table *t);
/* "vxlan", "6in4" ...: the name of the tunnel's kind, as encap_name(). */
const char *tunnel_info_kind_name(const struct tunnel_info *ti);
/* The same from a kind, the outer IP protocol and the outer family. */
const char *tunnel_kind_name(uint8_t kind, uint8_t outer_proto,
			     uint8_t family);

#endif
