/*
 * stipple_proto.h: portable C reference codec for the Stipple firmware protocol, version 1.
 *
 * The protocol is specified in Firmware-Protocol/README.md and messages.toml; section numbers
 * below refer to the README. This codec does framing (section 2), resynchronising receive
 * (section 2.1), CRC-16/MCRF4XX with per-message CRC_EXTRA, the message table (section 4) and
 * pack/unpack of every message. Reliable delivery (section 3) is left to the firmware.
 *
 * C99. No allocation, no OS calls, no stdio; fixed buffers only. Needs only <stdint.h>,
 * <stddef.h>, <stdbool.h> and <string.h>. Byte order is handled with explicit shifts, so it
 * runs unchanged on little- and big-endian targets and never does unaligned accesses.
 *
 * Quick use (device side):
 *
 *     static sp_decoder rx;
 *     sp_decoder_init(&rx);
 *     ...on every USB read: sp_decoder_feed(&rx, buf, n, on_event, ctx);
 *
 *     static void on_event(const sp_event *ev, void *ctx) {
 *         if (ev->kind != SP_EV_FRAME) { count_link_error(ctx); return; }
 *         ...sequencing with ev->seq, ev->ack, ev->nak (section 3)...
 *         if (ev->message_check == SP_MSG_OK && ev->payload[0] == SP_ID_SET_DEPTH) {
 *             sp_set_depth m;
 *             sp_unpack_set_depth(ev->payload, ev->payload_len, &m);
 *             ...
 *         }
 *     }
 *
 *     Sending: pack the message straight into the frame buffer, then frame it in place:
 *         uint8_t f[SP_MAX_FRAME];
 *         size_t n = sp_pack_telemetry(f + 4, SP_MAX_PAYLOAD, &t);
 *         size_t len = sp_frame_encode(f, sizeof f, seq, ack, false, f + 4, n);
 */
#ifndef STIPPLE_PROTO_H
#define STIPPLE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Constants ---- */

#define SP_SYNC 0x7E             /* first byte of every frame, never escaped */
#define SP_MIN_FRAME 6           /* SYNC LEN SEQ ACK CRClo CRChi: a control frame */
#define SP_MAX_FRAME 64          /* one full-speed USB bulk packet */
#define SP_MAX_PAYLOAD 58        /* SP_MAX_FRAME - SP_MIN_FRAME */
#define SP_PROTOCOL_VERSION 1
#define SP_TABLE_HASH 0x4E685E33u    /* CRC-32 of the message table text (section 4) */
#define SP_CRC16_CHECK 0x6F91u   /* sp_crc16 of ASCII "123456789" */

/* ---- CRC-16/MCRF4XX (poly 0x1021 reflected, init 0xFFFF, no xorout) ---- */

#define SP_CRC16_INIT 0xFFFFu

/* One byte into a running CRC; start from SP_CRC16_INIT. */
uint16_t sp_crc16_update(uint16_t crc, uint8_t byte);
/* CRC of a whole buffer, from SP_CRC16_INIT. */
uint16_t sp_crc16(const uint8_t *data, size_t len);
/* The message's CRC_EXTRA (0-255), or -1 if msg_id is not in the table. */
int sp_crc_extra(uint8_t msg_id);

/* ---- Frames (section 2) ---- */

/*
 * Writes one frame into out and returns its length (SP_MIN_FRAME + payload_len), or 0 if any
 * argument is invalid: out NULL, cap too small, seq or ack above 127, payload longer than
 * SP_MAX_PAYLOAD, payload NULL with payload_len > 0, nak with a non-empty payload, or a payload
 * whose first byte is not a message id in the table. The payload's length is not checked
 * against the table (sp_payload_check does that). payload may overlap out (e.g. out + 4).
 */
size_t sp_frame_encode(uint8_t *out, size_t cap, uint8_t seq, uint8_t ack, bool nak,
                       const uint8_t *payload, size_t payload_len);

/* ---- Streaming decoder (section 2.1) ---- */

/* sp_event.kind */
#define SP_EV_FRAME 1            /* a frame passed every check: see seq, ack, nak, payload */
#define SP_EV_GARBAGE 2          /* the first byte of a run of non-SYNC bytes was discarded */
#define SP_EV_BAD_LENGTH 3       /* LEN outside 6-64: the SYNC byte was discarded */
#define SP_EV_UNKNOWN_MESSAGE 4  /* payload's message id not in the table: SYNC discarded */
#define SP_EV_BAD_CRC 5          /* CRC mismatch: SYNC discarded */
#define SP_EV_BAD_SEQUENCE 6     /* NAK flag on a data frame or ACK bit 7: frame discarded */

