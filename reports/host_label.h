/*
 * How the socket tables (`tcplens states`, the report's hosts) name a
 * host: its address and, for a host inside a tunnel, that tunnel, with
 * the words and keys `tcplens flows` uses for a flow's tunnel.  A host
 * outside any tunnel is its address alone, as before tunnels were told
 * apart.
 */
#ifndef TCPLENS_HOST_LABEL_H
#define TCPLENS_HOST_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "addr_format.h"
#include "doc_writer.h"
#include "tunnel_table.h"

/* "10.0.0.1 in vxlan 203.0.113.10-203.0.113.20 id 300" or "10.0.0.1". */
#define HOST_LABEL_LEN (ADDR_FORMAT_LEN * 3 + 48)

/*
 * The host's label into out; tunnel is its flow_key tunnel id, tunnels
 * what the ids stand for (a tunnel it cannot name is left out).
 */
void host_label_text(uint8_t family, const uint8_t addr[16], uint16_t tunnel,
		     const struct tunnel_table *tunnels, char *out,
		     size_t outlen);
/*
 * The members "host" and, inside a tunnel, "tunnel", "tunnel_type",
 * "tunnel_orig_h", "tunnel_resp_h" and "tunnel_id" (null without an id
 * both ends share), in the open object.
 */
void host_label_doc(struct doc_writer *w, uint8_t family,
		    const uint8_t addr[16], uint16_t tunnel,
		    const struct tunnel_table *tunnels);

#endif
