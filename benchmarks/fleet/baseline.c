// Minimal C baseline for the fleet benchmark: N libmosquitto clients on ONE epoll loop, each
// publishing a DeviceCore-shaped JSON heartbeat (QoS as given) every interval, with a last will,
// one descriptor per client (socketpair refused during mosquitto_new, as simfleet does), plus one
// observer client subscribed to device/+/status that counts deliveries. Prints one JSON line.
//
// usage: baseline HOST PORTS(comma) DEVICES HEARTBEAT_MS RAMP_PER_S STEADY_S QOS [TICK_MS [TELEMETRY_MS [TELEMETRY_BYTES]]]
// TICK_MS (default 10, as simfleet's --timer-tick): deadlines wake the loop on the next multiple of
// it, so devices due within one tick share a wake-up; 0 wakes for every deadline to the millisecond.
// TELEMETRY_MS > 0 (telemetry mode, as simfleet's --telemetry-every/--telemetry-bytes): every device
// also publishes {"id","seq","ts","temp"[,"pad"]} at QoS 0 on device/<id>/telemetry every
// TELEMETRY_MS, padded to TELEMETRY_BYTES (0: no pad), on its own phase; the observer also
// subscribes to device/+/telemetry and counts what arrives.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static __thread int refuse_socketpair = 0;
int socketpair(int d, int t, int p, int sv[2]) {
    if (refuse_socketpair) { errno = EMFILE; return -1; }
    int (*real)(int, int, int, int[2]) = dlsym(RTLD_NEXT, "socketpair");
    return real(d, t, p, sv);
}

typedef struct {
    struct mosquitto *m;
    int fd;
    uint32_t mask;
    int connected, ever;
    int64_t connect_started;
    long seq;
    int pending;  // unacked publishes
    char id[32];
    char topic[64];
    char tel_topic[64];
    long tel_seq;
    double temp;
    uint64_t rng;
} dev_t_;

static dev_t_ *devs;
static int ndev, qos;
static int64_t hb_us;
static int epfd;
static long sent, acked, received, connected_now, ever_connected, reconnects;
static int64_t tel_us;
static int tel_bytes;
static long tel_sent, tel_received;
static int64_t last_connect_at, t0;
static int observer_ready;

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static void sync_fd(struct mosquitto *m, int *fd, uint32_t *mask, uint64_t key) {
    int cur = mosquitto_socket(m);
    if (cur != *fd) { *fd = cur; *mask = 0; }
    if (cur < 0) return;
    uint32_t want = EPOLLIN | (mosquitto_want_write(m) ? EPOLLOUT : 0);
    if (want == *mask) return;
    struct epoll_event ev = {.events = want, .data.u64 = key};
    if (epoll_ctl(epfd, *mask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, cur, &ev) != 0)
        epoll_ctl(epfd, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, cur, &ev);
    *mask = want;
}

static void publish_heartbeat(dev_t_ *d, int64_t now) {
    char payload[320];
    d->seq++;
    int n = snprintf(payload, sizeof payload,
                     "{\"id\":\"%s\",\"fw\":\"1.0.0\",\"state\":\"online\",\"uptime_s\":%ld,\"rssi\":-52,\"free_heap\":241000,"
                     "\"reset_reason\":\"power_on\",\"boot_count\":1,\"seq\":%ld,\"ts\":%lld.%03lld}",
                     d->id, (long)((now - t0) / 1000000), d->seq, (long long)(now / 1000), (long long)(now % 1000));
    if (mosquitto_publish(d->m, NULL, d->topic, n, payload, qos, false) == MOSQ_ERR_SUCCESS) {
        sent++;
        if (qos) d->pending++;
    }
}

