/*
 * gpio_observe: counts every level a program writes to a direct-drive machine's gpio-sim output
 * lines, and plays the depth stage's home switch, for the rig's direct-drive checks.
 *
 * Why not gpio-sim's sysfs `value`: a STEP pulse is raised and lowered microseconds apart inside
 * one 1 ms cycle; no poller sees it. Every write from user space (libgpiod v1's handle ioctl and
 * the v2 line-request ioctl alike) goes through gpiod_set_array_value_complex(), which fires the
 * kernel's `gpio:gpio_value` tracepoint once per line per write, with the global GPIO number and
 * the physical level (after active-low), before it calls gpio-sim's set_multiple; a line requested
 * as output fires it once more with its initial level (gpiod_direction_output_raw_commit). The
 * tracepoint goes into a ring buffer of its own (a tracefs instance) with CLOCK_MONOTONIC
 * timestamps, so the observer sees each write, in order, with the kernel's time of it, however
 * late it reads; an overrun of that buffer is counted and reported (trace_overrun, must be 0).
 * Also traced: `signal:signal_generate` for SIGKILL/SIGSTOP (the time the rig stopped the program,
 * on the same clock as the edges) and, through a kprobe, gpio-sim's `gpio_sim_free` (a line
 * released when the program exits: gpio-sim then puts the pull on it, which is no write).
 *
 * The home switch: the observer keeps the stage's position from the steps and the DIR level at
 * each step (steps, positive = deeper, 0 = where the stage starts), and drives depth_home's
 * gpio-sim `pull` to its active level while position <= -SWITCH (the switch SWITCH steps above the
 * start), inactive otherwise. --switch never: it never triggers (homing must fail).
 *
 * usage: gpio_observe CHIP SIM_SYSFS_DIR ROLE=OFFSET[:low]... [--switch STEPS|never]
 *                     [--duration S] [--run-gap-ms 200] [--pump-timeout-ms T] [--events FILE]
 *   ROLE: stroke_pulse depth_step depth_dir depth_enable charge_pump (outputs), depth_home (input)
 *   SIM_SYSFS_DIR: /sys/devices/platform/gpio-sim.N/gpiochipM (its sim_gpioK/{pull,value})
 * Prints "gpio_observe: ready" once tracing, then on SIGINT/SIGTERM or after --duration a summary
 * of key=value lines (times in seconds of CLOCK_MONOTONIC), and exits 0 (1 on setup errors).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#define TRACEFS "/sys/kernel/tracing"
#define INSTANCE TRACEFS "/instances/stipple_rig_observe"
#define MAX_RISES 2000000

enum { STROKE, STEP, DIR_, ENABLE, PUMP, HOME, NROLES };
static const char *role_names[NROLES] = { "stroke_pulse", "depth_step", "depth_dir", "depth_enable", "charge_pump", "depth_home" };

struct line {
    int offset, low, present;
    int level;              /* physical, from sysfs at start, then every write; -1 unknown */
    long sets, rises, falls; /* writes, and physical-level changes by writes */
    long releases;
    double last_edge_t;
};
static struct line L[NROLES];

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static void die(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt);
    fprintf(stderr, "gpio_observe: "); vfprintf(stderr, fmt, ap); fprintf(stderr, "\n");
    va_end(ap); exit(1);
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno; close(fd); errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}
static void must_write(const char *path, const char *text) {
    if (write_file(path, text) < 0) die("write '%s' to %s: %s", text, path, strerror(errno));
}
static int read_int(const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 ? atoi(buf) : -1;
}
static double now_s(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The chip's global GPIO base: the tracepoint names lines by it. gpiolib's sysfs class lists
 * every chip as gpiochipBASE with its label and ngpio; the label identifies ours. */
static int chip_base(const char *chip_name, int *ngpio) {
    struct gpiod_chip *chip = gpiod_chip_open_lookup(chip_name);
    if (!chip) die("open %s: %s", chip_name, strerror(errno));
    char label[64];
    snprintf(label, sizeof label, "%s", gpiod_chip_label(chip));
    unsigned n = gpiod_chip_num_lines(chip);
    gpiod_chip_close(chip);
    DIR *d = opendir("/sys/class/gpio");
    if (!d) die("/sys/class/gpio: %s (the kernel needs CONFIG_GPIO_SYSFS)", strerror(errno));
    struct dirent *e; int base = -1;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "gpiochip", 8)) continue;
        char p[512], l[64] = {0};
        snprintf(p, sizeof p, "/sys/class/gpio/%s/label", e->d_name);
        int fd = open(p, O_RDONLY); if (fd < 0) continue;
        ssize_t k = read(fd, l, sizeof l - 1); close(fd);
        if (k > 0 && l[k - 1] == '\n') l[k - 1] = 0;
        snprintf(p, sizeof p, "/sys/class/gpio/%s/ngpio", e->d_name);
        if (!strcmp(l, label) && read_int(p) == (int)n) {
            if (base >= 0) die("two GPIO chips labelled %s", label);
            base = atoi(e->d_name + 8);
        }
    }
    closedir(d);
    if (base < 0) die("no /sys/class/gpio entry labelled %s", label);
    *ngpio = (int)n;
    return base;
}

