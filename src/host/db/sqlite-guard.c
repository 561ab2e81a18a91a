/* The SQLite guard: a loadable extension that a sandboxed script's connections load first. It
 * makes the connection unable to reach any file but the one it opened (and SQLite's own journal
 * files beside it), inside SQLite itself (never by reading the SQL):
 *   - no database may be attached (SQLITE_LIMIT_ATTACHED is 0, which also stops VACUUM and
 *     VACUUM INTO, since SQLite runs them through an attached database), and the authorizer
 *     refuses ATTACH and DETACH when a statement is prepared;
 *   - temporary tables, indices and sorts live in memory (temp_store is MEMORY), so SQLite makes
 *     no temporary files;
 *   - the authorizer refuses the pragmas that create, move or keep files (setting journal_mode,
 *     temp_store, temp_store_directory, data_store_directory, locking_mode) and the
 *     load_extension() function.
 * Each refusal leaves its reason in the connection's guard, taken (read and cleared) with
 * skein_guard_reason() after a statement fails, so that the error can say what was refused. Built by scripts/build-sqlite-guard.mjs;
 * loaded by sqlite-worker.ts. */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

typedef struct {
  char reason[160];
} Guard;

static int refuse(Guard *g, const char *why, const char *what) {
  sqlite3_snprintf((int)sizeof g->reason, g->reason, "%s%s", why, what ? what : "");
  return SQLITE_DENY;
}

/* Pragmas that, when given a value, make SQLite create, move or keep files beside the database or
 * elsewhere; reading them (no value) is harmless. */
static const char *const FILE_PRAGMAS[] = {"journal_mode", "temp_store", "temp_store_directory",
                                           "data_store_directory", "locking_mode", 0};

static int skein_guard_authorizer(void *arg, int action, const char *a, const char *b, const char *c, const char *d) {
  Guard *g = (Guard *)arg;
  (void)c;
  (void)d;
  switch (action) {
    case SQLITE_ATTACH:
      return refuse(g, "another database file (ATTACH or VACUUM INTO): ", a);
    case SQLITE_DETACH:
      return refuse(g, "DETACH: ", a);
    case SQLITE_PRAGMA:
      if (a && b) {
        for (int i = 0; FILE_PRAGMAS[i]; i++)
          if (sqlite3_stricmp(a, FILE_PRAGMAS[i]) == 0) return refuse(g, "PRAGMA that makes or moves files: ", a);
      }
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (b && sqlite3_stricmp(b, "load_extension") == 0) return refuse(g, "loading an SQLite extension", 0);
      return SQLITE_OK;
    default:
      return SQLITE_OK;
  }
}

static void skein_guard_reason(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  Guard *g = (Guard *)sqlite3_user_data(ctx);
  (void)argc;
  (void)argv;
  if (g->reason[0]) sqlite3_result_text(ctx, g->reason, -1, SQLITE_TRANSIENT);
  else sqlite3_result_null(ctx);
  g->reason[0] = 0;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_skeinguard_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  Guard *g = sqlite3_malloc(sizeof(Guard));
  if (!g) return SQLITE_NOMEM;
  g->reason[0] = 0;
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  int rc = sqlite3_exec(db, "PRAGMA temp_store = MEMORY", 0, 0, 0);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "skein_guard_reason", 0, SQLITE_UTF8, g, skein_guard_reason, 0, 0, sqlite3_free);
  else
    sqlite3_free(g);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_set_authorizer(db, skein_guard_authorizer, g);
}
