/*++
 * NAME
 *	fuzz_cm_layout 1
 * SUMMARY
 *	libFuzzer target for cm_layout_parse() and cm_layout_path()
 * DESCRIPTION
 *	The input, copied and NUL-terminated, is parsed as a template. When
 *	it parses, it is expanded for a few fixed users into a small and a
 *	big buffer; a successful expansion must be NUL-terminated within the
 *	buffer and start with the root. Leaks are caught by ASan.
 *--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const users[] = {
	"alice@example.org", "bob", "a@b@c.org", "@x", "y@", "..@x", "../x@y",
	"", "%u@%d",
};

/* expand - cm_layout_path into a buffer of the given size */
static void expand(const struct cm_layout *layout, const char *user,
		   size_t size)
{
	struct cm_error err;
	char *buf = malloc(size);

	if (buf == NULL)
		abort();
	if (cm_layout_path(layout, "/srv/mail", user, buf, size, &err) == 0) {
		if (memchr(buf, '\0', size) == NULL
		    || strncmp(buf, "/srv/mail/", 10) != 0)
			abort();
	} else if (err.kind != CM_ERR_INVALID) {
		abort();
	}
	free(buf);
}

/* LLVMFuzzerTestOneInput - parse one input as a layout template */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_layout *layout;
	struct cm_error err;
	char *text;
	size_t i;

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (cm_layout_parse(text, &layout, &err) == 0) {
		for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
			expand(layout, users[i], 16);
			expand(layout, users[i], 4096);
		}
		cm_layout_free(&layout);
	} else if (layout != NULL || err.kind != CM_ERR_INVALID) {
		abort();
	}
	free(text);
	return (0);
}
