/*
 * usb_rtt: the host side of the rig's USB smoke test (libusb-1.0, the library Stipple's
 * USBDeviceLink uses). Opens VID:PID, claims interface 0, takes the bulk endpoints from the
 * configuration descriptor, then N times sends LEN bytes OUT and reads them back IN, checking
 * every byte. Prints one summary line:
 *   usb_rtt: len=64 n=1000 ep_out=0x02 ep_in=0x81 min=.. p50=.. p99=.. max=..us mismatches=0 total=..s
 * usage: usb_rtt VID PID [N=1000] [LEN=64]      (VID and PID in hex)
 * Exit status 0 only if every round trip came back intact.
 */
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, int r) {
    fprintf(stderr, "usb_rtt: %s: %s\n", what, libusb_error_name(r));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s VID PID [N] [LEN]\n", argv[0]); return 2; }
    int vid = (int)strtol(argv[1], NULL, 16), pid = (int)strtol(argv[2], NULL, 16);
    int n = argc > 3 ? atoi(argv[3]) : 1000, len = argc > 4 ? atoi(argv[4]) : 64;
    if (n < 1 || len < 1) { fprintf(stderr, "usb_rtt: N and LEN must be positive\n"); return 2; }

    libusb_context *ctx;
    int r = libusb_init(&ctx);
    if (r) return fail("libusb_init", r);
    libusb_device_handle *h = libusb_open_device_with_vid_pid(ctx, (uint16_t)vid, (uint16_t)pid);
    if (!h) { fprintf(stderr, "usb_rtt: no device %04x:%04x (or no permission)\n", vid, pid); return 1; }

    struct libusb_config_descriptor *config;
    if ((r = libusb_get_active_config_descriptor(libusb_get_device(h), &config))) return fail("config descriptor", r);
    const struct libusb_interface_descriptor *intf = &config->interface[0].altsetting[0];
    unsigned char ep_out = 0, ep_in = 0;
    int packet = 0;
    for (int i = 0; i < intf->bNumEndpoints; i++) {
        const struct libusb_endpoint_descriptor *e = &intf->endpoint[i];
        if ((e->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
        if (e->bEndpointAddress & LIBUSB_ENDPOINT_IN) ep_in = e->bEndpointAddress;
        else { ep_out = e->bEndpointAddress; packet = e->wMaxPacketSize; }
    }
    libusb_free_config_descriptor(config);
    if (!ep_out || !ep_in || !packet) { fprintf(stderr, "usb_rtt: interface 0 has no bulk OUT/IN pair\n"); return 1; }
    if ((r = libusb_claim_interface(h, 0))) return fail("claim interface 0", r);

    unsigned char *out = malloc((size_t)len), *in = malloc((size_t)len);
    double *rtt = malloc(sizeof(double) * (size_t)n);
    int mismatches = 0;
    double started = now_us();
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < len; k++) out[k] = (unsigned char)(i * 31 + k);
        int sent = 0, got = 0, zlp = 0;
        double t0 = now_us();
        if ((r = libusb_bulk_transfer(h, ep_out, out, len, &sent, 2000))) return fail("bulk OUT", r);
        /* A transfer that is a whole number of packets ends only with a zero-length packet. */
        if (len % packet == 0 && (r = libusb_bulk_transfer(h, ep_out, out, 0, &zlp, 2000))) return fail("ZLP", r);
        /* Ask for exactly LEN: an IN transfer asked for more ends only at a short packet, and the
         * echo of a whole number of packets has none (FunctionFS sends no ZLP of its own). */
        if ((r = libusb_bulk_transfer(h, ep_in, in, len, &got, 2000))) return fail("bulk IN", r);
        rtt[i] = now_us() - t0;
        if (sent != len || got != len || memcmp(out, in, (size_t)len) != 0) mismatches++;
    }
    double total = (now_us() - started) / 1e6;
    qsort(rtt, (size_t)n, sizeof(double), by_value);
    printf("usb_rtt: len=%d n=%d ep_out=0x%02x ep_in=0x%02x min=%.0fus p50=%.0fus p99=%.0fus max=%.0fus mismatches=%d total=%.2fs\n",
           len, n, ep_out, ep_in, rtt[0], rtt[n / 2], rtt[(n * 99 + 99) / 100 - 1], rtt[n - 1], mismatches, total);
    libusb_release_interface(h, 0);
    libusb_close(h);
    libusb_exit(ctx);
    return mismatches ? 1 : 0;
}
