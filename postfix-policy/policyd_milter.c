/*++
 * NAME
 *	policyd_milter 3
 * SUMMARY
 *	the encryption gate's milter: socket and protocol
 * DESCRIPTION
 *	See policyd_milter.h; the gate's side of each event is in
 *	policyd_milter_cb.c, the wire format (packets, the data of each
 *	command, the negotiation reply) in shared/cm_milter_codec.c.
 *
 *	The milter protocol (version 6, as Postfix speaks it): every
 *	packet is a 4-byte length in network order (the command byte
 *	included), a command byte and its data; strings end in NUL. A
 *	connection starts with option negotiation (SMFIC_OPTNEG), in which
 *	the gate asks Postfix
 * .IP \(bu
 *	not to send the steps it does not need (HELO, DATA, end of
 *	headers, unknown commands);
 * .IP \(bu
 *	not to wait for a reply to connect, MAIL, RCPT, headers and body
 *	chunks ("no reply" steps): Postfix then writes a whole message,
 *	headers and body, with one write, and the only replies are to
 *	the negotiation and to the end of the message;
 * .IP \(bu
 *	for the macros it reads: {daemon_name} at connect, {auth_authen}
 *	at MAIL, the queue id (i) at the end of the message (Postfix's
 *	milter_*_macros still apply to the other steps and other milters).
 * .PP
 *	A step Postfix did not agree to skip or not to wait for is
 *	answered with "continue", and a body chunk after a refusal with
 *	"skip" when Postfix allows it. The end of the message is answered
 *	with "continue" or a reply code (SMFIR_REPLYCODE, "523 5.7.10
 *	text"): Postfix rejects or tempfails by its first digit. SMFIC_QUIT
 *	closes the connection, SMFIC_QUIT_NC starts a new session on it.
 *
 *	Why not libmilter: with Debian's libmilter (a worker pool) every
 *	packet cost three poll() and two read() calls, and every wait for
 *	the MTA a round trip through its pool controller and a thread
 *	wake-up (bench/relay measured 0.8 ms of CPU per message). Here a
 *	connection is served by one worker thread, which parses whatever
 *	one read() brought (usually many packets): about 0.1 ms.
 *
 *	A peer that sends a malformed or oversized packet, or events
 *	before negotiating, is logged once and disconnected; Postfix then
 *	applies milter_default_action (tempfail) to the message.
 * DIAGNOSTICS
 *	A socket that cannot be opened is a start-up error naming
 *	milter_socket.
 *--*/

#include "policyd_milter_private.h"
#include "policyd_log.h"
#include "cm_milter_codec.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the gate asks for (when the MTA offers it). */
#define POLICYD_MILTER_WANT \
	(CM_MILTER_PROTO_NOHELO | CM_MILTER_PROTO_NOEOH \
	 | CM_MILTER_PROTO_NOUNKNOWN | CM_MILTER_PROTO_NODATA \
	 | CM_MILTER_PROTO_SKIP | CM_MILTER_PROTO_NR_CONN \
	 | CM_MILTER_PROTO_NR_HELO | CM_MILTER_PROTO_NR_MAIL \
	 | CM_MILTER_PROTO_NR_RCPT | CM_MILTER_PROTO_NR_DATA \
	 | CM_MILTER_PROTO_NR_UNKN | CM_MILTER_PROTO_NR_HDR \
	 | CM_MILTER_PROTO_NR_EOH | CM_MILTER_PROTO_NR_BODY)

/* policyd_milter_listen - the socket of milter_socket */
static int policyd_milter_listen(const struct policyd_config *c,
				 struct policyd_milter *m, GError **error)
{
	const char *colon = strchr(m->spec, ':'), *at;
	g_autofree char *host = NULL, *tcp = NULL;
	int fd;

	if (colon != NULL && colon[1] == '/') {		/* unix: or local: */
		m->unix_path = g_strdup(colon + 1);
		fd = policyd_listen_unix(m->unix_path, c->milter_socket_mode,
					 "", c->milter_socket_group, error);
	} else if (colon != NULL && (at = strchr(colon, '@')) != NULL) {
		host = at[1] == '[' && g_str_has_suffix(at, "]")
		    ? g_strndup(at + 2, strlen(at) - 3) : g_strdup(at + 1);
		tcp = g_strdup_printf(strchr(host, ':') != NULL ? "[%s]:%.*s"
				      : "%s:%.*s", host,
				      (int) (at - colon - 1), colon + 1);
		fd = policyd_listen_tcp(tcp, error);
	} else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "cannot be parsed");
		fd = -1;
	}
	if (fd < 0)
		g_prefix_error(error, "milter_socket %s: ", m->spec);
	return fd;
}

