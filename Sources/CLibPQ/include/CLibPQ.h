// libpq, PostgreSQL's C client, loaded when the first connection is opened (dlopen), not linked:
// a command that connects to nothing (`reloc --help`) does not map libpq and the 22 shared
// objects it needs (TLS, Kerberos, LDAP …), which cost about 5.7 MB of peak memory and 9–10 ms
// of CPU at every start (docs/performance-cli.md, issue 13).
//
// The types, constants and prototypes are libpq's own header. It is found on the compiler's
// default search path, without pkg-config (whose link flags would link libpq again): Debian and
// Ubuntu's libpq-dev put it in /usr/include/postgresql, reached as <postgresql/libpq-fe.h> (its
// own includes are quoted, so they resolve beside it); Fedora/RHEL put it in /usr/include; for
// Homebrew, CPATH="$(brew --prefix libpq)/include". Every function named there that reloc calls
// is defined in CLibPQ.c as a hidden forwarder to the loaded library.
#ifndef RELOC_CLIBPQ_H
#define RELOC_CLIBPQ_H

#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#elif __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#error "libpq-fe.h not found: install libpq's headers (Debian/Ubuntu: libpq-dev; Homebrew: libpq, with CPATH=$(brew --prefix libpq)/include)"
#endif

/// Loads libpq, once per process (later calls answer at once): the file named by the environment
/// variable RELOC_LIBPQ when it is set and not empty (only that file), else the soname
/// libpq.so.5 (macOS: libpq.5.dylib, then Homebrew's) as the dynamic loader finds it. Returns
/// NULL when libpq and every function reloc calls are there, else why not, in one line (the
/// loader's words, or the function missing); the text lives as long as the process.
const char *reloc_libpq_load(void);

#endif
