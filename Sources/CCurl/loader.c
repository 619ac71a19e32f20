// libcurl is opened on first use, not linked: its dependency tree (GnuTLS, Kerberos, LDAP, RTMP,
// SSH, nghttp2...) costs every process about 4.4 MiB of resident memory at start, and a fleet that
// never downloads, posts or visits a portal never needs it. The wrappers below are the calls Swift
// makes; each loads the library first and fails as libcurl itself fails (NULL handle, an error
// code) when it cannot be loaded.
#include "CCurl.h"
#include "loaded.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

struct simfleet_curl_library simfleet_curl;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char failure[512];

#define RESOLVE(field, name)                                                       \
    if (!(*(void **)&simfleet_curl.field = dlsym(lib, name))) {                     \
        snprintf(failure, sizeof failure, "libcurl.so.4 has no %s", name);          \
        return;                                                                     \
    }

static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(failure, sizeof failure, "cannot load libcurl (install libcurl4): %s", dlerror());
        return;
    }
    RESOLVE(global_init, "curl_global_init")
    RESOLVE(easy_init, "curl_easy_init")
    RESOLVE(easy_cleanup, "curl_easy_cleanup")
    RESOLVE(easy_perform, "curl_easy_perform")
    RESOLVE(easy_setopt, "curl_easy_setopt")
    RESOLVE(easy_getinfo, "curl_easy_getinfo")
    RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(multi_init, "curl_multi_init")
    RESOLVE(multi_cleanup, "curl_multi_cleanup")
    RESOLVE(multi_setopt, "curl_multi_setopt")
    RESOLVE(multi_add_handle, "curl_multi_add_handle")
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle")
    RESOLVE(multi_socket_action, "curl_multi_socket_action")
    RESOLVE(multi_info_read, "curl_multi_info_read")
    RESOLVE(slist_append, "curl_slist_append")
    RESOLVE(slist_free_all, "curl_slist_free_all")
    // Once, before any handle, as libcurl asks (it is not thread-safe before it).
    if (simfleet_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(failure, sizeof failure, "curl_global_init failed");
        return;
    }
    loaded = 1;
}

int simfleet_curl_load(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *simfleet_curl_load_failure(void) {
    simfleet_curl_load();
    return loaded ? NULL : failure;
}

CURL *simfleet_curl_easy_init(void) { return simfleet_curl_load() ? simfleet_curl.easy_init() : NULL; }
void simfleet_curl_easy_cleanup(CURL *easy) { if (easy) simfleet_curl.easy_cleanup(easy); }
CURLcode simfleet_curl_easy_perform(CURL *easy) { return simfleet_curl.easy_perform(easy); }
const char *simfleet_curl_easy_strerror(CURLcode code) {
    return simfleet_curl_load() ? simfleet_curl.easy_strerror(code) : failure;
}
CURLM *simfleet_curl_multi_init(void) { return simfleet_curl_load() ? simfleet_curl.multi_init() : NULL; }
CURLMcode simfleet_curl_multi_cleanup(CURLM *multi) { return simfleet_curl.multi_cleanup(multi); }
CURLMcode simfleet_curl_multi_add_handle(CURLM *multi, CURL *easy) { return simfleet_curl.multi_add_handle(multi, easy); }
CURLMcode simfleet_curl_multi_remove_handle(CURLM *multi, CURL *easy) { return simfleet_curl.multi_remove_handle(multi, easy); }
CURLMcode simfleet_curl_multi_socket_action(CURLM *multi, curl_socket_t s, int ev_bitmask, int *running_handles) {
    return simfleet_curl.multi_socket_action(multi, s, ev_bitmask, running_handles);
}
CURLMsg *simfleet_curl_multi_info_read(CURLM *multi, int *msgs_in_queue) {
    return simfleet_curl.multi_info_read(multi, msgs_in_queue);
}
struct curl_slist *simfleet_curl_slist_append(struct curl_slist *list, const char *string) {
    return simfleet_curl_load() ? simfleet_curl.slist_append(list, string) : NULL;
}
void simfleet_curl_slist_free_all(struct curl_slist *list) { if (list) simfleet_curl.slist_free_all(list); }
