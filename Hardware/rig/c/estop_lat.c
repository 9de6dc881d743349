/*
 * estop_lat: the e-stop path end to end, measured from outside the program under test. Presses
 * the e-stop through gpio-sim (a write to the e-stop line's `pull`), then polls the motor-enable
 * line's gpio-sim `value` until it changes: the time the controller (Stipple's edge watcher)
 * took from the edge to dropping the enable output, including the kernel's edge event path.
 * usage: estop_lat ESTOP_PULL_FILE pull-up|pull-down ENABLE_VALUE_FILE [TIMEOUT_MS=1000]
 * Prints: estop_lat: enable 1->0 after 123us
 * Exit status 1 if the enable line does not change within the timeout.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* sysfs regenerates an attribute on every read at offset 0. */
static int level(int fd) {
    char c = '?';
    if (pread(fd, &c, 1, 0) != 1) { perror("estop_lat: read value"); exit(1); }
    return c == '1';
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s ESTOP_PULL_FILE pull-up|pull-down ENABLE_VALUE_FILE [TIMEOUT_MS]\n", argv[0]); return 2; }
    double timeout_us = (argc > 4 ? atof(argv[4]) : 1000) * 1000;
    int pull = open(argv[1], O_WRONLY), value = open(argv[3], O_RDONLY);
    if (pull < 0) { perror(argv[1]); return 1; }
    if (value < 0) { perror(argv[3]); return 1; }
    int before = level(value);
    double t0 = now_us();
    if (write(pull, argv[2], strlen(argv[2])) < 0) { perror("estop_lat: write pull"); return 1; }
    while (level(value) == before) {
        if (now_us() - t0 > timeout_us) {
            printf("estop_lat: enable still %d after %.0fus\n", before, timeout_us);
            return 1;
        }
    }
    printf("estop_lat: enable %d->%d after %.0fus\n", before, !before, now_us() - t0);
    return 0;
}
