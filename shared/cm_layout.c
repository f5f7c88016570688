/*++
 * NAME
 *	cm_layout 3
 * SUMMARY
 *	mail location templates: user -> Maildir path, and the reverse walk
 * DESCRIPTION
 *	See cm_layout.h. A parsed layout is a list of path components, each
 *	a list of tokens (literal text or one of the variables u, n, d).
 *	Dovecot's lowercase modifier forms %Lu, %Ln and %Ld are accepted as
 *	the same variables as %u, %n and %d: chatmail user names are
 *	lowercased before they get here, so expanding them unchanged gives
 *	the same path Dovecot computes.
 *
 *	cm_layout_path() splits the user at its LAST "@": the local part is
 *	%n, the rest %d. A user without "@" has no domain.
 *
 *	cm_layout_walk() descends the template one component at a time.
 *	Literal-only components are only appended to a pending relative
 *	path; a component with variables is matched against the entries of
 *	the directory reached so far with a small backtracking matcher (a
 *	variable matches a non-empty run; a variable seen before must match
 *	its earlier value). The first consistent match of an entry is used.
 *	A captured %u must contain "@" with text on both sides, and agree
 *	with %n and %d when those are captured too; a captured %d never
 *	contains "@" (cm_layout_path() would never produce that). Entries
 *	starting with "." never match a component that has a variable. The
 *	final path must be a directory; where the template ends in
 *	literals, that is checked with one fstatat(), otherwise the entry's
 *	d_type is trusted (stat only when it is DT_UNKNOWN or DT_LNK).
 *--*/

#include "cm_layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CM_LAYOUT_SUPPORTED "%u %n %d %% (and %Lu %Ln %Ld)"

enum cm_layout_var {
	CM_VAR_NONE = -1,	/* literal text */
	CM_VAR_U = 0,
	CM_VAR_N,
	CM_VAR_D,
	CM_VAR_COUNT
};

struct cm_layout_token {
	enum cm_layout_var var;
	char *text;		/* CM_VAR_NONE: the literal ("%%" -> "%") */
	size_t len;
};

struct cm_layout_comp {
	struct cm_layout_token *tokens;
	size_t n_tokens;
	int has_var;
};

struct cm_layout {
	struct cm_layout_comp *comps;
	size_t n_comps;
	int uses[CM_VAR_COUNT];
};

/* xmalloc - malloc that aborts on OOM */
static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	return (p);
}

/* xrealloc - realloc that aborts on OOM */
static void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		abort();
	return (p);
}

/* xstrndup - strndup that aborts on OOM */
static char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

/* comp_add_token - append a token to a component */
static void comp_add_token(struct cm_layout_comp *comp, enum cm_layout_var var,
			   const char *text, size_t len)
{
	struct cm_layout_token *tok;

	comp->tokens = xrealloc(comp->tokens,
			    (comp->n_tokens + 1) * sizeof(*comp->tokens));
	tok = &comp->tokens[comp->n_tokens++];
	tok->var = var;
	tok->text = text ? xstrndup(text, len) : NULL;
	tok->len = len;
	if (var != CM_VAR_NONE)
		comp->has_var = 1;
}

/* comp_add_char - append one literal character (merging with the last) */
static void comp_add_char(struct cm_layout_comp *comp, char ch)
{
	struct cm_layout_token *tok;

	if (comp->n_tokens > 0
	    && comp->tokens[comp->n_tokens - 1].var == CM_VAR_NONE) {
		tok = &comp->tokens[comp->n_tokens - 1];
		tok->text = xrealloc(tok->text, tok->len + 2);
		tok->text[tok->len++] = ch;
		tok->text[tok->len] = '\0';
		return;
	}
	comp_add_token(comp, CM_VAR_NONE, &ch, 1);
}

