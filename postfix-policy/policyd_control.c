/*++
 * NAME
 *	policyd_control 3
 * SUMMARY
 *	the control socket of chatmail-policyd: line framing
 * DESCRIPTION
 *	Reads request lines (at most CM_CTL_LINE_MAX bytes), splits them
 *	with cm_ctl_split() and runs them with policyd_ctl_run() against
 *	the daemon's state. A line that is too long or malformed gets
 *	"ERR syntax ..." and the connection stays usable. Every write
 *	command is logged with the peer.
 *--*/

#include "policyd.h"
#include "policyd_ctl.h"
#include "policyd_log.h"
#include "cm_ctl_codec.h"

#include <string.h>

struct policyd_control_conn {
	struct policyd *d;
	struct policyd_conn *conn;
	GString *line;
	gboolean overlong;	/* discarding up to the next LF */
};

/* policyd_control_new - per-connection state */
static void *policyd_control_new(struct policyd_conn *conn, void *ctx)
{
	struct policyd_control_conn *cc = g_new0(struct policyd_control_conn, 1);

	cc->d = ctx;
	cc->conn = conn;
	cc->line = g_string_sized_new(128);
	return cc;
}

/* policyd_control_free - release per-connection state */
static void policyd_control_free(void *state)
{
	struct policyd_control_conn *cc = state;

	g_string_free(cc->line, TRUE);
	g_free(cc);
}

/* policyd_control_busy - a request line is partly received */
static gboolean policyd_control_busy(void *state)
{
	struct policyd_control_conn *cc = state;

	return cc->line->len > 0 || cc->overlong;
}

/* policyd_control_is_write - commands worth a log line */
static gboolean policyd_control_is_write(char **words, int n)
{
	static const char *const reads[] = {
		"get", "list", "stats", "mode", NULL
	};

	if (n == 0 || strcmp(words[0], "version") == 0
	    || strcmp(words[0], "stats") == 0)
		return FALSE;
	if (n == 2 && strcmp(words[0], "federation") == 0
	    && strcmp(words[1], "mode") == 0)
		return FALSE;
	return n < 2 || !g_strv_contains(reads, words[1]);
}

/* policyd_control_status - a copy of the reply's last (status) line */
static char *policyd_control_status(const GString *out)
{
	gsize end = out->len > 0 ? out->len - 1 : 0, start = end;

	while (start > 0 && out->str[start - 1] != '\n')
		start--;
	return g_strndup(out->str + start, end - start);
}

/* policyd_control_line - run one complete request line */
static void policyd_control_line(struct policyd_control_conn *cc)
{
	struct policyd *d = cc->d;
	struct policyd_ctl ctl = {
		d->store, d->hot, &d->settings, d->config->mail_root,
		d->config->mail_layout, d, g_string_sized_new(256)
	};
	g_autofree char *copy = g_strdup(cc->line->str);
	char *words[CM_CTL_WORDS_MAX];
	int n;

	if (cc->line->len > 0 && cc->line->str[cc->line->len - 1] == '\r')
		g_string_truncate(cc->line, cc->line->len - 1);
	n = cm_ctl_split(cc->line->str, words, CM_CTL_WORDS_MAX);
	if (n < 0) {
		g_string_append(ctl.out, "ERR syntax malformed request line "
				"(see doc/control-protocol.md)\n");
	} else {
		policyd_ctl_run(&ctl, words, n);
		if (policyd_control_is_write(words, n)) {
			g_autofree char *status = policyd_control_status(ctl.out);

			policyd_log_info("control: %s: %s -> %s",
					 policyd_conn_peer(cc->conn), copy,
					 status);
		}
	}
	policyd_conn_write(cc->conn, ctl.out->str, ctl.out->len);
	g_string_free(ctl.out, TRUE);
}

/* policyd_control_input - split input into lines */
static gboolean policyd_control_input(struct policyd_conn *conn, void *state,
				      const char *data, gsize len)
{
	struct policyd_control_conn *cc = state;

	while (len > 0) {
		if (!policyd_conn_take_line(cc->line, &cc->overlong,
					    CM_CTL_LINE_MAX, &data, &len))
			break;
		if (cc->overlong) {
			static const char msg[] = "ERR syntax request line "
				"longer than 8192 bytes\n";

			policyd_conn_write(conn, msg, sizeof(msg) - 1);
			policyd_log_warning("control: %s sent an over-long "
					    "line", policyd_conn_peer(conn));
		} else {
			policyd_control_line(cc);
		}
		g_string_truncate(cc->line, 0);
		cc->overlong = FALSE;
	}
	return TRUE;
}

const struct policyd_server_ops policyd_control_ops = {
	policyd_control_new,
	policyd_control_free,
	policyd_control_input,
	policyd_control_busy,
};
