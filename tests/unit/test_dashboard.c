/*
 * The dashboard's screen without a terminal (reports/dashboard*.c):
 * snapshots made by hand go into the display model, and the rows it
 * lays out are checked as strings: every row within the width at 80x24
 * and 120x40, the too-small line, the sparklines' glyphs, the hosts'
 * trouble order, the connections' sort keys, the filter, and findings
 * merged by key (one row that moves in place; gone when withdrawn).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dashboard.h"
#include "dashboard_internal.h"

#define NS 1000000000LL
#define T0 (1700000000LL * NS)

struct fixture {
	struct engine_snapshot snap;
	struct engine_flow_row flows[4];
	struct host_state_row hosts[3];
	struct engine_finding findings[2];
	struct live_counts counts;
	struct dash_model *m;
	struct dash_ui ui;
	struct dash_screen *screen;
};

static void v4(uint8_t *out, const char *s)
{
	memset(out, 0, 16);
	inet_pton(AF_INET, s, out);
}

static void flow(struct engine_flow_row *f, uint64_t uid, const char *o,
		 uint16_t op, uint64_t out, uint64_t in, uint32_t retrans,
		 int64_t first)
{
	memset(f, 0, sizeof(*f));
	f->uid = uid;
	f->family = 4;
	f->proto = 6;
	f->state[0] = TCP_STATE_ESTABLISHED;
	f->state[1] = TCP_STATE_ESTABLISHED;
	v4(f->orig, o);
	v4(f->resp, "192.0.2.2");
	f->orig_port = op;
	f->resp_port = 8005;
	f->first_ts = first;
	f->bytes[0] = out;
	f->bytes[1] = in;
	f->retrans[0] = retrans;
}

static void finding(struct engine_finding *ef, uint32_t key,
		    enum finding_id id, double value)
{
	memset(ef, 0, sizeof(*ef));
	ef->finding.id = id;
	ef->finding.severity = SEVERITY_WARNING;
	ef->finding.key = key;
	ef->finding.ongoing = true;
	ef->finding.value = value;
	ef->finding.first_ts = T0;
	ef->finding.last_ts = T0;
	snprintf(ef->finding.subject, sizeof(ef->finding.subject),
		 "192.0.2.2:8005");
	snprintf(ef->finding.summary, sizeof(ef->finding.summary),
		 "%.0f connections on 192.0.2.2:8005 did not close", value);
	ef->change = FINDING_CHANGE_NEW;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct dash_info info = {.source = "lab.pcap", .utf8 = true};

	flow(&fx->flows[0], 11, "192.0.2.1", 40001, 100, 50, 0, T0 - 5 * NS);
	flow(&fx->flows[1], 12, "192.0.2.1", 40002, 9000, 10, 3, T0 - NS);
	flow(&fx->flows[2], 13, "192.0.2.3", 40003, 500, 500, 1, T0 - 9 * NS);
	fx->flows[2].state[1] = TCP_STATE_CLOSE_WAIT;
	fx->flows[2].state[0] = TCP_STATE_FIN_WAIT2;
	v4(fx->hosts[0].addr, "192.0.2.1");
	fx->hosts[0].family = 4;
	fx->hosts[0].count[TCP_STATE_ESTABLISHED] = 50;
	fx->hosts[0].total = 50;
	v4(fx->hosts[1].addr, "192.0.2.2");
	fx->hosts[1].family = 4;
	fx->hosts[1].count[TCP_STATE_CLOSE_WAIT] = 3;
	fx->hosts[1].count[TCP_STATE_LISTEN] = 1;
	fx->hosts[1].total = 4;
	finding(&fx->findings[0], 7, FINDING_CLOSE_WAIT_LEAK, 3);
	fx->snap.at = T0;
	fx->snap.flows = fx->flows;
	fx->snap.n_flows = 3;
	fx->snap.hosts = fx->hosts;
	fx->snap.n_hosts = 2;
	fx->snap.findings = fx->findings;
	fx->snap.n_findings = 1;
	fx->m = dash_model_new(&info);
	fx->screen = malloc(sizeof(*fx->screen));
	dash_ui_init(&fx->ui);
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	dash_model_free(fx->m);
	free(fx->screen);
	free(fx);
	return 0;
}

static const char *render(struct fixture *fx, int cols, int rows)
{
	static char all[DASH_MAX_ROWS * DASH_ROW_BYTES];
	size_t at = 0;

	dash_render(fx->m, &fx->ui, cols, rows, fx->screen);
	all[0] = '\0';
	for (int i = 0; i < fx->screen->rows; i++)
		at += (size_t)snprintf(all + at, sizeof(all) - at, "%s\n",
				       fx->screen->row[i].text);
	return all;
}

/* The row holding needle, or -1. */
static int row_of(const struct fixture *fx, const char *needle)
{
	for (int i = 0; i < fx->screen->rows; i++)
		if (strstr(fx->screen->row[i].text, needle) != NULL)
			return i;
	return -1;
}

