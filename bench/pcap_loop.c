/*
 * pcap_loop.c - the benchmark baseline: the cheapest possible pass over a
 * capture with libpcap.  It opens the file, calls pcap_next_ex() until the
 * end and counts packets and captured bytes, touching nothing else.  Every
 * other row of `make bench` is compared with this one.
 *
 * Also used by bench/make_capture.sh to count the packets of a capture.
 *
 * Usage: pcap_loop FILE
 * Prints: "<packets> packets <bytes> bytes" on stdout.  Exit 1 on error.
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_int, u_char under -std=c17 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const unsigned char *data;
	unsigned long long packets = 0, bytes = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		packets++;
		bytes += hdr->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcap_loop: %s: %s (after %llu packets)\n",
		        argv[1], pcap_geterr(p), packets);
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%llu packets %llu bytes\n", packets, bytes);
	return 0;
}
