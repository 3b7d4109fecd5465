/* feedctl.c: placeholder until the client is written; only "parse". */
#include <stdio.h>
#include <string.h>

#include "feedd.h"

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "parse") == 0)
		return (jsonfeed_cmd(argc - 1, argv + 1));
	fprintf(stderr, "usage: feedctl parse [--base URL] FILE|-\n");
	return (2);
}
