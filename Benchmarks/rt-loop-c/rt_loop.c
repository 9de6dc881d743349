/* The C reference for `stipple-bench rt`: the same 1 kHz loop as Stipple's RealTimeLoop, with
 * the same setup (mlockall, SCHED_FIFO, 1 ns timer slack, /dev/cpu_dma_latency held at 0) and the same clock_nanosleep on
 * absolute CLOCK_MONOTONIC deadlines, so the Swift figures can be read against what the kernel
 * gives a plain C program on the same machine in the same minute.
 *
 *   rt-loop-c [cycles=5000] [period_ns=1000000] [priority=80]
 *
 * Prints one line: "cycles min median p99 p99.9 max overruns" in nanoseconds (nearest-rank
 * percentiles, as LatenessStatistics computes them); setup failures go to stderr as warnings.
 * Built by `make bench` with cc -O2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

int main(int argc, char **argv) {
    size_t cycles = argc > 1 ? strtoul(argv[1], NULL, 10) : 5000;
    uint64_t period = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    int priority = argc > 3 ? atoi(argv[3]) : 80;
    if (cycles == 0 || period == 0) {
        fprintf(stderr, "usage: rt-loop-c [cycles] [period_ns] [priority]\n");
        return 2;
    }
    uint64_t *lateness = malloc(cycles * sizeof *lateness);
    if (!lateness) return 1;
    memset(lateness, 0, cycles * sizeof *lateness); /* fault the pages in before the loop */

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

    uint64_t overruns = 0;
    uint64_t deadline = now_ns() + period;
    for (size_t i = 0; i < cycles; i++) {
        struct timespec wake = {.tv_sec = (time_t)(deadline / 1000000000u),
                                .tv_nsec = (long)(deadline % 1000000000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL) == EINTR) {}
        uint64_t woke = now_ns();
        lateness[i] = woke > deadline ? woke - deadline : 0;
        /* The body would run here; the Swift side's body is empty too. */
        uint64_t end = now_ns();
        deadline += period;
        if (end > deadline) {
            uint64_t missed = (end - deadline) / period + 1;
            overruns++;
            deadline += missed * period;
        }
    }

    qsort(lateness, cycles, sizeof *lateness, compare);
    printf("%zu %llu %llu %llu %llu %llu %llu\n", cycles, (unsigned long long)lateness[0],
           (unsigned long long)rank(lateness, cycles, 0.5), (unsigned long long)rank(lateness, cycles, 0.99),
           (unsigned long long)rank(lateness, cycles, 0.999), (unsigned long long)lateness[cycles - 1],
           (unsigned long long)overruns);
    free(lateness);
    if (latency_fd >= 0) close(latency_fd);
    return 0;
}
