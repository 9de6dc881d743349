#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>
#include "stipple_real_time.h"

int stipple_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0) == 0 ? 0 : errno;
}

long stipple_timer_slack(void) {
    return (long)prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
}

int stipple_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
