#include "tcp_state.h"

#include <string.h>

static const char *const tcp_state_names[TCP_STATE_COUNT] = {
#define TCP_STATE_NAME(name, str) str,
	TCP_STATE_LIST(TCP_STATE_NAME)
#undef TCP_STATE_NAME
};

const char *tcp_state_name(enum tcp_state s)
{
	return (unsigned)s < TCP_STATE_COUNT ? tcp_state_names[s] : "?";
}

int tcp_state_from_name(const char *s)
{
	for (int i = 0; i < TCP_STATE_COUNT; i++)
		if (strcmp(s, tcp_state_names[i]) == 0)
			return i;
	return -1;
}
