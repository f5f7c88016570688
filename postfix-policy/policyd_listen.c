/*++
 * NAME
 *	policyd_listen 3
 * SUMMARY
 *	create the listening sockets of chatmail-policyd
 * DESCRIPTION
 *	policyd_listen_unix() and policyd_listen_tcp(), declared in
 *	policyd_server.h. A UNIX socket path left behind by a crash is
 *	replaced; one that still answers belongs to a running daemon and
 *	is an error. TCP listens on loopback addresses only.
 *--*/

#include "policyd_server.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define POLICYD_BACKLOG 256

/* policyd_listen_fail - an error naming the socket and errno */
static int policyd_listen_fail(GError **error, int fd, const char *what,
			       const char *path)
{
	int saved = errno;

	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
		    "%s %s: %s", what, path, g_strerror(saved));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* policyd_listen_stale - remove a dead socket file; error if live */
static gboolean policyd_listen_stale(const char *path,
				     const struct sockaddr_un *sun,
				     GError **error)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? TRUE
		    : policyd_listen_fail(error, -1, "stat", path) == 0;
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "%s exists and is not a socket; remove it or "
			    "choose another path", path);
		return FALSE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (const struct sockaddr *) sun,
			       sizeof(*sun)) == 0) {
		close(fd);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
			    "%s: another process is listening there (is "
			    "chatmail-policyd already running?)", path);
		return FALSE;
	}
	if (fd >= 0)
		close(fd);
	if (unlink(path) < 0 && errno != ENOENT)
		return policyd_listen_fail(error, -1, "unlink", path) == 0;
	return TRUE;
}

/* policyd_listen_owner - apply user and group names ("" = keep) */
static gboolean policyd_listen_owner(const char *path, const char *user,
				     const char *group, GError **error)
{
	uid_t uid = (uid_t) -1;
	gid_t gid = (gid_t) -1;
	struct passwd *pw;
	struct group *gr;

	if (user[0] != '\0') {
		if ((pw = getpwnam(user)) == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "%s: unknown user '%s' for the socket "
				    "owner", path, user);
			return FALSE;
		}
		uid = pw->pw_uid;
	}
	if (group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "%s: unknown group '%s' for the socket",
				    path, group);
			return FALSE;
		}
		gid = gr->gr_gid;
	}
	if ((uid != (uid_t) -1 || gid != (gid_t) -1)
	    && chown(path, uid, gid) < 0)
		return policyd_listen_fail(error, -1, "chown", path) == 0;
	return TRUE;
}

/* policyd_listen_unix - bind, chmod, chown, listen */
int policyd_listen_unix(const char *path, guint mode, const char *user,
			const char *group, GError **error)
{
	struct sockaddr_un sun;
	g_autofree char *dir = g_path_get_dirname(path);
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
			    "%s: socket path longer than %zu bytes", path,
			    sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (g_mkdir_with_parents(dir, 0755) < 0)
		return policyd_listen_fail(error, -1, "mkdir", dir);
	if (!policyd_listen_stale(path, &sun, error))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return policyd_listen_fail(error, -1, "socket", path);
	if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
		return policyd_listen_fail(error, fd, "bind", path);
	if (chmod(path, (mode_t) mode) < 0)
		return policyd_listen_fail(error, fd, "chmod", path);
	if (!policyd_listen_owner(path, user, group, error)) {
		close(fd);
		return -1;
	}
	if (listen(fd, POLICYD_BACKLOG) < 0)
		return policyd_listen_fail(error, fd, "listen", path);
	return fd;
}

/* policyd_listen_loopback - is this a loopback address */
static gboolean policyd_listen_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *) sa)->sin_addr.s_addr)
			>> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *) sa)->sin6_addr,
			      &in6addr_loopback, sizeof(struct in6_addr)) == 0;
	return FALSE;
}

/* policyd_listen_tcp - "127.0.0.1:PORT" or "[::1]:PORT" */
int policyd_listen_tcp(const char *spec, GError **error)
{
	struct addrinfo hints, *ai = NULL;
	g_autofree char *host = NULL;
	const char *colon = strrchr(spec, ':');
	int fd, one = 1, rc;

	if (colon == NULL || colon == spec || colon[1] == '\0') {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "policy_tcp '%s': expected 127.0.0.1:PORT or "
			    "[::1]:PORT", spec);
		return -1;
	}
	host = spec[0] == '[' && colon[-1] == ']'
	    ? g_strndup(spec + 1, (gsize) (colon - spec - 2))
	    : g_strndup(spec, (gsize) (colon - spec));
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "policy_tcp '%s': %s", spec, gai_strerror(rc));
		return -1;
	}
	if (!policyd_listen_loopback(ai->ai_addr)) {
		freeaddrinfo(ai);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "policy_tcp '%s': only loopback addresses are "
			    "allowed (the policy protocol has no "
			    "authentication)", spec);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0
	    || listen(fd, POLICYD_BACKLOG) < 0) {
		freeaddrinfo(ai);
		return policyd_listen_fail(error, fd, "listen on", spec);
	}
	freeaddrinfo(ai);
	return fd;
}
