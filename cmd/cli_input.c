#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <getopt.h>

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include "decode.h"
#include "packet_pipe.h"

/*
 * One line on stderr whatever the message holds: a file name with a
 * newline, an escape sequence or a tab in it is shown as \n, \033, \t,
 * so it can neither forge a second line nor drive the terminal.
 */
static void say(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	char *text = line;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n >= (int)sizeof(line) && (text = malloc((size_t)n + 1)) != NULL)
		vsnprintf(text, (size_t)n + 1, fmt, again);
	else if (text == NULL)
		text = line;
	va_end(again);
	fputs(prefix, stderr);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p == '\t')
			fputs("\\t", stderr);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\%03o", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	if (text != line)
		free(text);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("tcplens: ", fmt, ap);
	va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("tcplens: warning: ", fmt, ap);
	va_end(ap);
}

/* say() over a message already formatted. */
static void say_text(const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say_text(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prefix, fmt, ap);
	va_end(ap);
}

int cli_usage(const char *cmd, int *rc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say_text("tcplens: ", "%s; try 'tcplens%s%s --help'", msg,
		 cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
	if (rc != NULL)
		*rc = CLI_EXIT_USAGE;
	return -1;
}

/* The long options name begins, when there is more than one. */
static bool ambiguous(const char *name, size_t len,
		      const struct option *longopts, char *list, size_t size)
{
	size_t n = 0, k = 0;

	list[0] = '\0';
	for (const struct option *o = longopts; o != NULL && o->name != NULL; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (strlen(o->name) == len)
			return false;
		if (k < size) {
			int w = snprintf(list + k, size - k, "%s--%s",
					 n > 0 ? ", " : "", o->name);

			k += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	return n > 1;
}

int cli_option_error(const char *cmd, int ch, char *const argv[],
		     const struct option *longopts, int *rc)
{
	const char *arg = argv[optind - 1];
	char shortopt[3] = {'-', (char)optopt, '\0'};
	bool is_long = strncmp(arg, "--", 2) == 0;
	size_t len = strcspn(arg, "=");
	char list[256];

	/* A short option's letter is optopt; argv may be further on. */
	if (!is_long && optopt != 0) {
		arg = shortopt;
		len = 2;
	}
	if (ch == ':')
		return cli_usage(cmd, rc, "%s: option '%.*s' needs a value",
				 cmd, (int)len, arg);
	if (is_long && optopt != 0)
		return cli_usage(cmd, rc, "%s: option '%.*s' takes no value",
				 cmd, (int)len, arg);
	if (is_long && ambiguous(arg + 2, len - 2, longopts, list, sizeof(list)))
		return cli_usage(cmd, rc, "%s: option '%.*s' is ambiguous (%s)",
				 cmd, (int)len, arg, list);
	return cli_usage(cmd, rc, "%s: unknown option '%.*s'", cmd, (int)len,
			 arg);
}

enum cli_exit cli_finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("cannot write output: %s", strerror(errno));
		return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_OK;
}

enum cli_exit cli_capture_exit(enum capture_error err)
{
	switch (err) {
	case CAPTURE_OK: return CLI_EXIT_OK;
	case CAPTURE_ERR_OPEN: return CLI_EXIT_INPUT;
	case CAPTURE_ERR_FORMAT: return CLI_EXIT_NOT_CAPTURE;
	case CAPTURE_ERR_LINK_TYPE: return CLI_EXIT_LINK_TYPE;
	case CAPTURE_ERR_FILTER: return CLI_EXIT_FILTER;
	case CAPTURE_ERR_USAGE: return CLI_EXIT_USAGE;
	case CAPTURE_ERR_NO_MEMORY: return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_INTERNAL;
}

static void facts_add_links(const struct capture_input_info *in,
			    struct quality_source_facts *out)
{
	for (size_t k = 0; k < in->n_skipped_links; k++) {
		const struct capture_skipped_link *sk = &in->skipped_links[k];
		size_t j;

		for (j = 0; j < out->n_links; j++)
			if (out->links[j].dlt == sk->dlt)
				break;
		if (j == out->n_links && j < QUALITY_MAX_LINKS) {
			out->links[j].dlt = sk->dlt;
			out->links[j].name = capture_link_type_name(sk->dlt);
			out->n_links++;
		}
		if (j < QUALITY_MAX_LINKS)
			out->links[j].records += sk->records;
	}
	out->unsupported_link_records += in->unsupported_link_records;
}

void cli_quality_facts(const struct capture_source *src,
		       struct quality_source_facts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < capture_source_input_count(src); i++) {
		const struct capture_input_info *in = capture_source_input(src, i);

		facts_add_links(in, out);
		out->unfiltered_records += in->unfiltered_records;
		out->broken_inputs += in->broken_at_frame != 0;
		out->unread_bytes += in->unread_bytes;
		out->file_bytes += in->file_bytes;
		out->interfaces_with_stats += in->interfaces_with_stats;
		out->has_ifdrop |= in->has_ifdrop;
		out->has_osdrop |= in->has_osdrop;
		out->ifdrop += in->ifdrop;
		out->osdrop += in->osdrop;
	}
}

bool cli_capture_end(const struct capture_source *src, int64_t *end_ns)
{
	bool found = false;

	for (size_t i = 0; i < capture_source_input_count(src); i++) {
		const struct capture_input_info *in = capture_source_input(src, i);

		if (in->has_end_time && (!found || in->end_time_ns > *end_ns)) {
			*end_ns = in->end_time_ns;
			found = true;
		}
	}
	return found;
}

int cli_ts_decimals(const struct capture_source *src)
{
	for (size_t i = 0; i < capture_source_input_count(src); i++) {
		const struct capture_input_info *in = capture_source_input(src, i);

		if (in->format != CAPTURE_FORMAT_PCAP || in->nanosecond)
			return 9;
	}
	return 6;
}

/*
 * Progress on a terminal only, at most five times a second.  Wall-clock
 * time is fine here: it paces the display, never the analysis.
 */
struct progress {
	bool on;
	struct timespec last;
	bool shown;
};

/* Whether a progress line is due now (and then it counts as shown). */
static bool progress_due(struct progress *p)
{
	struct timespec now;
	double dt;

	if (!p->on)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - p->last.tv_sec) +
	     (double)(now.tv_nsec - p->last.tv_nsec) / 1e9;
	if (dt < 0.2)
		return false;
	p->last = now;
	return true;
}

static void progress_show(struct progress *p, uint64_t frames, uint64_t done,
			  uint64_t total)
{
	if (total > 0)
		fprintf(stderr, "\rtcplens: %" PRIu64 " frames, %3.0f%% ", frames,
			100.0 * (double)done / (double)total);
	else
		fprintf(stderr, "\rtcplens: %" PRIu64 " frames ", frames);
	p->shown = true;
}

static void progress_tick(struct progress *p, const struct capture_source *src,
			  uint64_t frames)
{
	uint64_t done, total;

	if (!progress_due(p))
		return;
	capture_source_progress(src, &done, &total);
	progress_show(p, frames, done, total);
}

static void progress_end(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
}

/* What the per-frame callback needs: decode, number, hand on. */
struct cli_loop {
	cli_packet_fn fn;
	void *ctx;
	bool checksums;
	uint64_t frame_no;
	struct packet pkt;
	/* Pipelined: decoded packets go to the analysing thread. */
	struct packet_pipe *pipe;
	bool out_of_memory;
};

static void decode_frame(struct cli_loop *loop, struct packet *pkt,
			 const struct capture_frame *frame, const uint8_t *data)
{
	decode_packet_opt(pkt, frame->link_type, data, frame->cap_len,
			  frame->wire_len, loop->checksums);
	pkt->frame_no = ++loop->frame_no;
	pkt->ts = frame->ts;
	pkt->has_ts = frame->has_ts;
}

static void cli_on_frame(void *arg, const struct capture_frame *frame)
{
	struct cli_loop *loop = arg;

	decode_frame(loop, &loop->pkt, frame, frame->data);
	loop->fn(loop->ctx, &loop->pkt);
}

/*
 * libpcap reuses its buffer for the next frame, so the frame is copied
 * into the pipe and decoded from the copy, which lives as long as the
 * packet does.
 */
static void cli_on_frame_piped(void *arg, const struct capture_frame *frame)
{
	struct cli_loop *loop = arg;
	uint8_t *copy;
	struct packet *pkt;

	if (loop->out_of_memory)
		return;
	pkt = packet_pipe_reserve(loop->pipe, frame->cap_len, &copy);
	if (pkt == NULL) {
		loop->out_of_memory = true;
		return;
	}
	/* A record can hold no bytes at all; libpcap may then give no data. */
	if (frame->cap_len > 0)
		memcpy(copy, frame->data, frame->cap_len);
	decode_frame(loop, pkt, frame, copy);
	packet_pipe_commit(loop->pipe);
}

static void print_warnings(struct capture_source *src, struct progress *p)
{
	const char *warning;

	while ((warning = capture_source_take_warning(src)) != NULL) {
		progress_end(p);
		p->shown = false;
		cli_warning("%s", warning);
	}
}

/*
 * Frames are read in batches of CLI_BATCH: between batches come the
 * progress line and the warnings of inputs that broke off (the others
 * go on); within one, libpcap's loop feeds frames straight to the
 * decoder.
 */
enum { CLI_BATCH = 16384 };

struct reader {
	struct capture_source *src;
	struct cli_loop *loop;
	struct progress progress;
	capture_frame_fn on_frame;
	/*
	 * Set by the analysing thread when standard output failed (a full
	 * disk): reading stops at the next batch instead of analysing the
	 * rest for nothing.
	 */
	atomic_bool output_failed;
};

/*
 * Whether what was printed so far could not be written.  A command
 * streams its output (timeline, follow, flows --sort none) through
 * stdio, whose error flag says so once a buffer failed to go out.
 */
static bool output_failed(void)
{
	return ferror(stdout) != 0;
}

/* Every frame of every input, with progress and warnings between batches. */
static void read_all(struct reader *r)
{
	while (!output_failed() &&
	       capture_source_run(r->src, r->on_frame, r->loop, CLI_BATCH) > 0) {
		progress_tick(&r->progress, r->src, r->loop->frame_no);
		print_warnings(r->src, &r->progress);
	}
	progress_end(&r->progress);
	print_warnings(r->src, &r->progress);
	if (output_failed())
		atomic_store(&r->output_failed, true);
}

static void note(struct cli_loop *loop, const struct pipe_note *n)
{
	if (!loop->out_of_memory && !packet_pipe_note(loop->pipe, n))
		loop->out_of_memory = true;
}

static void note_warnings(struct reader *r)
{
	const char *warning;

	while ((warning = capture_source_take_warning(r->src)) != NULL) {
		struct pipe_note n = {.text = warning};

		note(r->loop, &n);
	}
}

/*
 * read_all() on the reading thread: progress and warnings go through
 * the pipe as notes, and the analysing thread prints them in order.
 */
static void *reader_thread(void *arg)
{
	struct reader *r = arg;
	struct cli_loop *loop = r->loop;

	while (!loop->out_of_memory && !atomic_load(&r->output_failed) &&
	       capture_source_run(r->src, r->on_frame, loop, CLI_BATCH) > 0) {
		if (progress_due(&r->progress)) {
			struct pipe_note n = {.is_progress = true,
					      .frames = loop->frame_no};

			capture_source_progress(r->src, &n.done, &n.total);
			note(loop, &n);
		}
		note_warnings(r);
	}
	note_warnings(r);
	packet_pipe_close(loop->pipe);
	return NULL;
}

/* The analysing thread says what the reader noted. */
static void say_notes(struct progress *shown, const struct pipe_note *notes,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (notes[i].is_progress) {
			progress_show(shown, notes[i].frames, notes[i].done,
				      notes[i].total);
		} else {
			progress_end(shown);
			shown->shown = false;
			cli_warning("%s", notes[i].text);
		}
	}
}

