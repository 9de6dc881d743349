#ifndef STIPPLE_REAL_TIME_H
#define STIPPLE_REAL_TIME_H
/* Per-thread calls Swift cannot reach: prctl(2) is variadic in glibc, /proc/<pid>/timerslack_ns
 * exists only per process (it sets the main thread's slack, not a real-time thread's), and
 * pthread_setname_np is declared only under _GNU_SOURCE. All act on the calling thread. */

/* Sets the calling thread's timer slack; returns 0 or the errno. */
int stipple_set_timer_slack(unsigned long nanoseconds);

/* The calling thread's timer slack in nanoseconds, or -1 with errno set. */
long stipple_timer_slack(void);

/* Names the calling thread (15 bytes at most, as `top -H` and `ps -L` show); 0 or the errno. */
int stipple_set_thread_name(const char *name);

/* Pins the calling thread to one CPU (CPU_SET is a macro Swift cannot call); 0 or the errno. */
int stipple_pin_thread_to_cpu(int cpu);

#endif
