// Narrow interposition of socketpair(): refused only while this thread is inside
// simfleet_mosquitto_new_without_socketpair(); every other caller reaches libc's socketpair.
#define _GNU_SOURCE
#include "CMosquitto.h"
#include <sys/syscall.h>
#include <unistd.h>
#include <dlfcn.h>
#include <string.h>
#include <errno.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static __thread int refuse_socketpair = 0;
static atomic_ulong refused_count = 0;

typedef int (*socketpair_fn)(int, int, int, int[2]);

int socketpair(int domain, int type, int protocol, int sv[2]) {
    if (refuse_socketpair) {
        atomic_fetch_add_explicit(&refused_count, 1, memory_order_relaxed);
        errno = EMFILE;
        return -1;
    }
    static _Atomic(socketpair_fn) real = NULL;
    socketpair_fn fn = atomic_load_explicit(&real, memory_order_acquire);
    if (fn == NULL) {
        fn = (socketpair_fn)dlsym(RTLD_NEXT, "socketpair");
        if (fn == NULL) { errno = ENOSYS; return -1; }
        atomic_store_explicit(&real, fn, memory_order_release);
    }
    return fn(domain, type, protocol, sv);
}

struct mosquitto *simfleet_mosquitto_new_without_socketpair(const char *id, bool clean_session, void *userdata) {
    refuse_socketpair = 1;
    struct mosquitto *m = mosquitto_new(id, clean_session, userdata);
    refuse_socketpair = 0;
    return m;
}

unsigned long simfleet_refused_socketpairs(void) {
    return atomic_load_explicit(&refused_count, memory_order_relaxed);
}

int simfleet_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int simfleet_epoll_wait(int epfd, uint64_t *datas, uint32_t *events, int max_events, int timeout_ms) {
    struct epoll_event evs[256];
    if (max_events > 256) max_events = 256;
    int n = epoll_wait(epfd, evs, max_events, timeout_ms);
    for (int i = 0; i < n; i++) {
        datas[i] = evs[i].data.u64;
        events[i] = evs[i].events;
    }
    return n;
}

pid_t simfleet_spawn_child(const char *path, char *const argv[], int log_fd) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);
    int out = log_fd >= 0 ? log_fd : open("/dev/null", O_WRONLY);
    if (out >= 0) { dup2(out, 1); dup2(out, 2); }
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    // Nothing else of the parent's: its device sockets, epoll sets and pipes would otherwise stay
    // open in the broker for its whole life (a restarted broker would hold every client's old
    // connection, and epoll would keep reporting them to the parent).
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = 3; fd < max; fd++) close((int)fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(path, argv);
    _exit(127);
}


const void *simfleet_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}

int simfleet_mosquitto_set_connect_properties(struct mosquitto *mosq, const mosquitto_property *properties) {
    // Port -1 fails mosquitto_connect_bind_v5's address check (MOSQ_ERR_INVAL) after the properties
    // were checked and copied onto the client, and before any socket is made. Any other failure
    // (a property not allowed in CONNECT) comes back as it is.
    int rc = mosquitto_connect_bind_v5(mosq, "", -1, 60, NULL, properties);
    return rc == MOSQ_ERR_INVAL ? MOSQ_ERR_SUCCESS : rc;
}

int simfleet_accept_nonblocking(int listener, struct sockaddr_storage *peer) {
    socklen_t len = sizeof(struct sockaddr_storage);
    return accept4(listener, (struct sockaddr *)peer, peer ? &len : NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

// Narrow interposition of connect(): redirected to the fault proxy only while this thread is inside
// simfleet_mosquitto_connect_via_proxy(); every other caller reaches libc's connect unchanged.
static __thread int redirect_port = 0;
static __thread int redirected = 0;
static __thread struct sockaddr_storage redirected_from;
static __thread socklen_t redirected_len = 0;

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static _Atomic(connect_fn) real = NULL;
    connect_fn fn = atomic_load_explicit(&real, memory_order_acquire);
    if (fn == NULL) {
        fn = (connect_fn)dlsym(RTLD_NEXT, "connect");
        if (fn == NULL) { errno = ENOSYS; return -1; }
        atomic_store_explicit(&real, fn, memory_order_release);
    }
    if (redirect_port == 0 || addr == NULL || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)) {
        return fn(fd, addr, len);
    }
    // Only the MQTT connection itself: a datagram socket here would be a resolver's, never redirected.
    int type = 0;
    socklen_t type_len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM) {
        return fn(fd, addr, len);
    }
    redirected_len = len < sizeof(redirected_from) ? len : (socklen_t)sizeof(redirected_from);
    memcpy(&redirected_from, addr, redirected_len);
    redirected = 1;
    if (addr->sa_family == AF_INET) {
        struct sockaddr_in to;
        memset(&to, 0, sizeof to);
        to.sin_family = AF_INET;
        to.sin_port = htons((uint16_t)redirect_port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return fn(fd, (const struct sockaddr *)&to, sizeof to);
    }
    // An IPv6 socket reaches the IPv4 listener through the v4-mapped loopback address.
    struct sockaddr_in6 to6;
    memset(&to6, 0, sizeof to6);
    to6.sin6_family = AF_INET6;
    to6.sin6_port = htons((uint16_t)redirect_port);
    to6.sin6_addr.s6_addr[10] = 0xFF;
    to6.sin6_addr.s6_addr[11] = 0xFF;
    to6.sin6_addr.s6_addr[12] = 127;
    to6.sin6_addr.s6_addr[15] = 1;
    return fn(fd, (const struct sockaddr *)&to6, sizeof to6);
}

int simfleet_mosquitto_connect_via_proxy(struct mosquitto *mosq, const char *host, int port, int keepalive,
                                         const char *bind_address, int proxy_port,
                                         struct sockaddr_storage *target, socklen_t *target_len) {
    redirect_port = proxy_port;
    redirected = 0;
    int rc = mosquitto_connect_bind_async(mosq, host, port, keepalive, bind_address);
    redirect_port = 0;
    if (redirected && target && target_len) {
        memcpy(target, &redirected_from, redirected_len);
        *target_len = redirected_len;
    } else if (target_len) {
        *target_len = 0;
    }
    redirected = 0;
    return rc;
}

void simfleet_name_current_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

int simfleet_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    return (int)syscall(434, pid, 0);  /* the same number on every architecture */
#endif
}
