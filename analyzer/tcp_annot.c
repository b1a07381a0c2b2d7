#include "tcp_annot.h"

static const char *const tcp_annot_keys[TCP_ANNOT_COUNT] = {
#define TCP_ANNOT_KEY(name, key) key,
	TCP_ANNOT_LIST(TCP_ANNOT_KEY)
#undef TCP_ANNOT_KEY
};

const char *tcp_annot_key(enum tcp_annot a)
{
	return (unsigned)a < TCP_ANNOT_COUNT ? tcp_annot_keys[a] : "?";
}