/* sp_event.message_check, and sp_payload_check's result */
#define SP_MSG_UNKNOWN (-1)      /* sp_payload_check only: first byte is not a known id */
#define SP_MSG_NONE 0            /* control frame (empty payload), or not a frame event */
#define SP_MSG_OK 1              /* payload length matches the message's layout */
#define SP_MSG_WRONG_LENGTH 2    /* it does not: drop the message, but the frame still counts
                                    for sequencing and acknowledgement */

typedef struct {
    int kind;                    /* SP_EV_* */
    uint8_t seq, ack;            /* SP_EV_FRAME only: SEQ bits 0-6, ACK */
    bool nak;                    /* SP_EV_FRAME only: NAK flag (control frames only) */
    const uint8_t *payload;      /* SP_EV_FRAME only: message id + fields; valid only during
                                    the callback. Never NULL for a frame, even when empty. */
    uint8_t payload_len;         /* 0 for a control frame */
    int message_check;           /* SP_MSG_NONE, SP_MSG_OK or SP_MSG_WRONG_LENGTH */
} sp_event;

typedef void (*sp_event_fn)(const sp_event *ev, void *ctx);

/* Treat as opaque. buf holds pending bytes at buf[0..len). */
typedef struct {
    uint8_t buf[128];            /* at most 63 pending bytes + up to 65 just read */
    size_t len;
    bool in_garbage;             /* inside a run of discarded non-SYNC bytes */
} sp_decoder;

void sp_decoder_init(sp_decoder *d);

/*
 * Consumes all len bytes (any split: one at a time or thousands at once gives the same events)
 * and calls on_event (may be NULL) once per event, in stream order. Returns the number of
 * events. Do not call sp_decoder_feed on the same decoder from inside on_event.
 */
size_t sp_decoder_feed(sp_decoder *d, const uint8_t *data, size_t len,
                       sp_event_fn on_event, void *ctx);

/* Bytes held awaiting more input (at most SP_MAX_FRAME - 1 between calls). */
size_t sp_decoder_pending(const sp_decoder *d);

/* ---- Message table (section 4) ---- */

typedef struct {
    const char *type;            /* "u8" "u16" "u32" "u64" "i16" "i32" "i64" "str" */
    const char *name;
    uint8_t max_len;             /* str only; 0 otherwise */
} sp_field_desc;

typedef struct {
    uint8_t id;
    const char *name;
    const char *dir;             /* "h2d" or "d2h" */
    uint8_t field_count;
    const sp_field_desc *fields; /* NULL when field_count is 0 */
} sp_message_desc;

extern const sp_message_desc sp_messages[];  /* ascending id */
extern const size_t sp_message_count;

/* The message with this id, or NULL. */
const sp_message_desc *sp_message_find(uint8_t id);
/* sp_messages[index], or NULL if index >= sp_message_count. */
const sp_message_desc *sp_message_at(size_t index);

/*
 * Checks a payload against the table: SP_MSG_NONE if len is 0, SP_MSG_UNKNOWN if its first
 * byte is not a message id, SP_MSG_OK if the length matches the message (for a str field:
 * fixed part + 1 + count, count at most max_len), else SP_MSG_WRONG_LENGTH.
 */
int sp_payload_check(const uint8_t *payload, size_t len);

/*
 * Per message: a struct sp_<name> with one member per field (a str field <f> becomes
 * uint8_t <f>_len and uint8_t <f>[max_len]), and
 *   size_t sp_pack_<name>(uint8_t *payload, size_t cap, const sp_<name> *m);
 *     writes the id byte then the fields, little-endian; returns the payload length, or 0 if
 *     payload is NULL, cap is too small, m is NULL (allowed for messages without fields) or a
 *     str byte count exceeds max_len.
 *   bool sp_unpack_<name>(const uint8_t *payload, size_t len, sp_<name> *m);
 *     true if payload is this message with exactly the right length (str count at most
 *     max_len); then fills *m (unless m is NULL: check only; unused str bytes are zeroed).
 */

/* ---- Message ids, sizes and structs (one per line of messages.toml) ---- */