/* var_of - the variable named by letter c, or CM_VAR_NONE */
static enum cm_layout_var var_of(char c)
{
	switch (c) {
	case 'u':
		return (CM_VAR_U);
	case 'n':
		return (CM_VAR_N);
	case 'd':
		return (CM_VAR_D);
	default:
		return (CM_VAR_NONE);
	}
}

/* parse_percent - handle the "%..." at *pp; advances *pp past it */
static int parse_percent(struct cm_layout *layout, struct cm_layout_comp *comp,
			 const char **pp, const char *template_text,
			 struct cm_error *err)
{
	const char *p = *pp + 1;
	enum cm_layout_var var;
	int modifier = 0;

	if (*p == '%') {
		comp_add_char(comp, '%');
		*pp = p + 1;
		return (0);
	}
	if (*p == 'L') {
		modifier = 1;
		p++;
	}
	if (*p == '\0' || *p == '/') {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout \"%s\": "
			     "incomplete variable \"%.*s\"; supported: %s",
			     template_text, (int) (p - *pp), *pp,
			     CM_LAYOUT_SUPPORTED);
		return (-1);
	}
	if ((var = var_of(*p)) == CM_VAR_NONE) {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout \"%s\": "
			     "unsupported variable \"%s%c\"; supported: %s",
			     template_text, modifier ? "%L" : "%", *p,
			     CM_LAYOUT_SUPPORTED);
		return (-1);
	}
	comp_add_token(comp, var, NULL, 0);
	layout->uses[var] = 1;
	*pp = p + 1;
	return (0);
}

/* check_comp - refuse empty and "." / ".." literal components */
static int check_comp(const struct cm_layout_comp *comp,
		      const char *template_text, struct cm_error *err)
{
	const char *text;

	if (comp->n_tokens == 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout \"%s\": "
			     "empty path component", template_text);
		return (-1);
	}
	if (comp->has_var || comp->n_tokens != 1)
		return (0);
	text = comp->tokens[0].text;
	if (strcmp(text, ".") == 0 || strcmp(text, "..") == 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout \"%s\": "
			     "\"%s\" path components are not allowed",
			     template_text, text);
		return (-1);
	}
	return (0);
}

/* new_comp - append an empty component to the layout */
static struct cm_layout_comp *new_comp(struct cm_layout *layout)
{
	struct cm_layout_comp *comp;

	layout->comps = xrealloc(layout->comps,
			     (layout->n_comps + 1) * sizeof(*layout->comps));
	comp = &layout->comps[layout->n_comps++];
	memset(comp, 0, sizeof(*comp));
	return (comp);
}

/* parse_components - split the template into components and tokens */
static int parse_components(struct cm_layout *layout,
			    const char *template_text, struct cm_error *err)
{
	struct cm_layout_comp *comp = new_comp(layout);
	const char *p = template_text;

	while (*p != '\0') {
		if (*p == '/') {
			if (check_comp(comp, template_text, err) < 0)
				return (-1);
			comp = new_comp(layout);
			p++;
		} else if (*p == '%') {
			if (parse_percent(layout, comp, &p, template_text,
					  err) < 0)
				return (-1);
		} else {
			comp_add_char(comp, *p++);
		}
	}
	return (check_comp(comp, template_text, err));
}

/* cm_layout_parse - compile a mail location template */
int cm_layout_parse(const char *template_text, struct cm_layout **layout_r,
		    struct cm_error *err)
{
	struct cm_layout *layout;

	*layout_r = NULL;
	if (template_text == NULL || *template_text == '\0') {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout is empty");
		return (-1);
	}
	if (*template_text == '/') {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout \"%s\" must "
			     "be relative to the mail root", template_text);
		return (-1);
	}
	layout = xmalloc(sizeof(*layout));
	memset(layout, 0, sizeof(*layout));
	if (parse_components(layout, template_text, err) < 0) {
		cm_layout_free(&layout);
		return (-1);
	}
	if (!layout->uses[CM_VAR_U] && !layout->uses[CM_VAR_N]) {
		cm_error_set(err, CM_ERR_INVALID, 0, "mail layout \"%s\" must "
			     "name the user with %%u or %%n", template_text);
		cm_layout_free(&layout);
		return (-1);
	}
	*layout_r = layout;
	return (0);
}

