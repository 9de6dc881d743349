/*
 * gpio_evlat: how long from the test side driving a gpio-sim input (a write to its sysfs `pull`
 * attribute) to a libgpiod edge event for it in user space: the path Stipple's e-stop watcher
 * takes. libgpiod v1 (Debian 12's 1.6), the API Stipple's LinuxGPIOLines binds.
 * usage: gpio_evlat CHIP OFFSET PULL_FILE [N=2000]
 * Alternates pull-up/pull-down N times; each must give one event of the right edge and a line
 * value that agrees. Prints:
 *   gpio_evlat: n=2000 min=.. p50=.. p99=.. max=..us mismatches=0
 */
#include <fcntl.h>
#include <gpiod.h>
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

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s CHIP OFFSET PULL_FILE [N]\n", argv[0]); return 2; }
    unsigned offset = (unsigned)atoi(argv[2]);
    int n = argc > 4 ? atoi(argv[4]) : 2000;
    if (n < 1) { fprintf(stderr, "gpio_evlat: N must be positive\n"); return 2; }

    struct gpiod_chip *chip = gpiod_chip_open_lookup(argv[1]);
    if (!chip) { perror(argv[1]); return 1; }
    struct gpiod_line *line = gpiod_chip_get_line(chip, offset);
    if (!line) { perror("gpio_evlat: line"); return 1; }
    int pull = open(argv[3], O_WRONLY);
    if (pull < 0) { perror(argv[3]); return 1; }
    /* Start from low so the first pull-up is a rising edge. */
    if (write(pull, "pull-down", 9) < 0) { perror("gpio_evlat: pull-down"); return 1; }
    if (gpiod_line_request_both_edges_events(line, "gpio_evlat") < 0) { perror("gpio_evlat: request"); return 1; }

    double *latency = malloc(sizeof(double) * (size_t)n);
    int mismatches = 0;
    for (int i = 0; i < n; i++) {
        int rising = i % 2 == 0;
        const char *v = rising ? "pull-up" : "pull-down";
        double t0 = now_us();
        if (write(pull, v, strlen(v)) < 0) { perror("gpio_evlat: write pull"); return 1; }
        struct timespec timeout = { 1, 0 };
        if (gpiod_line_event_wait(line, &timeout) != 1) { fprintf(stderr, "gpio_evlat: no event within 1 s at %d\n", i); return 1; }
        struct gpiod_line_event event;
        if (gpiod_line_event_read(line, &event) < 0) { perror("gpio_evlat: read event"); return 1; }
        latency[i] = now_us() - t0;
        if (event.event_type != (rising ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE)) mismatches++;
        if (gpiod_line_get_value(line) != rising) mismatches++;
    }
    qsort(latency, (size_t)n, sizeof(double), by_value);
    printf("gpio_evlat: n=%d min=%.0fus p50=%.0fus p99=%.0fus max=%.0fus mismatches=%d\n",
           n, latency[0], latency[n / 2], latency[(n * 99 + 99) / 100 - 1], latency[n - 1], mismatches);
    gpiod_line_release(line);
    gpiod_chip_close(chip);
    return mismatches ? 1 : 0;
}
