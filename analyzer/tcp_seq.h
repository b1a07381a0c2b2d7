/*
 * 32-bit sequence-space arithmetic (RFC 1982 serial numbers), as Linux's
 * before()/after() in include/net/tcp.h: compare through the signed
 * difference so that wraparound past 2^32 is handled everywhere.
 */
#ifndef TCPLENS_TCP_SEQ_H
#define TCPLENS_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool tcp_seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool tcp_seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

static inline bool tcp_seq_before_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline bool tcp_seq_after_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) <= 0;
}

/* a <= x < b in sequence space. */
static inline bool tcp_seq_in(uint32_t x, uint32_t a, uint32_t b)
{
	return tcp_seq_after_eq(x, a) && tcp_seq_before(x, b);
}

static inline uint32_t tcp_seq_max(uint32_t a, uint32_t b)
{
	return tcp_seq_after(a, b) ? a : b;
}

#endif
