#include "client_tally.h"

#include <math.h>
#include <string.h>

/* Below this many bits set, two clients share one bit less than 1 in 8. */
#define CLIENT_TALLY_EXACT_BITS 16

static uint64_t client_hash(const uint8_t addr[16], uint16_t tunnel)
{
	uint64_t a, b, h;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	h = (a ^ 0x9e3779b97f4a7c15ULL) * 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	h = (h ^ b ^ tunnel) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 32);
}

void client_tally_add(struct client_tally *t, const uint8_t addr[16],
		      uint8_t family, uint16_t tunnel)
{
	uint64_t bit = client_hash(addr, tunnel) % CLIENT_TALLY_BITS;

	if (t->family == 0) {
		memcpy(t->first, addr, 16);
		t->family = family;
		t->first_tunnel = tunnel;
	}
	t->bits[bit / 64] |= 1ULL << (bit % 64);
}

void client_tally_join(struct client_tally *into,
		       const struct client_tally *from)
{
	if (into->family == 0 && from->family != 0) {
		memcpy(into->first, from->first, 16);
		into->family = from->family;
		into->first_tunnel = from->first_tunnel;
	}
	for (int i = 0; i < CLIENT_TALLY_BITS / 64; i++)
		into->bits[i] |= from->bits[i];
}

static unsigned bits_set(const struct client_tally *t)
{
	unsigned n = 0;

	for (int i = 0; i < CLIENT_TALLY_BITS / 64; i++)
		n += (unsigned)__builtin_popcountll(t->bits[i]);
	return n;
}

uint64_t client_tally_count(const struct client_tally *t)
{
	unsigned set = bits_set(t);
	double m = CLIENT_TALLY_BITS;

	if (set == CLIENT_TALLY_BITS)
		set--;          /* saturated: the estimate is a lower bound */
	return (uint64_t)llround(-m * log(1 - set / m));
}

bool client_tally_exact(const struct client_tally *t)
{
	return bits_set(t) <= CLIENT_TALLY_EXACT_BITS;
}

bool client_tally_saturated(const struct client_tally *t)
{
	return bits_set(t) == CLIENT_TALLY_BITS;
}
