/*
 * The metrics text handed from the engine thread to the threads that
 * send it (the textfile writer, the HTTP server) without any of them
 * waiting for another's work: each text is immutable once published
 * and counted by reference, and the mutex is held only to swap the
 * latest pointer and take a reference.
 *
 *	x = metrics_exchange_new();
 *	engine thread:  t = metrics_text_new(len); fill t->text;
 *	                metrics_exchange_publish(x, t);
 *	HTTP thread:    t = metrics_exchange_latest(x); send; metrics_text_unref(t);
 *	writer thread:  while ((t = metrics_exchange_wait(x, &seen))) {
 *	                        write; metrics_text_unref(t); }
 *	metrics_exchange_close(x);  the waiter gets what is left, then NULL
 *	metrics_exchange_free(x);
 */
#ifndef TCPLENS_METRICS_EXCHANGE_H
#define TCPLENS_METRICS_EXCHANGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct metrics_text {
	atomic_uint refs;
	size_t len;
	char text[];                    /* len bytes and a NUL */
};

/* A text of len bytes (text[len] = NUL), one reference; NULL: no memory. */
struct metrics_text *metrics_text_new(size_t len);
/* Drops a reference; the last frees it.  t may be NULL. */
void metrics_text_unref(struct metrics_text *t);

struct metrics_exchange;

struct metrics_exchange *metrics_exchange_new(void);
void metrics_exchange_free(struct metrics_exchange *x);
/* Engine thread: t becomes the latest (the exchange takes its reference). */
void metrics_exchange_publish(struct metrics_exchange *x,
			      struct metrics_text *t);
/* Any thread: the latest text with a reference for the caller, or NULL. */
struct metrics_text *metrics_exchange_latest(struct metrics_exchange *x);
/*
 * Waits until a text newer than the one *seen counts is published (or
 * the exchange is closed): returns the latest, with a reference, and
 * moves *seen on; NULL once closed with nothing newer.
 */
struct metrics_text *metrics_exchange_wait(struct metrics_exchange *x,
					   uint64_t *seen);
/* No more texts: a waiter returns what is newer, then NULL. */
void metrics_exchange_close(struct metrics_exchange *x);

#endif
