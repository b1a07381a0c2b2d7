#include "export_clickhouse.h"
#include "export_files.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SPILL_SUFFIX ".batch"
/* Each the longest wait of one request: a server hung is given up on. */
#define CONNECT_TIMEOUT_S 5L
#define REQUEST_TIMEOUT_S 30L
#define INSERT_PARAMS "insert_distributed_sync=1&input_format_skip_unknown_fields=1&query="

static const char *const kind_name[EXPORT_KINDS] = {"flows", "findings"};

struct buffer {
	char *p;
	size_t len, cap;
};

struct batch {
	struct buffer body;
	uint32_t rows;
	int64_t opened;                 /* monotonic ns */
	char id[160];                   /* SENSOR-PID-START-SEQ */
};

struct export_clickhouse {
	char *url, *spill_dir;
	char shown_url[256];            /* url for messages: no password */
	char *tables[EXPORT_KINDS];
	char *insert_url[EXPORT_KINDS];
	uint64_t spill_max;
	char id_prefix[128];
	uint64_t seq;
	struct export_clickhouse_counts *counts;
	CURL *curl;
	char curl_error[CURL_ERROR_SIZE];
	char last_error[256];           /* the last failure, one line */
	struct buffer response, spilled, resend;
	struct batch open[EXPORT_KINDS];
	bool backlog;                   /* batches wait in the spill directory */
	int64_t retry_at, backoff;      /* monotonic ns */
	uint64_t spill_failures;
};

/*
 * The URL as messages may show it: a user:password@ before the host
 * becomes ***@, since stderr ends up in logs.
 */
static void url_without_secret(const char *url, char *out, size_t len)
{
	const char *host = strstr(url, "://");
	const char *at, *end;

	host = host != NULL ? host + 3 : url;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at == NULL)
		snprintf(out, len, "%s", url);
	else
		snprintf(out, len, "%.*s***%s", (int)(host - url), url, at);
}

static bool buffer_reserve(struct buffer *b, size_t more)
{
	size_t cap = b->cap > 0 ? b->cap : 4096;
	char *p;

	if (b->len + more <= b->cap)
		return true;
	while (cap < b->len + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return false;
	b->p = p;
	b->cap = cap;
	return true;
}

static bool buffer_append(struct buffer *b, const void *p, size_t n)
{
	if (!buffer_reserve(b, n))
		return false;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return true;
}

static size_t take_response(char *p, size_t size, size_t n, void *ctx)
{
	struct buffer *b = ctx;

	/* Only the start is kept: an error's first line, a query's rows. */
	return buffer_append(b, p, size * n) ? size * n : 0;
}

static char *url_with_query(const char *base, const char *table)
{
	char sql[512];
	char *escaped, *url = NULL;
	size_t len;

	snprintf(sql, sizeof(sql), "INSERT INTO %s FORMAT JSONEachRow", table);
	escaped = curl_easy_escape(NULL, sql, 0);
	if (escaped == NULL)
		return NULL;
	/*
	 * A Distributed table answers once every shard has its rows, so a
	 * batch answered is stored and one not answered can be asked for;
	 * keys a schema has no column for (an older schema) are skipped.
	 */
	len = (size_t)snprintf(NULL, 0, "%s%s" INSERT_PARAMS "%s", base, "&",
			       escaped) + 1;
	if ((url = malloc(len)) != NULL)
		snprintf(url, len, "%s%s" INSERT_PARAMS "%s", base,
			 strchr(base, '?') != NULL ? "&" : "?", escaped);
	curl_free(escaped);
	return url;
}

static uint64_t spill_dir_bytes(const char *dir, bool *any)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;

	*any = false;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char path[4096];
		struct stat st;

		if (n <= strlen(SPILL_SUFFIX) || de->d_name[0] == '.' ||
		    strcmp(de->d_name + n - strlen(SPILL_SUFFIX), SPILL_SUFFIX) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0) {
			total += (uint64_t)st.st_size;
			*any = true;
		}
	}
	closedir(d);
	return total;
}

static bool check_spill_dir(const char *dir, char *why, size_t why_len)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, why_len, "--spill-dir: cannot make '%s': %s", dir,
			 strerror(errno));
		return false;
	}
	return export_dir_writable(dir, "--spill-dir", why, why_len);
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void free_sink(struct export_clickhouse *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	for (int k = 0; k < EXPORT_KINDS; k++) {
		free(c->tables[k]);
		free(c->insert_url[k]);
		free(c->open[k].body.p);
	}
	free(c->url);
	free(c->spill_dir);
	free(c->response.p);
	free(c->spilled.p);
	free(c->resend.p);
	free(c);
}

