/* jsonfeed.c: not written yet. */
#include "feedd.h"
int
jsonfeed_cmd(int argc, char **argv)
{
	return (1);
}
