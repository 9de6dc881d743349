/* The C reference for `stipple-bench edges`: a 1 kHz loop that, like Stipple's RealTimeLoop with a
 * TimedEdgeSource, sleeps to each cycle's deadline and then to each stroke-pulse edge planned
 * before the next deadline (clock_nanosleep, TIMER_ABSTIME, CLOCK_MONOTONIC), writes the line and
 * reads the clock. The same setup as rt-loop-c (mlockall, SCHED_FIFO, 1 ns timer slack,
 * /dev/cpu_dma_latency held at 0), the same pulse plan as the Swift side (BenchStrokePulseTrain):
 * rise n at origin + n * 1e9 / rate (integer ns, no accumulated rounding), fall at rise + width,
 * origin 250 µs after the first cycle's next deadline.
 *
 *   stroke-edges-c [--chip gpiochipN --line OFFSET] [--seconds S] [--rate HZ] [--width US]
 *                  [--priority P] [--samples]
 *
 * Without --chip the line is a volatile store in memory; with it, libgpiod v1 drives the line
 * (gpiod_chip_open_by_name, gpiod_line_request_output, gpiod_line_set_value), as Stipple's
 * LinuxGPIOLines does. An edge's error is the clock read after the write returned minus the
 * planned instant. Prints one line, "backend edges planned min p50 p99 max cycles overruns
 * delayed" (times in ns, nearest-rank percentiles as LatenessStatistics computes them); with
 * --samples, every error after it, one per line, so the caller can pool rounds. Setup failures
 * go to stderr as warnings. Built by `make bench` with cc -O2 ... -lgpiod. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t) {
    struct timespec wake = {.tv_sec = (time_t)(t / 1000000000u), .tv_nsec = (long)(t % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL) == EINTR) {}
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t rank(const uint64_t *sorted, size_t n, double p) {
    double exact = p * (double)n;
    long index = (long)exact;
    if ((double)index < exact) index++; /* rounded up, without libm */
    index -= 1;
    if (index < 0) index = 0;
    if ((size_t)index >= n) index = (long)n - 1;
    return sorted[index];
}

/* The in-memory line: a store the compiler must make. */
static volatile int memory_line;

static struct gpiod_line *gpio_line;

static int write_line(int value) {
    if (gpio_line) return gpiod_line_set_value(gpio_line, value);
    memory_line = value;
    return 0;
}

