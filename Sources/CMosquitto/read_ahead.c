// Read-ahead for one libmosquitto socket at a time on each thread (MosquittoClient.ready).
//
// libmosquitto reads a packet with one read() per field: the command byte, each byte of the
// remaining length, then the rest, so a PUBACK costs three system calls and a status message four.
// Between simfleet_read_ahead_begin(fd) and simfleet_read_ahead_end() on this thread, read() of
// that fd is served from one read of up to READ_AHEAD_CAPACITY bytes; every other read (other fds,
// other threads, outside the window) reaches libc unchanged. The caller drains the buffer before it
// ends the window (it calls mosquitto_loop_read while bytes are pending), so nothing read ahead
// outlives the readiness event that read it.
#define _GNU_SOURCE
#include "CMosquitto.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_AHEAD_CAPACITY 16384

extern ssize_t __read(int fd, void *buf, size_t count);

static __thread int ahead_fd = -1;
static __thread unsigned char *ahead_buffer = NULL;
static __thread size_t ahead_start = 0, ahead_end = 0;
/// This thread's reads of a read-ahead fd asked for, and those that reached the kernel.
static __thread unsigned long ahead_asked = 0, ahead_kernel = 0;

ssize_t read(int fd, void *buf, size_t count) {
    if (fd != ahead_fd || fd < 0) return __read(fd, buf, count);
    ahead_asked++;
    size_t held = ahead_end - ahead_start;
    if (held == 0) {
        ahead_kernel++;
        if (count >= READ_AHEAD_CAPACITY) return __read(fd, buf, count);
        ssize_t got = __read(fd, ahead_buffer, READ_AHEAD_CAPACITY);
        if (got <= 0) return got;
        ahead_start = 0;
        ahead_end = (size_t)got;
        held = (size_t)got;
    }
    size_t n = count < held ? count : held;
    memcpy(buf, ahead_buffer + ahead_start, n);
    ahead_start += n;
    return (ssize_t)n;
}

bool simfleet_read_ahead_begin(int fd) {
    if (ahead_buffer == NULL) {
        ahead_buffer = malloc(READ_AHEAD_CAPACITY);
        if (ahead_buffer == NULL) return false;
    }
    ahead_fd = fd;
    ahead_start = ahead_end = 0;
    return true;
}

size_t simfleet_read_ahead_pending(void) {
    return ahead_end - ahead_start;
}

size_t simfleet_read_ahead_end(void) {
    size_t left = ahead_end - ahead_start;
    ahead_fd = -1;
    ahead_start = ahead_end = 0;
    return left;
}

void simfleet_read_ahead_counts(unsigned long *asked, unsigned long *kernel) {
    *asked = ahead_asked;
    *kernel = ahead_kernel;
}
