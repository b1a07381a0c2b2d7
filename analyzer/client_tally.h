/*
 * client_tally: how many distinct clients a finding's connections had,
 * in under 100 bytes whatever their number, so that every detector group can
 * keep one and tallies of several findings can be joined (the incident
 * summary's clients).  Linear counting over 512 bits: exact in practice
 * up to a few dozen clients, within a few percent up to about 2,000,
 * then only "more than" (saturated).  Clients in different tunnels are
 * different clients even with one address.
 */
#ifndef TCPLENS_CLIENT_TALLY_H
#define TCPLENS_CLIENT_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#define CLIENT_TALLY_BITS 512

struct client_tally {
	uint64_t bits[CLIENT_TALLY_BITS / 64];
	uint8_t first[16];      /* the first client's address */
	uint8_t family;         /* its family, 4 or 6; 0: no client yet */
	uint16_t first_tunnel;  /* its tunnel (0: none) */
};

/* Notes a client: address (IPv4 in the first 4 bytes), family, tunnel. */
void client_tally_add(struct client_tally *t, const uint8_t addr[16],
		      uint8_t family, uint16_t tunnel);

/* Adds from's clients to into's. */
void client_tally_join(struct client_tally *into,
		       const struct client_tally *from);

/* The estimated number of distinct clients (0: none). */
uint64_t client_tally_count(const struct client_tally *t);

/*
 * Whether count is exact in practice (few enough that two clients
 * sharing a bit is unlikely), or only an estimate.
 */
bool client_tally_exact(const struct client_tally *t);

/* Whether so many were seen that the count is only a lower bound. */
bool client_tally_saturated(const struct client_tally *t);

#endif
