#include "CCurl.h"
#include "loaded.h"
#include <stdio.h>
#include <string.h>

void simfleet_curl_multi_callbacks(CURLM *multi, simfleet_curl_socket_cb socket_cb, simfleet_curl_timer_cb timer_cb, void *userp) {
    simfleet_curl.multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    simfleet_curl.multi_setopt(multi, CURLMOPT_SOCKETDATA, userp);
    simfleet_curl.multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    simfleet_curl.multi_setopt(multi, CURLMOPT_TIMERDATA, userp);
}

void simfleet_curl_easy_prepare(CURL *easy, const char *url, long range_start, simfleet_curl_data_cb body_cb,
                                simfleet_curl_data_cb header_cb, void *userdata, long connect_timeout_s, long stall_timeout_s,
                                long total_timeout_ms, const char *redirect_protocols) {
    simfleet_curl.easy_setopt(easy, CURLOPT_URL, url);
    simfleet_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, body_cb);
    simfleet_curl.easy_setopt(easy, CURLOPT_WRITEDATA, userdata);
    simfleet_curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
    simfleet_curl.easy_setopt(easy, CURLOPT_HEADERDATA, userdata);
    simfleet_curl.easy_setopt(easy, CURLOPT_PRIVATE, userdata);
    simfleet_curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    simfleet_curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, connect_timeout_s);
    simfleet_curl.easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    simfleet_curl.easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, stall_timeout_s);
    simfleet_curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, total_timeout_ms);
    simfleet_curl.easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    simfleet_curl.easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    simfleet_curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    simfleet_curl.easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, redirect_protocols);
    if (range_start > 0) {
        char range[32];
        snprintf(range, sizeof range, "%ld-", range_start);
        simfleet_curl.easy_setopt(easy, CURLOPT_RANGE, range);
    } else {
        simfleet_curl.easy_setopt(easy, CURLOPT_RANGE, NULL);
    }
}

void simfleet_curl_easy_prepare_post(CURL *easy, const char *url, const char *body, struct curl_slist *headers,
                                     void *userdata, long timeout_s) {
    simfleet_curl.easy_setopt(easy, CURLOPT_URL, url);
    simfleet_curl.easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body);
    simfleet_curl.easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    simfleet_curl.easy_setopt(easy, CURLOPT_PRIVATE, userdata);
    simfleet_curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    simfleet_curl.easy_setopt(easy, CURLOPT_TIMEOUT, timeout_s);
}

void simfleet_curl_easy_write_to(CURL *easy, simfleet_curl_data_cb body_cb, void *userdata) {
    simfleet_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, body_cb);
    simfleet_curl.easy_setopt(easy, CURLOPT_WRITEDATA, userdata);
}

void simfleet_curl_easy_limits(CURL *easy, long long max_body_bytes, long timeout_s) {
    simfleet_curl.easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(max_body_bytes > 0 ? max_body_bytes : 0));
    if (timeout_s > 0) simfleet_curl.easy_setopt(easy, CURLOPT_TIMEOUT, timeout_s);  // 0: keep what prepare set
    simfleet_curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
}

void simfleet_curl_measure(CURL *easy, struct simfleet_curl_measure *out) {
    curl_off_t ttfb = 0, total = 0, body_in = 0, body_out = 0, connect = 0;
    long header_in = 0, request = 0, redirects = 0;
    simfleet_curl.easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
    simfleet_curl.easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
    simfleet_curl.easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
    simfleet_curl.easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &body_in);
    simfleet_curl.easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &body_out);
    simfleet_curl.easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_in);
    simfleet_curl.easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request);
    simfleet_curl.easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
    out->ttfb_us = ttfb;
    out->total_us = total;
    out->bytes_in = body_in + header_in;
    out->bytes_out = body_out + request;
    out->redirects = redirects;
    out->connected = connect > 0 ? 1 : 0;
}

void simfleet_curl_easy_prepare_request(CURL *easy, const char *url, const char *method, const void *body, long length,
                                        struct curl_slist *headers, simfleet_curl_data_cb body_cb, void *userdata,
                                        long timeout_ms) {
    simfleet_curl.easy_setopt(easy, CURLOPT_URL, url);
    if (length >= 0) {
        simfleet_curl.easy_setopt(easy, CURLOPT_POST, 1L);
        simfleet_curl.easy_setopt(easy, CURLOPT_POSTFIELDSIZE, length);
        simfleet_curl.easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, body);
    }
    if (strcmp(method, "HEAD") == 0) simfleet_curl.easy_setopt(easy, CURLOPT_NOBODY, 1L);
    simfleet_curl.easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
    simfleet_curl.easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    simfleet_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, body_cb);
    simfleet_curl.easy_setopt(easy, CURLOPT_WRITEDATA, userdata);
    simfleet_curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    simfleet_curl.easy_setopt(easy, CURLOPT_NOPROXY, "*");
    simfleet_curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    simfleet_curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
}

void simfleet_curl_easy_prepare_binary_post(CURL *easy, const char *url, const void *body, long length,
                                            struct curl_slist *headers, simfleet_curl_data_cb body_cb,
                                            simfleet_curl_data_cb header_cb, void *userdata, long timeout_ms) {
    simfleet_curl_easy_prepare_request(easy, url, "POST", body, length, headers, body_cb, userdata, timeout_ms);
    simfleet_curl.easy_setopt(easy, CURLOPT_COOKIEFILE, "");
    simfleet_curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
    simfleet_curl.easy_setopt(easy, CURLOPT_HEADERDATA, userdata);
}

long simfleet_curl_os_errno(CURL *easy) {
    long e = 0;
    simfleet_curl.easy_getinfo(easy, CURLINFO_OS_ERRNO, &e);
    return e;
}

long simfleet_curl_response_code(CURL *easy) {
    long code = 0;
    simfleet_curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

void *simfleet_curl_private(CURL *easy) {
    char *p = NULL;
    simfleet_curl.easy_getinfo(easy, CURLINFO_PRIVATE, &p);
    return p;
}