/* policyd_milter_open - open the socket (before detaching) */
gboolean policyd_milter_open(struct policyd *d, GError **error)
{
	const struct policyd_config *c = d->config;
	struct policyd_server_limits limits = {
		c->max_connections, c->request_timeout, c->milter_timeout
	};
	struct policyd_milter *m;

	if (c->milter_socket[0] == '\0')
		return TRUE;
	m = g_new0(struct policyd_milter, 1);
	m->spec = g_strdup(c->milter_socket);
	if ((m->fd = policyd_milter_listen(c, m, error)) < 0) {
		g_free(m->unix_path);
		g_free(m->spec);
		g_free(m);
		return FALSE;
	}
	m->group = policyd_server_group_new(&limits);
	d->milter = m;
	d->milter_counts = TRUE;
	policyd_log_info("milter: listening on %s", m->spec);
	return TRUE;
}

/* policyd_milter_take_fd - hand the listening socket over, or -1 */
int policyd_milter_take_fd(struct policyd *d)
{
	int fd = d->milter != NULL ? d->milter->fd : -1;

	if (d->milter != NULL)
		d->milter->fd = -1;
	return fd;
}

/* policyd_milter_group - the workers' group, or NULL */
struct policyd_server_group *policyd_milter_group(const struct policyd *d)
{
	return d->milter != NULL ? d->milter->group : NULL;
}

/* policyd_milter_connections - open milter connections */
guint policyd_milter_connections(const struct policyd *d)
{
	return d->milter != NULL
	    ? policyd_server_group_connections(d->milter->group) : 0;
}

/* policyd_milter_close - after the workers: socket file, group */
void policyd_milter_close(struct policyd *d)
{
	struct policyd_milter *m = d->milter;
	struct stat st;

	if (m == NULL)
		return;
	d->milter = NULL;
	if (m->fd >= 0)
		close(m->fd);
	if (m->unix_path != NULL && lstat(m->unix_path, &st) == 0
	    && S_ISSOCK(st.st_mode))
		unlink(m->unix_path);
	policyd_server_group_free(&m->group);
	g_free(m->spec);
	g_free(m->unix_path);
	g_free(m);
}

/* policyd_milter_send - one reply packet, in one write */
static void policyd_milter_send(struct policyd_milter_conn *c, char cmd,
				const void *data, gsize len)
{
	char small[128], *buf = len + CM_MILTER_HEADER_SIZE <= sizeof(small)
	    ? small : g_malloc(len + CM_MILTER_HEADER_SIZE);
	long n = cm_milter_packet_format(cmd, data, len, buf,
					 len + CM_MILTER_HEADER_SIZE);

	if (n > 0)			/* -1: over CM_MILTER_PACKET_MAX */
		policyd_conn_write(c->conn, buf, (gsize) n);
	if (buf != small)
		g_free(buf);
}

/* policyd_milter_reply - "continue" unless the step is a no-reply one */
static void policyd_milter_reply(struct policyd_milter_conn *c, guint32 nr)
{
	if ((c->pflags & nr) == 0)
		policyd_milter_send(c, CM_MILTER_REPLY_CONTINUE, NULL, 0);
}

/* policyd_milter_optneg - the negotiation: steps, no-replies, macros */
static gboolean policyd_milter_optneg(struct policyd_milter_conn *c,
				      const char *data, gsize len)
{
	struct cm_milter_optneg offer;
	char out[CM_MILTER_OPTNEG_MAX];
	long n;

	if (cm_milter_optneg_parse(data, len, &offer) < 0) {
		policyd_log_warning("milter: %s: bad option negotiation; "
				    "closing", policyd_conn_peer(c->conn));
		return FALSE;
	}
	c->pflags = offer.protocol & POLICYD_MILTER_WANT;
	c->negotiated = TRUE;
	n = cm_milter_optneg_format(&offer, c->pflags, out, sizeof(out));
	g_assert(n > 0);		/* out has CM_MILTER_OPTNEG_MAX */
	policyd_milter_send(c, CM_MILTER_CMD_OPTNEG, out, (gsize) n);
	return TRUE;
}

/* policyd_milter_set - replace a kept macro value (NULL: forget it) */
static void policyd_milter_set(char **slot, const char *value)
{
	g_free(*slot);
	*slot = value != NULL ? g_strdup(value) : NULL;
}

