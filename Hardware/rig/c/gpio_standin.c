/*
 * gpio_standin: a stand-in for Stipple's direct-drive loop, so the rig can prove gpio_observe
 * counts exactly what was written before any Stipple code drives the lines. It writes the lines
 * the way the loop does: libgpiod v1 (Debian 12's 1.6, the API Stipple binds), one request per
 * line with the machine's active-low flag, a cycle loop on absolute CLOCK_MONOTONIC deadlines,
 * each STEP raised and lowered back to back within one cycle, DIR set a cycle before a direction
 * change, the charge pump toggled on cycle boundaries throughout.
 *
 * The schedule, in cycles (the counts are exact whatever the timing; TCG only stretches it):
 *   enable the stepper driver; home: DIR up, a step every STEP_EVERY cycles until depth_home reads
 *   active (or HOME_TRAVEL steps: home not found, skip to the end); back off HOME_OFFSET steps;
 *   STEPS steps deeper; STROKES stroke pulses (period PERIOD cycles, WIDTH cycles high); STEPS steps
 *   up; disable the stepper driver; a few idle cycles; stop.
 * usage: gpio_standin CHIP ROLE=OFFSET[:low]... [--strokes 100] [--period 20] [--width 2]
 *        [--steps 50] [--step-every 2] [--home-offset 20] [--home-travel 400] [--pump-half 4]
 *        [--cycle-us 1000]
 * Prints what it wrote as key=value lines (written_*), exits 0 (home not found is reported, not
 * an error: the rig's never-trigger check wants it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { STROKE, STEP, DIR_, ENABLE, PUMP, HOME, NROLES };
static const char *names[NROLES] = { "stroke_pulse", "depth_step", "depth_dir", "depth_enable", "charge_pump", "depth_home" };
static struct gpiod_line *line[NROLES];
static int offset[NROLES], low[NROLES];

static void set(int r, int v) {
    if (gpiod_line_set_value(line[r], v) < 0) { perror(names[r]); exit(1); }
}

int main(int argc, char **argv) {
    long strokes = 100, period = 20, width = 2, steps = 50, step_every = 2, home_offset = 20, home_travel = 400, pump_half = 4;
    long cycle_ns = 1000000;
    if (argc < 3) { fprintf(stderr, "usage: %s CHIP ROLE=OFFSET[:low]... [options]\n", argv[0]); return 2; }
    for (int r = 0; r < NROLES; r++) offset[r] = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        long *opt = NULL;
        if (!strcmp(a, "--strokes")) opt = &strokes;
        else if (!strcmp(a, "--period")) opt = &period;
        else if (!strcmp(a, "--width")) opt = &width;
        else if (!strcmp(a, "--steps")) opt = &steps;
        else if (!strcmp(a, "--step-every")) opt = &step_every;
        else if (!strcmp(a, "--home-offset")) opt = &home_offset;
        else if (!strcmp(a, "--home-travel")) opt = &home_travel;
        else if (!strcmp(a, "--pump-half")) opt = &pump_half;
        else if (!strcmp(a, "--cycle-us")) { if (++i < argc) cycle_ns = atol(argv[i]) * 1000; continue; }
        if (opt) { if (++i < argc) *opt = atol(argv[i]); continue; }
        const char *eq = strchr(a, '=');
        int r;
        for (r = 0; r < NROLES; r++) if (eq && (size_t)(eq - a) == strlen(names[r]) && !strncmp(a, names[r], eq - a)) break;
        if (r == NROLES) { fprintf(stderr, "gpio_standin: unknown argument %s\n", a); return 2; }
        offset[r] = atoi(eq + 1);
        low[r] = strstr(eq, ":low") != NULL;
    }
    struct gpiod_chip *chip = gpiod_chip_open_lookup(argv[1]);
    if (!chip) { perror(argv[1]); return 1; }
    for (int r = 0; r < NROLES; r++) {
        if (offset[r] < 0) { fprintf(stderr, "gpio_standin: %s=OFFSET missing\n", names[r]); return 2; }
        line[r] = gpiod_chip_get_line(chip, (unsigned)offset[r]);
        if (!line[r]) { perror(names[r]); return 1; }
        struct gpiod_line_request_config c = { "gpio_standin",
            r == HOME ? GPIOD_LINE_REQUEST_DIRECTION_INPUT : GPIOD_LINE_REQUEST_DIRECTION_OUTPUT,
            low[r] ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0 };
        if (gpiod_line_request(line[r], &c, 0) < 0) { perror(names[r]); return 1; }   /* inactive */
    }

    enum { ENABLING, HOMING, BACKOFF, DOWN, STROKING, UP, DISABLED, DONE } phase = ENABLING;
    long cycle = 0, phase_start = 0, done_in_phase = 0;
    long w_strokes = 0, w_deeper = 0, w_up = 0, w_pump = 0, w_disabled_steps = 0, home_steps = 0;
    int pump = 0, dir = 0, home_found = 0, enabled = 0;
    double late_max = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (phase != DONE) {
        next.tv_nsec += cycle_ns;
        while (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
        struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
        double late = (now.tv_sec - next.tv_sec) * 1e3 + (now.tv_nsec - next.tv_nsec) / 1e6;
        if (late > late_max) late_max = late;
        cycle++;
        if (cycle % pump_half == 0) { pump = !pump; set(PUMP, pump); w_pump++; }
        long k = cycle - phase_start;
        int step_now = k > 0 && k % step_every == 0;
        switch (phase) {
        case ENABLING:
            set(ENABLE, 1); enabled = 1;
            set(DIR_, 0); dir = 0;          /* up: toward the switch */
            phase = HOMING; phase_start = cycle; done_in_phase = 0;
            break;
        case HOMING:
            if (!step_now) break;
            if (gpiod_line_get_value(line[HOME]) == 1) { home_found = 1; set(DIR_, 1); dir = 1; phase = BACKOFF; phase_start = cycle; done_in_phase = 0; break; }
            if (home_steps >= home_travel) { phase = DISABLED; phase_start = cycle; set(ENABLE, 0); enabled = 0; break; }
            set(STEP, 1); set(STEP, 0); home_steps++; w_up++;
            break;
        case BACKOFF:
        case DOWN:
        case UP:
            if (done_in_phase >= (phase == BACKOFF ? home_offset : steps)) {
                if (phase == UP) { set(ENABLE, 0); enabled = 0; phase = DISABLED; }
                else if (phase == BACKOFF) phase = DOWN;
                else phase = STROKING;
                phase_start = cycle; done_in_phase = 0;
                break;
            }
            if (!step_now) break;
            set(STEP, 1); set(STEP, 0); done_in_phase++;
            if (!enabled) w_disabled_steps++;
            if (dir) w_deeper++; else w_up++;
            break;
        case STROKING:
            if (k % period == 0) {
                if (w_strokes == strokes) { set(DIR_, 0); dir = 0; phase = UP; phase_start = cycle; done_in_phase = 0; break; }
                set(STROKE, 1); w_strokes++;
            } else if (k % period == width) set(STROKE, 0);
            break;
        case DISABLED:
            if (k >= 20) phase = DONE;
            break;
        case DONE:
            break;
        }
    }
    printf("written_strokes=%ld\nwritten_steps_deeper=%ld\nwritten_steps_up=%ld\nwritten_steps=%ld\n",
           w_strokes, w_deeper, w_up, w_deeper + w_up);
    printf("written_steps_while_disabled=%ld\nwritten_pump_edges=%ld\nhome_found=%d\nhome_steps=%ld\nhome_offset=%ld\n",
           w_disabled_steps, w_pump, home_found, home_steps, home_offset);
    printf("cycles=%ld\nlate_max_ms=%.3f\n", cycle, late_max);
    gpiod_chip_close(chip);
    return 0;
}
