/*
 * fuzz_fts.c: libFuzzer target for store_fts.c, the search index's
 * tokenizer, which reads item content as published.  The input is a
 * document's text.  Properties checked:
 * - store_fts_blank() only ever turns bytes into spaces: every output byte
 *   is the input's or a space, and the length is kept (offsets stay valid);
 *   it reads no byte past the input (the input is copied to a buffer of
 *   its exact size, no NUL, so ASan sees any overread);
 * - the tokenizer, registered on an in-memory database, indexes and then
 *   deletes the text through FTS5 without an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "feedd.h"
#include "fuzz.h"
#include "store_fts.h"

#define FUZZ_FTS_RUNS	1000	/* inputs a table serves, then a new one */

static sqlite3		*fuzz_db;
static sqlite3_stmt	*fuzz_ins;
static unsigned		 fuzz_runs;

/*
 * A new index table (its deleted rows' segments would otherwise pile up
 * in memory over millions of runs).
 */
static void
fuzz_table(void)
{
	sqlite3_finalize(fuzz_ins);
	fuzz_ins = NULL;
	if (sqlite3_exec(fuzz_db, "DROP TABLE IF EXISTS t;"
	    " CREATE VIRTUAL TABLE t USING fts5(x,"
	    " tokenize='feedd_html remove_diacritics 2')", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(fuzz_db, "INSERT INTO t (x) VALUES (?1)", -1,
	    &fuzz_ins, NULL) != SQLITE_OK)
		fuzz_fail("setup: %s", sqlite3_errmsg(fuzz_db));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	if (sqlite3_open(":memory:", &fuzz_db) != SQLITE_OK ||
	    store_fts_register(fuzz_db) != SQLITE_OK)
		fuzz_fail("setup: %s", sqlite3_errmsg(fuzz_db));
	fuzz_table();
	return (0);
}

/* One input: blank it, then index it and take it out of the index. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in, *out;
	size_t	 i;

	if (size > 1024 * 1024)
		return (0);
	if (++fuzz_runs % FUZZ_FTS_RUNS == 0)
		fuzz_table();
	in = xmalloc(size + 1);
	out = xmalloc(size + 1);
	memcpy(in, data, size);
	store_fts_blank(in, (int)size, out);
	for (i = 0; i < size; i++)
		if (out[i] != in[i] && out[i] != ' ')
			fuzz_fail("byte %zu: 0x%02x became 0x%02x", i,
			    (unsigned char)in[i], (unsigned char)out[i]);
	sqlite3_bind_text(fuzz_ins, 1, in, (int)size, SQLITE_STATIC);
	if (sqlite3_step(fuzz_ins) != SQLITE_DONE)
		fuzz_fail("index: %s", sqlite3_errmsg(fuzz_db));
	sqlite3_reset(fuzz_ins);
	if (sqlite3_exec(fuzz_db, "DELETE FROM t", NULL, NULL, NULL) !=
	    SQLITE_OK)
		fuzz_fail("delete: %s", sqlite3_errmsg(fuzz_db));
	free(in);
	free(out);
	return (0);
}
