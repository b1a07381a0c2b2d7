/*
 * Giving up root once the capture handle is active, as tcpdump -Z does:
 * a process started as root becomes the user (its groups, its group
 * id, then its user id) and keeps no capability, before it reads the
 * first packet.  A process not started as root keeps what it has (it
 * captures with CAP_NET_RAW alone).
 */
#ifndef TCPLENS_PRIVILEGE_DROP_H
#define TCPLENS_PRIVILEGE_DROP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * As root: become user (NULL: "nobody"), then check that no effective
 * capability is left (/proc/self/status).  Not root: nothing.  False
 * with a one-line message in msg when the user is unknown or a step
 * failed; the caller must not go on capturing.
 */
bool privilege_drop(const char *user, char *msg, size_t msg_len);

#endif
