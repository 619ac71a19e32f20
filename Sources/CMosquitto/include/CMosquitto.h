// libmosquitto for SimFleet, plus the few helpers Swift cannot express cleanly:
// client creation without the threaded-mode socket pair, and packed epoll_event access.
#ifndef SIMFLEET_CMOSQUITTO_H
#define SIMFLEET_CMOSQUITTO_H

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
// malloc_trim (the fleet hands setup's free heap back before its devices start) and
// malloc_usable_size (tests of per-device block sizes): glibc calls Swift's Glibc module does not export.
#include <malloc.h>

/// mosquitto_new() with socketpair() refused (EMFILE) for the duration of the call on this thread, so
/// the client costs one descriptor instead of three. The pair is only used by libmosquitto's own
/// threaded loop, which SimFleet never starts.
struct mosquitto *simfleet_mosquitto_new_without_socketpair(const char *id, bool clean_session, void *userdata);

/// How many socketpair() calls the interposition refused (for tests and the startup check).
unsigned long simfleet_refused_socketpairs(void);

/// epoll_ctl with the 64-bit user data (epoll_event is packed on x86-64).
int simfleet_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);

/// epoll_wait into two plain arrays (user data and event masks); returns the count or -1.
int simfleet_epoll_wait(int epfd, uint64_t *datas, uint32_t *events, int max_events, int timeout_ms);

#include <sys/types.h>
#include <sys/socket.h>

/// fork + exec of `path` with `argv` (NULL-terminated), stdout/stderr to `log_fd` (or /dev/null when
/// -1), in its own process group, with SIGTERM delivered to it if the spawning thread dies: an
/// embedded broker never outlives the simulator. Returns the pid or -1.
pid_t simfleet_spawn_child(const char *path, char *const argv[], int log_fd);

/// glibc's memmem (a GNU extension Swift's Glibc module does not export): the observer and the
/// publish path find heartbeat keys with it, twice per heartbeat.
const void *simfleet_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

/// accept4() with SOCK_NONBLOCK | SOCK_CLOEXEC (a GNU call Swift's Glibc module does not export);
/// the peer's address goes to `peer` (may be NULL).
int simfleet_accept_nonblocking(int listener, struct sockaddr_storage *peer);

/// mosquitto_connect_bind_async() whose TCP connection goes to the fault proxy on
/// 127.0.0.1:`proxy_port` instead of the broker: connect() is interposed (like socketpair() above)
/// and redirected only on this thread, only during this call. libmosquitto still resolves and names
/// the broker as given (TLS verifies the broker's own name). The address libmosquitto meant to reach
/// goes to `target` (`*target_len` 0 when no connect was made), for the proxy to connect onwards.
int simfleet_mosquitto_connect_via_proxy(struct mosquitto *mosq, const char *host, int port, int keepalive,
                                         const char *bind_address, int proxy_port,
                                         struct sockaddr_storage *target, socklen_t *target_len);

/// Stores MQTT 5 CONNECT properties (session expiry) on a client without connecting, so the
/// non-blocking connect uses them: libmosquitto 2.0 has no async connect that takes properties
/// (eclipse/mosquitto#2644), but its mosquitto_connect_bind_v5() keeps them on the client before it
/// validates the address. MOSQ_ERR_SUCCESS when the properties were accepted.
int simfleet_mosquitto_set_connect_properties(struct mosquitto *mosq, const mosquitto_property *properties);

/// Names the calling thread (`prctl(PR_SET_NAME)`, which keeps the first 15 bytes): glibc's
/// pthread_setname_np is a GNU extension Swift's Glibc module does not export.
void simfleet_name_current_thread(const char *name);

/// Read-ahead for `fd` on this thread until `simfleet_read_ahead_end()`: libmosquitto's read()s
/// of that socket are served from one read of up to 16 KiB instead of one system call per packet
/// field. false (no read-ahead) when its buffer cannot be allocated.
bool simfleet_read_ahead_begin(int fd);
/// Bytes read ahead and not yet consumed on this thread.
size_t simfleet_read_ahead_pending(void);
/// Ends this thread's read-ahead; returns the bytes that were still pending (dropped).
size_t simfleet_read_ahead_end(void);
/// This thread's read()s of read-ahead descriptors so far, and how many of them reached the kernel.
void simfleet_read_ahead_counts(unsigned long *asked, unsigned long *kernel);

/// pidfd_open(2) (Linux 5.3; no glibc wrapper before 2.36 and `syscall` is variadic): a descriptor
/// that polls readable when process `pid` exits, so the embedded broker is watched without a timer.
/// -1 with errno on failure (ENOSYS on older kernels).
int simfleet_pidfd_open(pid_t pid);

#endif
