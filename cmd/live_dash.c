#include "live_dash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live_dash_term.h"

/* Keys are looked for this often; a redraw waits at least as long. */
#define KEY_WAIT_MS 250
#define REDRAW_NS (250 * 1000000LL)

struct live_dash {
	pthread_t thread;
	struct snapshot_exchange *x;
	struct dash_model *model;
	struct dash_term *term;
	struct dash_ui ui;
	struct dash_screen *screen;
	atomic_bool stop, quit;
	/* The terminal could start: told by the thread as it begins. */
	pthread_mutex_t lock;
	pthread_cond_t ready;
	int started;                    /* 0 waiting, 1 up, -1 failed */
	char why[160];
	bool color;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void tell_started(struct live_dash *d, int how)
{
	pthread_mutex_lock(&d->lock);
	d->started = how;
	pthread_cond_signal(&d->ready);
	pthread_mutex_unlock(&d->lock);
}

/*
 * A fresh frame into the model, unless the display is paused: true when
 * one came.  One that could not be taken for memory is drawn too (the
 * header says the screen is stale); the next fresh frame tries again.
 */
static bool take_frame(struct live_dash *d)
{
	const struct live_frame *f;

	if (d->ui.paused)
		return false;
	f = snapshot_exchange_fresh(d->x);
	if (f == NULL)
		return false;
	dash_model_update(d->model, &f->snap, &f->counts, f->flows, f->ended);
	return true;
}

/* The connections the next frames list: those the screen shows. */
static void want_conns(struct live_dash *d)
{
	struct dash_conn_query q;
	size_t limit;

	dash_conns_want(&d->ui, &q, &limit);
	snapshot_exchange_want_conns(d->x, &q, limit);
}

static void draw(struct live_dash *d)
{
	int cols, rows;

	dash_term_size(d->term, &cols, &rows);
	dash_render(d->model, &d->ui, cols, rows, d->screen);
	dash_term_draw(d->term, d->screen);
}

/*
 * Keys as they come; a new frame or a key makes the screen dirty, and a
 * dirty screen is drawn once a quarter second at most (a key at once).
 * Idle, with nothing new, nothing is drawn: the thread sleeps in getch.
 */
static void *display(void *arg)
{
	struct live_dash *d = arg;
	int64_t drawn = 0;
	bool dirty = true;

	d->term = dash_term_open(d->color, d->why, sizeof(d->why));
	if (d->term == NULL) {
		tell_started(d, -1);
		return NULL;
	}
	tell_started(d, 1);
	while (!atomic_load(&d->stop)) {
		bool resized, now = false;
		int ch;
		enum dash_key k = dash_term_key(d->term, KEY_WAIT_MS, &ch,
						&resized);

		if (k != DASH_KEY_NONE) {
			dash_key(d->model, &d->ui, k, ch);
			now = true;
		}
		if (d->ui.quit) {
			atomic_store(&d->quit, true);
			break;
		}
		snapshot_exchange_want_ladder(
			d->x, d->ui.view == DASH_VIEW_LADDER ? d->ui.ladder_uid
							     : 0);
		want_conns(d);
		dirty |= take_frame(d) | resized | now;
		if (dirty && (now || resized || mono_ns() - drawn >= REDRAW_NS)) {
			draw(d);
			drawn = mono_ns();
			dirty = false;
		}
	}
	dash_term_close(d->term);
	d->term = NULL;
	return NULL;
}

static void dash_free(struct live_dash *d)
{
	dash_model_free(d->model);
	free(d->screen);
	pthread_cond_destroy(&d->ready);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

struct live_dash *live_dash_start(const struct dash_info *info, bool color,
				  struct snapshot_exchange *x, char *why,
				  size_t len)
{
	struct live_dash *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->ready, NULL);
	d->x = x;
	d->color = color;
	dash_ui_init(&d->ui);
	d->model = dash_model_new(info);
	d->screen = malloc(sizeof(*d->screen));
	want_conns(d);
	if (d->model == NULL || d->screen == NULL ||
	    pthread_create(&d->thread, NULL, display, d) != 0) {
		snprintf(why, len, "out of memory starting the display");
		dash_free(d);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	while (d->started == 0)
		pthread_cond_wait(&d->ready, &d->lock);
	pthread_mutex_unlock(&d->lock);
	if (d->started < 0) {
		pthread_join(d->thread, NULL);
		snprintf(why, len, "%s", d->why);
		dash_free(d);
		return NULL;
	}
	return d;
}

bool live_dash_quit_requested(struct live_dash *d)
{
	return d != NULL && atomic_load(&d->quit);
}

void live_dash_stop(struct live_dash *d)
{
	if (d == NULL)
		return;
	atomic_store(&d->stop, true);
	pthread_join(d->thread, NULL);
	dash_free(d);
}
