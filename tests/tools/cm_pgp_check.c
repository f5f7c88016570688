/*++
 * NAME
 *	cm_pgp_check 1
 * SUMMARY
 *	run the encryption gate's checker on one message file
 * SYNOPSIS
 *	cm_pgp_check [-o] [-f mail_from] [-r rcpt]... [-c chunk,...] file
 * DESCRIPTION
 *	Splits the file the way a milter sees a message: header fields as
 *	(name, value) with the value's folding kept (the blanks after the
 *	colon and the final line end dropped), then the body as the raw
 *	bytes after the empty line, fed to cm_pgp_body() in chunks of
 *	-c bytes (default 65535, what Postfix sends; 0 = one call). It
 *	prints "<verdict>: <reason>" with verdict encrypted, exception or
 *	refused. With several comma-separated chunk sizes the message is
 *	checked once per size, one line each.
 *
 *	-o selects outgoing mode (default incoming), -f the envelope
 *	sender (default empty: the null sender), -r adds a recipient (at
 *	most 16).
 * DIAGNOSTICS
 *	Exit 0 when a verdict was printed, 2 on usage or I/O errors.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_pgp.h"

#define CHECK_MAX_RCPT	16
#define CHECK_MAX_CHUNKS 16

/* check_read - the whole file; the caller frees */
static char *check_read(const char *path, size_t *len_r)
{
	FILE   *fp = fopen(path, "rb");
	char   *buf = NULL;
	size_t  len = 0, size = 0, n;

	if (fp == NULL)
		return (NULL);
	do {
		if (len == size) {
			char   *nbuf;

			size = size ? size * 2 : 65536;
			if ((nbuf = realloc(buf, size + 1)) == NULL) {
				free(buf);
				fclose(fp);
				return (NULL);
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, size - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	buf[len] = '\0';
	*len_r = len;
	return (buf);
}

/* check_line_end - length of the line starting at p (LF included) */
static size_t check_line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t) (end - p));

	return (nl != NULL ? (size_t) (nl - p) + 1 : (size_t) (end - p));
}

/* check_blank_line - the empty line that ends the header */
static int check_blank_line(const char *p, size_t n)
{
	return ((n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r'
					      && p[1] == '\n'));
}

/* check_field - hand one field (p, n: all its lines) to the checker */
static int check_field(struct cm_pgp *pgp, const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	char   *name, *value;
	size_t  nlen, vlen;
	int     rc;

	if (colon == NULL)
		return (0);			/* not a field: ignored */
	nlen = (size_t) (colon - p);
	p = colon + 1;
	vlen = n - nlen - 1;
	while (vlen > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		vlen--;
	}
	while (vlen > 0 && (p[vlen - 1] == '\n' || p[vlen - 1] == '\r'))
		vlen--;
	name = strndup(colon - nlen, nlen);
	value = strndup(p, vlen);
	if (name == NULL || value == NULL) {
		perror("strndup");
		exit(2);
	}
	rc = cm_pgp_header(pgp, name, value);
	free(name);
	free(value);
	return (rc);
}

/* check_message - feed one message, print the verdict */
static void check_message(struct cm_pgp *pgp, const char *buf, size_t len,
			  size_t chunk)
{
	const char *p = buf, *end = buf + len, *field = NULL;
	const char *reason = "";
	enum cm_pgp_verdict v;
	int     rc = 0;

	while (p < end && rc == 0) {
		size_t  n = check_line_end(p, end);

		if (field != NULL && (*p == ' ' || *p == '\t')) {
			p += n;
			continue;
		}
		if (field != NULL)
			rc = check_field(pgp, field, (size_t) (p - field));
		field = NULL;
		if (check_blank_line(p, n)) {
			p += n;
			break;
		}
		field = p;
		p += n;
	}
	if (field != NULL && rc == 0)
		rc = check_field(pgp, field, (size_t) (p - field));
	while (rc == 0 && p < end) {
		size_t  n = chunk == 0 || chunk > (size_t) (end - p) ?
			(size_t) (end - p) : chunk;

		rc = cm_pgp_body(pgp, p, n);
		p += n;
	}
	v = cm_pgp_finish(pgp, &reason);
	printf("%s: %s\n", v == CM_PGP_ENCRYPTED ? "encrypted" :
	       v == CM_PGP_EXCEPTION ? "exception" : "refused", reason);
}

/* main - parse arguments, check the file */
int     main(int argc, char **argv)
{
	const char *rcpt[CHECK_MAX_RCPT];
	struct cm_pgp_envelope env = {CM_PGP_INCOMING, "", rcpt, 0};
	struct cm_pgp *pgp;
	size_t  chunks[CHECK_MAX_CHUNKS] = {65535}, len;
	char   *buf, *s, *end;
	int     c, i, nchunks = 1;

	while ((c = getopt(argc, argv, "of:r:c:")) != -1) {
		switch (c) {
		case 'o':
			env.mode = CM_PGP_OUTGOING;
			break;
		case 'f':
			env.mail_from = optarg;
			break;
		case 'r':
			if (env.rcpt_count == CHECK_MAX_RCPT) {
				fprintf(stderr, "too many -r\n");
				return (2);
			}
			rcpt[env.rcpt_count++] = optarg;
			break;
		case 'c':
			for (nchunks = 0, s = optarg; *s != '\0'; s = end) {
				if (nchunks == CHECK_MAX_CHUNKS)
					goto usage;
				chunks[nchunks++] = strtoul(s, &end, 10);
				if (end == s || (*end != ',' && *end != '\0'))
					goto usage;
				if (*end == ',')
					end++;
			}
			if (nchunks == 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	if ((buf = check_read(argv[optind], &len)) == NULL) {
		perror(argv[optind]);
		return (2);
	}
	for (i = 0; i < nchunks; i++) {
		if ((pgp = cm_pgp_new(&env)) == NULL) {
			perror("cm_pgp_new");
			return (2);
		}
		check_message(pgp, buf, len, chunks[i]);
		cm_pgp_free(pgp);
	}
	free(buf);
	return (0);
usage:
	fprintf(stderr, "usage: cm_pgp_check [-o] [-f mail_from] [-r rcpt]..."
		" [-c chunk,...] file\n");
	return (2);
}
