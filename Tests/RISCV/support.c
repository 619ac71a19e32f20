/*
 * Bare-metal support for the rv32imac golden-vector driver (Tests/RISCV/main.swift):
 * heap accounting around picolibc's allocator, stack high-water marking, deterministic
 * entropy, and the expected transcript linked into the image. Linker bits only; no DeviceCore logic here.
 */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- heap: every allocation entry point is wrapped (-Wl,--wrap=...) and samples the bytes
 * in use afterwards, so the peak includes allocator headers and alignment padding: what the
 * chip's heap would really have to hold. Embedded Swift allocates through posix_memalign. */

static size_t heap_peak;
static size_t heap_allocations;

size_t simfleet_heap_in_use(void) { return mallinfo().uordblks; }
size_t simfleet_heap_arena(void) { return mallinfo().arena; }
size_t simfleet_heap_peak(void) { return heap_peak; }
size_t simfleet_heap_allocations(void) { return heap_allocations; }
void simfleet_heap_reset_peak(void) {
    heap_peak = simfleet_heap_in_use();
    heap_allocations = 0;
}

static void *sampled(void *p) {
    heap_allocations++;
    size_t now = simfleet_heap_in_use();
    if (now > heap_peak) heap_peak = now;
    return p;
}

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_memalign(size_t, size_t);
int __real_posix_memalign(void **, size_t, size_t);

void *__wrap_malloc(size_t n) { return sampled(__real_malloc(n)); }
void *__wrap_calloc(size_t n, size_t m) { return sampled(__real_calloc(n, m)); }
void *__wrap_realloc(void *p, size_t n) { return sampled(__real_realloc(p, n)); }
void *__wrap_memalign(size_t a, size_t n) { return sampled(__real_memalign(a, n)); }
int __wrap_posix_memalign(void **out, size_t a, size_t n) {
    int rc = __real_posix_memalign(out, a, n);
    sampled(NULL);
    return rc;
}

/* ---- stack: paint the unused part of the stack, later find the deepest word overwritten. */

extern char __stack[];       /* top of RAM: the stack grows down from here */
extern char __stack_size[];  /* absolute symbol from --defsym */
#define STACK_PAINT 0x5AC3A55Au

void simfleet_stack_paint(void) {
    uint32_t *bottom = (uint32_t *)(__stack - (uintptr_t)__stack_size);
    uint32_t *limit = (uint32_t *)__builtin_frame_address(0) - 64;
    for (uint32_t *w = bottom; w < limit; w++) *w = STACK_PAINT;
}

size_t simfleet_stack_used(void) {
    uint32_t *w = (uint32_t *)(__stack - (uintptr_t)__stack_size);
    while ((char *)w < __stack && *w == STACK_PAINT) w++;
    return (size_t)(__stack - (char *)w);
}

size_t simfleet_stack_size(void) { return (size_t)__stack_size; }

/* ---- entropy: Embedded Swift seeds `Hasher` through arc4random_buf. Bare metal has none, and
 * the vectors must not depend on it anyway, so this is a fixed SplitMix64 stream. */

static uint64_t entropy_state = 0x5EED0000C6C60001ull;

void arc4random_buf(void *buffer, size_t count) {
    unsigned char *out = buffer;
    size_t i = 0;
    while (i < count) {
        uint64_t z = (entropy_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (int k = 0; k < 8 && i < count; k++, i++) out[i] = (unsigned char)(z >> (8 * k));
    }
}

/* ---- expected transcript: Tests/RISCV/expected.txt, byte for byte, in .rodata. */

__asm__(".section .rodata.simfleet_expected,\"a\",@progbits\n"
        ".global simfleet_expected_start\n"
        "simfleet_expected_start:\n"
        ".incbin \"" SIMFLEET_EXPECTED_PATH "\"\n"
        ".global simfleet_expected_end\n"
        "simfleet_expected_end:\n"
        ".previous\n");

extern const unsigned char simfleet_expected_start[];
extern const unsigned char simfleet_expected_end[];

const unsigned char *simfleet_expected_text(size_t *length) {
    *length = (size_t)(simfleet_expected_end - simfleet_expected_start);
    return simfleet_expected_start;
}
