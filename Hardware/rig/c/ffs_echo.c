/*
 * ffs_echo: the device side of the rig's USB smoke test. A FunctionFS function with one
 * vendor-specific interface and two bulk endpoints that sends back every OUT transfer on IN,
 * byte for byte. It proves dummy_hcd + libcomposite + FunctionFS carry bulk traffic before
 * Stipple's own gadget is put on the same path.
 *
 * usage: ffs_echo FFS_DIR        (FFS_DIR: where usb-setup.sh mounted functionfs)
 * Prints "ffs_echo: ready" on stdout once ep0 has its descriptors; only then may the gadget be
 * bound to the UDC (usb-bind.sh waits for the endpoint files this makes appear).
 *
 * Descriptor order makes FFS_DIR/ep1 the OUT and ep2 the IN endpoint file. The host sees other
 * addresses (dummy_hcd hands out its ep1in-bulk and ep2out-bulk: IN 0x81, OUT 0x02), so a host
 * must take them from the configuration descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INTERFACE_NAME "Stipple rig echo"

/* Full speed (64-byte bulk packets) and high speed (512): dummy_udc runs at high speed, but a
 * function must describe every speed it may be bound at. Little-endian fields: x86 only. */
struct endpoints {
    struct usb_interface_descriptor intf;
    struct usb_endpoint_descriptor_no_audio out, in;
} __attribute__((packed));

#define INTERFACE { .bLength = USB_DT_INTERFACE_SIZE, .bDescriptorType = USB_DT_INTERFACE, \
    .bNumEndpoints = 2, .bInterfaceClass = USB_CLASS_VENDOR_SPEC, .iInterface = 1 }
#define BULK(addr, size) { .bLength = USB_DT_ENDPOINT_SIZE, .bDescriptorType = USB_DT_ENDPOINT, \
    .bEndpointAddress = (addr), .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = (size) }

static const struct {
    struct usb_functionfs_descs_head_v2 head;
    __le32 fs_count, hs_count;
    struct endpoints fs, hs;
} __attribute__((packed)) descriptors = {
    .head = { .magic = FUNCTIONFS_DESCRIPTORS_MAGIC_V2, .length = sizeof(descriptors),
              .flags = FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC },
    .fs_count = 3, .hs_count = 3,
    .fs = { INTERFACE, BULK(1 | USB_DIR_OUT, 64), BULK(2 | USB_DIR_IN, 64) },
    .hs = { INTERFACE, BULK(1 | USB_DIR_OUT, 512), BULK(2 | USB_DIR_IN, 512) },
};

static const struct {
    struct usb_functionfs_strings_head head;
    struct { __le16 code; char str[sizeof(INTERFACE_NAME)]; } __attribute__((packed)) en_us;
} __attribute__((packed)) strings = {
    .head = { .magic = FUNCTIONFS_STRINGS_MAGIC, .length = sizeof(strings), .str_count = 1, .lang_count = 1 },
    .en_us = { 0x0409, INTERFACE_NAME },
};

static char ep_out_path[4096], ep_in_path[4096];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int enabled;

/* Echo OUT to IN while the host has the configuration enabled. The read buffer must be larger
 * than any message: a transfer that fills it exactly (a multiple of 512) only completes on the
 * host's zero-length packet, and a smaller buffer splits one message in two. */
static void *echo_loop(void *arg) {
    (void)arg;
    static unsigned char buf[256 * 1024];
    int out = open(ep_out_path, O_RDWR), in = open(ep_in_path, O_RDWR);
    if (out < 0 || in < 0) { perror("ffs_echo: open endpoint files"); exit(1); }
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!enabled) pthread_cond_wait(&changed, &lock);
        pthread_mutex_unlock(&lock);
        ssize_t n = read(out, buf, sizeof buf);
        if (n < 0) {          /* ESHUTDOWN while the host disables or unbinds: wait for ENABLE */
            if (errno != EINTR && errno != ESHUTDOWN) perror("ffs_echo: read OUT");
            usleep(1000);
            continue;
        }
        if (write(in, buf, (size_t)n) < 0 && errno != ESHUTDOWN) perror("ffs_echo: write IN");
    }
    return NULL;
}

static void set_enabled(int on) {
    pthread_mutex_lock(&lock);
    enabled = on;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FFS_DIR\n", argv[0]); return 2; }
    char ep0_path[4096];
    snprintf(ep0_path, sizeof ep0_path, "%s/ep0", argv[1]);
    snprintf(ep_out_path, sizeof ep_out_path, "%s/ep1", argv[1]);
    snprintf(ep_in_path, sizeof ep_in_path, "%s/ep2", argv[1]);

    int ep0 = open(ep0_path, O_RDWR);
    if (ep0 < 0) { perror(ep0_path); return 1; }
    if (write(ep0, &descriptors, sizeof descriptors) != (ssize_t)sizeof descriptors) { perror("ffs_echo: descriptors"); return 1; }
    if (write(ep0, &strings, sizeof strings) != (ssize_t)sizeof strings) { perror("ffs_echo: strings"); return 1; }
    printf("ffs_echo: ready\n");
    fflush(stdout);

    pthread_t echo;
    if (pthread_create(&echo, NULL, echo_loop, NULL) != 0) { perror("ffs_echo: thread"); return 1; }

    static const char *names[] = { "BIND", "UNBIND", "ENABLE", "DISABLE", "SETUP", "SUSPEND", "RESUME" };
    for (;;) {
        struct usb_functionfs_event events[4];
        ssize_t n = read(ep0, events, sizeof events);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("ffs_echo: read ep0");
            return 1;
        }
        for (size_t i = 0; i < (size_t)n / sizeof events[0]; i++) {
            const struct usb_functionfs_event *e = &events[i];
            fprintf(stderr, "ffs_echo: %s\n", e->type < 7 ? names[e->type] : "unknown event");
            switch (e->type) {
            case FUNCTIONFS_ENABLE: set_enabled(1); break;
            case FUNCTIONFS_DISABLE: case FUNCTIONFS_UNBIND: set_enabled(0); break;
            case FUNCTIONFS_SETUP:
                /* No vendor requests: a zero-length transfer in the wrong direction stalls ep0. */
                if (e->u.setup.bRequestType & USB_DIR_IN) { if (write(ep0, NULL, 0) < 0) {} }
                else { if (read(ep0, NULL, 0) < 0) {} }
                break;
            default: break;
            }
        }
    }
}