static void fits(struct fixture *fx, int cols, int rows)
{
	const char *all = render(fx, cols, rows);

	assert_int_equal(fx->screen->rows, rows);
	for (int i = 0; i < rows; i++)
		assert_true(dash_cells(fx->screen->row[i].text) <= (size_t)cols);
	assert_non_null(strstr(all, "Sockets per host"));
	assert_non_null(strstr(all, "Connections"));
	assert_non_null(strstr(all, "Findings"));
	assert_non_null(strstr(all, "lab.pcap"));
}

static void test_layout_sizes(void **state)
{
	struct fixture *fx = *state;

	fits(fx, 80, 24);
	/* At 80 columns the rates go, bytes and retransmissions stay. */
	assert_true(row_of(fx, "R_OUT") < 0);
	assert_true(row_of(fx, "RETR") >= 0);
	fits(fx, 120, 40);
	assert_true(row_of(fx, "R_OUT") >= 0);
	assert_true(row_of(fx, "TM_WT 60s") >= 0);
	fits(fx, 320, 160);
}

static void test_too_small(void **state)
{
	struct fixture *fx = *state;

	render(fx, 60, 24);
	assert_string_equal(fx->screen->row[0].text,
			    "terminal too small (need 80x24, have 60x24)");
	render(fx, 80, 23);
	assert_string_equal(fx->screen->row[0].text,
			    "terminal too small (need 80x24, have 80x23)");
}