/* cm_layout_free - release a layout and reset the pointer */
void cm_layout_free(struct cm_layout **layout)
{
	size_t i, j;

	if (layout == NULL || *layout == NULL)
		return;
	for (i = 0; i < (*layout)->n_comps; i++) {
		for (j = 0; j < (*layout)->comps[i].n_tokens; j++)
			free((*layout)->comps[i].tokens[j].text);
		free((*layout)->comps[i].tokens);
	}
	free((*layout)->comps);
	free(*layout);
	*layout = NULL;
}

/* Values of the variables: pointer + length (not NUL-terminated). */
struct cm_layout_vals {
	const char *ptr[CM_VAR_COUNT];
	size_t len[CM_VAR_COUNT];
};

/* split_user - %u/%n/%d of a user; domain absent without "@" */
static void split_user(const char *user, struct cm_layout_vals *vals)
{
	const char *at = strrchr(user, '@');

	vals->ptr[CM_VAR_U] = user;
	vals->len[CM_VAR_U] = strlen(user);
	vals->ptr[CM_VAR_N] = user;
	vals->len[CM_VAR_N] = at ? (size_t) (at - user) : strlen(user);
	vals->ptr[CM_VAR_D] = at ? at + 1 : NULL;
	vals->len[CM_VAR_D] = at ? strlen(at + 1) : 0;
}

/* check_value - a value may not be empty, contain "/" or be "."/".." */
static int check_value(const struct cm_layout *layout,
		       const struct cm_layout_vals *vals, const char *user,
		       struct cm_error *err)
{
	static const char *const names[CM_VAR_COUNT] = {"%u", "%n", "%d"};
	const char *v;
	size_t len;
	int i;

	for (i = 0; i < CM_VAR_COUNT; i++) {
		if (!layout->uses[i])
			continue;
		v = vals->ptr[i];
		len = vals->len[i];
		if (v == NULL) {
			cm_error_set(err, CM_ERR_INVALID, 0, "user \"%s\" has "
				     "no domain, but the mail layout uses %%d",
				     user);
			return (-1);
		}
		if (len == 0 || memchr(v, '/', len) != NULL
		    || (len == 1 && v[0] == '.')
		    || (len == 2 && v[0] == '.' && v[1] == '.')) {
			cm_error_set(err, CM_ERR_INVALID, 0, "user \"%s\": %s "
				     "would expand to the unsafe path "
				     "component \"%.*s\"", user, names[i],
				     (int) len, v);
			return (-1);
		}
	}
	return (0);
}

/* append - bounded append to buf; 0 ok, -1 when it does not fit */
static int append(char *buf, size_t size, size_t *pos, const char *s,
		  size_t len)
{
	if (len >= size - *pos)
		return (-1);
	memcpy(buf + *pos, s, len);
	*pos += len;
	buf[*pos] = '\0';
	return (0);
}

/* expand_comp - append one expanded component; -1 when buf is too small */
static int expand_comp(const struct cm_layout_comp *comp,
		       const struct cm_layout_vals *vals, char *buf,
		       size_t size, size_t *pos)
{
	const struct cm_layout_token *tok;
	size_t i;

	for (i = 0; i < comp->n_tokens; i++) {
		tok = &comp->tokens[i];
		if (tok->var == CM_VAR_NONE) {
			if (append(buf, size, pos, tok->text, tok->len) < 0)
				return (-1);
		} else if (append(buf, size, pos, vals->ptr[tok->var],
				  vals->len[tok->var]) < 0) {
			return (-1);
		}
	}
	return (0);
}

