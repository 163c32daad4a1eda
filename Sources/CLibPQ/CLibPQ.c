#include "CLibPQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// Our forwarders are hidden: the executable exports no PQ* symbol, so libpq (loaded RTLD_LOCAL)
// binds its own internal calls to its own functions, never to these, and nothing else in the
// process can take them for libpq's.
#define HIDDEN __attribute__((visibility("hidden")))

// Every libpq function LibPQClient calls. A new one: a line here and a forwarder below (a
// function missing here is an undefined symbol at link time, never a silent NULL).
#define RELOC_LIBPQ_FUNCTIONS(X)                                                                                       \
    X(PQcancel)                                                                                                        \
    X(PQclear)                                                                                                         \
    X(PQcmdTuples)                                                                                                     \
    X(PQconnectdbParams)                                                                                               \
    X(PQconnectionUsedPassword)                                                                                        \
    X(PQconninfoFree)                                                                                                  \
    X(PQconninfoParse)                                                                                                 \
    X(PQdb)                                                                                                            \
    X(PQencryptPasswordConn)                                                                                           \
    X(PQerrorMessage)                                                                                                  \
    X(PQexec)                                                                                                          \
    X(PQexecParams)                                                                                                    \
    X(PQfinish)                                                                                                        \
    X(PQfname)                                                                                                         \
    X(PQfreeCancel)                                                                                                    \
    X(PQfreemem)                                                                                                       \
    X(PQftype)                                                                                                         \
    X(PQgetCancel)                                                                                                     \
    X(PQgetResult)                                                                                                     \
    X(PQgetisnull)                                                                                                     \
    X(PQgetlength)                                                                                                     \
    X(PQgetvalue)                                                                                                      \
    X(PQhost)                                                                                                          \
    X(PQnfields)                                                                                                       \
    X(PQntuples)                                                                                                       \
    X(PQpingParams)                                                                                                    \
    X(PQport)                                                                                                          \
    X(PQputCopyData)                                                                                                   \
    X(PQputCopyEnd)                                                                                                    \
    X(PQresultErrorField)                                                                                              \
    X(PQresultErrorMessage)                                                                                            \
    X(PQresultStatus)                                                                                                  \
    X(PQsendQueryParams)                                                                                               \
    X(PQserverVersion)                                                                                                 \
    X(PQsetNoticeReceiver)                                                                                             \
    X(PQsetSingleRowMode)                                                                                              \
    X(PQstatus)                                                                                                        \
    X(PQtransactionStatus)                                                                                             \
    X(PQuser)

// The loaded library's functions, typed by libpq-fe.h's own prototypes. Written once, under
// `once`; read only after pthread_once has returned, which orders the writes before the reads.
static struct {
#define RELOC_LIBPQ_FIELD(name) __typeof__(name) *name;
    RELOC_LIBPQ_FUNCTIONS(RELOC_LIBPQ_FIELD)
#undef RELOC_LIBPQ_FIELD
} libpq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *failure;  // NULL once loaded; else points into `reason`
static char reason[512];

