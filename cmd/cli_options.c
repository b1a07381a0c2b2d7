#include "cli_options.h"

#include "cli.h"

int cli_format_option(const char *cmd, const char *arg, unsigned accepted,
		      enum output_format *out, int *rc)
{
	char list[64];

	if (output_format_parse(arg, accepted, out))
		return 0;
	output_format_list(accepted, list, sizeof(list));
	return cli_usage(cmd, rc, "%s: unknown format '%s' (%s)", cmd, arg,
			 list);
}
