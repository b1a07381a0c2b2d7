/*
 * Snapshots handed from the engine thread to the dashboard's display
 * thread without either ever waiting for the other's work: three frames
 * (a snapshot and the capture's counts with it) rotate between a back
 * one the engine fills, a ready one, and a front one the display reads.
 * A mutex is held only to swap two pointers.
 *
 *	x = snapshot_exchange_new(parts);
 *	engine thread:  f = snapshot_exchange_back(x);
 *	                engine_snapshot_take(e, &f->snap); f->counts = ...;
 *	                snapshot_exchange_publish(x);
 *	display thread: f = snapshot_exchange_fresh(x);   NULL: nothing new
 *	snapshot_exchange_free(x);
 *
 * A take marks each finding's change against the take that buffer held
 * before, three takes ago: the display must not trust those marks
 * (dashboard.h merges the findings by key itself).
 */
#ifndef TCPLENS_SNAPSHOT_EXCHANGE_H
#define TCPLENS_SNAPSHOT_EXCHANGE_H

#include <stdbool.h>

#include "dashboard.h"
#include "engine.h"
#include "live_counts.h"

/* What the display draws from: one snapshot and what the feed counted. */
struct live_frame {
	struct engine_snapshot snap;
	/* The connections the take listed (snap.query's ctx). */
	struct dash_conn_query conns_query;
	struct live_counts counts;
	uint64_t flows;                 /* tracked by the analyzer */
	bool ended;                     /* the input ended: nothing follows */
};

struct snapshot_exchange;

/* NULL when memory ran out; parts: enum engine_snapshot_part bits. */
struct snapshot_exchange *snapshot_exchange_new(unsigned parts);
void snapshot_exchange_free(struct snapshot_exchange *x);

/* Engine thread: the frame to fill; it is the engine's until published. */
struct live_frame *snapshot_exchange_back(struct snapshot_exchange *x);
/* Engine thread: the back frame becomes the ready one. */
void snapshot_exchange_publish(struct snapshot_exchange *x);
/*
 * Engine thread: whether the display has not yet taken the last frame
 * published (a paused display): a take now would be thrown away.
 */
bool snapshot_exchange_pending(struct snapshot_exchange *x);
/*
 * Display thread: the connection whose ladder the next takes copy
 * (engine_snapshot_want_ladder(); 0: none).  The engine applies it to
 * each frame it fills.
 */
void snapshot_exchange_want_ladder(struct snapshot_exchange *x, uint64_t uid);
/*
 * Engine thread: the ladder the display wants now (0: none), to watch
 * from the next packet on (engine_watch_ladder()), not the next take.
 */
uint64_t snapshot_exchange_ladder_wanted(struct snapshot_exchange *x);
/*
 * Display thread: the connections the next takes list (what the display
 * shows: dash_conns_want()).  The engine applies it to each frame it
 * fills; until the first call, frames list every live flow.
 */
void snapshot_exchange_want_conns(struct snapshot_exchange *x,
				  const struct dash_conn_query *q,
				  size_t limit);
/*
 * Engine thread: a number that changes whenever the display's wants do
 * (the ladder, the connections): once the input ended, a change asks for
 * a new frame of the engine's state as it stands.
 */
unsigned snapshot_exchange_wants(struct snapshot_exchange *x);
/*
 * Display thread: the newest frame published since the last call, now
 * the display's until the next call; NULL when none was published.
 */
const struct live_frame *snapshot_exchange_fresh(struct snapshot_exchange *x);

#endif