struct export_clickhouse *export_clickhouse_open(
	const struct export_clickhouse_config *cfg,
	struct export_clickhouse_counts *counts, char *why, size_t why_len)
{
	struct export_clickhouse *c;
	bool ok;

	if (!check_spill_dir(cfg->spill_dir, why, why_len))
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	c->counts = counts;
	c->spill_max = cfg->spill_max;
	url_without_secret(cfg->url, c->shown_url, sizeof(c->shown_url));
	ok = (c->url = strdup(cfg->url)) != NULL &&
	     (c->spill_dir = strdup(cfg->spill_dir)) != NULL &&
	     (c->curl = curl_easy_init()) != NULL;
	for (int k = 0; ok && k < EXPORT_KINDS; k++)
		ok = (c->tables[k] = strdup(cfg->tables[k])) != NULL &&
		     (c->insert_url[k] = url_with_query(cfg->url,
							cfg->tables[k])) != NULL;
	if (!ok) {
		free_sink(c);
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	snprintf(c->id_prefix, sizeof(c->id_prefix), "%s-%ld-%" PRId64,
		 cfg->sensor != NULL ? cfg->sensor : "tcplens", (long)getpid(),
		 (int64_t)(wall_ns() / 1000000000LL));
	atomic_store(&counts->spill_bytes,
		     spill_dir_bytes(cfg->spill_dir, &c->backlog));
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_error);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, take_response);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->response);
	return c;
}

/* How a request went. */
enum sent {
	SENT,                   /* the server answered 200 */
	/*
	 * Anything else: refused, no connection, an error answer, or the
	 * connection lost after the body went out.  A batch may then be
	 * stored, whole or in part: the resend asks first.
	 */
	NOT_SENT,
};

/*
 * insert: on a connection of its own.  libcurl sends a request again,
 * unasked, when a connection it reused closes before any answer: after
 * a server took an insert and died, that would store the batch twice.
 */
static enum sent post(struct export_clickhouse *c, const char *url,
		      const char *body, size_t len, bool insert)
{
	long status = 0;
	CURLcode rc;

	c->response.len = 0;
	c->curl_error[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, insert ? 1L : 0L);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(c->curl);
	buffer_append(&c->response, "", 1);     /* a string, for the errors */
	if (c->response.len > 0)
		c->response.len--;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status == 200)
		return SENT;
	atomic_fetch_add(&c->counts->failures, 1);
	if (rc != CURLE_OK) {
		snprintf(c->last_error, sizeof(c->last_error), "%s",
			 c->curl_error[0] != '\0' ? c->curl_error
						   : curl_easy_strerror(rc));
	} else {
		int n = (int)strcspn(c->response.p != NULL ? c->response.p : "",
				     "\n");

		snprintf(c->last_error, sizeof(c->last_error), "HTTP %ld: %.*s",
			 status, n > 200 ? 200 : n,
			 c->response.p != NULL ? c->response.p : "");
	}
	return NOT_SENT;
}

static void back_off(struct export_clickhouse *c, int64_t now)
{
	c->backoff = c->backoff == 0 ? EXPORT_RETRY_MIN_NS : c->backoff * 2;
	if (c->backoff > EXPORT_RETRY_MAX_NS)
		c->backoff = EXPORT_RETRY_MAX_NS;
	c->retry_at = now + c->backoff;
}

/* The batch's body to DIR/WALLNS-KIND-ID.batch, if the cap allows. */
static void spill(struct export_clickhouse *c, enum export_kind kind,
		  const struct batch *b)
{
	char tmp[4096], path[4096];
	FILE *out;
	bool ok;

	if (atomic_load(&c->counts->spill_bytes) + b->body.len > c->spill_max) {
		atomic_fetch_add(&c->counts->dropped, b->rows);
		return;
	}
	snprintf(path, sizeof(path), "%s/%020" PRId64 "-%s-%s" SPILL_SUFFIX,
		 c->spill_dir, wall_ns(), kind_name[kind], b->id);
	/* Hidden, and of this process: another sensor may share the directory. */
	snprintf(tmp, sizeof(tmp), "%s/.spill-%ld.tmp", c->spill_dir,
		 (long)getpid());
	out = fopen(tmp, "w");
	ok = out != NULL && fwrite(b->body.p, 1, b->body.len, out) == b->body.len;
	ok = out != NULL && fclose(out) == 0 && ok;
	if (ok && rename(tmp, path) == 0) {
		atomic_fetch_add(&c->counts->spill_bytes, b->body.len);
		c->backlog = true;
		return;
	}
	unlink(tmp);
	c->spill_failures++;
	atomic_fetch_add(&c->counts->dropped, b->rows);
}

