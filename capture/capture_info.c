#include "capture_info.h"

const char *capture_format_name(enum capture_format f)
{
	switch (f) {
	case CAPTURE_FORMAT_PCAP: return "pcap";
	case CAPTURE_FORMAT_PCAPNG: return "pcapng";
	case CAPTURE_FORMAT_UNKNOWN: break;
	}
	return "unknown";
}