static void test_sparkline(void **state)
{
	struct dash_history h = {0};
	char out[DASH_HISTORY * 3 + 1];

	(void)state;
	/* Eight cells of 8 s each, the newest ending at the right. */
	for (unsigned v = 0; v < DASH_HISTORY; v++)
		dash_history_push(&h, v / 8);
	dash_sparkline(&h, 8, true, out, sizeof(out));
	assert_string_equal(out, " \u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	dash_sparkline(&h, 8, false, out, sizeof(out));
	assert_string_equal(out, " .:-=+*#");
	assert_int_equal(dash_cells("\u2581\u2582x"), 3);
	/* A cell covering several seconds shows the highest of them. */
	dash_sparkline(&h, 1, false, out, sizeof(out));
	assert_string_equal(out, "#");
	/* At every width, the newest second only in the last cell, the
	 * oldest only in the first, and 60 cells for 60 seconds. */
	for (size_t w = 1; w <= DASH_HISTORY; w++) {
		struct dash_history newest = {0}, oldest = {0};

		for (unsigned v = 0; v < DASH_HISTORY; v++) {
			dash_history_push(&newest, v == DASH_HISTORY - 1);
			dash_history_push(&oldest, v == 0);
		}
		dash_sparkline(&newest, w, false, out, sizeof(out));
		assert_int_equal(strlen(out), w);
		assert_int_equal(out[w - 1], '#');
		assert_int_equal(strspn(out, " "), w - 1);
		dash_sparkline(&oldest, w, false, out, sizeof(out));
		assert_int_equal(out[0], '#');
		assert_int_equal(strspn(out + 1, " "), w - 1);
	}
	dash_sparkline(&h, DASH_HISTORY, true, out, sizeof(out));
	assert_int_equal(dash_cells(out), DASH_HISTORY);
}

/* Numbers too wide for their column shrink; they are never cut. */
static void test_counts_fit(void **state)
{
	char out[32];

	(void)state;
	dash_count(1234, 4, false, out, sizeof(out));
	assert_string_equal(out, "1234");
	dash_count(12345, 4, false, out, sizeof(out));
	assert_string_equal(out, "12k");
	dash_count(12345, 5, true, out, sizeof(out));
	assert_string_equal(out, "+12k");
	dash_count(-4321, 5, true, out, sizeof(out));
	assert_string_equal(out, "-4321");
	dash_count(-54321, 5, true, out, sizeof(out));
	assert_string_equal(out, "-54k");
	dash_count(999999, 4, false, out, sizeof(out));
	assert_string_equal(out, "1.0M");
	dash_age(100 * 3600 + 300, out, sizeof(out));
	assert_string_equal(out, "4d04");
	assert_true(strlen(out) <= 5);
}

static void test_hosts_by_trouble(void **state)
{
	struct fixture *fx = *state;
	int server, client;

	render(fx, 80, 24);
	server = row_of(fx, "192.0.2.2 ");
	client = row_of(fx, "192.0.2.1 ");
	/* 3 CLOSE_WAIT outweigh 50 ESTABLISHED. */
	assert_true(server >= 0 && client > server);
}

/* 10.0.x.y for host i. */
static void host_row(struct host_state_row *r, size_t i, uint32_t estab,
		     uint32_t close_wait)
{
	memset(r, 0, sizeof(*r));
	r->family = 4;
	r->addr[0] = 10;
	r->addr[2] = (uint8_t)(i >> 8);
	r->addr[3] = (uint8_t)i;
	r->count[TCP_STATE_ESTABLISHED] = estab;
	r->count[TCP_STATE_CLOSE_WAIT] = close_wait;
	r->total = estab + close_wait;
}

/*
 * A full host table still admits a host with more trouble than the
 * least troubled it holds (that one goes, counted as not shown), with
 * an empty history; an absent host makes room for any present one;
 * equal trouble displaces nobody.
 */
static void test_full_table_admits_trouble(void **state)
{
	struct fixture *fx = *state;
	size_t n = DASH_MAX_HOSTS + 1;
	struct host_state_row *rows = calloc(n, sizeof(*rows));
	int row, held = 0;

	for (size_t i = 0; i < DASH_MAX_HOSTS; i++)
		host_row(&rows[i], i, 2, 0);
	fx->snap.hosts = rows;
	fx->snap.n_hosts = DASH_MAX_HOSTS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	/* The 2 hosts of the fixture went quiet: the table holds 512. */
	assert_int_equal(fx->m->n_hosts, DASH_MAX_HOSTS);
	fx->snap.at += NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	/* Late in the capture, 10.0.2.0's CLOSE_WAIT explodes. */
	host_row(&rows[DASH_MAX_HOSTS], DASH_MAX_HOSTS, 0, 40);
	rows[3].count[TCP_STATE_ESTABLISHED] = 1;       /* the least troubled */
	rows[3].total = 1;
	fx->snap.n_hosts = n;
	fx->snap.at += NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	assert_int_equal(fx->m->hosts_untracked, 1);
	render(fx, 120, 40);
	row = row_of(fx, "10.0.2.0 ");
	assert_true(row >= 0 && row == row_of(fx, "    40 "));
	assert_true(row_of(fx, "10.0.0.3 ") < 0);
	for (size_t i = 0; i < fx->m->n_hosts; i++) {
		const struct dash_host *h = &fx->m->hosts[i];

		/* Only the second just sampled. */
		if (h->addr[2] == 2)
			for (unsigned k = 0; k + 1 < DASH_HISTORY; k++)
				assert_int_equal(dash_history_get(
					&h->hist[DASH_SPARK_CLOSE_WAIT], k), 0);
	}
	/* Equal trouble: the host shown keeps its row and history. */
	host_row(&rows[3], 3, 3, 0);
	fx->snap.at += NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 40);
	assert_true(row_of(fx, "10.0.0.3 ") < 0);
	assert_int_equal(fx->m->hosts_untracked, 1);
	/* 10.0.2.0 gone: any present host takes its row. */
	fx->snap.n_hosts = DASH_MAX_HOSTS;
	fx->snap.at += NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	assert_int_equal(fx->m->hosts_untracked, 0);
	for (size_t i = 0; i < fx->m->n_hosts; i++)
		held += strcmp(fx->m->hosts[i].label, "10.0.0.3") == 0 &&
		       fx->m->hosts[i].present;
	assert_int_equal(held, 1);
	free(rows);
	fx->snap.hosts = fx->hosts;
	fx->snap.n_hosts = 0;
}