/*
 * Reading and decoding on a second thread, analysis on this one: the
 * two halves cost about the same, so on two cores the whole takes not
 * much longer than the slower half.  False when the thread or the pipe
 * could not be had: the caller then runs everything here.
 */
static bool run_pipelined(struct reader *r)
{
	struct cli_loop *loop = r->loop;
	/*
	 * Copied out: the reader thread writes loop->frame_no for every
	 * frame, and reading fn and ctx from a line it keeps dirty cost the
	 * engine a cache-line round trip per packet (flows +10%, depending
	 * only on where the stack put loop).
	 */
	cli_packet_fn fn = loop->fn;
	void *ctx = loop->ctx;
	struct progress shown = r->progress;
	const struct pipe_note *notes;
	pthread_t thread;
	struct packet *pkts;
	size_t n, n_notes;

	loop->pipe = packet_pipe_new(PACKET_PIPE_FILE_BATCHES);
	if (loop->pipe == NULL)
		return false;
	r->on_frame = cli_on_frame_piped;
	if (pthread_create(&thread, NULL, reader_thread, r) != 0) {
		r->on_frame = cli_on_frame;
		packet_pipe_free(loop->pipe);
		loop->pipe = NULL;
		return false;
	}
	/* After an output failure the pipe is drained, not analysed. */
	while (packet_pipe_take(loop->pipe, &pkts, &n, &notes, &n_notes)) {
		if (!atomic_load(&r->output_failed)) {
			for (size_t i = 0; i < n; i++)
				fn(ctx, &pkts[i]);
			say_notes(&shown, notes, n_notes);
			if (output_failed())
				atomic_store(&r->output_failed, true);
		}
		packet_pipe_release(loop->pipe);
	}
	pthread_join(thread, NULL);
	progress_end(&shown);
	packet_pipe_free(loop->pipe);
	loop->pipe = NULL;
	return true;
}

