#include "icmp_message.h"

const char *icmp_message_name(uint8_t version, uint8_t type, uint8_t code)
{
	if (version == 4 && type == 3) {
		static const char *const unreach[] = {
			"network unreachable", "host unreachable",
			"protocol unreachable", "port unreachable",
			"fragmentation needed", "source route failed",
			"destination network unknown", "destination host unknown",
			"source host isolated", "network administratively prohibited",
			"host administratively prohibited",
			"network unreachable for TOS", "host unreachable for TOS",
			"communication administratively prohibited",
			"host precedence violation", "precedence cutoff in effect",
		};

		return code < 16 ? unreach[code] : "destination unreachable";
	}
	if (version == 4 && type == 5) {
		static const char *const redirect[] = {
			"redirect for network", "redirect for host",
			"redirect for TOS and network",
			"redirect for TOS and host",
		};

		return code < 4 ? redirect[code] : "redirect";
	}
	if (version == 4)
		return type == 11 ? (code == 0 ? "TTL exceeded in transit"
					       : "fragment reassembly time exceeded")
		       : type == 12 ? "parameter problem"
		       : type == 4 ? "source quench" : "ICMP error";
	if (type == 1) {
		static const char *const unreach6[] = {
			"no route to destination",
			"communication administratively prohibited",
			"beyond scope of source address", "address unreachable",
			"port unreachable", "source address failed policy",
			"reject route to destination",
		};

		return code < 7 ? unreach6[code] : "destination unreachable";
	}
	return type == 2 ? "packet too big"
	       : type == 3 ? (code == 0 ? "hop limit exceeded in transit"
					: "fragment reassembly time exceeded")
	       : type == 4 ? "parameter problem" : "ICMPv6 error";
}
