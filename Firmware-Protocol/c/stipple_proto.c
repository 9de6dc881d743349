/*
 * Stipple firmware protocol v1: CRC, frame encoding and the resynchronising stream decoder
 * (README sections 2 and 2.1). C99, no allocation, no OS calls.
 */
#include "stipple_proto.h"

#include <string.h>

/* ---- CRC-16/MCRF4XX, byte-wise without a table (README section 2) ---- */

uint16_t sp_crc16_update(uint16_t crc, uint8_t byte)
{
    uint8_t t = (uint8_t)(byte ^ (uint8_t)(crc & 0xFFu));
    t = (uint8_t)(t ^ (uint8_t)(t << 4));
    return (uint16_t)((crc >> 8) ^ ((uint16_t)t << 8) ^ ((uint16_t)t << 3) ^ (uint16_t)(t >> 4));
}

uint16_t sp_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = SP_CRC16_INIT;
    size_t i;
    for (i = 0; i < len; i++)
        crc = sp_crc16_update(crc, data[i]);
    return crc;
}

/* CRC over LEN SEQ ACK payload of the frame starting at f (f[0] is SYNC), then CRC_EXTRA. */
static uint16_t sp_frame_crc(const uint8_t *f, size_t frame_len, int extra)
{
    uint16_t crc = sp_crc16(f + 1, frame_len - 3);
    if (extra >= 0)
        crc = sp_crc16_update(crc, (uint8_t)extra);
    return crc;
}

/* ---- Encoding ---- */

size_t sp_frame_encode(uint8_t *out, size_t cap, uint8_t seq, uint8_t ack, bool nak,
                       const uint8_t *payload, size_t payload_len)
{
    size_t frame_len;
    uint16_t crc;
    int extra = -1;

    if (out == NULL || seq > 127 || ack > 127 || payload_len > SP_MAX_PAYLOAD)
        return 0;
    if (payload_len > 0) {
        if (payload == NULL || nak)
            return 0;
        extra = sp_crc_extra(payload[0]);
        if (extra < 0)
            return 0;
    }
    frame_len = SP_MIN_FRAME + payload_len;
    if (cap < frame_len)
        return 0;

    if (payload_len > 0)
        memmove(out + 4, payload, payload_len); /* payload may already sit at out + 4 */
    out[0] = SP_SYNC;
    out[1] = (uint8_t)frame_len;
    out[2] = (uint8_t)(seq | (nak ? 0x80u : 0x00u));
    out[3] = ack;
    crc = sp_frame_crc(out, frame_len, extra);
    out[frame_len - 2] = (uint8_t)(crc & 0xFFu);
    out[frame_len - 1] = (uint8_t)(crc >> 8);
    return frame_len;
}

/* ---- Decoding (README section 2.1) ---- */

void sp_decoder_init(sp_decoder *d)
{
    memset(d, 0, sizeof *d);
}

size_t sp_decoder_pending(const sp_decoder *d)
{
    return d->len;
}

static void sp_emit(int kind, sp_event_fn on_event, void *ctx, size_t *count)
{
    sp_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.message_check = SP_MSG_NONE;
    (*count)++;
    if (on_event != NULL)
        on_event(&ev, ctx);
}

/*
 * Runs the section 2.1 loop over the pending bytes until it needs more input, then moves what
 * is left (at most SP_MAX_FRAME - 1 bytes) to the front of the buffer.
 */
static size_t sp_decoder_process(sp_decoder *d, sp_event_fn on_event, void *ctx)
{
    size_t count = 0;
    size_t pos = 0;

    while (pos < d->len) {
        const uint8_t *f = d->buf + pos;
        size_t avail = d->len - pos;
        size_t frame_len;
        int extra = -1;
        uint16_t crc;

        /* 1. Discard up to the next SYNC; garbage once per run. */
        if (f[0] != SP_SYNC) {
            if (!d->in_garbage) {
                d->in_garbage = true;
                sp_emit(SP_EV_GARBAGE, on_event, ctx, &count);
            }
            pos++;
            continue;
        }
        d->in_garbage = false; /* a SYNC ends the run */

        /* 2. LEN. */
        if (avail < 2)
            break;
        frame_len = f[1];
        if (frame_len < SP_MIN_FRAME || frame_len > SP_MAX_FRAME) {
            sp_emit(SP_EV_BAD_LENGTH, on_event, ctx, &count);
            pos++;
            continue;
        }

        /* 3. Wait for the whole frame. */
        if (avail < frame_len)
            break;

        /* 4. Known message? Its CRC_EXTRA is needed for the CRC. */
        if (frame_len > SP_MIN_FRAME) {
            extra = sp_crc_extra(f[4]);
            if (extra < 0) {
                sp_emit(SP_EV_UNKNOWN_MESSAGE, on_event, ctx, &count);
                pos++;
                continue;
            }
        }

        /* 5. CRC, low byte first. */
        crc = sp_frame_crc(f, frame_len, extra);
        if (f[frame_len - 2] != (uint8_t)(crc & 0xFFu) || f[frame_len - 1] != (uint8_t)(crc >> 8)) {
            sp_emit(SP_EV_BAD_CRC, on_event, ctx, &count);
            pos++;
            continue;
        }

        /* 6. NAK flag on a data frame, or ACK bit 7: drop the whole frame. */
        if ((frame_len > SP_MIN_FRAME && (f[2] & 0x80u) != 0) || (f[3] & 0x80u) != 0) {
            sp_emit(SP_EV_BAD_SEQUENCE, on_event, ctx, &count);
            pos += frame_len;
            continue;
        }

        /* 7. Deliver, with the payload checked against the table. */
        {
            sp_event ev;
            size_t payload_len = frame_len - SP_MIN_FRAME;
            memset(&ev, 0, sizeof ev);
            ev.kind = SP_EV_FRAME;
            ev.seq = (uint8_t)(f[2] & 0x7Fu);
            ev.ack = f[3];
            ev.nak = (f[2] & 0x80u) != 0;
            ev.payload = f + 4;
            ev.payload_len = (uint8_t)payload_len;
            ev.message_check = sp_payload_check(f + 4, payload_len);
            count++;
            if (on_event != NULL)
                on_event(&ev, ctx);
        }
        pos += frame_len;
    }

    if (pos > 0) {
        d->len -= pos;
        memmove(d->buf, d->buf + pos, d->len);
    }
    return count;
}

size_t sp_decoder_feed(sp_decoder *d, const uint8_t *data, size_t len,
                       sp_event_fn on_event, void *ctx)
{
    size_t count = 0;

    if (d == NULL || data == NULL)
        return 0;
    while (len > 0) {
        /* After processing at most SP_MAX_FRAME - 1 bytes remain, so each round takes at
           least 65 new bytes (or all that is left). */
        size_t room = sizeof d->buf - d->len;
        size_t n = len < room ? len : room;
        memcpy(d->buf + d->len, data, n);
        d->len += n;
        data += n;
        len -= n;
        count += sp_decoder_process(d, on_event, ctx);
    }
    return count;
}
