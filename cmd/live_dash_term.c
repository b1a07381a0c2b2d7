#include "live_dash_term.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

struct dash_term {
	SCREEN *screen;
	bool color;
	attr_t look[DASH_ATTR_COUNT];
	short pair[DASH_ATTR_COUNT];
};

/* Signals that end the process with the terminal left as curses set it. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				    SIGQUIT};
#define N_FATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

/*
 * What a fatal signal's handler needs to give the terminal back.  A
 * handler reaches nothing but statics, hence this one: written before
 * the handlers are installed and after they are removed, only read by
 * them, and by async-signal-safe calls alone (tcsetattr, write,
 * raise).
 */
static struct {
	struct termios before;          /* standard output's, before curses */
	char leave[256];                /* attributes off, keypad, cursor,
					 * out of the alternate screen */
	size_t leave_len;
	bool installed[N_FATAL];
	struct sigaction old[N_FATAL];
} restore;

/*
 * SA_RESETHAND has put the default action back: raised again, the
 * signal ends the process as it would have (core, status 128 + sig).
 */
static void restore_and_reraise(int sig)
{
	ssize_t written;

	tcsetattr(STDOUT_FILENO, TCSANOW, &restore.before);
	written = write(STDOUT_FILENO, restore.leave, restore.leave_len);
	(void)written;                  /* dying: nothing more to try */
	raise(sig);
}

/* A terminfo string without its padding ($<5>): write(2) sends bytes. */
static void add_cap(const char *name)
{
	const char *s = tigetstr(name);

	if (s == NULL || s == (char *)-1)
		return;
	for (; *s != '\0' && restore.leave_len + 1 < sizeof(restore.leave);
	     s++) {
		const char *end;

		if (s[0] == '$' && s[1] == '<' &&
		    (end = strchr(s, '>')) != NULL) {
			s = end;
			continue;
		}
		restore.leave[restore.leave_len++] = *s;
	}
}

/*
 * The terminal as it was, on a crash or abort too: the strings are
 * looked up now, for the handler has no terminfo to call.
 */
static void fatal_handlers_install(void)
{
	struct sigaction sa;

	restore.leave_len = 0;
	add_cap("sgr0");
	add_cap("rmkx");
	add_cap("cnorm");
	add_cap("rmcup");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_reraise;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < N_FATAL; i++) {
		sigaction(fatal_signals[i], NULL, &restore.old[i]);
		/* One ignored from the start stays so (nohup's SIGQUIT). */
		restore.installed[i] = restore.old[i].sa_handler != SIG_IGN &&
			sigaction(fatal_signals[i], &sa, NULL) == 0;
	}
}

static void fatal_handlers_remove(void)
{
	for (size_t i = 0; i < N_FATAL; i++)
		if (restore.installed[i])
			sigaction(fatal_signals[i], &restore.old[i], NULL);
	memset(restore.installed, 0, sizeof(restore.installed));
}

/*
 * Curses installs its own SIGINT, SIGTERM and SIGTSTP handlers, which
 * make curses calls on whatever thread the signal lands on, while the
 * display thread draws; and they stay after endwin().  tcplens takes
 * those signals with sigtimedwait() instead (SIGINT and SIGTERM on the
 * engine thread, SIGTSTP in dash_term_key()), so they are put back.
 * SIGTSTP is ignored while newterm() runs: curses then leaves it alone
 * for good, where it would otherwise set it to SIG_IGN for the length
 * of every doupdate(), which throws a pending Ctrl-Z away.
 */
static const int taken_signals[] = {SIGINT, SIGTERM, SIGTSTP};
#define N_TAKEN (sizeof(taken_signals) / sizeof(taken_signals[0]))

bool dash_term_usable(char *why, size_t len)
{
	const char *term = getenv("TERM");
	int err = 0;

	if (term == NULL || term[0] == '\0') {
		snprintf(why, len, "TERM is not set");
		return false;
	}
	if (strcmp(term, "dumb") == 0) {
		snprintf(why, len, "TERM=dumb cannot place the cursor");
		return false;
	}
	if (setupterm(NULL, 1, &err) != OK) {
		snprintf(why, len, "no terminfo entry for TERM=%s", term);
		return false;
	}
	if (tigetstr("cup") == NULL || tigetstr("cup") == (char *)-1) {
		del_curterm(cur_term);
		snprintf(why, len, "TERM=%s cannot place the cursor", term);
		return false;
	}
	del_curterm(cur_term);
	return true;
}

/* Without colour: weight and reverse video alone tell the rows apart. */
static void looks(struct dash_term *t)
{
	static const short fg[DASH_ATTR_COUNT] = {
		[DASH_ATTR_CRITICAL] = COLOR_RED,
		[DASH_ATTR_WARNING] = COLOR_YELLOW,
		[DASH_ATTR_INFO] = COLOR_CYAN,
		[DASH_ATTR_ALERT] = COLOR_RED,
		[DASH_ATTR_TITLE_FOCUS] = COLOR_BLUE,
	};

	t->look[DASH_ATTR_TITLE] = A_REVERSE;
	t->look[DASH_ATTR_TITLE_FOCUS] = A_REVERSE | A_BOLD;
	t->look[DASH_ATTR_HEAD] = A_BOLD;
	t->look[DASH_ATTR_SELECTED] = A_STANDOUT;
	t->look[DASH_ATTR_CRITICAL] = A_BOLD;
	t->look[DASH_ATTR_WARNING] = A_BOLD;
	t->look[DASH_ATTR_DIM] = A_DIM;
	t->look[DASH_ATTR_ALERT] = A_BOLD;
	if (!t->color)
		return;
	for (int a = 0; a < DASH_ATTR_COUNT; a++) {
		if (fg[a] == 0)
			continue;
		t->pair[a] = (short)(a + 1);
		init_pair(t->pair[a], fg[a], -1);
	}
}

