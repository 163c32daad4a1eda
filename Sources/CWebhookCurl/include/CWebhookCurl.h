// The reminder job's HTTP POST for webhooks, through libcurl loaded at run time (dlopen): the
// reloc binary links no HTTP library, so a command that sends no webhook pays nothing for one
// (docs/performance-cli.md), and the address the job checked is the one connected to (CURLOPT_RESOLVE).
#ifndef RELOC_CWEBHOOKCURL_H
#define RELOC_CWEBHOOKCURL_H

#include <stddef.h>

/// What one POST came to.
typedef struct {
    /// The HTTP status answered, 0 when none was.
    long status;
    /// libcurl's result code (0: an answer came), or -1 when libcurl could not be loaded.
    int code;
    /// libcurl's (or the loader's) words for a failure, for the job's log.
    char error[512];
} reloc_webhook_result;

/// POSTs `body` to `url` with `headers` ("Name: value"), waiting at most `timeout_ms` in all.
/// Redirects are not followed; only http and https are spoken; no proxy is used. `resolve`, when
/// not NULL, is a CURLOPT_RESOLVE entry ("host:port:address[,address]") so that the connection
/// goes to the addresses checked, never to a second answer of the resolver. `libraries` are the
/// file names tried in order for libcurl.
void reloc_webhook_post(
    const char *const *libraries, size_t library_count, const char *url, const char *resolve,
    const char *const *headers, size_t header_count, const char *body, size_t body_length, long timeout_ms,
    reloc_webhook_result *result);

#endif
