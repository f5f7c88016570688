/*++
 * NAME
 *	fuzz_cm_settings 1
 * SUMMARY
 *	libFuzzer target for the settings value parser
 * DESCRIPTION
 *	The first byte picks a setting, the rest is the value. A value that
 *	validates must canonicalise to a fixed point: validating the
 *	canonical text yields the same text.
 *--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cm_setting_def *def;
	char canon[64], canon2[64], *value;
	struct cm_error err;

	if (size < 1)
		return 0;
	def = &cm_settings_defs[data[0] % cm_settings_defs_count];
	if ((value = malloc(size)) == NULL)
		abort();
	memcpy(value, data + 1, size - 1);
	value[size - 1] = '\0';
	if (cm_settings_validate(def, value, canon, sizeof(canon), &err) == 0) {
		if (cm_settings_validate(def, canon, canon2, sizeof(canon2),
					 &err) != 0
		    || strcmp(canon, canon2) != 0)
			abort();
	} else if (err.kind != CM_ERR_INVALID || err.message[0] == '\0') {
		abort();
	}
	free(value);
	return 0;
}
