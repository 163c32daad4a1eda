#include "CWebhookCurl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// libcurl's stable ABI (curl/curl.h): option numbers and types, so that no curl headers are
// needed to build reloc.
typedef void CURL;
struct curl_slist;
enum {
    RELOC_CURLOPT_URL = 10002,
    RELOC_CURLOPT_ERRORBUFFER = 10010,
    RELOC_CURLOPT_POSTFIELDS = 10015,
    RELOC_CURLOPT_HTTPHEADER = 10023,
    RELOC_CURLOPT_POSTFIELDSIZE = 60,
    RELOC_CURLOPT_FOLLOWLOCATION = 52,
    RELOC_CURLOPT_NOSIGNAL = 99,
    RELOC_CURLOPT_TIMEOUT_MS = 155,
    RELOC_CURLOPT_PROTOCOLS = 181,
    RELOC_CURLOPT_NOPROXY = 10177,
    RELOC_CURLOPT_RESOLVE = 10203,
    RELOC_CURLOPT_WRITEFUNCTION = 20011,
    RELOC_CURLINFO_RESPONSE_CODE = 0x200000 + 2,
    RELOC_CURLPROTO_HTTP = 1,
    RELOC_CURLPROTO_HTTPS = 2,
};

typedef CURL *(*easy_init_fn)(void);
typedef int (*easy_setopt_fn)(CURL *, int, ...);
typedef int (*easy_perform_fn)(CURL *);
typedef int (*easy_getinfo_fn)(CURL *, int, ...);
typedef void (*easy_cleanup_fn)(CURL *);
typedef const char *(*easy_strerror_fn)(int);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *, const char *);
typedef void (*slist_free_all_fn)(struct curl_slist *);

typedef struct {
    easy_init_fn easy_init;
    easy_setopt_fn easy_setopt;
    easy_perform_fn easy_perform;
    easy_getinfo_fn easy_getinfo;
    easy_cleanup_fn easy_cleanup;
    easy_strerror_fn easy_strerror;
    slist_append_fn slist_append;
    slist_free_all_fn slist_free_all;
} curl_functions;

// The answer's body is not read: its status says everything.
static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data;
    (void)context;
    return size * count;
}

// Loads libcurl (dlopen of a library already loaded only counts a reference) and finds its functions.
static int load(const char *const *libraries, size_t library_count, curl_functions *f, char *error, size_t size) {
    void *library = NULL;
    for (size_t i = 0; i < library_count && library == NULL; i++) library = dlopen(libraries[i], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(error, size, "libcurl could not be loaded (%s): install libcurl (Debian: libcurl4)",
                 why ? why : "not found");
        return -1;
    }
    f->easy_init = (easy_init_fn)dlsym(library, "curl_easy_init");
    f->easy_setopt = (easy_setopt_fn)dlsym(library, "curl_easy_setopt");
    f->easy_perform = (easy_perform_fn)dlsym(library, "curl_easy_perform");
    f->easy_getinfo = (easy_getinfo_fn)dlsym(library, "curl_easy_getinfo");
    f->easy_cleanup = (easy_cleanup_fn)dlsym(library, "curl_easy_cleanup");
    f->easy_strerror = (easy_strerror_fn)dlsym(library, "curl_easy_strerror");
    f->slist_append = (slist_append_fn)dlsym(library, "curl_slist_append");
    f->slist_free_all = (slist_free_all_fn)dlsym(library, "curl_slist_free_all");
    if (!f->easy_init || !f->easy_setopt || !f->easy_perform || !f->easy_getinfo || !f->easy_cleanup ||
        !f->easy_strerror || !f->slist_append || !f->slist_free_all) {
        snprintf(error, size, "the library loaded as libcurl lacks curl_easy_* functions");
        return -1;
    }
    return 0;
}

void reloc_webhook_post(
    const char *const *libraries, size_t library_count, const char *url, const char *resolve,
    const char *const *headers, size_t header_count, const char *body, size_t body_length, long timeout_ms,
    reloc_webhook_result *result) {
    memset(result, 0, sizeof *result);
    curl_functions f;
    if (load(libraries, library_count, &f, result->error, sizeof result->error) != 0) {
        result->code = -1;
        return;
    }
    CURL *curl = f.easy_init();
    if (curl == NULL) {
        result->code = -1;
        snprintf(result->error, sizeof result->error, "libcurl could not start a request (curl_easy_init)");
        return;
    }
    struct curl_slist *header_list = NULL;
    for (size_t i = 0; i < header_count; i++) header_list = f.slist_append(header_list, headers[i]);
    struct curl_slist *resolve_list = resolve ? f.slist_append(NULL, resolve) : NULL;
    char error[256] = "";
    f.easy_setopt(curl, RELOC_CURLOPT_ERRORBUFFER, error);
    f.easy_setopt(curl, RELOC_CURLOPT_URL, url);
    // Signals would not interrupt a blocked resolver safely in a threaded process; sub-second
    // timeouts need libcurl's own timer, not alarm().
    f.easy_setopt(curl, RELOC_CURLOPT_NOSIGNAL, 1L);
    f.easy_setopt(curl, RELOC_CURLOPT_PROTOCOLS, (long)(RELOC_CURLPROTO_HTTP | RELOC_CURLPROTO_HTTPS));
    f.easy_setopt(curl, RELOC_CURLOPT_FOLLOWLOCATION, 0L);
    // A proxy would resolve the host itself, past the address check: none is used.
    f.easy_setopt(curl, RELOC_CURLOPT_NOPROXY, "*");
    if (resolve_list) f.easy_setopt(curl, RELOC_CURLOPT_RESOLVE, resolve_list);
    f.easy_setopt(curl, RELOC_CURLOPT_HTTPHEADER, header_list);
    f.easy_setopt(curl, RELOC_CURLOPT_POSTFIELDSIZE, (long)body_length);
    f.easy_setopt(curl, RELOC_CURLOPT_POSTFIELDS, body);
    f.easy_setopt(curl, RELOC_CURLOPT_TIMEOUT_MS, timeout_ms);
    f.easy_setopt(curl, RELOC_CURLOPT_WRITEFUNCTION, discard);
    result->code = f.easy_perform(curl);
    if (result->code == 0) {
        f.easy_getinfo(curl, RELOC_CURLINFO_RESPONSE_CODE, &result->status);
    } else {
        snprintf(result->error, sizeof result->error, "%s%s%s", f.easy_strerror(result->code), error[0] ? ": " : "",
                 error);
    }
    f.easy_cleanup(curl);
    f.slist_free_all(header_list);
    if (resolve_list) f.slist_free_all(resolve_list);
}
