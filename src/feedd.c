#include "feedd.h"
int
main(void)
{
	return (0);
}