/*
 * Pipelined only when every input is a regular file: a batch waits for
 * 64 packets, so from standard input or a FIFO (tcpdump -U -w - | ...)
 * output would lag behind a slow feed.
 */
static bool inputs_are_files(const struct cli_input *in)
{
	for (size_t i = 0; i < in->n_paths; i++) {
		struct stat st;

		if (strcmp(in->paths[i], "-") == 0 ||
		    stat(in->paths[i], &st) != 0 || !S_ISREG(st.st_mode))
			return false;
	}
	return true;
}

/* pcapng records left unread, by link type: one warning per type. */
static void warn_skipped_links(const struct capture_input_info *in)
{
	uint64_t listed = 0, rest;

	for (size_t k = 0; k < in->n_skipped_links; k++) {
		const struct capture_skipped_link *sk = &in->skipped_links[k];

		listed += sk->records;
		cli_warning("%s: %" PRIu64 " record%s on interfaces of link type %d (%s) not analysed: tcplens does not decode it",
			    in->path, sk->records, sk->records == 1 ? "" : "s",
			    sk->dlt, capture_link_type_name(sk->dlt));
	}
	rest = in->unsupported_link_records - listed;
	if (rest > 0)
		cli_warning("%s: %" PRIu64 " more record%s on interfaces of other link types not analysed",
			    in->path, rest, rest == 1 ? "" : "s");
	if (in->unfiltered_records > 0)
		cli_warning("%s: %" PRIu64 " record%s left out: the filter does not compile for the link type of %s interface",
			    in->path, in->unfiltered_records,
			    in->unfiltered_records == 1 ? "" : "s",
			    in->unfiltered_records == 1 ? "its" : "their");
}