/*
 * The hosts panel says what it cannot show: hosts summed up as SYN-only
 * or past the display's table, and sockets past the engine's count.
 */
static void test_hosts_not_shown(void **state)
{
	struct fixture *fx = *state;
	int title;

	render(fx, 80, 24);
	title = row_of(fx, "Sockets per host");
	assert_non_null(strstr(fx->screen->row[title].text,
			       "2 hosts, most trouble first"));
	assert_null(strstr(fx->screen->row[title].text, "not"));
	fx->snap.hosts_left_out.syn_only_hosts = 300;
	fx->snap.hosts_not_counted = 12;
	fx->snap.at += NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 40);
	assert_non_null(strstr(fx->screen->row[title].text,
			       "2 hosts, +300 hosts not shown (300 SYN-only), "
			       "12 sockets not counted, most trouble first"));
	/* At 80 columns the shortest wording, never nothing. */
	fx->m->hosts_untracked = 65000;
	fx->m->sockets_not_counted = 1234567;
	render(fx, 80, 24);
	assert_non_null(strstr(fx->screen->row[title].text,
			       "2 hosts, +65.3k hosts not shown, "
			       "1235k sockets not counted"));
	assert_true(dash_cells(fx->screen->row[title].text) == 80);
}

static void test_sort_keys(void **state)
{
	struct fixture *fx = *state;
	int a, b, c;

	render(fx, 80, 24);     /* by bytes: 12 (9010), 13 (1000), 11 (150) */
	a = row_of(fx, ":40002");
	b = row_of(fx, ":40003");
	c = row_of(fx, ":40001");
	assert_true(a < b && b < c);
	dash_key(fx->m, &fx->ui, DASH_KEY_SORT, 's');     /* rate */
	dash_key(fx->m, &fx->ui, DASH_KEY_SORT, 's');     /* retransmissions */
	assert_int_equal(fx->ui.sort, DASH_SORT_RETRANS);
	dash_key(fx->m, &fx->ui, DASH_KEY_SORT, 's');     /* RTT: not known */
	assert_int_equal(fx->ui.sort, DASH_SORT_AGE);
	render(fx, 80, 24);     /* oldest first: 13, 11, 12 */
	a = row_of(fx, ":40003");
	b = row_of(fx, ":40001");
	c = row_of(fx, ":40002");
	assert_true(a < b && b < c);
	dash_key(fx->m, &fx->ui, DASH_KEY_SORT_BACK, 'S');
	assert_int_equal(fx->ui.sort, DASH_SORT_RETRANS);
}

/* Sorted by state, TCP rows come first, lowest state first; UDP last. */
static void test_state_sort_udp_last(void **state)
{
	struct fixture *fx = *state;

	flow(&fx->flows[3], 14, "192.0.2.4", 40004, 1, 1, 0, T0 - NS);
	fx->flows[3].proto = 17;
	memset(fx->flows[3].state, 0, sizeof(fx->flows[3].state));
	fx->snap.n_flows = 4;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 4, false));
	fx->ui.sort = DASH_SORT_STATE;
	render(fx, 80, 24);
	assert_true(row_of(fx, ":40004") > row_of(fx, ":40001"));
	assert_true(row_of(fx, ":40004") > row_of(fx, ":40003"));
	assert_true(row_of(fx, ":40001") < row_of(fx, ":40003"));
}

static void type(struct fixture *fx, const char *s)
{
	dash_key(fx->m, &fx->ui, DASH_KEY_FILTER, '/');
	for (; *s != '\0'; s++)
		dash_key(fx->m, &fx->ui, DASH_KEY_CHAR, *s);
	dash_key(fx->m, &fx->ui, DASH_KEY_ENTER, 0);
}

