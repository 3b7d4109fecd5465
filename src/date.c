/* date.c: not written yet. */
#include "feedd.h"