/* Message ids. */
#define SP_ID_IDENTIFY             0x01
#define SP_ID_IDENTIFY_REPLY       0x02
#define SP_ID_GET_CONFIG           0x03
#define SP_ID_SET_CONFIG           0x04
#define SP_ID_CONFIG               0x05
#define SP_ID_ARM                  0x06
#define SP_ID_DISARM               0x07
#define SP_ID_SET_STROKE_RATE      0x08
#define SP_ID_SET_DEPTH            0x09
#define SP_ID_START                0x0A
#define SP_ID_STOP                 0x0B
#define SP_ID_RETRACT              0x0C
#define SP_ID_HEARTBEAT            0x0D
#define SP_ID_ESTOP                0x0E
#define SP_ID_RESET_FAULT          0x0F
#define SP_ID_READ_CALIBRATION     0x10
#define SP_ID_WRITE_CALIBRATION    0x11
#define SP_ID_CALIBRATION          0x12
#define SP_ID_GET_CARTRIDGE        0x13
#define SP_ID_CARTRIDGE_INFO       0x14
#define SP_ID_TELEMETRY            0x15
#define SP_ID_FAULT_REPORT         0x16
#define SP_ID_LOG_MESSAGE          0x17
#define SP_ID_CLOCK_REQUEST        0x18
#define SP_ID_CLOCK_REPLY          0x19
#define SP_ID_COMMAND_RESULT       0x1A

/* Payload lengths in bytes, message id included. For a message ending in a str field,
 * SP_LEN_<NAME> is the length with an empty string and SP_MAX_LEN_<NAME> with a full one. */
#define SP_LEN_IDENTIFY            11
#define SP_LEN_IDENTIFY_REPLY      28
#define SP_LEN_GET_CONFIG          1
#define SP_LEN_SET_CONFIG          25
#define SP_LEN_CONFIG              25
#define SP_LEN_ARM                 1
#define SP_LEN_DISARM              1
#define SP_LEN_SET_STROKE_RATE     7
#define SP_LEN_SET_DEPTH           9
#define SP_LEN_START               1
#define SP_LEN_STOP                1
#define SP_LEN_RETRACT             1
#define SP_LEN_HEARTBEAT           5
#define SP_LEN_ESTOP               1
#define SP_LEN_RESET_FAULT         3
#define SP_LEN_READ_CALIBRATION    1
#define SP_LEN_WRITE_CALIBRATION   25
#define SP_LEN_CALIBRATION         25
#define SP_LEN_GET_CARTRIDGE       1
#define SP_LEN_CARTRIDGE_INFO      16
#define SP_LEN_TELEMETRY           25
#define SP_LEN_FAULT_REPORT        15
#define SP_LEN_LOG_MESSAGE         3
#define SP_MAX_LEN_LOG_MESSAGE     51
#define SP_LEN_CLOCK_REQUEST       5
#define SP_LEN_CLOCK_REPLY         13
#define SP_LEN_COMMAND_RESULT      8

#define SP_MESSAGE_COUNT 26

/* 0x01 identify (h2d): identify u16 protocol_version u32 table_hash u32 nonce */
typedef struct {
    uint16_t protocol_version;
    uint32_t table_hash;
    uint32_t nonce;
} sp_identify;
size_t sp_pack_identify(uint8_t *payload, size_t cap, const sp_identify *m);
bool sp_unpack_identify(const uint8_t *payload, size_t len, sp_identify *m);

/* 0x02 identify_reply (d2h): identify_reply u16 protocol_version u32 table_hash u32 nonce u32 firmware_version u64 serial u32 tick_hz u8 max_window */
typedef struct {
    uint16_t protocol_version;
    uint32_t table_hash;
    uint32_t nonce;
    uint32_t firmware_version;
    uint64_t serial;
    uint32_t tick_hz;
    uint8_t max_window;
} sp_identify_reply;
size_t sp_pack_identify_reply(uint8_t *payload, size_t cap, const sp_identify_reply *m);
bool sp_unpack_identify_reply(const uint8_t *payload, size_t len, sp_identify_reply *m);

/* 0x03 get_config (h2d): get_config */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_get_config;
size_t sp_pack_get_config(uint8_t *payload, size_t cap, const sp_get_config *m);
bool sp_unpack_get_config(const uint8_t *payload, size_t len, sp_get_config *m);

/* 0x04 set_config (h2d): set_config u32 depth_min_um u32 depth_max_um u32 rate_min_mhz u32 rate_max_mhz u32 depth_slew_um_per_s u16 heartbeat_deadline_ms u16 telemetry_hz */
typedef struct {
    uint32_t depth_min_um;
    uint32_t depth_max_um;
    uint32_t rate_min_mhz;
    uint32_t rate_max_mhz;
    uint32_t depth_slew_um_per_s;
    uint16_t heartbeat_deadline_ms;
    uint16_t telemetry_hz;
} sp_set_config;
size_t sp_pack_set_config(uint8_t *payload, size_t cap, const sp_set_config *m);
bool sp_unpack_set_config(const uint8_t *payload, size_t len, sp_set_config *m);