struct dash_term *dash_term_open(bool color, char *why, size_t len)
{
	struct dash_term *t = calloc(1, sizeof(*t));
	struct sigaction before[N_TAKEN];

	if (t == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	if (tcgetattr(STDOUT_FILENO, &restore.before) != 0) {
		snprintf(why, len, "cannot read the terminal's modes");
		free(t);
		return NULL;
	}
	for (size_t i = 0; i < N_TAKEN; i++)
		sigaction(taken_signals[i], NULL, &before[i]);
	signal(SIGTSTP, SIG_IGN);
	t->screen = newterm(NULL, stdout, stdin);
	for (size_t i = 0; i < N_TAKEN; i++)
		sigaction(taken_signals[i], &before[i], NULL);
	if (t->screen == NULL) {
		snprintf(why, len, "curses could not start on this terminal");
		free(t);
		return NULL;
	}
	set_term(t->screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	t->color = color && has_colors();
	if (t->color) {
		start_color();
		use_default_colors();
	}
	looks(t);
	fatal_handlers_install();
	return t;
}

/*
 * Ctrl-Z (SIGTSTP, blocked on every thread: live_dash.h): curses left
 * as on q, the process stopped as the shell expects; after fg the
 * next draw puts curses' modes back and repaints the whole screen.
 */
static bool suspend_if_asked(void)
{
	struct timespec now = {0, 0};
	sigset_t tstp;

	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	if (sigtimedwait(&tstp, NULL, &now) != SIGTSTP)
		return false;
	endwin();
	/*
	 * This thread's own: it stops before it returns (kill() to the
	 * process let it run on and redraw curses before the stop).
	 */
	raise(SIGSTOP);
	keypad(stdscr, TRUE);
	clearok(curscr, TRUE);
	return true;
}

static enum dash_key key_of(int k)
{
	switch (k) {
	case 'q': return DASH_KEY_QUIT;
	case 'p': return DASH_KEY_PAUSE;
	case '\t': return DASH_KEY_TAB;
	case KEY_BTAB: return DASH_KEY_BACKTAB;
	case KEY_LEFT: case 'h': return DASH_KEY_LEFT;
	case KEY_RIGHT: case 'l': return DASH_KEY_RIGHT;
	case KEY_UP: case 'k': return DASH_KEY_UP;
	case KEY_DOWN: case 'j': return DASH_KEY_DOWN;
	case KEY_PPAGE: return DASH_KEY_PGUP;
	case KEY_NPAGE: case ' ': return DASH_KEY_PGDN;
	case KEY_HOME: case 'g': return DASH_KEY_HOME;
	case KEY_END: case 'G': return DASH_KEY_END;
	case 's': return DASH_KEY_SORT;
	case 'S': return DASH_KEY_SORT_BACK;
	case '/': return DASH_KEY_FILTER;
	case 27: return DASH_KEY_ESC;
	case '\n': case '\r': case KEY_ENTER: return DASH_KEY_ENTER;
	case '?': return DASH_KEY_HELP;
	case KEY_BACKSPACE: case 127: case 8: return DASH_KEY_BACKSPACE;
	default: return DASH_KEY_CHAR;
	}
}

enum dash_key dash_term_key(struct dash_term *t, int timeout_ms, int *ch,
			    bool *resized)
{
	int k;

	(void)t;
	*ch = 0;
	*resized = suspend_if_asked();
	if (*resized)
		return DASH_KEY_NONE;
	timeout(timeout_ms);
	k = getch();
	if (k == ERR)
		return DASH_KEY_NONE;
	if (k == KEY_RESIZE) {
		*resized = true;
		return DASH_KEY_NONE;
	}
	if (k >= 0x20 && k < 0x7f)
		*ch = k;
	return key_of(k);
}

void dash_term_size(struct dash_term *t, int *cols, int *rows)
{
	(void)t;
	getmaxyx(stdscr, *rows, *cols);
}

void dash_term_draw(struct dash_term *t, const struct dash_screen *s)
{
	erase();
	for (int i = 0; i < s->rows; i++) {
		enum dash_attr a = s->row[i].attr;

		attrset(t->look[a] | (t->pair[a] != 0 ? COLOR_PAIR(t->pair[a])
						      : 0));
		mvaddstr(i, 0, s->row[i].text);
	}
	attrset(A_NORMAL);
	wnoutrefresh(stdscr);
	doupdate();
}

void dash_term_close(struct dash_term *t)
{
	if (t == NULL)
		return;
	fatal_handlers_remove();
	endwin();
	delscreen(t->screen);
	free(t);
}