/* is_dot_name - "." or ".." */
static int is_dot_name(const char *s, size_t len)
{
	return ((len == 1 && s[0] == '.')
		|| (len == 2 && s[0] == '.' && s[1] == '.'));
}

/* cm_layout_path - root + "/" + the template expanded for user */
int cm_layout_path(const struct cm_layout *layout, const char *root,
		   const char *user, char *buf, size_t size,
		   struct cm_error *err)
{
	struct cm_layout_vals vals;
	size_t pos = 0, start, i, rlen = strlen(root);

	split_user(user, &vals);
	if (check_value(layout, &vals, user, err) < 0)
		return (-1);
	if (size == 0 || append(buf, size, &pos, root, rlen) < 0)
		goto toosmall;
	for (i = 0; i < layout->n_comps; i++) {
		if ((pos == 0 || buf[pos - 1] != '/')
		    && append(buf, size, &pos, "/", 1) < 0)
			goto toosmall;
		start = pos;
		if (expand_comp(&layout->comps[i], &vals, buf, size, &pos) < 0)
			goto toosmall;
		if (is_dot_name(buf + start, pos - start)) {
			cm_error_set(err, CM_ERR_INVALID, 0, "user \"%s\": "
				     "mail path component \"%s\" is unsafe",
				     user, buf + start);
			return (-1);
		}
	}
	return (0);

toosmall:
	cm_error_set(err, CM_ERR_INVALID, 0, "mail path for user \"%s\" under "
		     "\"%s\" does not fit in %zu bytes", user, root, size);
	return (-1);
}

/*
 * The walk.
 */

/* A growable path buffer. */
struct cm_pathbuf {
	char *s;
	size_t len;
	size_t cap;
};

struct cm_walk {
	const struct cm_layout *layout;
	cm_layout_user_fn *on_user;
	cm_layout_error_fn *on_error;
	void *ctx;
	struct cm_layout_vals vals;	/* captured so far */
	struct cm_pathbuf path;		/* root + components so far */
	struct cm_pathbuf user;		/* scratch for the callback's user */
};

/* pb_truncate - cut the path back to len */
static void pb_truncate(struct cm_pathbuf *pb, size_t len)
{
	pb->len = len;
	pb->s[len] = '\0';
}

/* pb_append - append len bytes of s */
static void pb_append(struct cm_pathbuf *pb, const char *s, size_t len)
{
	if (pb->len + len + 1 > pb->cap) {
		while (pb->len + len + 1 > pb->cap)
			pb->cap = pb->cap ? pb->cap * 2 : 256;
		pb->s = xrealloc(pb->s, pb->cap);
	}
	memcpy(pb->s + pb->len, s, len);
	pb_truncate(pb, pb->len + len);
}

/* pb_append_sep - append "/" (unless at a "/") and then s */
static void pb_append_sep(struct cm_pathbuf *pb, const char *s, size_t len)
{
	if (pb->len > 0 && pb->s[pb->len - 1] != '/')
		pb_append(pb, "/", 1);
	pb_append(pb, s, len);
}

/* vals_consistent - %u has "@" inside, agrees with %n/%d; %d has no "@" */
static int vals_consistent(const struct cm_layout_vals *v)
{
	const char *u = v->ptr[CM_VAR_U], *at;
	size_t ulen = v->len[CM_VAR_U], nlen;

	if (v->ptr[CM_VAR_D] && memchr(v->ptr[CM_VAR_D], '@',
				       v->len[CM_VAR_D]) != NULL)
		return (0);
	if (u == NULL)
		return (1);
	for (at = u + ulen; at > u && at[-1] != '@'; at--)
		 /* void */ ;
	if (at == u || at == u + 1 || at == u + ulen)
		return (0);
	at--;
	nlen = (size_t) (at - u);
	if (v->ptr[CM_VAR_N] && (v->len[CM_VAR_N] != nlen
			       || memcmp(v->ptr[CM_VAR_N], u, nlen) != 0))
		return (0);
	if (v->ptr[CM_VAR_D] && (v->len[CM_VAR_D] != ulen - nlen - 1
			       || memcmp(v->ptr[CM_VAR_D], at + 1,
					 ulen - nlen - 1) != 0))
		return (0);
	return (1);
}