/* A long IPv6 endpoint keeps its port and both ends of its address. */
static void test_long_endpoint_elided(void **state)
{
	struct fixture *fx = *state;
	struct engine_flow_row *f = &fx->flows[3];

	flow(f, 14, "192.0.2.1", 40004, 1, 1, 0, T0 - NS);
	f->family = 6;
	inet_pton(AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234", f->orig);
	fx->snap.n_flows = 4;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 4, false));
	render(fx, 80, 24);
	assert_true(row_of(fx, "~") >= 0);
	assert_true(row_of(fx, "4]:40004 ") >= 0);
	assert_true(row_of(fx, "[2001:db8") >= 0);
	/* The filter still sees the whole address. */
	type(fx, "cccc:dddd");
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_CONNS), 1);
}

/* A host label too wide for its column loses its middle, as endpoints. */
static void test_long_host_elided(void **state)
{
	struct fixture *fx = *state;

	fx->hosts[2] = fx->hosts[1];
	fx->hosts[2].family = 6;
	inet_pton(AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1234",
		  fx->hosts[2].addr);
	fx->snap.n_hosts = 3;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_true(row_of(fx, "2001:db~ee:1234 ") >= 0);
	/* The filter still sees the whole address. */
	type(fx, "cccc:dddd");
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_HOSTS), 1);
}

static void test_filter(void **state)
{
	struct fixture *fx = *state;

	type(fx, "40003");
	render(fx, 80, 24);
	assert_true(row_of(fx, ":40003") >= 0);
	assert_true(row_of(fx, ":40001") < 0);
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_CONNS), 1);
	dash_key(fx->m, &fx->ui, DASH_KEY_ESC, 0);
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_CONNS), 3);
	/* A state, in any case, and a finding id. */
	type(fx, "close_wait");
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_CONNS), 1);
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_HOSTS), 1);
	assert_int_equal(dash_list_len(fx->m, &fx->ui, DASH_FINDINGS), 1);
	dash_key(fx->m, &fx->ui, DASH_KEY_ESC, 0);
	/* q typed into the filter is a letter, not quit. */
	dash_key(fx->m, &fx->ui, DASH_KEY_FILTER, '/');
	dash_key(fx->m, &fx->ui, DASH_KEY_QUIT, 'q');
	assert_false(fx->ui.quit);
	assert_string_equal(fx->ui.filter, "q");
}

static void test_findings_in_place(void **state)
{
	struct fixture *fx = *state;
	int rows = 0;

	/* The same key moves: one row, counted as an update. */
	fx->findings[0].finding.value = 5;
	snprintf(fx->findings[0].finding.summary,
		 sizeof(fx->findings[0].finding.summary), "5 connections");
	fx->findings[0].finding.last_ts = T0 + NS;
	fx->findings[0].change = FINDING_CHANGE_SAME;  /* marks are ignored */
	fx->snap.at = T0 + NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	for (int i = 0; i < fx->screen->rows; i++)
		rows += strstr(fx->screen->row[i].text, "close_wait_leak") != NULL;
	assert_int_equal(rows, 1);
	assert_true(row_of(fx, "(1 update): 5 connections") >= 0);
	/* Seen again, nothing else moved: not an update. */
	fx->findings[0].finding.last_ts = T0 + 2 * NS;
	fx->snap.at = T0 + 2 * NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_true(row_of(fx, "(1 update): 5 connections") >= 0);
	/* More connections: one. */
	fx->findings[0].finding.flow_count = 6;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_true(row_of(fx, "(2 updates): 5 connections") >= 0);
	/* Resolved: dimmed (the cursor elsewhere). */
	fx->ui.focus = DASH_HOSTS;
	fx->findings[0].finding.ongoing = false;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_int_equal(fx->screen->row[row_of(fx, "close_wait_leak")].attr,
			 DASH_ATTR_DIM);
	/* A newer one goes on top. */
	finding(&fx->findings[1], 9, FINDING_RST_STORM, 100);
	fx->snap.n_findings = 2;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_true(row_of(fx, "rst_storm") < row_of(fx, "close_wait_leak"));
	/* Withdrawn, then gone from the snapshot: out of the feed. */
	fx->findings[1].change = FINDING_CHANGE_WITHDRAWN;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	assert_int_equal(fx->m->n_findings, 1);
	fx->snap.n_findings = 0;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	assert_int_equal(fx->m->n_findings, 0);
}