/* 0x05 config (d2h): config u32 depth_min_um u32 depth_max_um u32 rate_min_mhz u32 rate_max_mhz u32 depth_slew_um_per_s u16 heartbeat_deadline_ms u16 telemetry_hz */
typedef struct {
    uint32_t depth_min_um;
    uint32_t depth_max_um;
    uint32_t rate_min_mhz;
    uint32_t rate_max_mhz;
    uint32_t depth_slew_um_per_s;
    uint16_t heartbeat_deadline_ms;
    uint16_t telemetry_hz;
} sp_config;
size_t sp_pack_config(uint8_t *payload, size_t cap, const sp_config *m);
bool sp_unpack_config(const uint8_t *payload, size_t len, sp_config *m);

/* 0x06 arm (h2d): arm */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_arm;
size_t sp_pack_arm(uint8_t *payload, size_t cap, const sp_arm *m);
bool sp_unpack_arm(const uint8_t *payload, size_t len, sp_arm *m);

/* 0x07 disarm (h2d): disarm */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_disarm;
size_t sp_pack_disarm(uint8_t *payload, size_t cap, const sp_disarm *m);
bool sp_unpack_disarm(const uint8_t *payload, size_t len, sp_disarm *m);

/* 0x08 set_stroke_rate (h2d): set_stroke_rate u32 rate_mhz u16 ramp_ms */
typedef struct {
    uint32_t rate_mhz;
    uint16_t ramp_ms;
} sp_set_stroke_rate;
size_t sp_pack_set_stroke_rate(uint8_t *payload, size_t cap, const sp_set_stroke_rate *m);
bool sp_unpack_set_stroke_rate(const uint8_t *payload, size_t len, sp_set_stroke_rate *m);

/* 0x09 set_depth (h2d): set_depth u32 depth_um u32 slew_um_per_s */
typedef struct {
    uint32_t depth_um;
    uint32_t slew_um_per_s;
} sp_set_depth;
size_t sp_pack_set_depth(uint8_t *payload, size_t cap, const sp_set_depth *m);
bool sp_unpack_set_depth(const uint8_t *payload, size_t len, sp_set_depth *m);

/* 0x0A start (h2d): start */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_start;
size_t sp_pack_start(uint8_t *payload, size_t cap, const sp_start *m);
bool sp_unpack_start(const uint8_t *payload, size_t len, sp_start *m);

/* 0x0B stop (h2d): stop */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_stop;
size_t sp_pack_stop(uint8_t *payload, size_t cap, const sp_stop *m);
bool sp_unpack_stop(const uint8_t *payload, size_t len, sp_stop *m);

/* 0x0C retract (h2d): retract */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_retract;
size_t sp_pack_retract(uint8_t *payload, size_t cap, const sp_retract *m);
bool sp_unpack_retract(const uint8_t *payload, size_t len, sp_retract *m);

/* 0x0D heartbeat (h2d): heartbeat u32 counter */
typedef struct {
    uint32_t counter;
} sp_heartbeat;
size_t sp_pack_heartbeat(uint8_t *payload, size_t cap, const sp_heartbeat *m);
bool sp_unpack_heartbeat(const uint8_t *payload, size_t len, sp_heartbeat *m);

/* 0x0E estop (h2d): estop */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_estop;
size_t sp_pack_estop(uint8_t *payload, size_t cap, const sp_estop *m);
bool sp_unpack_estop(const uint8_t *payload, size_t len, sp_estop *m);

/* 0x0F reset_fault (h2d): reset_fault u16 code */
typedef struct {
    uint16_t code;
} sp_reset_fault;
size_t sp_pack_reset_fault(uint8_t *payload, size_t cap, const sp_reset_fault *m);
bool sp_unpack_reset_fault(const uint8_t *payload, size_t len, sp_reset_fault *m);

/* 0x10 read_calibration (h2d): read_calibration */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_read_calibration;
size_t sp_pack_read_calibration(uint8_t *payload, size_t cap, const sp_read_calibration *m);
bool sp_unpack_read_calibration(const uint8_t *payload, size_t len, sp_read_calibration *m);

/* 0x11 write_calibration (h2d): write_calibration i32 offset_um u32 scale_ppm i32 quadratic_ppm i32 cartridge_offset_um u64 expires_unix_s */
typedef struct {
    int32_t offset_um;
    uint32_t scale_ppm;
    int32_t quadratic_ppm;
    int32_t cartridge_offset_um;
    uint64_t expires_unix_s;
} sp_write_calibration;
size_t sp_pack_write_calibration(uint8_t *payload, size_t cap, const sp_write_calibration *m);
bool sp_unpack_write_calibration(const uint8_t *payload, size_t len, sp_write_calibration *m);

