/*
 * The names of ICMP and ICMPv6 error messages, as tcpdump and the RFCs
 * word them ("port unreachable", "packet too big"): for findings and
 * reports that name what an error said.
 */
#ifndef TCPLENS_ICMP_MESSAGE_H
#define TCPLENS_ICMP_MESSAGE_H

#include <stdint.h>

/* version 4 (ICMP) or 6 (ICMPv6); a generic name for unknown ones. */
const char *icmp_message_name(uint8_t version, uint8_t type, uint8_t code);

#endif