/* The row's rates as the engine measured them; "-" when not known. */
static void test_rates_as_listed(void **state)
{
	struct fixture *fx = *state;
	int r;

	fx->flows[1].rate[0] = 1000.2;
	fx->flows[1].rate[1] = -1;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 30);
	r = row_of(fx, "192.0.2.1:40002");
	assert_true(r >= 0);
	assert_non_null(strstr(fx->screen->row[r].text, "   1000      - "));
}

/*
 * A page of the engine's flows: the title counts every match, the cursor
 * may go past the rows held (the next frame brings them), except while
 * paused; a frame for another sort or filter counts only what it holds.
 */
static void test_conns_page(void **state)
{
	struct fixture *fx = *state;
	struct dash_conn_query q;
	size_t limit;

	dash_conns_want(&fx->ui, &q, &limit);
	assert_true(limit >= 2 * DASH_MAX_ROWS);
	fx->snap.query = (struct engine_flow_query){
		.limit = 3, .keep = dash_conn_keep, .order = dash_conn_order,
		.ctx = &q};
	fx->snap.n_flows_matched = 1000;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 1000,
				      false));
	render(fx, 80, 24);
	assert_true(row_of(fx, "1000, by bytes") >= 0);
	fx->ui.focus = DASH_CONNS;
	dash_key(fx->m, &fx->ui, DASH_KEY_END, 0);
	render(fx, 80, 24);
	assert_int_equal(fx->ui.sel[DASH_CONNS], 999);
	dash_conns_want(&fx->ui, &q, &limit);
	assert_true(limit >= 1000);
	fx->ui.paused = true;
	render(fx, 80, 24);
	assert_int_equal(fx->ui.sel[DASH_CONNS], 2);
	fx->ui.paused = false;
	/* Sorted by age now: the frame was for bytes, 3 rows known. */
	fx->ui.sort = DASH_SORT_AGE;
	render(fx, 80, 24);
	assert_true(row_of(fx, "3, by age") >= 0);
}

static void test_rates_strip(void **state)
{
	struct fixture *fx = *state;

	/* One second later: 40 SYNs, 2 RSTs more; 7 half-open now. */
	fx->snap.rates.syn += 40;
	fx->snap.rates.rst += 2;
	fx->snap.rates.half_open = 7;
	fx->snap.at = T0 + NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_true(strstr(fx->screen->row[2].text, "SYN/s         40") != NULL);
	assert_true(strstr(fx->screen->row[2].text, "RST/s          2") != NULL);
	assert_true(strstr(fx->screen->row[3].text, "half-open      7") != NULL);
}

/*
 * A frame the model cannot take for memory leaves it as it was, and the
 * header says since when the screen has not moved; the next frame that
 * can be taken clears it.
 */