static void seal(struct export_clickhouse *c, enum export_kind kind,
		 int64_t now)
{
	struct batch *b = &c->open[kind];

	if (b->rows == 0)
		return;
	if (!c->backlog && now >= c->retry_at &&
	    post(c, c->insert_url[kind], b->body.p, b->body.len, true) == SENT) {
		atomic_fetch_add(&c->counts->inserted, b->rows);
		c->backoff = 0;
	} else {
		if (!c->backlog)
			back_off(c, now);
		spill(c, kind, b);
	}
	b->body.len = 0;
	b->rows = 0;
}

void export_clickhouse_add(struct export_clickhouse *c, enum export_kind kind,
			   const char *line, size_t len, int64_t now_mono)
{
	struct batch *b = &c->open[kind];
	char head[224];
	int n;

	if (len < 2 || line[0] != '{')
		return;
	if (b->rows == 0) {
		b->opened = now_mono;
		snprintf(b->id, sizeof(b->id), "%s-%" PRIu64, c->id_prefix,
			 ++c->seq);
	}
	n = snprintf(head, sizeof(head), "{\"batch\":\"%s/%" PRIu32 "\",",
		     b->id, b->rows);
	if (!buffer_reserve(&b->body, (size_t)n + len)) {
		atomic_fetch_add(&c->counts->dropped, 1);
		return;
	}
	buffer_append(&b->body, head, (size_t)n);
	buffer_append(&b->body, line + 1, len - 1);
	buffer_append(&b->body, "\n", 1);
	b->rows++;
	if (b->rows >= EXPORT_BATCH_ROWS || b->body.len >= EXPORT_BATCH_BYTES)
		seal(c, kind, now_mono);
}

