#!/bin/sh
# Writes testdata/encap/: small lab captures wrapped by encap_wrap.py in
# every encapsulation tcplens decodes, the fuzz seeds of each new
# dissector (tests/fuzz/seed_corpus.py) and inputs for reading by hand.
#   sh testdata/gen/encap_seeds.sh [OUTDIR]     # default testdata/encap
# Needs scapy (Debian: python3-scapy); deterministic.
set -eu
cd "$(dirname "$0")/../.."
out=${1:-testdata/encap}
wrap=testdata/gen/encap_wrap.py
mkdir -p "$out"
# refused.pcap (IPv4 TCP, ARP, neighbour discovery: 13 frames) in all.
for kind in vxlan geneve gre gre-key gre-teb gre-mpls pptp erspan1 erspan2 erspan3 ipip \
	teredo ip-in-ip6 mpls mpls-pw pppoe pbb fabricpath vntag gtpu ayiya \
	ppp ppp-hdlc chdlc wlan-radiotap wlan-ppi; do
	/usr/bin/python3 "$wrap" "$kind" testdata/lab/refused.pcap "$out/refused-$kind.pcap"
done
# An IPv6 connection where the IPv6 path differs: 6in4, 6in6, Teredo,
# AYIYA, GTP-U, GRE, MPLS and PPP by the first nibble or the protocol
# field, Cisco HDLC and 802.11 by ethertype.
for kind in ipip ip-in-ip6 teredo ayiya gtpu gre mpls pppoe ppp chdlc wlan-radiotap; do
	/usr/bin/python3 "$wrap" "$kind" testdata/lab/handshake_client_close_v6.pcap \
		"$out/handshake-v6-$kind.pcap"
done
# The UDP tunnels cut by the snaplen inside their own header (after the
# outer Ethernet, IPv4 and UDP headers: 42 bytes).
for kind in vxlan geneve gtpu; do
	/usr/bin/python3 "$wrap" --snaplen 46 "$kind" testdata/lab/refused.pcap \
		"$out/refused-$kind-snaplen46.pcap"
done
