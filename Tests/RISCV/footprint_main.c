/*
 * Drives the firmware-shaped footprint image (footprint.swift) from C, so the Swift optimizer
 * cannot know which events the device will get. Exit status 0 when the device published its
 * retained status after CONNACK and two periodic heartbeats.
 */
#include <stdint.h>
#include <stdlib.h>

int32_t footprint_create(uint64_t seed);
int32_t footprint_step(int32_t kind, int64_t millis);
int64_t footprint_next_deadline(void);

int main(void) {
    footprint_create(7);
    int publishes = 0;
    publishes += footprint_step(0, 0) / 100;     /* power on */
    publishes += footprint_step(2, 1200) / 100;  /* WiFi up */
    publishes += footprint_step(5, 1450) / 100;  /* CONNACK: retained status */
    for (int beat = 0; beat < 2; beat++) {
        int64_t due = footprint_next_deadline();
        if (due < 0) exit(2);
        publishes += footprint_step(1, due) / 100;
    }
    /* One of every other kind, so none of them is dead code. */
    for (int kind = 3; kind <= 11; kind++) footprint_step(kind == 5 ? 11 : kind, 70000 + kind);
    exit(publishes == 3 ? 0 : 1);
}
