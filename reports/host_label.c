#include "host_label.h"

#include <stdio.h>
#include <string.h>

#include "flow_record.h"

void host_label_text(uint8_t family, const uint8_t addr[16], uint16_t tunnel,
		     const struct tunnel_table *tunnels, char *out,
		     size_t outlen)
{
	struct tunnel_names n;
	size_t len;

	addr_format(family, addr, out, outlen);
	len = strlen(out);
	if (tunnel == 0 || !tunnel_names_of(&n, tunnels, tunnel) ||
	    len + 4 >= outlen)
		return;
	memcpy(out + len, " in ", 5);
	tunnel_names_format(&n, out + len + 4, outlen - len - 4);
}

void host_label_doc(struct doc_writer *w, uint8_t family,
		    const uint8_t addr[16], uint16_t tunnel,
		    const struct tunnel_table *tunnels)
{
	char host[ADDR_FORMAT_LEN];
	struct tunnel_names n;

	addr_format(family, addr, host, sizeof(host));
	doc_member_string(w, "host", host);
	if (tunnel == 0 || !tunnel_names_of(&n, tunnels, tunnel))
		return;
	doc_member_string(w, "tunnel", n.uid);
	doc_member_string(w, "tunnel_type", n.type);
	doc_member_string(w, "tunnel_orig_h", n.orig_h);
	doc_member_string(w, "tunnel_resp_h", n.resp_h);
	if (n.has_id) {
		doc_member_uint(w, "tunnel_id", n.id);
	} else {
		doc_key(w, "tunnel_id");
		doc_null(w);
	}
}
