#include "live_dash_term.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>

struct dash_term {
	SCREEN *screen;
	bool color;
	attr_t look[DASH_ATTR_COUNT];
	short pair[DASH_ATTR_COUNT];
};

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

	if (t == NULL) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	t->screen = newterm(NULL, stdout, stdin);
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
	return t;
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
	*resized = false;
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
	endwin();
	delscreen(t->screen);
	free(t);
}