/* 0x12 calibration (d2h): calibration i32 offset_um u32 scale_ppm i32 quadratic_ppm i32 cartridge_offset_um u64 expires_unix_s */
typedef struct {
    int32_t offset_um;
    uint32_t scale_ppm;
    int32_t quadratic_ppm;
    int32_t cartridge_offset_um;
    uint64_t expires_unix_s;
} sp_calibration;
size_t sp_pack_calibration(uint8_t *payload, size_t cap, const sp_calibration *m);
bool sp_unpack_calibration(const uint8_t *payload, size_t len, sp_calibration *m);

/* 0x13 get_cartridge (h2d): get_cartridge */
typedef struct {
    uint8_t unused; /* no fields (C99 has no empty structs); ignored by pack, zeroed by unpack */
} sp_get_cartridge;
size_t sp_pack_get_cartridge(uint8_t *payload, size_t cap, const sp_get_cartridge *m);
bool sp_unpack_get_cartridge(const uint8_t *payload, size_t len, sp_get_cartridge *m);

/* 0x14 cartridge_info (d2h): cartridge_info u64 cartridge_id u32 lot u16 use_count u8 present */
typedef struct {
    uint64_t cartridge_id;
    uint32_t lot;
    uint16_t use_count;
    uint8_t present;
} sp_cartridge_info;
size_t sp_pack_cartridge_info(uint8_t *payload, size_t cap, const sp_cartridge_info *m);
bool sp_unpack_cartridge_info(const uint8_t *payload, size_t len, sp_cartridge_info *m);

/* 0x15 telemetry (d2h): telemetry u64 device_ticks u32 rate_mhz i32 depth_um u16 motor_current_ma u32 stroke_count u16 state_flags */
typedef struct {
    uint64_t device_ticks;
    uint32_t rate_mhz;
    int32_t depth_um;
    uint16_t motor_current_ma;
    uint32_t stroke_count;
    uint16_t state_flags;
} sp_telemetry;
size_t sp_pack_telemetry(uint8_t *payload, size_t cap, const sp_telemetry *m);
bool sp_unpack_telemetry(const uint8_t *payload, size_t len, sp_telemetry *m);

/* 0x16 fault_report (d2h): fault_report u64 device_ticks u16 code i32 detail */
typedef struct {
    uint64_t device_ticks;
    uint16_t code;
    int32_t detail;
} sp_fault_report;
size_t sp_pack_fault_report(uint8_t *payload, size_t cap, const sp_fault_report *m);
bool sp_unpack_fault_report(const uint8_t *payload, size_t len, sp_fault_report *m);

/* 0x17 log_message (d2h): log_message u8 level str text 48 */
typedef struct {
    uint8_t level;
    uint8_t text_len;  /* byte count, at most 48 */
    uint8_t text[48];   /* UTF-8, not NUL-terminated */
} sp_log_message;
size_t sp_pack_log_message(uint8_t *payload, size_t cap, const sp_log_message *m);
bool sp_unpack_log_message(const uint8_t *payload, size_t len, sp_log_message *m);

/* 0x18 clock_request (h2d): clock_request u32 nonce */
typedef struct {
    uint32_t nonce;
} sp_clock_request;
size_t sp_pack_clock_request(uint8_t *payload, size_t cap, const sp_clock_request *m);
bool sp_unpack_clock_request(const uint8_t *payload, size_t len, sp_clock_request *m);

/* 0x19 clock_reply (d2h): clock_reply u32 nonce u64 device_ticks */
typedef struct {
    uint32_t nonce;
    uint64_t device_ticks;
} sp_clock_reply;
size_t sp_pack_clock_reply(uint8_t *payload, size_t cap, const sp_clock_reply *m);
bool sp_unpack_clock_reply(const uint8_t *payload, size_t len, sp_clock_reply *m);

/* 0x1A command_result (d2h): command_result u8 command_id u16 status i32 detail */
typedef struct {
    uint8_t command_id;
    uint16_t status;
    int32_t detail;
} sp_command_result;
size_t sp_pack_command_result(uint8_t *payload, size_t cap, const sp_command_result *m);
bool sp_unpack_command_result(const uint8_t *payload, size_t len, sp_command_result *m);


#ifdef __cplusplus
}
#endif

#endif /* STIPPLE_PROTO_H */
