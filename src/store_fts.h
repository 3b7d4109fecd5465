/*
 * store_fts.h: the search index's tokenizer (store_fts.c).  Only the
 * store's files and its tests include this: they are the ones that see
 * sqlite3.
 */
#ifndef STORE_FTS_H
#define STORE_FTS_H

#include <sqlite3.h>

int	store_fts_register(sqlite3 *);
void	store_fts_blank(const char *, int, char *);

#endif
