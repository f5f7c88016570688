/*++
 * NAME
 *	cm_milter_codec 3
 * SUMMARY
 *	the milter protocol (version 6) on the wire
 * DESCRIPTION
 *	See cm_milter_codec.h. Every decoder looks only at the bytes it
 *	was given: a string is taken only when its NUL lies inside them,
 *	and pointers never move past the end. Numbers are read and
 *	written a byte at a time, so alignment and host byte order do not
 *	matter.
 *--*/

#include "cm_milter_codec.h"

#include <string.h>

/* The macros chatmail-policyd reads, per stage (see the header). */
static const struct milter_symlist {
	uint32_t stage;
	const char *names;
} milter_symlists[] = {
	{CM_MILTER_STAGE_CONNECT, "{daemon_name}"},
	{CM_MILTER_STAGE_ENVFROM, "{auth_authen}"},
	{CM_MILTER_STAGE_EOM, "i"},
};

/* cm_milter_u32_read - a 32-bit number in network order */
uint32_t cm_milter_u32_read(const char *p)
{
	const unsigned char *u = (const unsigned char *) p;

	return ((uint32_t) u[0] << 24 | (uint32_t) u[1] << 16
		| (uint32_t) u[2] << 8 | (uint32_t) u[3]);
}

/* cm_milter_u32_write - store one in network order */
void    cm_milter_u32_write(char *p, uint32_t value)
{
	unsigned char *u = (unsigned char *) p;

	u[0] = (unsigned char) (value >> 24);
	u[1] = (unsigned char) (value >> 16);
	u[2] = (unsigned char) (value >> 8);
	u[3] = (unsigned char) value;
}

/* milter_next - the NUL-ended string at *p before end, or NULL; *p
   moves past its NUL */
static const char *milter_next(const char **p, const char *end)
{
	const char *s = *p, *nul;

	if (s >= end || (nul = memchr(s, '\0', (size_t) (end - s))) == NULL)
		return (NULL);
	*p = nul + 1;
	return (s);
}

/* cm_milter_packet_split - the first whole packet of buf */
int     cm_milter_packet_split(const char *buf, size_t len,
			       struct cm_milter_packet *packet_r,
			       size_t *used_r)
{
	uint32_t n;

	if (len < 4)
		return (0);
	n = cm_milter_u32_read(buf);
	if (n == 0 || n > CM_MILTER_PACKET_MAX)
		return (-1);
	if (len - 4 < (size_t) n)
		return (0);
	packet_r->cmd = buf[4];
	packet_r->data = buf + CM_MILTER_HEADER_SIZE;
	packet_r->len = (size_t) n - 1;
	*used_r = 4 + (size_t) n;
	return (1);
}

/* cm_milter_packet_format - length, command, data */
long    cm_milter_packet_format(char cmd, const void *data, size_t len,
				char *dst, size_t size)
{
	if (len > CM_MILTER_PACKET_MAX - 1
	    || size < CM_MILTER_HEADER_SIZE + len)
		return (-1);
	cm_milter_u32_write(dst, (uint32_t) len + 1);
	dst[4] = cmd;
	if (len > 0)
		memcpy(dst + CM_MILTER_HEADER_SIZE, data, len);
	return ((long) (CM_MILTER_HEADER_SIZE + len));
}

/* cm_milter_optneg_parse - version, actions, protocol */
int     cm_milter_optneg_parse(const char *data, size_t len,
			       struct cm_milter_optneg *optneg_r)
{
	uint32_t version;

	if (len < CM_MILTER_OPTNEG_SIZE
	    || (version = cm_milter_u32_read(data)) < CM_MILTER_VERSION_MIN)
		return (-1);
	optneg_r->version = version;
	optneg_r->actions = cm_milter_u32_read(data + 4);
	optneg_r->protocol = cm_milter_u32_read(data + 8);
	return (0);
}

/* cm_milter_optneg_format - our reply to the MTA's offer */
long    cm_milter_optneg_format(const struct cm_milter_optneg *offer,
				uint32_t protocol, char *dst, size_t size)
{
	uint32_t actions = offer->actions & CM_MILTER_ACT_SETSYMLIST;
	size_t  i, n, len = CM_MILTER_OPTNEG_SIZE;

	if (size < len)
		return (-1);
	cm_milter_u32_write(dst, offer->version < CM_MILTER_VERSION
			    ? offer->version : CM_MILTER_VERSION);
	cm_milter_u32_write(dst + 4, actions);
	cm_milter_u32_write(dst + 8, protocol & offer->protocol);
	if (offer->version < 6 || actions == 0)
		return ((long) len);
	for (i = 0; i < sizeof(milter_symlists) / sizeof(milter_symlists[0]);
	     i++) {
		n = strlen(milter_symlists[i].names) + 1;
		if (size - len < 4 + n)
			return (-1);
		cm_milter_u32_write(dst + len, milter_symlists[i].stage);
		memcpy(dst + len + 4, milter_symlists[i].names, n);
		len += 4 + n;
	}
	return ((long) len);
}

/* cm_milter_connect_parse - host, family, port, address */
int     cm_milter_connect_parse(const char *data, size_t len,
				struct cm_milter_connect *connect_r)
{
	const char *p = data, *end = data + len;
	const unsigned char *u;

	if ((connect_r->host = milter_next(&p, end)) == NULL || p >= end)
		return (-1);
	connect_r->family = *p;
	connect_r->port = 0;
	connect_r->addr = NULL;
	if (*p == CM_MILTER_FAMILY_UNKNOWN)
		return (0);
	if (end - p < 3)			/* family and port */
		return (-1);
	u = (const unsigned char *) p + 1;
	connect_r->port = (unsigned) u[0] << 8 | u[1];
	p += 3;
	if ((connect_r->addr = milter_next(&p, end)) == NULL)
		return (-1);
	return (0);
}

/* cm_milter_macros_start - the command byte, then the pairs */
int     cm_milter_macros_start(struct cm_milter_macros *it, const char *data,
			       size_t len)
{
	if (len == 0)
		return (-1);
	it->cmd = data[0];
	it->next = data + 1;
	it->end = data + len;
	return (0);
}

/* cm_milter_macros_next - the next name/value pair */
int     cm_milter_macros_next(struct cm_milter_macros *it,
			      const char **name_r, const char **value_r)
{
	const char *name, *value;

	if ((name = milter_next(&it->next, it->end)) == NULL
	    || (value = milter_next(&it->next, it->end)) == NULL) {
		it->next = it->end;
		return (0);
	}
	*name_r = name;
	*value_r = value;
	return (1);
}

/* cm_milter_strings_parse - the first n NUL-ended strings */
int     cm_milter_strings_parse(const char *data, size_t len,
				const char **strings, unsigned n)
{
	const char *p = data, *end = data + len;
	unsigned i;

	for (i = 0; i < n; i++)
		if ((strings[i] = milter_next(&p, end)) == NULL)
			return (-1);
	return (0);
}