/* --- what the observer keeps --------------------------------------------------------------- */
static const char *sim_dir;
static long switch_steps = 400; static int switch_never;
static double run_gap_s = 0.2, pump_timeout_s = 0;
static FILE *events;

static double *rise_t; static long n_rise;
static double last_rise_t = -1, width_min = 1e9, width_max = 0;
static long position, pos_min, pos_max, steps_deeper, steps_up, steps_disabled;
static double last_step_t = -1, step_gap_min = 1e9;
static int switch_active; static long switch_triggers; static double switch_first_t = -1;
static long switch_first_pos;
static double pump_first_t = -1, pump_gap_max = 0; static long pump_late_gaps;
static long enable_changes;
static double kill_t = -1; static int kill_sig, kill_pid;
static double stop_t = -1; static int stop_pid;
static long pump_edges_after_kill, pump_edges_after_stop; static double release_t = -1;
static long edges_after_kill, edges_after_stop;   /* on any output line */
static long nevents, nlines_bad;

static int active(int r) { return L[r].level >= 0 && L[r].level != L[r].low; }

static void drive_home(double t) {
    int want = !switch_never && position <= -switch_steps;
    if (want == switch_active || !L[HOME].present) return;
    switch_active = want;
    int level = want ? !L[HOME].low : L[HOME].low;
    char p[512];
    snprintf(p, sizeof p, "%s/sim_gpio%d/pull", sim_dir, L[HOME].offset);
    must_write(p, level ? "pull-up" : "pull-down");
    if (want) {
        switch_triggers++;
        if (switch_first_t < 0) { switch_first_t = t; switch_first_pos = position; }
    }
    if (events) fprintf(events, "%.6f home %s pos=%ld\n", t, want ? "triggered" : "released", position);
}

static void on_write(int r, int level, double t) {
    struct line *l = &L[r];
    l->sets++;
    if (l->level == level) return;
    int was_active = active(r);
    l->level = level;
    if (level) l->rises++; else l->falls++;
    double prev_edge = l->last_edge_t;
    l->last_edge_t = t;
    int now_active = active(r);
    if (events) fprintf(events, "%.6f %s %d\n", t, role_names[r], level);
    if (kill_t >= 0 && t > kill_t) edges_after_kill++;
    if (stop_t >= 0 && t > stop_t) edges_after_stop++;
    switch (r) {
    case STROKE:
        if (!was_active && now_active) {
            if (n_rise < MAX_RISES) rise_t[n_rise++] = t;
            last_rise_t = t;
        } else if (was_active && !now_active && last_rise_t >= 0) {
            double w = t - last_rise_t;
            if (w < width_min) width_min = w;
            if (w > width_max) width_max = w;
        }
        break;
    case STEP:
        if (!was_active && now_active) {
            int deeper = active(DIR_);
            position += deeper ? 1 : -1;
            if (deeper) steps_deeper++; else steps_up++;
            if (position < pos_min) pos_min = position;
            if (position > pos_max) pos_max = position;
            if (L[ENABLE].present && !active(ENABLE)) steps_disabled++;
            if (last_step_t >= 0 && t - last_step_t < step_gap_min) step_gap_min = t - last_step_t;
            last_step_t = t;
            drive_home(t);
        }
        break;
    case ENABLE:
        enable_changes++;
        break;
    case PUMP:
        if (pump_first_t < 0) pump_first_t = t;
        else {
            double gap = t - prev_edge;
            if (gap > pump_gap_max) pump_gap_max = gap;
            if (pump_timeout_s > 0 && gap > pump_timeout_s) pump_late_gaps++;
        }
        if (kill_t >= 0 && t > kill_t) pump_edges_after_kill++;
        if (stop_t >= 0 && t > stop_t) pump_edges_after_stop++;
        break;
    }
}