/* match_tokens - backtracking match of tokens[i..] against s[pos..len] */
static int match_tokens(const struct cm_layout_comp *comp, size_t i,
			const char *s, size_t pos, size_t len,
			struct cm_layout_vals *v)
{
	const struct cm_layout_token *tok;
	size_t end;

	if (i == comp->n_tokens)
		return (pos == len && vals_consistent(v));
	tok = &comp->tokens[i];
	if (tok->var == CM_VAR_NONE) {
		if (len - pos < tok->len
		    || memcmp(s + pos, tok->text, tok->len) != 0)
			return (0);
		return (match_tokens(comp, i + 1, s, pos + tok->len, len, v));
	}
	if (v->ptr[tok->var] != NULL) {
		end = v->len[tok->var];
		if (len - pos < end || memcmp(s + pos, v->ptr[tok->var],
					      end) != 0)
			return (0);
		return (match_tokens(comp, i + 1, s, pos + end, len, v));
	}
	for (end = pos + 1; end <= len; end++) {
		if (is_dot_name(s + pos, end - pos))
			continue;
		v->ptr[tok->var] = s + pos;
		v->len[tok->var] = end - pos;
		if (match_tokens(comp, i + 1, s, end, len, v))
			return (1);
	}
	v->ptr[tok->var] = NULL;
	v->len[tok->var] = 0;
	return (0);
}

/* walk_report - pass a directory error to on_error */
static void walk_report(struct cm_walk *walk, int errnum, const char *op)
{
	struct cm_error e;
	char what[CM_ERROR_MAX];

	cm_error_clear(&e);
	snprintf(what, sizeof(what), "%s(%s)", op, walk->path.s);
	cm_error_errno(&e, errnum, what);
	if (walk->on_error)
		walk->on_error(walk->path.s, &e, walk->ctx);
}

/* walk_found - the path is a user's Maildir: call on_user */
static int walk_found(struct cm_walk *walk)
{
	const struct cm_layout_vals *v = &walk->vals;
	struct cm_pathbuf *u = &walk->user;

	pb_truncate(u, 0);
	if (v->ptr[CM_VAR_U] != NULL) {
		pb_append(u, v->ptr[CM_VAR_U], v->len[CM_VAR_U]);
	} else {
		pb_append(u, v->ptr[CM_VAR_N], v->len[CM_VAR_N]);
		if (v->ptr[CM_VAR_D] != NULL) {
			pb_append(u, "@", 1);
			pb_append(u, v->ptr[CM_VAR_D], v->len[CM_VAR_D]);
		}
	}
	return (walk->on_user(u->s, walk->path.s, walk->ctx));
}

static int walk_next(struct cm_walk *, size_t, int, size_t);

/* walk_finish - literal tail appended: check it is a directory */
static int walk_finish(struct cm_walk *walk, int dirfd, const char *rel)
{
	struct stat st;

	if (fstatat(dirfd, rel, &st, 0) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			walk_report(walk, errno, "stat");
		return (0);
	}
	if (!S_ISDIR(st.st_mode))
		return (0);
	return (walk_found(walk));
}

/* walk_entry - one directory entry matched component i: go deeper */
static int walk_entry(struct cm_walk *walk, size_t i, int dirfd,
		      const char *name, unsigned char type)
{
	struct stat st;
	size_t mark = walk->path.len, len = strlen(name);
	int ret;

	pb_append_sep(&walk->path, name, len);
	if (i + 1 == walk->layout->n_comps) {
		/* The Maildir itself: must be a directory. */
		if (type == DT_DIR || ((type == DT_UNKNOWN || type == DT_LNK)
				       && fstatat(dirfd, name, &st, 0) == 0
				       && S_ISDIR(st.st_mode)))
			ret = walk_found(walk);
		else
			ret = 0;
	} else {
		ret = walk_next(walk, i + 1, dirfd, walk->path.len - len);
	}
	pb_truncate(&walk->path, mark);
	return (ret);
}