static void publish_telemetry(dev_t_ *d, int64_t now) {
    char payload[65600];
    d->tel_seq++;
    d->rng ^= d->rng << 13; d->rng ^= d->rng >> 7; d->rng ^= d->rng << 17;  // xorshift64: the temperature walk
    d->temp += ((double)(d->rng >> 11) / 9007199254740992.0 * 2 - 1) * 0.05;
    int n = snprintf(payload, sizeof payload, "{\"id\":\"%s\",\"seq\":%ld,\"ts\":%lld.%03lld,\"temp\":%.2f",
                     d->id, d->tel_seq, (long long)(now / 1000), (long long)(now % 1000), d->temp);
    if (tel_bytes > 0) {
        int fill = tel_bytes - n - 10;  // ,"pad":"  and  "}
        if (fill < 0) fill = 0;
        if (n + 10 + fill >= (int)sizeof payload) fill = (int)sizeof payload - n - 11;
        memcpy(payload + n, ",\"pad\":\"", 8); n += 8;
        memset(payload + n, 'x', fill); n += fill;
        memcpy(payload + n, "\"}", 2); n += 2;
    } else {
        payload[n++] = '}';
    }
    if (mosquitto_publish(d->m, NULL, d->tel_topic, n, payload, 0, false) == MOSQ_ERR_SUCCESS) tel_sent++;
}

static void on_connect(struct mosquitto *m, void *ud, int rc) {
    dev_t_ *d = ud;
    if (rc != 0) return;
    if (d->ever) reconnects++; else { d->ever = 1; ever_connected++; }
    d->connected = 1;
    connected_now++;
    last_connect_at = now_us();
}
static void on_disconnect(struct mosquitto *m, void *ud, int rc) {
    dev_t_ *d = ud;
    d->fd = -1; d->mask = 0;
    if (d->connected) { d->connected = 0; connected_now--; }
}
static void on_publish(struct mosquitto *m, void *ud, int mid) {
    dev_t_ *d = ud;
    if (qos && d->pending > 0) { d->pending--; acked++; }
}

static struct mosquitto *obs;
static int obs_fd = -1;
static uint32_t obs_mask;
static int obs_pending;
static void obs_connect(struct mosquitto *m, void *ud, int rc) {
    if (rc != 0) return;
    obs_pending = tel_us > 0 ? 2 : 1;
    mosquitto_subscribe(m, NULL, "device/+/status", 1);
    if (tel_us > 0) mosquitto_subscribe(m, NULL, "device/+/telemetry", 1);
}
static void obs_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *g) { if (--obs_pending == 0) observer_ready = 1; }
static void obs_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg) {
    if (msg->payloadlen <= 0 || !memmem(msg->payload, msg->payloadlen, "\"seq\"", 5)) return;
    size_t t = strlen(msg->topic);
    if (tel_us > 0 && t > 10 && memcmp(msg->topic + t - 10, "/telemetry", 10) == 0) tel_received++; else received++;
}

// Each device's next deadline (power-on, then every heartbeat) in a binary min-heap, so every
// device keeps its own phase: heartbeats stay spread over the interval as they are in simfleet and
// in a real fleet. (A FIFO ring is not enough: a first heartbeat due 1 s after connecting lands
// behind ramp entries due later, and the whole fleet then heartbeats in one burst every interval.)
static int *heap_dev; static int64_t *heap_due; static int hcount;
static void heap_swap(int a, int b) {
    int d = heap_dev[a]; heap_dev[a] = heap_dev[b]; heap_dev[b] = d;
    int64_t t = heap_due[a]; heap_due[a] = heap_due[b]; heap_due[b] = t;
}
static void push_due(int i, int64_t at) {
    int k = hcount++;
    heap_dev[k] = i; heap_due[k] = at;
    while (k > 0 && heap_due[(k - 1) / 2] > heap_due[k]) { heap_swap(k, (k - 1) / 2); k = (k - 1) / 2; }
}
static int pop_due(void) {
    int i = heap_dev[0];
    heap_swap(0, --hcount);
    for (int k = 0;;) {
        int l = 2 * k + 1, r = l + 1, m = k;
        if (l < hcount && heap_due[l] < heap_due[m]) m = l;
        if (r < hcount && heap_due[r] < heap_due[m]) m = r;
        if (m == k) break;
        heap_swap(k, m); k = m;
    }
    return i;
}