/* One line of trace_pipe: "<comm>-<pid> [cpu] <flags> <ts>: <event>: <fields>" */
static int gpio_base, gpio_n;
static void parse(char *s) {
    char *ev = strstr(s, ": gpio_value: ");
    const char *name = "gpio_value";
    if (!ev) { ev = strstr(s, ": signal_generate: "); name = "signal_generate"; }
    if (!ev) { ev = strstr(s, ": gpio_sim_free: "); name = "gpio_sim_free"; }
    if (!ev) { nlines_bad++; return; }
    char *p = ev;                      /* the timestamp ends at ev, starts after a space */
    while (p > s && p[-1] != ' ') p--;
    double t = atof(p);
    char *f = ev + 2 + strlen(name) + 2;
    nevents++;
    if (!strcmp(name, "gpio_value")) {
        unsigned gpio; char op[8]; int v;
        if (sscanf(f, "%u %7s %d", &gpio, op, &v) != 3 || strcmp(op, "set")) { nlines_bad++; return; }
        int off = (int)gpio - gpio_base;
        for (int r = 0; r < NROLES; r++)
            if (L[r].present && L[r].offset == off && r != HOME) on_write(r, v != 0, t);
    } else if (!strcmp(name, "signal_generate")) {
        int sig = 0, pid = 0; char *q;
        if ((q = strstr(f, "sig="))) sig = atoi(q + 4);
        if ((q = strstr(f, " pid="))) pid = atoi(q + 5);
        if (sig == SIGKILL && kill_t < 0) { kill_t = t; kill_sig = sig; kill_pid = pid; }
        if (sig == SIGSTOP && stop_t < 0) { stop_t = t; stop_pid = pid; }
        if (events) fprintf(events, "%.6f signal %d pid=%d\n", t, sig, pid);
    } else {
        char *q = strstr(f, "offset=");
        int off = q ? atoi(q + 7) : -1;
        for (int r = 0; r < NROLES; r++)
            if (L[r].present && L[r].offset == off && r != HOME) {
                L[r].releases++;
                if (release_t < 0) release_t = t;
                /* gpio-sim puts the pull on a released line: no write, not an edge; the next
                 * write compares with that level. */
                char path[512];
                snprintf(path, sizeof path, "%s/sim_gpio%d/pull", sim_dir, off);
                char buf[16] = {0}; int fd = open(path, O_RDONLY);
                if (fd >= 0) { if (read(fd, buf, sizeof buf - 1) > 0) L[r].level = !strncmp(buf, "pull-up", 7); close(fd); }
                if (events) fprintf(events, "%.6f %s released\n", t, role_names[r]);
            }
    }
}

static long sum_stat(const char *key) {
    long total = 0;
    for (int cpu = 0; cpu < 256; cpu++) {
        char p[256]; snprintf(p, sizeof p, INSTANCE "/per_cpu/cpu%d/stats", cpu);
        FILE *f = fopen(p, "r"); if (!f) break;
        char line[128];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, key, strlen(key))) total += atol(line + strlen(key));
        fclose(f);
    }
    return total;
}