void cli_warn_input_faults(const struct capture_source *src)
{
	for (size_t i = 0; i < capture_source_input_count(src); i++) {
		const struct capture_input_info *in = capture_source_input(src, i);

		warn_skipped_links(in);
		if (in->bad_timestamps > 0)
			cli_warning("%s: %" PRIu64 " record%s had a corrupt time (a fraction of a second of 1 s or more, or past 2106); %s analysed at the time of the frame before",
				    in->path, in->bad_timestamps,
				    in->bad_timestamps == 1 ? "" : "s",
				    in->bad_timestamps == 1 ? "it was" : "they were");
	}
}

enum cli_exit cli_run_inputs(const struct cli_input *in, cli_packet_fn fn,
			     void *ctx, struct capture_source **src_out)
{
	char msg[768];
	enum capture_error err;
	struct capture_source *src;
	struct reader r = {0};
	struct cli_loop *loop;
	bool oom;

	*src_out = NULL;
	src = capture_source_open(in->paths, in->n_paths, in->filter, &err,
				  msg, sizeof(msg));
	if (src == NULL) {
		cli_error("%s", msg);
		return cli_capture_exit(err);
	}
	loop = calloc(1, sizeof(*loop));
	if (loop == NULL) {
		capture_source_free(src);
		cli_error("out of memory");
		return CLI_EXIT_INTERNAL;
	}
	loop->fn = fn;
	loop->ctx = ctx;
	loop->checksums = in->checksums;
	r.src = src;
	r.loop = loop;
	r.on_frame = cli_on_frame;
	r.progress.on = in->progress && isatty(STDERR_FILENO);
	if (r.progress.on)
		clock_gettime(CLOCK_MONOTONIC, &r.progress.last);
	if (!in->pipelined || !inputs_are_files(in) || !run_pipelined(&r))
		read_all(&r);
	oom = loop->out_of_memory;
	free(loop);
	if (atomic_load(&r.output_failed)) {
		capture_source_free(src);
		/* Flushing again reports why (errno) the output failed. */
		fflush(stdout);
		cli_error("cannot write output: %s; stopped reading the capture",
			  strerror(errno));
		return CLI_EXIT_INTERNAL;
	}
	if (oom) {
		capture_source_free(src);
		cli_error("out of memory copying frames");
		return CLI_EXIT_INTERNAL;
	}
	cli_warn_input_faults(src);
	*src_out = src;
	return CLI_EXIT_OK;
}
