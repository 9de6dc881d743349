/*
 * Self-test of the C reference codec without Swift: `make selftest` in Firmware-Protocol/c.
 * Checks the CRC check value, each CRC_EXTRA and the table hash recomputed from the
 * descriptors, a pack/unpack round trip of every message, frame encode/decode of every
 * message through the stream decoder (whole and byte by byte, with garbage and a corrupted
 * frame in between), and rejection of wrong lengths. Prints one line per failure; exit 0 if
 * all pass. (stdio is used here only; the library itself has none.)
 */
#include "stipple_proto.h"

#include <stdio.h>
#include <string.h>

static int failures;
static int checks;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                     \
            printf(__VA_ARGS__);                                             \
            printf("\n");                                                    \
        }                                                                    \
    } while (0)

/* ---- per-message round trip: unpack a payload into the struct, pack it back ---- */

typedef size_t (*roundtrip_fn)(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#define RT(name)                                                                        \
    static size_t rt_##name(const uint8_t *in, size_t len, uint8_t *out, size_t cap)   \
    {                                                                                   \
        sp_##name m;                                                                    \
        memset(&m, 0xA5, sizeof m);                                                     \
        if (!sp_unpack_##name(in, len, &m))                                             \
            return 0;                                                                   \
        return sp_pack_##name(out, cap, &m);                                            \
    }
#define MESSAGES(X)                                                                       \
    X(identify) X(identify_reply) X(get_config) X(set_config) X(config) X(arm) X(disarm)  \
    X(set_stroke_rate) X(set_depth) X(start) X(stop) X(retract) X(heartbeat) X(estop)     \
    X(reset_fault) X(read_calibration) X(write_calibration) X(calibration)                \
    X(get_cartridge) X(cartridge_info) X(telemetry) X(fault_report) X(log_message)        \
    X(clock_request) X(clock_reply) X(command_result)

MESSAGES(RT)

#define ENTRY(name) {#name, rt_##name},
static const struct {
    const char *name;
    roundtrip_fn rt;
} roundtrips[] = {MESSAGES(ENTRY)};
#define ROUNDTRIP_COUNT (sizeof roundtrips / sizeof roundtrips[0])

/* ---- independent helpers ---- */

static uint32_t crc32_text(const char *s)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (; *s; s++) {
        int k;
        crc ^= (uint8_t)*s;
        for (k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static size_t type_size(const char *type)
{
    if (strcmp(type, "u8") == 0) return 1;
    if (strcmp(type, "u16") == 0 || strcmp(type, "i16") == 0) return 2;
    if (strcmp(type, "u32") == 0 || strcmp(type, "i32") == 0) return 4;
    if (strcmp(type, "u64") == 0 || strcmp(type, "i64") == 0) return 8;
    return 0; /* str */
}

/* "<name> <type> <field>[ <max_len>]...", section 4 */
static void message_line(const sp_message_desc *m, char *out, size_t cap)
{
    size_t i;
    snprintf(out, cap, "%s", m->name);
    for (i = 0; i < m->field_count; i++) {
        size_t n = strlen(out);
        const sp_field_desc *f = &m->fields[i];
        if (strcmp(f->type, "str") == 0)
            snprintf(out + n, cap - n, " %s %s %u", f->type, f->name, (unsigned)f->max_len);
        else
            snprintf(out + n, cap - n, " %s %s", f->type, f->name);
    }
}

/* A payload for m made from the descriptors alone, field bytes from a pattern seeded by
   `seed`; a str field gets `str_len` bytes. Returns its length. */
static size_t build_payload(const sp_message_desc *m, uint8_t *p, unsigned seed, size_t str_len)
{
    size_t len = 1, i, k;
    p[0] = m->id;
    for (i = 0; i < m->field_count; i++) {
        const sp_field_desc *f = &m->fields[i];
        size_t n = type_size(f->type);
        if (n == 0) {
            p[len++] = (uint8_t)str_len;
            for (k = 0; k < str_len; k++)
                p[len++] = (uint8_t)('a' + (k + seed) % 26);
        } else {
            for (k = 0; k < n; k++, len++)
                p[len] = (uint8_t)(seed * 37u + len * 11u + k);
        }
    }
    return len;
}

static bool has_str(const sp_message_desc *m)
{
    return m->field_count > 0 && strcmp(m->fields[m->field_count - 1].type, "str") == 0;
}

/* ---- decoder capture ---- */

typedef struct {
    int kind[64];
    uint8_t payload[64][SP_MAX_PAYLOAD];
    uint8_t payload_len[64];
    int check[64];
    uint8_t seq[64], ack[64];
    int n;
} capture;

static void on_event(const sp_event *ev, void *ctx)
{
    capture *c = (capture *)ctx;
    if (c->n >= 64)
        return;
    c->kind[c->n] = ev->kind;
    c->check[c->n] = ev->message_check;
    c->seq[c->n] = ev->seq;
    c->ack[c->n] = ev->ack;
    c->payload_len[c->n] = ev->kind == SP_EV_FRAME ? ev->payload_len : 0;
    if (ev->kind == SP_EV_FRAME)
        memcpy(c->payload[c->n], ev->payload, ev->payload_len);
    c->n++;
}

static void test_crc(void)
{
    const uint8_t check[] = "123456789";
    uint16_t crc = SP_CRC16_INIT;
    size_t i;
    CHECK(sp_crc16(check, 9) == 0x6F91, "crc16 check 0x%04X", sp_crc16(check, 9));
    for (i = 0; i < 9; i++)
        crc = sp_crc16_update(crc, check[i]);
    CHECK(crc == 0x6F91, "crc16_update check 0x%04X", crc);
    CHECK(crc32_text("123456789") == 0xCBF43926u, "crc32 helper");
    CHECK(sp_crc_extra(0x00) == -1 && sp_crc_extra(0xFF) == -1, "crc_extra of unknown ids");
}

static void test_table(void)
{
    static char text[4096];
    char line[512];
    size_t i, used = 0;
    CHECK(sp_message_count == ROUNDTRIP_COUNT, "table has %u messages, selftest knows %u",
          (unsigned)sp_message_count, (unsigned)ROUNDTRIP_COUNT);
    CHECK(sp_message_count == SP_MESSAGE_COUNT, "SP_MESSAGE_COUNT");
    for (i = 0; i < sp_message_count; i++) {
        const sp_message_desc *m = &sp_messages[i];
        uint16_t c;
        message_line(m, line, sizeof line);
        c = sp_crc16((const uint8_t *)line, strlen(line));
        CHECK(sp_crc_extra(m->id) == ((c & 0xFF) ^ (c >> 8)), "CRC_EXTRA of %s", m->name);
        CHECK(sp_message_find(m->id) == m, "sp_message_find(%u)", (unsigned)m->id);
        CHECK(sp_message_at(i) == m, "sp_message_at(%u)", (unsigned)i);
        CHECK(i == 0 || sp_messages[i - 1].id < m->id, "ids ascending at %s", m->name);
        CHECK(i < ROUNDTRIP_COUNT && strcmp(roundtrips[i].name, m->name) == 0,
              "selftest message %u is %s", (unsigned)i, m->name);
        used += (size_t)snprintf(text + used, sizeof text - used, "%u %s %s\n", (unsigned)m->id,
                                 m->dir, line);
    }
    CHECK(sp_message_at(sp_message_count) == NULL, "sp_message_at past the end");
    CHECK(crc32_text(text) == SP_TABLE_HASH, "table hash 0x%08lX, SP_TABLE_HASH 0x%08lX",
          (unsigned long)crc32_text(text), (unsigned long)SP_TABLE_HASH);
}

static void test_known_values(void)
{
    uint8_t p[SP_MAX_PAYLOAD];
    sp_set_depth d = {0x01020304u, 600000u};
    sp_command_result r;
    sp_identify_reply ir;
    static const uint8_t depth_bytes[] = {0x09, 0x04, 0x03, 0x02, 0x01, 0xC0, 0x27, 0x09, 0x00};
    static const uint8_t result_bytes[] = {0x1A, 0x09, 0x02, 0x00, 0xFE, 0xFF, 0xFF, 0xFF};
    CHECK(sp_pack_set_depth(p, sizeof p, &d) == 9 && memcmp(p, depth_bytes, 9) == 0,
          "set_depth little-endian bytes");
    CHECK(sp_pack_set_depth(p, 8, &d) == 0, "pack with too small cap");
    CHECK(sp_unpack_command_result(result_bytes, sizeof result_bytes, &r) && r.command_id == 9 &&
              r.status == 2 && r.detail == -2, "command_result negative detail");
    memset(&ir, 0, sizeof ir);
    ir.serial = UINT64_C(0xFFFFFFFFFFFFFFFF);
    ir.table_hash = SP_TABLE_HASH;
    CHECK(sp_pack_identify_reply(p, sizeof p, &ir) == SP_LEN_IDENTIFY_REPLY && p[15] == 0xFF &&
              p[22] == 0xFF && p[23] == 0x00 && p[3] == 0x33 && p[6] == 0x4E, "identify_reply u64/u32 placement");
}

static void test_log_message(void)
{
    uint8_t p[SP_MAX_PAYLOAD + 4];
    sp_log_message m, back;
    memset(&m, 0, sizeof m);
    m.level = 3;
    m.text_len = 48;
    memset(m.text, 'x', 48);
    CHECK(sp_pack_log_message(p, sizeof p, &m) == SP_MAX_LEN_LOG_MESSAGE, "full log text");
    CHECK(SP_MAX_LEN_LOG_MESSAGE <= SP_MAX_PAYLOAD, "log_message fits a frame");
    m.text_len = 49;
    CHECK(sp_pack_log_message(p, sizeof p, &m) == 0, "log text over max_len refused");
    m.text_len = 2;
    m.text[0] = 'o';
    m.text[1] = 'k';
    CHECK(sp_pack_log_message(p, sizeof p, &m) == 5, "short log");
    CHECK(sp_unpack_log_message(p, 5, &back) && back.text_len == 2 && back.text[0] == 'o' &&
              back.text[2] == 0, "short log unpack zeroes the rest");
    CHECK(!sp_unpack_log_message(p, 4, &back) && !sp_unpack_log_message(p, 6, &back),
          "log length must match its count");
    p[2] = 49;
    CHECK(sp_payload_check(p, 3 + 49) == SP_MSG_WRONG_LENGTH, "count over max_len");
}

static void test_frame_encode_args(void)
{
    uint8_t f[SP_MAX_FRAME + 8], p[SP_MAX_PAYLOAD + 1];
    memset(p, 0, sizeof p);
    p[0] = SP_ID_HEARTBEAT;
    CHECK(sp_frame_encode(f, sizeof f, 0, 0, false, NULL, 0) == 6, "control frame");
    CHECK(sp_frame_encode(f, sizeof f, 0, 0, true, NULL, 0) == 6 && f[2] == 0x80, "nak frame");
    CHECK(sp_frame_encode(f, sizeof f, 128, 0, false, NULL, 0) == 0, "seq 128");
    CHECK(sp_frame_encode(f, sizeof f, 0, 128, false, NULL, 0) == 0, "ack 128");
    CHECK(sp_frame_encode(f, sizeof f, 0, 0, true, p, 5) == 0, "nak with payload");
    CHECK(sp_frame_encode(f, sizeof f, 0, 0, false, p, 59) == 0, "payload too long");
    CHECK(sp_frame_encode(f, 10, 0, 0, false, p, 5) == 0, "cap too small");
    CHECK(sp_frame_encode(f, 11, 0, 0, false, p, 5) == 11, "cap exact");
    CHECK(sp_frame_encode(NULL, 64, 0, 0, false, NULL, 0) == 0, "out NULL");
    CHECK(sp_frame_encode(f, sizeof f, 0, 0, false, NULL, 3) == 0, "payload NULL");
    p[0] = 0xEE;
    CHECK(sp_frame_encode(f, sizeof f, 0, 0, false, p, 5) == 0, "unknown message id");
}

static void test_messages(void)
{
    size_t i, j;
    for (i = 0; i < sp_message_count; i++) {
        const sp_message_desc *m = &sp_messages[i];
        size_t variants = has_str(m) ? 3 : 1;
        for (j = 0; j < variants; j++) {
            static const size_t str_lens[] = {5, 0, 48};
            uint8_t payload[SP_MAX_PAYLOAD + 8], out[SP_MAX_PAYLOAD + 8];
            uint8_t frame[SP_MAX_FRAME], stream[3 * SP_MAX_FRAME + 16];
            size_t len = build_payload(m, payload, (unsigned)(i + 1), str_lens[j]);
            size_t back, flen, slen = 0, k;
            sp_decoder d;
            capture c, c1;

            CHECK(len <= SP_MAX_PAYLOAD, "%s fits a frame", m->name);
            CHECK(sp_payload_check(payload, len) == SP_MSG_OK, "%s payload_check", m->name);
            back = roundtrips[i].rt(payload, len, out, sizeof out);
            CHECK(back == len && memcmp(payload, out, len) == 0, "%s round trip", m->name);
            CHECK(roundtrips[i].rt(payload, len - 1, out, sizeof out) == 0, "%s short", m->name);
            CHECK(roundtrips[i].rt(payload, len + 1, out, sizeof out) == 0, "%s long", m->name);
            CHECK(sp_payload_check(payload, len + 1) == SP_MSG_WRONG_LENGTH, "%s check long", m->name);
            CHECK(roundtrips[i].rt(payload, len, out, len - 1) == 0, "%s small cap", m->name);

            flen = sp_frame_encode(frame, sizeof frame, (uint8_t)(i + 100), (uint8_t)i, false,
                                   payload, len);
            CHECK(flen == len + 6, "%s frame length", m->name);

            /* garbage, the frame, the frame with a flipped CRC bit, a control frame */
            stream[slen++] = 0x00;
            stream[slen++] = 0x41;
            memcpy(stream + slen, frame, flen);
            slen += flen;
            memcpy(stream + slen, frame, flen);
            stream[slen + flen - 1] ^= 0x01;
            slen += flen;
            slen += sp_frame_encode(stream + slen, 16, 5, 6, true, NULL, 0);

            memset(&c, 0, sizeof c);
            memset(&c1, 0, sizeof c1);
            sp_decoder_init(&d);
            sp_decoder_feed(&d, stream, slen, on_event, &c);
            CHECK(sp_decoder_pending(&d) == 0, "%s nothing pending", m->name);
            sp_decoder_init(&d);
            for (k = 0; k < slen; k++)
                sp_decoder_feed(&d, stream + k, 1, on_event, &c1);
            CHECK(c.n == c1.n && memcmp(c.kind, c1.kind, sizeof c.kind) == 0,
                  "%s byte-by-byte gives the same events", m->name);
            /* garbage, frame, bad_crc, then resynchronisation through the rest of the
               corrupted frame (garbage, and more if its bytes contain SYNC), then the control
               frame last */
            CHECK(c.n >= 5, "%s: %d events", m->name, c.n);
            if (c.n >= 5) {
                int frames = 0, e;
                for (e = 0; e < c.n; e++)
                    frames += c.kind[e] == SP_EV_FRAME;
                CHECK(frames == 2, "%s: %d frames", m->name, frames);
                CHECK(c.kind[0] == SP_EV_GARBAGE && c.kind[1] == SP_EV_FRAME &&
                          c.kind[2] == SP_EV_BAD_CRC && c.kind[c.n - 1] == SP_EV_FRAME,
                      "%s event kinds", m->name);
                CHECK(c.check[1] == SP_MSG_OK && c.seq[1] == (uint8_t)(i + 100) &&
                          c.ack[1] == (uint8_t)i && c.payload_len[1] == len &&
                          memcmp(c.payload[1], payload, len) == 0, "%s decoded frame", m->name);
                CHECK(c.check[c.n - 1] == SP_MSG_NONE && c.payload_len[c.n - 1] == 0 &&
                          c.seq[c.n - 1] == 5 && c.ack[c.n - 1] == 6,
                      "%s decoded control frame", m->name);
            }
        }
    }
}

int main(void)
{
    test_crc();
    test_table();
    test_known_values();
    test_log_message();
    test_frame_encode_args();
    test_messages();
    printf("selftest: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