int main(int argc, char **argv) {
    const char *chip_name = NULL;
    long line_offset = -1;
    double seconds = 10;
    uint64_t rate = 150, width_us = 2000;
    int priority = 80, samples = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--samples")) { samples = 1; continue; }
        if (!v) goto usage;
        if (!strcmp(a, "--chip")) chip_name = v;
        else if (!strcmp(a, "--line")) line_offset = strtol(v, NULL, 10);
        else if (!strcmp(a, "--seconds")) seconds = strtod(v, NULL);
        else if (!strcmp(a, "--rate")) rate = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--width")) width_us = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--priority")) priority = atoi(v);
        else goto usage;
        i++;
    }
    const uint64_t period = 1000000; /* the control cycle: 1 kHz */
    if (seconds <= 0 || rate == 0 || rate > 1000 || width_us == 0 || width_us * 1000 >= 1000000000u / rate
        || (chip_name != NULL) != (line_offset >= 0))
        goto usage;

    uint64_t cycles = (uint64_t)(seconds * 1000.0);
    uint64_t pulses = (uint64_t)(seconds * (double)rate);
    if (pulses == 0) pulses = 1;
    uint64_t width = width_us * 1000;
    cycles += 10; /* the plan starts ~1.25 ms in and its last fall is one width past the last rise */
    size_t capacity = (size_t)(pulses * 2);
    uint64_t *error = malloc(capacity * sizeof *error);
    if (!error) return 1;
    memset(error, 0, capacity * sizeof *error); /* fault the pages in before the loop */

    struct gpiod_chip *chip = NULL;
    if (chip_name) {
        chip = gpiod_chip_open_by_name(chip_name);
        if (!chip) { fprintf(stderr, "error: cannot open %s: %s\n", chip_name, strerror(errno)); return 1; }
        gpio_line = gpiod_chip_get_line(chip, (unsigned)line_offset);
        if (!gpio_line || gpiod_line_request_output(gpio_line, "stipple-bench-c", 0) != 0) {
            fprintf(stderr, "error: cannot request line %ld of %s as output: %s\n", line_offset, chip_name, strerror(errno));
            gpiod_chip_close(chip);
            return 1;
        }
    }

    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
        fprintf(stderr, "warning: mlockall failed: %s\n", strerror(errno));
    struct sched_param param = {.sched_priority = priority};
    int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    if (rc != 0) fprintf(stderr, "warning: SCHED_FIFO %d refused: %s\n", priority, strerror(rc));
    if (prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) != 0)
        fprintf(stderr, "warning: timer slack refused: %s\n", strerror(errno));
    int latency_fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
    int32_t zero = 0;
    if (latency_fd < 0 || write(latency_fd, &zero, sizeof zero) != sizeof zero)
        fprintf(stderr, "warning: /dev/cpu_dma_latency not held at 0: %s\n", strerror(errno));

    uint64_t overruns = 0, delayed = 0, fired = 0, failures = 0;
    uint64_t origin = 0; /* set on the first question, as the Swift train does */
    int have_origin = 0;
    uint64_t deadline = now_ns() + period;
    for (uint64_t c = 0; c < cycles; c++) {
        sleep_until(deadline);
        /* The body would run here; the Swift side's body is empty too. */
        uint64_t end = now_ns();
        deadline += period;
        if (end > deadline) {
            uint64_t missed = (end - deadline) / period + 1;
            overruns++;
            deadline += missed * period;
        }
        if (!have_origin) { origin = deadline + 250000; have_origin = 1; }
        uint64_t any = 0;
        while (fired < pulses * 2) {
            uint64_t n = fired / 2;
            uint64_t planned = origin + n * 1000000000u / rate + (fired % 2 ? width : 0);
            if (planned >= deadline) break;
            sleep_until(planned);
            if (write_line(fired % 2 ? 0 : 1) != 0) failures++;
            uint64_t after = now_ns();
            error[fired] = after - planned;
            fired++;
            any = 1;
        }
        if (any && now_ns() > deadline) delayed++;
    }
    if (latency_fd >= 0) close(latency_fd);
    if (chip) {
        gpiod_line_set_value(gpio_line, 0);
        gpiod_chip_close(chip);
    }
    if (failures) fprintf(stderr, "warning: %llu line writes failed\n", (unsigned long long)failures);
    if (fired == 0) { fprintf(stderr, "error: no edge fired\n"); return 1; }

    uint64_t *sorted = malloc(fired * sizeof *sorted);
    if (!sorted) return 1;
    memcpy(sorted, error, fired * sizeof *sorted);
    qsort(sorted, fired, sizeof *sorted, compare);
    printf("%s %llu %llu %llu %llu %llu %llu %llu %llu %llu\n", chip ? "libgpiod" : "memory",
           (unsigned long long)fired, (unsigned long long)(pulses * 2), (unsigned long long)sorted[0],
           (unsigned long long)rank(sorted, fired, 0.5), (unsigned long long)rank(sorted, fired, 0.99),
           (unsigned long long)sorted[fired - 1], (unsigned long long)cycles, (unsigned long long)overruns,
           (unsigned long long)delayed);
    if (samples)
        for (uint64_t i = 0; i < fired; i++) printf("%llu\n", (unsigned long long)error[i]);
    free(sorted);
    free(error);
    return 0;

usage:
    fprintf(stderr, "usage: stroke-edges-c [--chip gpiochipN --line OFFSET] [--seconds S] [--rate HZ (1-1000)] "
                    "[--width US (< the pulse period)] [--priority P] [--samples]\n");
    return 2;
}