static void summary(double t_end) {
    printf("chip_base=%d\nngpio=%d\nevents=%ld\nunparsed=%ld\n", gpio_base, gpio_n, nevents, nlines_bad);
    printf("trace_overrun=%ld\n", sum_stat("overrun: "));
    printf("trace_dropped=%ld\n", sum_stat("dropped events: "));
    for (int r = 0; r < NROLES; r++) {
        if (!L[r].present || r == HOME) continue;
        printf("%s_writes=%ld\n%s_rises=%ld\n%s_falls=%ld\n%s_releases=%ld\n%s_level=%d\n",
               role_names[r], L[r].sets, role_names[r], L[r].rises, role_names[r], L[r].falls,
               role_names[r], L[r].releases, role_names[r], L[r].level);
    }
    /* strokes: active edges, grouped into runs (passes) split at gaps longer than run_gap */
    long strokes = n_rise;
    printf("strokes=%ld\n", strokes);
    if (n_rise) printf("stroke_width_min_us=%.0f\nstroke_width_max_us=%.0f\n", width_min * 1e6, width_max * 1e6);
    int run = 0; long i = 0;
    while (i < n_rise) {
        long j = i;
        while (j + 1 < n_rise && rise_t[j + 1] - rise_t[j] <= run_gap_s) j++;
        run++;
        long n = j - i + 1;
        double span = rise_t[j] - rise_t[i];
        printf("run%d_strokes=%ld\nrun%d_first=%.6f\nrun%d_last=%.6f\n", run, n, run, rise_t[i], run, rise_t[j]);
        if (n > 1) printf("run%d_rate_hz=%.3f\n", run, (n - 1) / span);
        /* the steady part: without the first and last half second (the profile's ramps) */
        long a = i, b = j;
        while (a <= j && rise_t[a] < rise_t[i] + 0.5) a++;
        while (b >= i && rise_t[b] > rise_t[j] - 0.5) b--;
        if (b > a) printf("run%d_steady_strokes=%ld\nrun%d_steady_rate_hz=%.3f\n", run, b - a + 1, run,
                          (b - a) / (rise_t[b] - rise_t[a]));
        /* per second: strokes in each whole second from the run's first stroke */
        long wmin = -1, wmax = -1; int windows = 0;
        for (double w0 = rise_t[i]; w0 + 1.0 <= rise_t[j] + 1e-9; w0 += 1.0) {
            long c = 0;
            for (long k = i; k <= j; k++) if (rise_t[k] >= w0 && rise_t[k] < w0 + 1.0) c++;
            if (wmin < 0 || c < wmin) wmin = c;
            if (c > wmax) wmax = c;
            windows++;
        }
        printf("run%d_seconds=%d\n", run, windows);
        if (windows) printf("run%d_per_second_min=%ld\nrun%d_per_second_max=%ld\n", run, wmin, run, wmax);
        i = j + 1;
    }
    printf("runs=%d\n", run);
    printf("steps=%ld\nsteps_deeper=%ld\nsteps_up=%ld\nsteps_while_disabled=%ld\n",
           steps_deeper + steps_up, steps_deeper, steps_up, steps_disabled);
    printf("position=%ld\nposition_min=%ld\nposition_max=%ld\n", position, pos_min, pos_max);
    if (steps_deeper + steps_up > 1) printf("step_gap_min_us=%.0f\n", step_gap_min * 1e6);
    printf("switch=%s\n", switch_never ? "never" : "set");
    if (!switch_never) printf("switch_position=%ld\n", -switch_steps);
    printf("switch_triggers=%ld\nswitch_active=%d\n", switch_triggers, switch_active);
    if (switch_first_t >= 0) printf("switch_first_at=%.6f\nswitch_first_position=%ld\n", switch_first_t, switch_first_pos);
    printf("enable_changes=%ld\n", enable_changes);
    if (L[PUMP].present) {
        printf("pump_edges=%ld\n", L[PUMP].rises + L[PUMP].falls);
        if (pump_first_t >= 0) printf("pump_first=%.6f\npump_last=%.6f\npump_gap_max_ms=%.3f\n",
                                      pump_first_t, L[PUMP].last_edge_t, pump_gap_max * 1e3);
        if (pump_timeout_s > 0) printf("pump_gaps_over_timeout=%ld\n", pump_late_gaps);
    }
    if (kill_t >= 0) {
        printf("kill_at=%.6f\nkill_pid=%d\nkill_sig=%d\npump_edges_after_kill=%ld\nedges_after_kill=%ld\n", kill_t, kill_pid, kill_sig, pump_edges_after_kill, edges_after_kill);
        if (pump_first_t >= 0) printf("pump_last_minus_kill_ms=%.3f\n", (L[PUMP].last_edge_t - kill_t) * 1e3);
        printf("observed_after_kill_ms=%.3f\n", (t_end - kill_t) * 1e3);
    }
    if (stop_t >= 0) {
        printf("stop_at=%.6f\nstop_pid=%d\npump_edges_after_stop=%ld\nedges_after_stop=%ld\n", stop_t, stop_pid, pump_edges_after_stop, edges_after_stop);
        if (pump_first_t >= 0) printf("pump_last_minus_stop_ms=%.3f\n", (L[PUMP].last_edge_t - stop_t) * 1e3);
    }
    if (release_t >= 0) printf("lines_released_at=%.6f\n", release_t);
    if (release_t >= 0 && kill_t >= 0) printf("released_after_kill_ms=%.3f\n", (release_t - kill_t) * 1e3);
    printf("observed_until=%.6f\n", t_end);
}