/* policyd_milter_macros - SMFIC_MACRO: keep the ones the gate reads */
static void policyd_milter_macros(struct policyd_milter_conn *c,
				  const char *data, gsize len)
{
	struct cm_milter_macros it;
	const char *name, *value;

	if (cm_milter_macros_start(&it, data, len) < 0)
		return;
	if (it.cmd == CM_MILTER_CMD_MAIL) /* a new MAIL FROM's own macros */
		policyd_milter_set(&c->mail_auth, NULL);
	while (cm_milter_macros_next(&it, &name, &value) > 0) {
		if (strcmp(name, "{daemon_name}") == 0
		    || strcmp(name, "daemon_name") == 0)
			policyd_milter_set(&c->daemon_name, value);
		else if (strcmp(name, "{auth_authen}") == 0
			 || strcmp(name, "auth_authen") == 0)
			policyd_milter_set(&c->mail_auth, value);
		else if (strcmp(name, "i") == 0 || strcmp(name, "{i}") == 0)
			policyd_milter_set(&c->qid, value);
	}
}

/* policyd_milter_connect - SMFIC_CONNECT: host, family, port, address;
   FALSE if malformed */
static gboolean policyd_milter_connect(struct policyd_milter_conn *c,
				       const char *data, gsize len)
{
	struct cm_milter_connect cn;

	if (cm_milter_connect_parse(data, len, &cn) < 0)
		return FALSE;
	policyd_milter_cb_connect(c, cn.host, cn.addr);
	return TRUE;
}

/* policyd_milter_session_reset - SMFIC_QUIT_NC: a new session follows */
static void policyd_milter_session_reset(struct policyd_milter_conn *c)
{
	policyd_milter_cb_reset(c);
	policyd_milter_set(&c->client, NULL);
	policyd_milter_set(&c->daemon_name, NULL);
	policyd_milter_set(&c->mail_auth, NULL);
	policyd_milter_set(&c->qid, NULL);
}

/* policyd_milter_eom - the end of the message: the gate's answer */
static void policyd_milter_eom(struct policyd_milter_conn *c,
			       const char *data, gsize len)
{
	struct cm_gate_reply r;
	g_autofree char *text = NULL;

	if (len > 0)			/* a last chunk with the end */
		(void) policyd_milter_cb_body(c, data, len);
	policyd_milter_cb_eom(c, &r);
	if (r.action == CM_GATE_CONTINUE) {
		policyd_milter_send(c, CM_MILTER_REPLY_CONTINUE, NULL, 0);
		return;
	}
	text = g_strdup_printf("%s %s %s", r.code, r.xcode, r.text);
	policyd_milter_send(c, CM_MILTER_REPLY_REPLYCODE, text,
			    strlen(text) + 1);
}

/* policyd_milter_body - a chunk; "skip" after a refusal if allowed */
static void policyd_milter_body(struct policyd_milter_conn *c,
				const char *data, gsize len)
{
	gboolean refused = policyd_milter_cb_body(c, data, len);

	if ((c->pflags & CM_MILTER_PROTO_NR_BODY) != 0)
		return;
	policyd_milter_send(c, refused
			    && (c->pflags & CM_MILTER_PROTO_SKIP) != 0
			    ? CM_MILTER_REPLY_SKIP : CM_MILTER_REPLY_CONTINUE,
			    NULL, 0);
}

/* policyd_milter_envelope - MAIL, RCPT: the address; FALSE if
   malformed */
static gboolean policyd_milter_envelope(struct policyd_milter_conn *c,
					char cmd, const char *data, gsize len)
{
	const char *arg;

	if (cm_milter_strings_parse(data, len, &arg, 1) < 0)
		return FALSE;
	if (cmd == CM_MILTER_CMD_MAIL) {
		policyd_milter_cb_mail(c, arg);
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_MAIL);
	} else {
		policyd_milter_cb_rcpt(c, arg);
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_RCPT);
	}
	return TRUE;
}

/* policyd_milter_event - one packet of a negotiated session; FALSE:
   close the connection */
