/* The SQLite guard: a loadable extension that a sandboxed script's connections load first. It
 * makes the connection unable to reach any file but the one it opened, inside SQLite itself
 * (never by reading the SQL): no database may be attached (SQLITE_LIMIT_ATTACHED is 0, which also
 * stops VACUUM and VACUUM INTO, since SQLite runs them through an attached database), and the
 * authorizer refuses ATTACH and DETACH when a statement is prepared. Built by
 * scripts/build-sqlite-guard.mjs; loaded by sqlite-worker.ts. */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

static int skein_guard_authorizer(void *unused, int action, const char *a, const char *b, const char *c, const char *d) {
  (void)unused; (void)a; (void)b; (void)c; (void)d;
  return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_skeinguard_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  (void)error;
  SQLITE_EXTENSION_INIT2(api);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  return sqlite3_set_authorizer(db, skein_guard_authorizer, 0);
}