static void load(void) {
    const char *chosen = getenv("RELOC_LIBPQ");
    // An operator's file is the only one tried: a typo must not quietly load another libpq.
    const char *const defaults[] = {
#ifdef __APPLE__
        "libpq.5.dylib", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib",
#else
        "libpq.so.5",
#endif
    };
    const char *const *names = defaults;
    size_t count = sizeof defaults / sizeof defaults[0];
    if (chosen != NULL && chosen[0] != '\0') {
        names = &chosen;
        count = 1;
    }
    void *library = NULL;
    for (size_t i = 0; i < count && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        // The first file's reason is the one to give: the later ones are guesses.
        const char *why = library == NULL ? dlerror() : NULL;
        if (i == 0 && why != NULL) snprintf(reason, sizeof reason, "%s", why);
    }
    if (library == NULL) {
        if (reason[0] == '\0') snprintf(reason, sizeof reason, "%s: not found", names[0]);
        failure = reason;
        return;
    }
#define RELOC_LIBPQ_RESOLVE(name)                                                                                      \
    libpq.name = (__typeof__(name) *)dlsym(library, #name);                                                            \
    if (libpq.name == NULL) {                                                                                          \
        snprintf(reason, sizeof reason, "%s has no " #name " (libpq 10 or later is needed)", names[0]);                \
        failure = reason;                                                                                              \
        dlclose(library);                                                                                              \
        return;                                                                                                        \
    }
    RELOC_LIBPQ_FUNCTIONS(RELOC_LIBPQ_RESOLVE)
#undef RELOC_LIBPQ_RESOLVE
    failure = NULL;
}

HIDDEN const char *reloc_libpq_load(void) {
    pthread_once(&once, load);
    return failure;
}

// True when libpq is loaded. Every forwarder asks (one atomic read once loaded): without libpq a
// call answers as libpq does for a failure, never through a NULL pointer. LibPQClient loads
// libpq before its first call (PGConnection.init), so these answers are a backstop only.
static inline int loaded(void) { return reloc_libpq_load() == NULL; }

static char none[] = "";

#define FORWARD(type, name, otherwise, parameters, arguments)                                                          \
    HIDDEN type name parameters { return loaded() ? libpq.name arguments : (otherwise); }
#define FORWARD_VOID(name, parameters, arguments)                                                                      \
    HIDDEN void name parameters {                                                                                      \
        if (loaded()) libpq.name arguments;                                                                            \
    }

// Connections.
FORWARD(PGconn *, PQconnectdbParams, NULL,
        (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname))
FORWARD(PGPing, PQpingParams, PQPING_NO_ATTEMPT,
        (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname))
FORWARD_VOID(PQfinish, (PGconn * conn), (conn))
HIDDEN PQconninfoOption *PQconninfoParse(const char *conninfo, char **errmsg) {
    if (loaded()) return libpq.PQconninfoParse(conninfo, errmsg);
    if (errmsg != NULL) *errmsg = NULL;
    return NULL;
}
FORWARD_VOID(PQconninfoFree, (PQconninfoOption * connOptions), (connOptions))
FORWARD(ConnStatusType, PQstatus, CONNECTION_BAD, (const PGconn *conn), (conn))
FORWARD(PGTransactionStatusType, PQtransactionStatus, PQTRANS_UNKNOWN, (const PGconn *conn), (conn))
FORWARD(char *, PQerrorMessage, (char *)(failure ? failure : none), (const PGconn *conn), (conn))
FORWARD(char *, PQdb, none, (const PGconn *conn), (conn))
FORWARD(char *, PQuser, none, (const PGconn *conn), (conn))
FORWARD(char *, PQhost, none, (const PGconn *conn), (conn))
FORWARD(char *, PQport, none, (const PGconn *conn), (conn))
FORWARD(int, PQserverVersion, 0, (const PGconn *conn), (conn))
FORWARD(int, PQconnectionUsedPassword, 0, (const PGconn *conn), (conn))
FORWARD(PQnoticeReceiver, PQsetNoticeReceiver, NULL, (PGconn * conn, PQnoticeReceiver proc, void *arg),
        (conn, proc, arg))
FORWARD(char *, PQencryptPasswordConn, NULL,
        (PGconn * conn, const char *passwd, const char *user, const char *algorithm), (conn, passwd, user, algorithm))
FORWARD(PGcancel *, PQgetCancel, NULL, (PGconn * conn), (conn))
FORWARD_VOID(PQfreeCancel, (PGcancel * cancel), (cancel))
FORWARD(int, PQcancel, 0, (PGcancel * cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize))
FORWARD_VOID(PQfreemem, (void *ptr), (ptr))

// Statements and their results.
FORWARD(PGresult *, PQexec, NULL, (PGconn * conn, const char *query), (conn, query))
FORWARD(PGresult *, PQexecParams, NULL,
        (PGconn * conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
         const int *paramLengths, const int *paramFormats, int resultFormat),
        (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))
FORWARD(int, PQsendQueryParams, 0,
        (PGconn * conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
         const int *paramLengths, const int *paramFormats, int resultFormat),
        (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))
FORWARD(int, PQsetSingleRowMode, 0, (PGconn * conn), (conn))
FORWARD(PGresult *, PQgetResult, NULL, (PGconn * conn), (conn))
FORWARD(int, PQputCopyData, -1, (PGconn * conn, const char *buffer, int nbytes), (conn, buffer, nbytes))
FORWARD(int, PQputCopyEnd, -1, (PGconn * conn, const char *errormsg), (conn, errormsg))
FORWARD_VOID(PQclear, (PGresult * res), (res))
FORWARD(ExecStatusType, PQresultStatus, PGRES_FATAL_ERROR, (const PGresult *res), (res))
FORWARD(char *, PQresultErrorMessage, none, (const PGresult *res), (res))
FORWARD(char *, PQresultErrorField, NULL, (const PGresult *res, int fieldcode), (res, fieldcode))
FORWARD(int, PQntuples, 0, (const PGresult *res), (res))
FORWARD(int, PQnfields, 0, (const PGresult *res), (res))
FORWARD(char *, PQfname, none, (const PGresult *res, int field_num), (res, field_num))
FORWARD(Oid, PQftype, 0, (const PGresult *res, int field_num), (res, field_num))
FORWARD(char *, PQcmdTuples, none, (PGresult * res), (res))
FORWARD(char *, PQgetvalue, none, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
FORWARD(int, PQgetlength, 0, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
FORWARD(int, PQgetisnull, 1, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