static gboolean policyd_milter_event(struct policyd_milter_conn *c, char cmd,
				     const char *data, gsize len)
{
	const char *s[2];

	switch (cmd) {
	case CM_MILTER_CMD_MACRO:
		policyd_milter_macros(c, data, len);
		return TRUE;
	case CM_MILTER_CMD_CONNECT:
		if (!policyd_milter_connect(c, data, len))
			return FALSE;
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_CONN);
		return TRUE;
	case CM_MILTER_CMD_MAIL:
	case CM_MILTER_CMD_RCPT:
		return policyd_milter_envelope(c, cmd, data, len);
	case CM_MILTER_CMD_HEADER:
		if (cm_milter_strings_parse(data, len, s, 2) < 0)
			return FALSE;
		policyd_milter_cb_header(c, s[0], s[1]);
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_HDR);
		return TRUE;
	case CM_MILTER_CMD_BODY:
		policyd_milter_body(c, data, len);
		return TRUE;
	case CM_MILTER_CMD_BODYEOB:
		policyd_milter_eom(c, data, len);
		return TRUE;
	case CM_MILTER_CMD_HELO:
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_HELO);
		return TRUE;
	case CM_MILTER_CMD_DATA:
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_DATA);
		return TRUE;
	case CM_MILTER_CMD_EOH:
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_EOH);
		return TRUE;
	case CM_MILTER_CMD_UNKNOWN:
		policyd_milter_reply(c, CM_MILTER_PROTO_NR_UNKN);
		return TRUE;
	case CM_MILTER_CMD_ABORT:
		policyd_milter_cb_reset(c);
		return TRUE;
	case CM_MILTER_CMD_QUIT_NC:
		policyd_milter_session_reset(c);
		return TRUE;
	default:			/* SMFIC_QUIT, or unknown */
		return FALSE;
	}
}

/* policyd_milter_packet - dispatch one whole packet; FALSE: close */
static gboolean policyd_milter_packet(struct policyd_milter_conn *c,
				      const struct cm_milter_packet *pkt)
{
	if (pkt->cmd == CM_MILTER_CMD_OPTNEG)
		return policyd_milter_optneg(c, pkt->data, pkt->len);
	if (!c->negotiated) {
		policyd_log_warning("milter: %s: command 0x%02x before option "
				    "negotiation; closing",
				    policyd_conn_peer(c->conn),
				    (unsigned char) pkt->cmd);
		return FALSE;
	}
	if (!policyd_milter_event(c, pkt->cmd, pkt->data, pkt->len)) {
		if (pkt->cmd != CM_MILTER_CMD_QUIT)
			policyd_log_warning("milter: %s: malformed or unknown "
					    "packet (command 0x%02x); closing",
					    policyd_conn_peer(c->conn),
					    (unsigned char) pkt->cmd);
		return FALSE;
	}
	return TRUE;
}

/* policyd_milter_input - split the input into packets, handle each */
static gboolean policyd_milter_input(struct policyd_conn *conn, void *state,
				     const char *data, gsize len)
{
	struct policyd_milter_conn *c = state;
	struct cm_milter_packet pkt;
	const char *p, *end;
	gboolean go_on = TRUE;
	gsize used;
	int rc;

	g_byte_array_append(c->in, (const guint8 *) data, (guint) len);
	p = (const char *) c->in->data;
	end = p + c->in->len;
	while (go_on && (rc = cm_milter_packet_split(p, (gsize) (end - p),
						     &pkt, &used)) != 0) {
		if (rc < 0) {
			policyd_log_warning("milter: %s: packet of %u bytes; "
					    "closing", policyd_conn_peer(conn),
					    cm_milter_u32_read(p));
			go_on = FALSE;
			break;
		}
		go_on = policyd_milter_packet(c, &pkt);
		p += used;
	}
	g_byte_array_remove_range(c->in, 0,
				  (guint) (p - (const char *) c->in->data));
	return go_on;
}

/* policyd_milter_conn_new - a connection's state (ctx: the worker) */
static void *policyd_milter_conn_new(struct policyd_conn *conn, void *ctx)
{
	struct policyd_milter_conn *c = g_new0(struct policyd_milter_conn, 1);

	c->w = ctx;
	c->conn = conn;
	c->in = g_byte_array_sized_new(4096);
	return c;
}

/* policyd_milter_conn_free - release it */
static void policyd_milter_conn_free(void *state)
{
	struct policyd_milter_conn *c = state;

	policyd_milter_session_reset(c);
	g_byte_array_free(c->in, TRUE);
	g_free(c);
}

/* policyd_milter_busy - a packet is partly received */
static gboolean policyd_milter_busy(void *state)
{
	const struct policyd_milter_conn *c = state;

	return c->in->len > 0;
}

const struct policyd_server_ops policyd_milter_ops = {
	policyd_milter_conn_new,
	policyd_milter_conn_free,
	policyd_milter_input,
	policyd_milter_busy,
};
