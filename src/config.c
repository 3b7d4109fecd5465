/* config.c: not written yet. */
#include "feedd.h"
