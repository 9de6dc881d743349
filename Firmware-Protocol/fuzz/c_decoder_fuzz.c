/* libFuzzer target for the C reference decoder (Firmware-Protocol/c).
 * Built by `make fuzz` with: clang -fsanitize=fuzzer,address,undefined
 *
 * Checks: no crash or undefined behaviour; pending bytes bounded; splitting the input into reads
 * of a size taken from the first byte yields the same events; every CRC-valid data frame with a
 * well-formed payload re-encodes to the same bytes. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include "stipple_proto.h"

#define MAX_EVENTS 4096

typedef struct {
    int count;
    int kinds[MAX_EVENTS];
    uint8_t frames[MAX_EVENTS][SP_MAX_FRAME];
} observed;

static void on_event(const sp_event *ev, void *ctx) {
    observed *o = (observed *)ctx;
    if (o->count >= MAX_EVENTS) return;
    int i = o->count++;
    o->kinds[i] = ev->kind;
    memset(o->frames[i], 0, SP_MAX_FRAME);
    if (ev->kind != SP_EV_FRAME) return;
    o->frames[i][0] = ev->seq;
    o->frames[i][1] = ev->ack;
    o->frames[i][2] = ev->nak;
    o->frames[i][3] = ev->payload_len;
    if (ev->payload_len) memcpy(o->frames[i] + 4, ev->payload, ev->payload_len);
    if (ev->payload_len && ev->message_check == SP_MSG_OK) {
        uint8_t out[SP_MAX_FRAME];
        size_t n = sp_frame_encode(out, sizeof out, ev->seq, ev->ack, false, ev->payload, ev->payload_len);
        if (n != (size_t)ev->payload_len + SP_MIN_FRAME || memcmp(out + 4, ev->payload, ev->payload_len) != 0) abort();
    }
}

static size_t run(const uint8_t *data, size_t size, size_t chunk, observed *o) {
    sp_decoder d;
    sp_decoder_init(&d);
    o->count = 0;
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        sp_decoder_feed(&d, data + off, n, on_event, o);
        if (sp_decoder_pending(&d) > 2 * SP_MAX_FRAME) abort();
    }
    return sp_decoder_pending(&d);
}

static observed a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    size_t chunk = (size_t)(data[0] % 67) + 1;
    size_t pa = run(data, size, size, &a);
    size_t pb = run(data, size, chunk, &b);
    if (pa != pb || a.count != b.count) abort();
    for (int i = 0; i < a.count; i++) {
        if (a.kinds[i] != b.kinds[i] || memcmp(a.frames[i], b.frames[i], SP_MAX_FRAME) != 0) abort();
    }
    return 0;
}
