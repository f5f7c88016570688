/*++
 * NAME
 *	fuzz_cm_maildir_name 1
 * SUMMARY
 *	libFuzzer target for cm_maildir_name_size()
 * DESCRIPTION
 *	The input, copied and NUL-terminated, is parsed as a Maildir file
 *	name. A found size must be >= 0, and a name without ",S=" can never
 *	yield one.
 *--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_maildir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse one input as a file name */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t value = -1;
	char *name;
	int rc;

	if ((name = malloc(size + 1)) == NULL)
		abort();
	memcpy(name, data, size);
	name[size] = '\0';
	rc = cm_maildir_name_size(name, &value);
	if (rc < -1 || rc > 1)
		abort();
	if (rc == 1 && (value < 0 || strstr(name, ",S=") == NULL))
		abort();
	if (rc != 1 && value != -1)
		abort();
	free(name);
	return (0);
}