int main(int argc, char **argv) {
    if (argc < 8) { fprintf(stderr, "usage: %s HOST PORTS DEVICES HEARTBEAT_MS RAMP STEADY_S QOS [TICK_MS [TELEMETRY_MS [TELEMETRY_BYTES]]]\n", argv[0]); return 2; }
    int64_t tick_us = (argc > 8 ? atoll(argv[8]) : 10) * 1000;
    tel_us = (argc > 9 ? atoll(argv[9]) : 0) * 1000;
    tel_bytes = argc > 10 ? atoi(argv[10]) : 0;
    const char *host = argv[1];
    int ports[64], nports = 0;
    for (char *p = strtok(argv[2], ","); p && nports < 64; p = strtok(NULL, ",")) ports[nports++] = atoi(p);
    ndev = atoi(argv[3]); hb_us = atoll(argv[4]) * 1000; double ramp = atof(argv[5]); double steady = atof(argv[6]); qos = atoi(argv[7]);
    struct rlimit rl; getrlimit(RLIMIT_NOFILE, &rl); rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl);
    mosquitto_lib_init();
    epfd = epoll_create1(0);
    devs = calloc(ndev, sizeof *devs);
    heap_dev = calloc(2 * ndev, sizeof *heap_dev); heap_due = calloc(2 * ndev, sizeof *heap_due);

    refuse_socketpair = 1;
    obs = mosquitto_new("baseline-observer", true, NULL);
    refuse_socketpair = 0;
    mosquitto_connect_callback_set(obs, obs_connect);
    mosquitto_subscribe_callback_set(obs, obs_subscribe);
    mosquitto_message_callback_set(obs, obs_message);
    mosquitto_username_pw_set(obs, "simfleet-observer", NULL);
    mosquitto_connect_async(obs, host, ports[0], 30);
    sync_fd(obs, &obs_fd, &obs_mask, 0);

    struct epoll_event evs[256];
    while (!observer_ready) {
        int n = epoll_wait(epfd, evs, 256, 100);
        for (int i = 0; i < n; i++) { if (evs[i].events & (EPOLLIN|EPOLLERR|EPOLLHUP)) mosquitto_loop_read(obs, 1); if (evs[i].events & EPOLLOUT) mosquitto_loop_write(obs, 1); }
        sync_fd(obs, &obs_fd, &obs_mask, 0);
    }

    int spread = ndev > 2500 ? (ndev + 2499) / 2500 : 0;
    t0 = now_us();
    int64_t start = t0 + 50000;
    for (int i = 0; i < ndev; i++) push_due(2 * i, start + (int64_t)(i / ramp * 1e6));
    int64_t ramp_end = start + (int64_t)(ndev / ramp * 1e6);
    int64_t end = ramp_end + (int64_t)(steady * 1e6);
    int64_t next_misc = t0 + 2000000;
    int64_t steady_mark = ramp_end + 2000000;  // steady-state window starts 2 s after the ramp
    double cpu_at_mark = -1; long sent_at_mark = 0, tel_at_mark = 0;
    int started = 0;
    while (1) {
        int64_t now = now_us();
        if (now >= end) break;
        int64_t wake = next_misc;
        if (hcount && heap_due[0] < wake) wake = tick_us > 0 ? (heap_due[0] + tick_us - 1) / tick_us * tick_us : heap_due[0];
        if (end < wake) wake = end;
        int timeout = wake > now ? (int)((wake - now + 999) / 1000) : 0;
        int n = epoll_wait(epfd, evs, 256, timeout);
        for (int i = 0; i < n; i++) {
            uint64_t key = evs[i].data.u64;
            struct mosquitto *m; int *fd; uint32_t *mask;
            if (key == 0) { m = obs; fd = &obs_fd; mask = &obs_mask; } else { dev_t_ *d = &devs[key - 1]; m = d->m; fd = &d->fd; mask = &d->mask; }
            if (evs[i].events & (EPOLLIN|EPOLLERR|EPOLLHUP)) mosquitto_loop_read(m, 1);
            if ((evs[i].events & EPOLLOUT) && *fd >= 0) mosquitto_loop_write(m, 1);
            sync_fd(m, fd, mask, key);
        }
        now = now_us();
        while (hcount && heap_due[0] <= now) {
            int64_t due = heap_due[0];
            int entry = pop_due();
            int i = entry / 2;
            dev_t_ *d = &devs[i];
            if (entry & 1) {  // telemetry: one interval after the due time, no burst after a late wake-up
                if (d->connected) publish_telemetry(d, now);
                int64_t next = due + tel_us;
                push_due(entry, next > now ? next : now + tel_us);
            } else if (!d->m) {
                snprintf(d->id, sizeof d->id, "esp32c6-%06d", i + 1);
                snprintf(d->topic, sizeof d->topic, "device/%s/status", d->id);
                snprintf(d->tel_topic, sizeof d->tel_topic, "device/%s/telemetry", d->id);
                d->temp = 21.5;
                d->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) | 1;
                refuse_socketpair = 1;
                d->m = mosquitto_new(d->id, true, d);
                refuse_socketpair = 0;
                d->fd = -1;
                mosquitto_connect_callback_set(d->m, on_connect);
                mosquitto_disconnect_callback_set(d->m, on_disconnect);
                mosquitto_publish_callback_set(d->m, on_publish);
                mosquitto_will_set(d->m, d->topic, 19, "{\"state\":\"offline\"}", 1, true);
                char bind[32]; if (spread) snprintf(bind, sizeof bind, "127.0.0.%d", 2 + i % spread);
                d->connect_started = now;
                mosquitto_connect_bind_async(d->m, host, ports[i % nports], 60, spread ? bind : NULL);
                started++;
                push_due(2 * i, now + hb_us / 10);  // first heartbeat shortly after connecting
                if (tel_us > 0) push_due(2 * i + 1, now + hb_us / 10 + tel_us);  // telemetry from one interval after that
            } else {
                if (d->connected) publish_heartbeat(d, now);
                push_due(2 * i, now + hb_us);
            }
            sync_fd(d->m, &d->fd, &d->mask, (uint64_t)i + 1);
        }
        if (now >= next_misc) {
            for (int i = 0; i < ndev; i++) if (devs[i].m && devs[i].fd >= 0) { mosquitto_loop_misc(devs[i].m); sync_fd(devs[i].m, &devs[i].fd, &devs[i].mask, (uint64_t)i + 1); }
            mosquitto_loop_misc(obs); sync_fd(obs, &obs_fd, &obs_mask, 0);
            next_misc = now + 2000000;
        }
        if (cpu_at_mark < 0 && now >= steady_mark) { cpu_at_mark = cpu_s(); sent_at_mark = sent; tel_at_mark = tel_sent; }
    }
    double cpu_end = cpu_s(); long sent_end = sent, tel_end = tel_sent;
    // Drain: acknowledgements and deliveries still in flight.
    int64_t drain_end = now_us() + 5000000;
    while (now_us() < drain_end && !(acked >= sent && received >= (qos ? acked : sent) && tel_received >= tel_sent)) {
        int n = epoll_wait(epfd, evs, 256, 20);
        for (int i = 0; i < n; i++) {
            uint64_t key = evs[i].data.u64;
            struct mosquitto *m; int *fd; uint32_t *mask;
            if (key == 0) { m = obs; fd = &obs_fd; mask = &obs_mask; } else { dev_t_ *d = &devs[key - 1]; m = d->m; fd = &d->fd; mask = &d->mask; }
            if (evs[i].events & (EPOLLIN|EPOLLERR|EPOLLHUP)) mosquitto_loop_read(m, 1);
            if ((evs[i].events & EPOLLOUT) && *fd >= 0) mosquitto_loop_write(m, 1);
            sync_fd(m, fd, mask, key);
        }
    }
    struct rusage u; getrusage(RUSAGE_SELF, &u);
    printf("{\"devices\":%d,\"connected\":%ld,\"connect_all_s\":%.3f,\"sent\":%ld,\"acked\":%ld,\"received\":%ld,"
           "\"reconnects\":%ld,\"peak_rss_bytes\":%ld,\"cpu_seconds\":%.3f,\"steady_cpu_seconds\":%.3f,\"steady_sent\":%ld,"
           "\"telemetry_sent\":%ld,\"telemetry_received\":%ld,\"steady_telemetry_sent\":%ld}\n",
           ndev, ever_connected, ever_connected == ndev ? (last_connect_at - start) / 1e6 : -1.0, sent, acked, received, reconnects,
           u.ru_maxrss * 1024L, cpu_s(), cpu_at_mark < 0 ? 0 : cpu_end - cpu_at_mark, sent_end - sent_at_mark,
           tel_sent, tel_received, tel_end - tel_at_mark);
    return 0;
}