static void test_out_of_memory_shown(void **state)
{
	struct fixture *fx = *state;
	struct engine_snapshot huge = fx->snap;

	render(fx, 80, 24);
	assert_null(strstr(fx->screen->row[0].text, "out of memory"));
	huge.n_findings = SIZE_MAX / 2;
	huge.at = T0 + 5 * NS;
	assert_false(dash_model_update(fx->m, &huge, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_non_null(strstr(fx->screen->row[0].text,
			       "tcplens live  out of memory: display not "
			       "updated since 22:13:20"));
	assert_int_equal(fx->screen->row[0].attr, DASH_ATTR_ALERT);
	assert_int_equal(fx->m->n_findings, 1);
	assert_int_equal(fx->m->n_conns, 3);
	assert_int_equal(fx->m->n_hosts, 2);
	fx->snap.at = T0 + 6 * NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_null(strstr(fx->screen->row[0].text, "out of memory"));
	assert_int_equal(fx->screen->row[0].attr, DASH_ATTR_NORMAL);
}

/*
 * The header's rates are the strip's: per capture second over the last
 * full second.  A replay at --speed 4 plays a capture second in a
 * quarter of a wall second; both say 500 packets a second.
 */
static void test_header_rate_per_capture_second(void **state)
{
	struct fixture *fx = *state;

	fx->counts.packets = 500;
	fx->counts.bytes = 50000;
	fx->counts.elapsed = 0.25;
	fx->snap.at = T0 + NS;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_non_null(strstr(fx->screen->row[1].text, "500 pkt/s  400kbit/s"));

	assert_non_null(strstr(fx->screen->row[3].text, "pkts/s       500"));
	/* A quarter of a capture second on: still the last full second's. */
	fx->counts.packets = 1000;
	fx->counts.elapsed = 0.5;
	fx->snap.at = T0 + NS + NS / 4;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_non_null(strstr(fx->screen->row[1].text, "500 pkt/s"));
}

/* The header's memory is the caller's figure: a renderer reads no process. */
static void test_header_memory_from_caller(void **state)
{
	struct fixture *fx = *state;

	render(fx, 80, 24);
	assert_non_null(strstr(fx->screen->row[1].text, "mem -  drops"));
	fx->counts.peak_rss = 5607 * 1024;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 80, 24);
	assert_non_null(strstr(fx->screen->row[1].text, "mem 5742kB  drops"));
}

static void test_rtt_sort(void **state)
{
	struct fixture *fx = *state;
	struct dash_info info = {.source = "x", .rtt = true};
	struct dash_model *m = dash_model_new(&info);

	fx->flows[0].rtt_ns[1] = 90000000;      /* 90 ms, the far side */
	fx->flows[2].rtt_ns[0] = 5000000;
	assert_true(dash_model_update(m, &fx->snap, &fx->counts, 3, false));
	dash_model_free(fx->m);
	fx->m = m;
	for (int i = 0; i < 3; i++)
		dash_key(fx->m, &fx->ui, DASH_KEY_SORT, 's');
	assert_int_equal(fx->ui.sort, DASH_SORT_RTT);
	render(fx, 120, 40);
	assert_true(row_of(fx, ":40001") < row_of(fx, ":40003"));
	assert_true(row_of(fx, "   90ms") == row_of(fx, ":40001"));
}

static void test_help_and_detail(void **state)
{
	struct fixture *fx = *state;

	dash_key(fx->m, &fx->ui, DASH_KEY_HELP, '?');
	render(fx, 80, 24);
	assert_true(row_of(fx, "sort the connections") >= 0);
	/* All of it at 80x24, Ctrl-Z and the last line too. */
	assert_true(row_of(fx, "  Ctrl-Z  ") >= 0);
	assert_true(row_of(fx, "then by sockets.  See tcplens(1).") >= 0);
	dash_key(fx->m, &fx->ui, DASH_KEY_CHAR, 'x');
	assert_int_equal(fx->ui.view, DASH_VIEW_PANELS);
	/* The feed is focused first; Enter opens its finding. */
	dash_key(fx->m, &fx->ui, DASH_KEY_ENTER, 0);
	assert_int_equal(fx->ui.view, DASH_VIEW_DETAIL);
	render(fx, 80, 24);
	assert_true(row_of(fx, "close_wait_leak 192.0.2.2:8005") >= 0);
	dash_key(fx->m, &fx->ui, DASH_KEY_ESC, 0);
	assert_int_equal(fx->ui.view, DASH_VIEW_PANELS);
	dash_key(fx->m, &fx->ui, DASH_KEY_QUIT, 'q');
	assert_true(fx->ui.quit);
}

/*
 * A ladder with its first four rows, then a gap, then its newest 30
 * (as the engine keeps them under load): the gap's line falls between
 * the two, dim, and reads as a cut; scrolling counts it as a line.
 * With the gap at the top it reads as earlier segments.
 */
/*
 * A ladder's title once its connection is off the page the engine lists:
 * the endpoints as opened, the states of its newest segment, and
 * "(ended)" only when the engine says it is no longer live; a title
 * wider than the screen is cut, not padded past it.
 */
static void test_ladder_title_off_page(void **state)
{
	struct fixture *fx = *state;
	struct ladder_row row;
	int t;

	fx->ui.focus = DASH_CONNS;
	fx->ui.sort = DASH_SORT_AGE;            /* 13 first, then 11 */
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 40);
	dash_key(fx->m, &fx->ui, DASH_KEY_DOWN, 0);
	dash_key(fx->m, &fx->ui, DASH_KEY_ENTER, 0);
	assert_int_equal(fx->ui.view, DASH_VIEW_LADDER);
	assert_int_equal(fx->ui.ladder_uid, 11);
	memset(&row, 0, sizeof(row));
	row.uid = 11;
	row.state[0] = TCP_STATE_FIN_WAIT2;
	row.state[1] = TCP_STATE_CLOSE_WAIT;
	fx->snap.ladder_uid = 11;
	fx->snap.ladder = &row;
	fx->snap.n_ladder = 1;
	fx->snap.ladder_live = true;
	fx->snap.n_flows = 0;                   /* off the page */
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 40);
	t = row_of(fx, "192.0.2.1:40001 > 192.0.2.2:8005  FIN_WAIT2/CLOSE_WAIT");
	assert_true(t >= 0);
	assert_null(strstr(fx->screen->row[t].text, "(ended)"));
	fx->snap.ladder_live = false;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 60, 24);
	render(fx, 80, 24);
	t = row_of(fx, "FIN_WAIT2/CLOSE_WAIT  (ended)");
	assert_true(t >= 0);
	assert_int_equal(dash_cells(fx->screen->row[t].text), 80);
}

