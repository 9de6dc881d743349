/*
 * reaction_lat: how fast the program under test reacts on a GPIO output to something done to it,
 * measured from outside. Writes a value to a sysfs/configfs file (the cause), then polls a
 * gpio-sim `value` file until it changes (the reaction). Two uses on the rig:
 *   e-stop:  write pull-up/pull-down to the e-stop line's gpio-sim `pull`; the reaction is
 *            Stipple's edge watcher dropping motor_enable (kernel edge event path included);
 *   unplug:  write "" to the gadget's UDC (unbind: the USB device leaves the bus); the reaction is
 *            Stipple's control loop seeing link-lost and dropping motor_enable.
 * usage: reaction_lat CAUSE_FILE VALUE WATCH_VALUE_FILE [TIMEOUT_MS=1000]
 * VALUE is written with a newline, as `echo` would (configfs ignores an empty write).
 * Prints: reaction_lat: 1->0 after 123us (cause at 456.789012 s CLOCK_MONOTONIC)
 * Exit status 1 if the watched line does not change within the timeout.
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
    if (pread(fd, &c, 1, 0) != 1) { perror("reaction_lat: read value"); exit(1); }
    return c == '1';
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s CAUSE_FILE VALUE WATCH_VALUE_FILE [TIMEOUT_MS]\n", argv[0]); return 2; }
    double timeout_us = (argc > 4 ? atof(argv[4]) : 1000) * 1000;
    int cause = open(argv[1], O_WRONLY), watch = open(argv[3], O_RDONLY);
    if (cause < 0) { perror(argv[1]); return 1; }
    if (watch < 0) { perror(argv[3]); return 1; }
    size_t n = strlen(argv[2]);
    char *line = malloc(n + 2);
    if (!line) { perror("reaction_lat: malloc"); return 1; }
    memcpy(line, argv[2], n);
    line[n] = '\n';
    int before = level(watch);
    double t0 = now_us();
    if (write(cause, line, n + 1) < 0) { perror("reaction_lat: write cause"); return 1; }
    while (level(watch) == before) {
        if (now_us() - t0 > timeout_us) {
            printf("reaction_lat: still %d after %.0fus (cause at %.6f s CLOCK_MONOTONIC)\n", before, timeout_us, t0 / 1e6);
            return 1;
        }
    }
    printf("reaction_lat: %d->%d after %.0fus (cause at %.6f s CLOCK_MONOTONIC)\n", before, !before, now_us() - t0, t0 / 1e6);
    return 0;
}