/* A spilled batch's file into c->spilled; false when it cannot be read. */
static bool read_spilled(struct export_clickhouse *c, const char *path)
{
	FILE *in = fopen(path, "r");
	char chunk[65536];
	size_t n;
	bool ok = in != NULL;

	c->spilled.len = 0;
	while (ok && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		ok = buffer_append(&c->spilled, chunk, n);
	if (in != NULL)
		ok = !ferror(in) && fclose(in) == 0 && ok;
	return ok;
}

/* The row of a line {"batch":"ID/ROW",...; -1 when it has none. */
static long line_row(const char *line, size_t id_len)
{
	const char *p = line + strlen("{\"batch\":\"") + id_len + 1;

	return strtol(p, NULL, 10);
}

/*
 * The rows of batch id already stored, asked for, then the others
 * into c->resend; false when the server could not answer.
 */
static bool rows_missing(struct export_clickhouse *c, enum export_kind kind,
			 const char *id)
{
	size_t id_len = strlen(id);
	char sql[640];
	uint8_t *stored;
	size_t rows = 0;
	const char *p, *end = c->spilled.p + c->spilled.len;

	for (p = c->spilled.p; p < end; p++)
		rows += *p == '\n';
	snprintf(sql, sizeof(sql),
		 "SELECT batch FROM %s WHERE substring(batch, 1, %zu) = '%s/' FORMAT TabSeparated",
		 c->tables[kind], id_len + 1, id);
	if (post(c, c->url, sql, strlen(sql), false) != SENT)
		return false;
	if ((stored = calloc(rows + 1, 1)) == NULL)
		return false;
	for (p = c->response.p; p != NULL && *p != '\0';) {
		const char *slash = strchr(p, '/');
		unsigned long row = slash != NULL ? strtoul(slash + 1, NULL, 10) : rows;

		if (row < rows)
			stored[row] = 1;
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	c->resend.len = 0;
	for (p = c->spilled.p; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		long row = line_row(p, id_len);

		if (row < 0 || (size_t)row >= rows || !stored[row])
			buffer_append(&c->resend, p, n);
		p += n;
	}
	free(stored);
	return true;
}

static int spill_name(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > strlen(SPILL_SUFFIX) &&
	       strcmp(de->d_name + n - strlen(SPILL_SUFFIX), SPILL_SUFFIX) == 0;
}

/* WALLNS-KIND-ID.batch: the kind and the ID; false when not one of ours. */
static bool parse_spill_name(const char *name, enum export_kind *kind,
			     char *id, size_t id_len)
{
	const char *k = strchr(name, '-');
	size_t n;

	if (k == NULL)
		return false;
	k++;
	for (int i = 0; i < EXPORT_KINDS; i++) {
		size_t kl = strlen(kind_name[i]);

		if (strncmp(k, kind_name[i], kl) != 0 || k[kl] != '-')
			continue;
		n = strlen(k + kl + 1) - strlen(SPILL_SUFFIX);
		if (n == 0 || n >= id_len)
			return false;
		memcpy(id, k + kl + 1, n);
		id[n] = '\0';
		*kind = (enum export_kind)i;
		return true;
	}
	return false;
}

/* One spilled batch sent and removed; false when the server failed. */
static bool replay_one(struct export_clickhouse *c, const char *name)
{
	char path[4096], id[200];
	enum export_kind kind;
	struct stat st;
	size_t rows = 0;

	snprintf(path, sizeof(path), "%s/%s", c->spill_dir, name);
	if (stat(path, &st) != 0 || !parse_spill_name(name, &kind, id, sizeof(id)) ||
	    !read_spilled(c, path))
		return true;    /* not ours, or gone: nothing to send */
	if (!rows_missing(c, kind, id))
		return false;
	for (size_t i = 0; i < c->resend.len; i++)
		rows += c->resend.p[i] == '\n';
	if (rows > 0 && post(c, c->insert_url[kind], c->resend.p,
			     c->resend.len, true) != SENT)
		return false;
	atomic_fetch_add(&c->counts->inserted, rows);
	unlink(path);
	atomic_fetch_sub(&c->counts->spill_bytes, (uint64_t)st.st_size);
	return true;
}

/* The spill directory's batches, oldest first, until one fails. */
static void replay(struct export_clickhouse *c, int64_t now)
{
	struct dirent **names = NULL;
	int n = scandir(c->spill_dir, &names, spill_name, alphasort);
	int i;

	for (i = 0; i < n && replay_one(c, names[i]->d_name); i++)
		;
	if (i == n || n < 0) {
		c->backlog = false;
		c->backoff = 0;
	} else {
		back_off(c, now);
	}
	for (int j = 0; j < n; j++)
		free(names[j]);
	free(names);
}

int64_t export_clickhouse_work(struct export_clickhouse *c, int64_t now_mono)
{
	int64_t next = now_mono + EXPORT_BATCH_NS;

	if (c->backlog && now_mono >= c->retry_at)
		replay(c, now_mono);
	for (int k = 0; k < EXPORT_KINDS; k++) {
		struct batch *b = &c->open[k];

		if (b->rows > 0 && now_mono - b->opened >= EXPORT_BATCH_NS)
			seal(c, (enum export_kind)k, now_mono);
		if (b->rows > 0 && b->opened + EXPORT_BATCH_NS < next)
			next = b->opened + EXPORT_BATCH_NS;
	}
	if (c->backlog && c->retry_at < next)
		next = c->retry_at;
	return next;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool export_clickhouse_close(struct export_clickhouse *c, int64_t linger_ns,
			     char *why, size_t why_len)
{
	int64_t now, until;
	uint64_t left, dropped;

	if (c == NULL)
		return true;
	now = mono_ns();
	until = now + linger_ns;
	/* A server that hangs holds the end no longer than the linger. */
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS,
			 (long)(linger_ns / 1000000 > 0 ? linger_ns / 1000000 : 1));
	for (int k = 0; k < EXPORT_KINDS; k++)
		seal(c, (enum export_kind)k, now);
	while (c->backlog && now < until) {
		struct timespec nap;
		int64_t wait = c->retry_at - now;

		if (wait > 0) {
			if (wait > until - now)
				wait = until - now;
			nap.tv_sec = wait / 1000000000LL;
			nap.tv_nsec = wait % 1000000000LL;
			nanosleep(&nap, NULL);
			now = mono_ns();
			continue;
		}
		replay(c, now);
		now = mono_ns();
	}
	left = atomic_load(&c->counts->spill_bytes);
	dropped = atomic_load(&c->counts->dropped);
	if (left > 0 || dropped > 0)
		snprintf(why, why_len,
			 "--clickhouse: %s: %" PRIu64 " bytes of batches left in %s for the next run, %" PRIu64 " records dropped (spill full)%s%s",
			 c->shown_url, left, c->spill_dir, dropped,
			 c->last_error[0] != '\0' ? "; last error: " : "",
			 c->last_error);
	free_sink(c);
	return dropped == 0;
}
