#include "CCurl.h"
#include <stdio.h>

void simfleet_curl_multi_callbacks(CURLM *multi, simfleet_curl_socket_cb socket_cb, simfleet_curl_timer_cb timer_cb, void *userp) {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, userp);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, userp);
}

void simfleet_curl_easy_prepare(CURL *easy, const char *url, long range_start, simfleet_curl_data_cb body_cb,
                                simfleet_curl_data_cb header_cb, void *userdata, long connect_timeout_s, long stall_timeout_s,
                                long total_timeout_ms, const char *redirect_protocols) {
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, userdata);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, userdata);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, userdata);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, connect_timeout_s);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, stall_timeout_s);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, total_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, redirect_protocols);
    if (range_start > 0) {
        char range[32];
        snprintf(range, sizeof range, "%ld-", range_start);
        curl_easy_setopt(easy, CURLOPT_RANGE, range);
    } else {
        curl_easy_setopt(easy, CURLOPT_RANGE, NULL);
    }
}

void simfleet_curl_easy_prepare_post(CURL *easy, const char *url, const char *body, struct curl_slist *headers,
                                     void *userdata, long timeout_s) {
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, userdata);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, timeout_s);
}

long simfleet_curl_response_code(CURL *easy) {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

void *simfleet_curl_private(CURL *easy) {
    char *p = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
    return p;
}
