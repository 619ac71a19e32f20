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