static void test_ladder_gap(void **state)
{
	struct fixture *fx = *state;
	struct ladder_row rows[34];
	int first, gap, after;

	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 34; i++) {
		rows[i].uid = 11;
		rows[i].frame = i < 4 ? 1001 + (uint64_t)i
				      : 2001 + (uint64_t)(i - 4);
		rows[i].flags = i == 0 ? TCP_FLAG_SYN : TCP_FLAG_ACK;
		rows[i].state[0] = rows[i].state[1] = TCP_STATE_ESTABLISHED;
	}
	fx->snap.ladder_uid = 11;
	fx->snap.ladder = rows;
	fx->snap.n_ladder = 34;
	fx->snap.ladder_gap_at = 4;
	fx->snap.ladder_not_kept = 996;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	fx->ui.view = DASH_VIEW_LADDER;
	fx->ui.ladder_uid = 11;
	fx->ui.detail_top = 0;
	render(fx, 120, 40);
	first = row_of(fx, "  1001 ");
	gap = row_of(fx, "... 996 segments not kept ...");
	after = row_of(fx, "  2001 ");
	assert_true(first > 0);
	assert_int_equal(row_of(fx, "  1004 "), first + 3);
	assert_int_equal(gap, first + 4);
	assert_int_equal(after, gap + 1);
	assert_int_equal(fx->screen->row[gap].attr, DASH_ATTR_DIM);
	assert_true(row_of(fx, "earlier") < 0);
	/* 35 lines in 20 at 80x24: End shows the newest, Home the first. */
	dash_key(fx->m, &fx->ui, DASH_KEY_END, 0);
	render(fx, 80, 24);
	assert_true(row_of(fx, "  2030 ") > 0);
	assert_true(row_of(fx, "  1001 ") < 0);
	assert_true(row_of(fx, "segments not kept") < 0);
	dash_key(fx->m, &fx->ui, DASH_KEY_HOME, 0);
	render(fx, 80, 24);
	assert_true(row_of(fx, "  1001 ") > 0);
	assert_int_equal(row_of(fx, "... 996 segments not kept ..."),
			 row_of(fx, "  1001 ") + 4);
	/* No first rows kept: the gap is the earlier segments. */
	fx->snap.ladder = rows + 4;
	fx->snap.n_ladder = 30;
	fx->snap.ladder_gap_at = 0;
	fx->snap.ladder_not_kept = 1000;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 40);
	gap = row_of(fx, "(1000 earlier segments not kept)");
	assert_true(gap > 0);
	assert_int_equal(row_of(fx, "  2001 "), gap + 1);
	fx->snap.ladder_not_kept = ENGINE_LADDER_UNKNOWN;
	assert_true(dash_model_update(fx->m, &fx->snap, &fx->counts, 3, false));
	render(fx, 120, 40);
	assert_int_equal(row_of(fx, "(earlier segments not kept)"), gap);
	fx->snap.ladder = NULL;
	fx->snap.n_ladder = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_counts_fit),
		cmocka_unit_test_setup_teardown(test_hosts_by_trouble, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table_admits_trouble,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hosts_not_shown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sort_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_sort_udp_last, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_endpoint_elided, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_long_host_elided, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates_as_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conns_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladder_title_off_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rates_strip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory_shown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_header_rate_per_capture_second,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_memory_from_caller,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtt_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_and_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladder_gap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