/* walk_dir - list dir and descend into each entry matching component i */
static int walk_dir(struct cm_walk *walk, size_t i, DIR *dir)
{
	const struct cm_layout_comp *comp = &walk->layout->comps[i];
	struct cm_layout_vals saved;
	struct dirent *ent;
	int ret = 0;

	for (;;) {
		errno = 0;
		if ((ent = readdir(dir)) == NULL) {
			if (errno != 0)
				walk_report(walk, errno, "readdir");
			break;
		}
		if (ent->d_name[0] == '.')
			continue;
		if (ent->d_type != DT_DIR && ent->d_type != DT_UNKNOWN
		    && ent->d_type != DT_LNK)
			continue;
		saved = walk->vals;
		if (match_tokens(comp, 0, ent->d_name, 0,
				 strlen(ent->d_name), &walk->vals))
			ret = walk_entry(walk, i, dirfd(dir), ent->d_name,
					 ent->d_type);
		walk->vals = saved;
		if (ret != 0)
			break;
	}
	return (ret);
}

/* walk_open - open parent/rel (the current path), match component i */
static int walk_open(struct cm_walk *walk, size_t i, int parent,
		     const char *rel)
{
	DIR *dir;
	int fd, ret;

	fd = openat(parent, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			walk_report(walk, errno, "open");
		return (0);
	}
	if ((dir = fdopendir(fd)) == NULL) {
		walk_report(walk, errno, "opendir");
		close(fd);
		return (0);
	}
	ret = walk_dir(walk, i, dir);
	closedir(dir);
	return (ret);
}

/*
 * walk_next - continue at component i. The current path is relative to
 * dirfd from offset rel (0: it is dirfd itself). Literal components are
 * appended without opening anything.
 */
static int walk_next(struct cm_walk *walk, size_t i, int dirfd, size_t rel)
{
	const struct cm_layout *layout = walk->layout;
	const struct cm_layout_token *tok;
	size_t mark = walk->path.len;
	int ret;

	for (; i < layout->n_comps && !layout->comps[i].has_var; i++) {
		tok = &layout->comps[i].tokens[0];
		pb_append_sep(&walk->path, tok->text, tok->len);
		if (rel == 0)
			rel = walk->path.len - tok->len;
	}
	if (i == layout->n_comps)
		ret = rel ? walk_finish(walk, dirfd, walk->path.s + rel)
		    : walk_found(walk);
	else
		ret = walk_open(walk, i, dirfd, rel ? walk->path.s + rel : ".");
	pb_truncate(&walk->path, mark);
	return (ret);
}

/* cm_layout_walk - enumerate the users whose Maildir exists under root */
int cm_layout_walk(const struct cm_layout *layout, const char *root,
		   cm_layout_user_fn *on_user, cm_layout_error_fn *on_error,
		   void *ctx, struct cm_error *err)
{
	struct cm_walk walk;
	char what[CM_ERROR_MAX];
	int fd, ret;

	memset(&walk, 0, sizeof(walk));
	walk.layout = layout;
	walk.on_user = on_user;
	walk.on_error = on_error;
	walk.ctx = ctx;
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(what, sizeof(what), "open(%s)", root);
		cm_error_errno(err, errno, what);
		return (-1);
	}
	pb_append(&walk.path, root, strlen(root));
	pb_append(&walk.user, "", 0);
	ret = walk_next(&walk, 0, fd, 0);
	close(fd);
	free(walk.path.s);
	free(walk.user.s);
	return (ret);
}