static void setup_tracing(void) {
    struct stat st;
    if (stat(TRACEFS "/events", &st) < 0 && mount("nodev", TRACEFS, "tracefs", 0, NULL) < 0)
        die("mount tracefs on " TRACEFS ": %s", strerror(errno));
    if (stat(TRACEFS "/events/gpio/gpio_value", &st) < 0) die("this kernel has no gpio:gpio_value tracepoint");
    rmdir(INSTANCE);   /* a previous observer's, if it was killed */
    if (mkdir(INSTANCE, 0700) < 0) die("mkdir " INSTANCE ": %s", strerror(errno));
    must_write(INSTANCE "/tracing_on", "0");
    /* CLOCK_MONOTONIC (ktime_get_mono_fast_ns): the same clock as the rig's scripts and probes */
    must_write(INSTANCE "/trace_clock", "mono");
    must_write(INSTANCE "/buffer_size_kb", "16384");
    char filter[128];
    snprintf(filter, sizeof filter, "get == 0 && gpio >= %d && gpio < %d", gpio_base, gpio_base + gpio_n);
    must_write(INSTANCE "/events/gpio/gpio_value/filter", filter);
    must_write(INSTANCE "/events/gpio/gpio_value/enable", "1");
    must_write(INSTANCE "/events/signal/signal_generate/filter", "sig == 9 || sig == 19");
    must_write(INSTANCE "/events/signal/signal_generate/enable", "1");
    /* Releases: optional (a kprobe on the module's gpio_sim_free); the counts do not need it. */
    int fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
    if (fd >= 0) {
        const char *def = "p:stipple_rig/gpio_sim_free gpio_sim:gpio_sim_free offset=%si:u32\n";
        if (write(fd, def, strlen(def)) < 0 && errno != EEXIST)
            fprintf(stderr, "gpio_observe: note: no kprobe on gpio_sim_free (%s): line releases not reported\n", strerror(errno));
        close(fd);
    }
    if (write_file(INSTANCE "/events/stipple_rig/gpio_sim_free/enable", "1") < 0)
        fprintf(stderr, "gpio_observe: note: gpio_sim_free probe not enabled: line releases not reported\n");
    must_write(INSTANCE "/tracing_on", "1");
}

