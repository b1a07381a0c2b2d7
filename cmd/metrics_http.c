#include "metrics_http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics_prom.h"

struct metrics_http {
	struct MHD_Daemon *daemon;
	struct metrics_exchange *x;
	int fd;
};

/* spec's host (default METRICS_HTTP_DEFAULT_ADDR) and port strings. */
static bool split_spec(const char *spec, char *host, size_t host_len,
		       const char **port)
{
	const char *colon;
	size_t n;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || end[1] != ':')
			return false;
		n = (size_t)(end - spec - 1);
		spec++;
		colon = end + 1;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		n = (size_t)(colon - spec);
		/* A bare IPv6 address needs its brackets. */
		if (memchr(spec, ':', n) != NULL)
			return false;
	} else {
		snprintf(host, host_len, "%s", METRICS_HTTP_DEFAULT_ADDR);
		*port = spec;
		return true;
	}
	if (n == 0 || n >= host_len)
		return false;
	memcpy(host, spec, n);
	host[n] = '\0';
	*port = colon + 1;
	return true;
}

static bool port_valid(const char *p)
{
	char *end;
	long v;

	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtol(p, &end, 10);
	return errno == 0 && *end == '\0' && v >= 1 && v <= 65535;
}

bool metrics_http_spec_valid(const char *spec)
{
	char host[256];
	const char *port;

	return split_spec(spec, host, sizeof(host), &port) && port_valid(port);
}

/* A listening socket on spec, or -1 with why said. */
static int listen_on(const char *spec, char *why, size_t why_len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *ai;
	char host[256];
	const char *port;
	int fd, one = 1, rc, error;

	if (!split_spec(spec, host, sizeof(host), &port) || !port_valid(port)) {
		snprintf(why, why_len, "--metrics-listen: '%s' is not [ADDR:]PORT", spec);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(why, why_len, "--metrics-listen %s: %s", spec,
			 gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
		    listen(fd, 16) != 0) {
			error = errno;
			close(fd);
			fd = -1;
			errno = error;
		}
	}
	if (fd < 0)
		snprintf(why, why_len, "--metrics-listen %s%s%s:%s: %s",
			 strchr(host, ':') != NULL ? "[" : "", host,
			 strchr(host, ':') != NULL ? "]" : "", port,
			 strerror(errno));
	freeaddrinfo(ai);
	return fd;
}

static void text_done(void *cls)
{
	metrics_text_unref(cls);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     struct MHD_Response *r, const char *type)
{
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status,
			     const char *text)
{
	return reply(c, status,
		     MHD_create_response_from_buffer(strlen(text), (void *)text,
						     MHD_RESPMEM_PERSISTENT),
		     "text/plain; charset=utf-8");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	struct metrics_http *h = cls;
	struct metrics_text *t;
	struct MHD_Response *r;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	if (strcmp(url, "/metrics") != 0)
		return plain(c, MHD_HTTP_NOT_FOUND, "not found: tcplens serves /metrics\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	t = metrics_exchange_latest(h->x);
	if (t == NULL)
		return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			     "no metrics yet: the first come after --interval\n");
	r = MHD_create_response_from_buffer_with_free_callback_cls(
		t->len, t->text, text_done, t);
	if (r == NULL) {
		metrics_text_unref(t);
		return MHD_NO;
	}
	return reply(c, MHD_HTTP_OK, r, METRICS_PROM_CONTENT_TYPE);
}

struct metrics_http *metrics_http_start(const char *spec,
					struct metrics_exchange *x,
					char *why, size_t why_len)
{
	struct metrics_http *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	h->x = x;
	h->fd = listen_on(spec, why, why_len);
	if (h->fd < 0) {
		free(h);
		return NULL;
	}
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
		on_request, h, MHD_OPTION_LISTEN_SOCKET, h->fd,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		MHD_OPTION_END);
	if (h->daemon == NULL) {
		snprintf(why, why_len, "--metrics-listen %s: the HTTP server did not start",
			 spec);
		close(h->fd);
		free(h);
		return NULL;
	}
	return h;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	/* It closes the listening socket too. */
	MHD_stop_daemon(h->daemon);
	free(h);
}
