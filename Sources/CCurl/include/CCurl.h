// libcurl's multi-socket interface for SimFleet reactors. curl_easy_setopt and curl_multi_setopt
// are variadic, which Swift cannot call: these typed wrappers are the whole reason for this file.
#ifndef SIMFLEET_CCURL_H
#define SIMFLEET_CCURL_H

#include <curl/curl.h>
#include <stdint.h>

typedef int (*simfleet_curl_socket_cb)(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp);
typedef int (*simfleet_curl_timer_cb)(CURLM *multi, long timeout_ms, void *userp);
typedef size_t (*simfleet_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

/// Sets the socket and timer callbacks of a multi handle (with their user pointer).
void simfleet_curl_multi_callbacks(CURLM *multi, simfleet_curl_socket_cb socket_cb, simfleet_curl_timer_cb timer_cb, void *userp);

/// Prepares an easy handle for a GET of `url` from byte `range_start` (0 = whole), with body and
/// header callbacks, a private pointer, a connect timeout, a low-speed abort (stall timeout), an
/// overall timeout (0 = none), http/https only, and the protocols redirects may use ("https" or
/// "http,https").
void simfleet_curl_easy_prepare(CURL *easy, const char *url, long range_start, simfleet_curl_data_cb body_cb,
                                simfleet_curl_data_cb header_cb, void *userdata, long connect_timeout_s, long stall_timeout_s,
                                long total_timeout_ms, const char *redirect_protocols);

/// POST `body` (JSON) to `url` (device registration).
void simfleet_curl_easy_prepare_post(CURL *easy, const char *url, const char *body, struct curl_slist *headers,
                                     void *userdata, long timeout_s);

/// Response bodies of `easy` go to `body_cb` (libcurl's default callback would print them on stdout).
void simfleet_curl_easy_write_to(CURL *easy, simfleet_curl_data_cb body_cb, void *userdata);

/// Bounds one transfer: at most `max_body_bytes` of body (0: no bound; an announced larger length
/// fails at once), `timeout_s` in all (0: leave the prepared timeout), and only http:// and https:// URLs.
void simfleet_curl_easy_limits(CURL *easy, long long max_body_bytes, long timeout_s);

/// What one finished (or abandoned) transfer measured, from curl_easy_getinfo.
struct simfleet_curl_measure {
    long long ttfb_us;         // start until the first response byte (DNS, connect and TLS included)
    long long total_us;        // start until the end
    long long bytes_in;        // response headers and body
    long long bytes_out;       // request headers and body
    long redirects;            // redirects followed
    long connected;            // 1 when a connection to the server was made
};
void simfleet_curl_measure(CURL *easy, struct simfleet_curl_measure *out);
/// A blocking POST of `length` bytes to `url` on a reused easy handle (keep-alive, cookie engine
/// on), body and header lines to the callbacks: the provisioning client's transport.
void simfleet_curl_easy_prepare_binary_post(CURL *easy, const char *url, const void *body, long length,
                                            struct curl_slist *headers, simfleet_curl_data_cb body_cb,
                                            simfleet_curl_data_cb header_cb, void *userdata, long timeout_ms);

/// One blocking request of `method` to `url` on a fresh handle (a phone at a captive portal):
/// `length` bytes of `body` unless `length` is negative (a POST-style body, copied), `headers`, the
/// response body to `body_cb`, no proxy, no redirects, `timeout_ms` for the connect and for the
/// whole. HEAD reads no body. Bound the body and the schemes with `simfleet_curl_easy_limits`.
void simfleet_curl_easy_prepare_request(CURL *easy, const char *url, const char *method, const void *body, long length,
                                        struct curl_slist *headers, simfleet_curl_data_cb body_cb, void *userdata,
                                        long timeout_ms);

/// The errno of the last failed socket call of `easy` (CURLINFO_OS_ERRNO), 0 when none.
long simfleet_curl_os_errno(CURL *easy);

long simfleet_curl_response_code(CURL *easy);
void *simfleet_curl_private(CURL *easy);

/// Loads libcurl (once; later calls return at once): 1 when it is usable. Every wrapper below
/// loads it first, so callers need this only to say why it failed.
int simfleet_curl_load(void);
/// Why libcurl could not be loaded, NULL when it was.
const char *simfleet_curl_load_failure(void);

// libcurl's own calls, through the library loaded at first use (loader.c). Those that create
// something return NULL when libcurl cannot be loaded; the rest take what those returned.
CURL *simfleet_curl_easy_init(void);
void simfleet_curl_easy_cleanup(CURL *easy);
CURLcode simfleet_curl_easy_perform(CURL *easy);
const char *simfleet_curl_easy_strerror(CURLcode code);
CURLM *simfleet_curl_multi_init(void);
CURLMcode simfleet_curl_multi_cleanup(CURLM *multi);
CURLMcode simfleet_curl_multi_add_handle(CURLM *multi, CURL *easy);
CURLMcode simfleet_curl_multi_remove_handle(CURLM *multi, CURL *easy);
CURLMcode simfleet_curl_multi_socket_action(CURLM *multi, curl_socket_t s, int ev_bitmask, int *running_handles);
CURLMsg *simfleet_curl_multi_info_read(CURLM *multi, int *msgs_in_queue);
struct curl_slist *simfleet_curl_slist_append(struct curl_slist *list, const char *string);
void simfleet_curl_slist_free_all(struct curl_slist *list);

#endif