static void teardown_tracing(void) {
    write_file(INSTANCE "/tracing_on", "0");
    write_file(INSTANCE "/events/stipple_rig/gpio_sim_free/enable", "0");
    write_file(INSTANCE "/events/gpio/gpio_value/enable", "0");
    write_file(INSTANCE "/events/signal/signal_generate/enable", "0");
    rmdir(INSTANCE);
    int fd = open(TRACEFS "/kprobe_events", O_WRONLY | O_APPEND);
    if (fd >= 0) { if (write(fd, "-:stipple_rig/gpio_sim_free\n", 28) < 0) {} close(fd); }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s CHIP SIM_SYSFS_DIR ROLE=OFFSET[:low]... [--switch STEPS|never] [--duration S]"
                        " [--run-gap-ms MS] [--pump-timeout-ms MS] [--events FILE]\n", argv[0]);
        return 2;
    }
    const char *chip = argv[1];
    sim_dir = argv[2];
    double duration = 0;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--switch") && i + 1 < argc) {
            if (!strcmp(argv[++i], "never")) switch_never = 1; else switch_steps = atol(argv[i]);
        } else if (!strcmp(a, "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else if (!strcmp(a, "--run-gap-ms") && i + 1 < argc) run_gap_s = atof(argv[++i]) / 1e3;
        else if (!strcmp(a, "--pump-timeout-ms") && i + 1 < argc) pump_timeout_s = atof(argv[++i]) / 1e3;
        else if (!strcmp(a, "--events") && i + 1 < argc) {
            events = fopen(argv[++i], "w");
            if (!events) die("%s: %s", argv[i], strerror(errno));
        } else {
            const char *eq = strchr(a, '=');
            int r;
            for (r = 0; r < NROLES; r++)
                if (eq && (size_t)(eq - a) == strlen(role_names[r]) && !strncmp(a, role_names[r], eq - a)) break;
            if (r == NROLES) die("unknown argument %s", a);
            L[r].present = 1;
            L[r].offset = atoi(eq + 1);
            L[r].low = strstr(eq, ":low") != NULL;
        }
    }
    if (!L[STEP].present != !L[DIR_].present) die("depth_step and depth_dir go together");
    rise_t = malloc(sizeof(double) * MAX_RISES);
    if (!rise_t) die("out of memory");
    gpio_base = chip_base(chip, &gpio_n);
    for (int r = 0; r < NROLES; r++) {
        L[r].level = -1; L[r].last_edge_t = -1;
        if (!L[r].present) continue;
        if (L[r].offset < 0 || L[r].offset >= gpio_n) die("%s offset %d not on %s", role_names[r], L[r].offset, chip);
        char p[512]; snprintf(p, sizeof p, "%s/sim_gpio%d/value", sim_dir, L[r].offset);
        L[r].level = read_int(p);
        if (L[r].level < 0) die("read %s", p);
    }
    if (L[HOME].present) { switch_active = -1; drive_home(now_s()); }   /* the start position's level */

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;      /* no SA_RESTART: a signal ends the blocking read */
    sigaction(SIGINT, &sa, NULL); sigaction(SIGTERM, &sa, NULL); sigaction(SIGALRM, &sa, NULL);
    setup_tracing();
    int fd = open(INSTANCE "/trace_pipe", O_RDONLY);
    if (fd < 0) { teardown_tracing(); die("open trace_pipe: %s", strerror(errno)); }
    printf("gpio_observe: ready: %s base %d, %d lines, switch %s\n", chip, gpio_base, gpio_n,
           switch_never ? "never" : "set");
    fflush(stdout);
    if (duration > 0) {
        struct itimerval it = { {0, 0}, { (long)duration, (long)((duration - (long)duration) * 1e6) } };
        setitimer(ITIMER_REAL, &it, NULL);
    }

    static char buf[1 << 16];
    size_t have = 0;
    int draining = 0;
    for (;;) {
        if (stop && !draining) {
            /* Take what is in the buffer up to now: trace_pipe would block when empty. */
            must_write(INSTANCE "/tracing_on", "0");
            fcntl(fd, F_SETFL, O_NONBLOCK);
            draining = 1;
        }
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            die("read trace_pipe: %s", strerror(errno));
        }
        if (n == 0) { if (stop) break; continue; }
        have += (size_t)n;
        buf[have] = 0;
        char *s = buf, *nl;
        while ((nl = memchr(s, '\n', have - (size_t)(s - buf)))) {
            *nl = 0;
            parse(s);
            s = nl + 1;
        }
        have -= (size_t)(s - buf);
        memmove(buf, s, have);
    }
    double t_end = now_s();
    if (events) fclose(events);
    summary(t_end);
    teardown_tracing();
    return 0;
}
