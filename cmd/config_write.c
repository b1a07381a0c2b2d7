#include "config_write.h"

#include <string.h>

#include "finding.h"
#include "utf8_text.h"

#define WIDTH 80
/* Where the comment beside a value starts: past "    key: value". */
#define NOTE_COLUMN 36

/* Written as is: wrapped by hand where the words allow it best. */
static const char header[] =
	"# tcplens configuration (YAML): the analysis engine's timeouts and memory\n"
	"# caps, and each detector's switches and thresholds.\n"
	"#\n"
	"# Where tcplens looks: the file named by --config FILE, else by\n"
	"# $TCPLENS_CONFIG; else the first that exists of\n"
	"# $XDG_CONFIG_HOME/tcplens/config.yaml (~/.config/tcplens/config.yaml when\n"
	"# XDG_CONFIG_HOME is not set) and /etc/tcplens/config.yaml.\n"
	"# Every key is optional: a key left out keeps the default written here.\n"
	"# Options on the command line (--time-wait ...) win over the file.\n"
	"# To check a file: tcplens config --check --config FILE\n"
	"# See CONFIGURATION in tcplens-config(1).\n";

static const char engine_intro[] =
	"The analysis engine, which every command but stats runs.";

static const char detectors_intro[] =
	"The detectors: whether each runs, the severity of its findings, and "
	"its thresholds.";

/*
 * The length of the UTF-8 character at p[0..len) (within a NUL-terminated
 * string) when a YAML comment can hold it, else 0.  A comment ends at a line break, which YAML 1.1 (and
 * libyaml) counts NEL, U+2028 and U+2029 among, and the reader refuses
 * control characters and bytes that are not UTF-8 anywhere in the file.
 */
static size_t comment_char_len(const unsigned char *p, size_t len)
{
	size_t n = utf8_sequence_len(p);
	unsigned long cp;

	if (n == 0 || n > len || (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)))
		return 0;
	cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	if ((cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/*
 * text[0..len) into a comment: what a comment cannot hold (a newline in
 * the file name `config --show` names, bytes that are not UTF-8) as '?',
 * so that the file still reads back.
 */
static void put_comment_text(FILE *out, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;

	for (size_t i = 0; i < len;) {
		size_t n = comment_char_len(p + i, len - i);

		if (n == 0) {
			fputc('?', out);
			i++;
		} else {
			fwrite(p + i, 1, n, out);
			i += n;
		}
	}
}

/* text as "# " lines at indent, wrapped at WIDTH columns between words. */
static void write_comment(FILE *out, int indent, const char *text)
{
	size_t room = (size_t)(WIDTH - indent - 2);
	const char *p = text;

	while (*p != '\0') {
		size_t len = strlen(p), cut = len;

		if (len > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)   /* one word longer than a line */
				cut = strcspn(p, " ");
		}
		/* Trailing spaces would make a line differ from the text. */
		while (cut > 0 && p[cut - 1] == ' ')
			cut--;
		fprintf(out, "%*s# ", indent, "");
		put_comment_text(out, p, cut);
		fputc('\n', out);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/*
 * One key: its doc above it, then "key: value" with the accepted range
 * (and the default, when the value is another) beside it, or above it
 * when the line would pass WIDTH.
 */
static void write_entry(FILE *out, const struct settings *s,
			const struct settings *def, const struct setting *e,
			int indent)
{
	char val[64], dv[64], range[96], note[192], line[160];
	size_t n, nn;

	settings_format(s, e, val, sizeof(val));
	settings_format(def, e, dv, sizeof(dv));
	settings_format_range(e, range, sizeof(range));
	if (strcmp(val, dv) != 0)
		snprintf(note, sizeof(note), "%s; default %s", range, dv);
	else
		snprintf(note, sizeof(note), "%s", range);
	write_comment(out, indent, e->doc);
	snprintf(line, sizeof(line), "%*s%s: %s", indent, "", e->key, val);
	n = strlen(line);
	nn = strlen(note);
	if (n + 2 <= NOTE_COLUMN && NOTE_COLUMN + 2 + nn <= WIDTH) {
		fprintf(out, "%-*s# %s\n", NOTE_COLUMN, line, note);
	} else if (n + 4 + nn <= WIDTH) {
		fprintf(out, "%s  # %s\n", line, note);
	} else {
		write_comment(out, indent, note);
		fprintf(out, "%s\n", line);
	}
}

void config_write(FILE *out, const struct settings *s,
		  const char *first_line)
{
	struct settings def;
	const char *section = "";
	size_t n = settings_count();

	settings_defaults(&def);
	if (first_line != NULL) {
		write_comment(out, 0, first_line);
		fputs("#\n", out);
	}
	fputs(header, out);
	for (size_t i = 0; i < n; i++) {
		const struct setting *e = settings_at(i);
		bool engine = strcmp(e->section, "engine") == 0;

		if (strcmp(e->section, section) != 0) {
			enum finding_id id;

			fputc('\n', out);
			if (engine) {
				write_comment(out, 0, engine_intro);
				fputs("engine:\n", out);
			} else {
				if (strcmp(section, "engine") == 0 ||
				    section[0] == '\0') {
					write_comment(out, 0, detectors_intro);
					fputs("detectors:\n\n", out);
				}
				if (finding_id_parse(e->section, &id))
					write_comment(out, 2, finding_title(id));
				fprintf(out, "  %s:\n", e->section);
			}
			section = e->section;
		}
		write_entry(out, s, &def, e, engine ? 2 : 4);
	}
}
