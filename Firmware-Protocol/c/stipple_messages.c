/*
 * Stipple firmware protocol v1: message table, descriptors, pack and unpack.
 * Written from messages.toml; tests (Tests/StippleProtocolCTests, c/test/selftest.c) check this
 * file against it field for field, so edit both together.
 *
 * C99, no allocation, no OS calls. Multi-byte fields are little-endian, written and read with
 * explicit shifts so the code is correct on big-endian targets and needs no alignment.
 */
#include "stipple_proto.h"

#include <string.h>

/* ---- little-endian helpers ---- */

static void sp_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t sp_get16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] | (uint16_t)((uint16_t)p[1] << 8));
}

static void sp_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t sp_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void sp_put64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v & 0xFFu);
        v >>= 8;
    }
}

static uint64_t sp_get64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = (v << 8) | (uint64_t)p[i];
    return v;
}

/* Two's complement without implementation-defined unsigned-to-signed conversion. */
static int32_t sp_s32(uint32_t u)
{
    return u <= 0x7FFFFFFFu ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* ---- descriptors (for conformance tests and tooling) ---- */

static const sp_field_desc sp_fields_identify[] = {
    {"u16", "protocol_version", 0},
    {"u32", "table_hash", 0},
    {"u32", "nonce", 0},
};
static const sp_field_desc sp_fields_identify_reply[] = {
    {"u16", "protocol_version", 0},
    {"u32", "table_hash", 0},
    {"u32", "nonce", 0},
    {"u32", "firmware_version", 0},
    {"u64", "serial", 0},
    {"u32", "tick_hz", 0},
    {"u8", "max_window", 0},
};
static const sp_field_desc sp_fields_set_config[] = {
    {"u32", "depth_min_um", 0},
    {"u32", "depth_max_um", 0},
    {"u32", "rate_min_mhz", 0},
    {"u32", "rate_max_mhz", 0},
    {"u32", "depth_slew_um_per_s", 0},
    {"u16", "heartbeat_deadline_ms", 0},
    {"u16", "telemetry_hz", 0},
};
static const sp_field_desc sp_fields_config[] = {
    {"u32", "depth_min_um", 0},
    {"u32", "depth_max_um", 0},
    {"u32", "rate_min_mhz", 0},
    {"u32", "rate_max_mhz", 0},
    {"u32", "depth_slew_um_per_s", 0},
    {"u16", "heartbeat_deadline_ms", 0},
    {"u16", "telemetry_hz", 0},
};
static const sp_field_desc sp_fields_set_stroke_rate[] = {
    {"u32", "rate_mhz", 0},
    {"u16", "ramp_ms", 0},
};
static const sp_field_desc sp_fields_set_depth[] = {
    {"u32", "depth_um", 0},
    {"u32", "slew_um_per_s", 0},
};
static const sp_field_desc sp_fields_heartbeat[] = {
    {"u32", "counter", 0},
};
static const sp_field_desc sp_fields_reset_fault[] = {
    {"u16", "code", 0},
};
static const sp_field_desc sp_fields_write_calibration[] = {
    {"i32", "offset_um", 0},
    {"u32", "scale_ppm", 0},
    {"i32", "quadratic_ppm", 0},
    {"i32", "cartridge_offset_um", 0},
    {"u64", "expires_unix_s", 0},
};
static const sp_field_desc sp_fields_calibration[] = {
    {"i32", "offset_um", 0},
    {"u32", "scale_ppm", 0},
    {"i32", "quadratic_ppm", 0},
    {"i32", "cartridge_offset_um", 0},
    {"u64", "expires_unix_s", 0},
};
static const sp_field_desc sp_fields_cartridge_info[] = {
    {"u64", "cartridge_id", 0},
    {"u32", "lot", 0},
    {"u16", "use_count", 0},
    {"u8", "present", 0},
};
static const sp_field_desc sp_fields_telemetry[] = {
    {"u64", "device_ticks", 0},
    {"u32", "rate_mhz", 0},
    {"i32", "depth_um", 0},
    {"u16", "motor_current_ma", 0},
    {"u32", "stroke_count", 0},
    {"u16", "state_flags", 0},
};
static const sp_field_desc sp_fields_fault_report[] = {
    {"u64", "device_ticks", 0},
    {"u16", "code", 0},
    {"i32", "detail", 0},
};
static const sp_field_desc sp_fields_log_message[] = {
    {"u8", "level", 0},
    {"str", "text", 48},
};
static const sp_field_desc sp_fields_clock_request[] = {
    {"u32", "nonce", 0},
};
static const sp_field_desc sp_fields_clock_reply[] = {
    {"u32", "nonce", 0},
    {"u64", "device_ticks", 0},
};
static const sp_field_desc sp_fields_command_result[] = {
    {"u8", "command_id", 0},
    {"u16", "status", 0},
    {"i32", "detail", 0},
};

/* Ascending id order (sp_message_find relies on it). */
const sp_message_desc sp_messages[] = {
    {0x01, "identify", "h2d", 3, sp_fields_identify},
    {0x02, "identify_reply", "d2h", 7, sp_fields_identify_reply},
    {0x03, "get_config", "h2d", 0, NULL},
    {0x04, "set_config", "h2d", 7, sp_fields_set_config},
    {0x05, "config", "d2h", 7, sp_fields_config},
    {0x06, "arm", "h2d", 0, NULL},
    {0x07, "disarm", "h2d", 0, NULL},
    {0x08, "set_stroke_rate", "h2d", 2, sp_fields_set_stroke_rate},
    {0x09, "set_depth", "h2d", 2, sp_fields_set_depth},
    {0x0A, "start", "h2d", 0, NULL},
    {0x0B, "stop", "h2d", 0, NULL},
    {0x0C, "retract", "h2d", 0, NULL},
    {0x0D, "heartbeat", "h2d", 1, sp_fields_heartbeat},
    {0x0E, "estop", "h2d", 0, NULL},
    {0x0F, "reset_fault", "h2d", 1, sp_fields_reset_fault},
    {0x10, "read_calibration", "h2d", 0, NULL},
    {0x11, "write_calibration", "h2d", 5, sp_fields_write_calibration},
    {0x12, "calibration", "d2h", 5, sp_fields_calibration},
    {0x13, "get_cartridge", "h2d", 0, NULL},
    {0x14, "cartridge_info", "d2h", 4, sp_fields_cartridge_info},
    {0x15, "telemetry", "d2h", 6, sp_fields_telemetry},
    {0x16, "fault_report", "d2h", 3, sp_fields_fault_report},
    {0x17, "log_message", "d2h", 2, sp_fields_log_message},
    {0x18, "clock_request", "h2d", 1, sp_fields_clock_request},
    {0x19, "clock_reply", "d2h", 2, sp_fields_clock_reply},
    {0x1A, "command_result", "d2h", 3, sp_fields_command_result},
};
const size_t sp_message_count = sizeof sp_messages / sizeof sp_messages[0];

/* Per message, parallel to sp_messages: CRC_EXTRA (section 4), the payload length without any
 * str field (id byte included), and the str field's max_len (-1: the message has no str field). */
typedef struct {
    uint8_t crc_extra;
    uint8_t fixed_len;
    int16_t str_max;
} sp_msg_info;

static const sp_msg_info sp_info[] = {
    {134, 11, -1}, /* identify */
    {188, 28, -1}, /* identify_reply */
    { 21,  1, -1}, /* get_config */
    {131, 25, -1}, /* set_config */
    { 86, 25, -1}, /* config */
    { 40,  1, -1}, /* arm */
    {  0,  1, -1}, /* disarm */
    {122,  7, -1}, /* set_stroke_rate */
    { 33,  9, -1}, /* set_depth */
    {225,  1, -1}, /* start */
    {  0,  1, -1}, /* stop */
    { 41,  1, -1}, /* retract */
    { 60,  5, -1}, /* heartbeat */
    {250,  1, -1}, /* estop */
    {120,  3, -1}, /* reset_fault */
    {159,  1, -1}, /* read_calibration */
    { 94, 25, -1}, /* write_calibration */
    {199, 25, -1}, /* calibration */
    {243,  1, -1}, /* get_cartridge */
    {230, 16, -1}, /* cartridge_info */
    { 75, 25, -1}, /* telemetry */
    {248, 15, -1}, /* fault_report */
    { 14,  2, 48}, /* log_message */
    {173,  5, -1}, /* clock_request */
    {248, 13, -1}, /* clock_reply */
    {232,  8, -1}, /* command_result */
};

/* Index into sp_messages / sp_info, or -1. Binary search: the table is sorted by id. */
static int sp_index(uint8_t id)
{
    size_t lo = 0, hi = sizeof sp_messages / sizeof sp_messages[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp_messages[mid].id == id)
            return (int)mid;
        if (sp_messages[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const sp_message_desc *sp_message_find(uint8_t id)
{
    int i = sp_index(id);
    return i < 0 ? NULL : &sp_messages[i];
}

const sp_message_desc *sp_message_at(size_t index)
{
    return index < sizeof sp_messages / sizeof sp_messages[0] ? &sp_messages[index] : NULL;
}

int sp_crc_extra(uint8_t msg_id)
{
    int i = sp_index(msg_id);
    return i < 0 ? -1 : (int)sp_info[i].crc_extra;
}

int sp_payload_check(const uint8_t *payload, size_t len)
{
    const sp_msg_info *info;
    int i;
    if (len == 0)
        return SP_MSG_NONE;
    if (payload == NULL)
        return SP_MSG_UNKNOWN;
    i = sp_index(payload[0]);
    if (i < 0)
        return SP_MSG_UNKNOWN;
    info = &sp_info[i];
    if (info->str_max < 0)
        return len == info->fixed_len ? SP_MSG_OK : SP_MSG_WRONG_LENGTH;
    if (len <= info->fixed_len)
        return SP_MSG_WRONG_LENGTH;
    if (payload[info->fixed_len] > info->str_max)
        return SP_MSG_WRONG_LENGTH;
    return len == (size_t)info->fixed_len + 1u + payload[info->fixed_len] ? SP_MSG_OK : SP_MSG_WRONG_LENGTH;
}

/* ---- pack / unpack, one pair per message ---- */

size_t sp_pack_identify(uint8_t *payload, size_t cap, const sp_identify *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_IDENTIFY)
        return 0;
    payload[0] = SP_ID_IDENTIFY;
    sp_put16(payload + 1, m->protocol_version);
    sp_put32(payload + 3, m->table_hash);
    sp_put32(payload + 7, m->nonce);
    return SP_LEN_IDENTIFY;
}

bool sp_unpack_identify(const uint8_t *payload, size_t len, sp_identify *m)
{
    if (payload == NULL || len != SP_LEN_IDENTIFY || payload[0] != SP_ID_IDENTIFY)
        return false;
    if (m == NULL)
        return true;
    m->protocol_version = sp_get16(payload + 1);
    m->table_hash = sp_get32(payload + 3);
    m->nonce = sp_get32(payload + 7);
    return true;
}

size_t sp_pack_identify_reply(uint8_t *payload, size_t cap, const sp_identify_reply *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_IDENTIFY_REPLY)
        return 0;
    payload[0] = SP_ID_IDENTIFY_REPLY;
    sp_put16(payload + 1, m->protocol_version);
    sp_put32(payload + 3, m->table_hash);
    sp_put32(payload + 7, m->nonce);
    sp_put32(payload + 11, m->firmware_version);
    sp_put64(payload + 15, m->serial);
    sp_put32(payload + 23, m->tick_hz);
    payload[27] = m->max_window;
    return SP_LEN_IDENTIFY_REPLY;
}

bool sp_unpack_identify_reply(const uint8_t *payload, size_t len, sp_identify_reply *m)
{
    if (payload == NULL || len != SP_LEN_IDENTIFY_REPLY || payload[0] != SP_ID_IDENTIFY_REPLY)
        return false;
    if (m == NULL)
        return true;
    m->protocol_version = sp_get16(payload + 1);
    m->table_hash = sp_get32(payload + 3);
    m->nonce = sp_get32(payload + 7);
    m->firmware_version = sp_get32(payload + 11);
    m->serial = sp_get64(payload + 15);
    m->tick_hz = sp_get32(payload + 23);
    m->max_window = payload[27];
    return true;
}

size_t sp_pack_get_config(uint8_t *payload, size_t cap, const sp_get_config *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_GET_CONFIG)
        return 0;
    payload[0] = SP_ID_GET_CONFIG;
    return SP_LEN_GET_CONFIG;
}

bool sp_unpack_get_config(const uint8_t *payload, size_t len, sp_get_config *m)
{
    if (payload == NULL || len != SP_LEN_GET_CONFIG || payload[0] != SP_ID_GET_CONFIG)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_set_config(uint8_t *payload, size_t cap, const sp_set_config *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_SET_CONFIG)
        return 0;
    payload[0] = SP_ID_SET_CONFIG;
    sp_put32(payload + 1, m->depth_min_um);
    sp_put32(payload + 5, m->depth_max_um);
    sp_put32(payload + 9, m->rate_min_mhz);
    sp_put32(payload + 13, m->rate_max_mhz);
    sp_put32(payload + 17, m->depth_slew_um_per_s);
    sp_put16(payload + 21, m->heartbeat_deadline_ms);
    sp_put16(payload + 23, m->telemetry_hz);
    return SP_LEN_SET_CONFIG;
}

bool sp_unpack_set_config(const uint8_t *payload, size_t len, sp_set_config *m)
{
    if (payload == NULL || len != SP_LEN_SET_CONFIG || payload[0] != SP_ID_SET_CONFIG)
        return false;
    if (m == NULL)
        return true;
    m->depth_min_um = sp_get32(payload + 1);
    m->depth_max_um = sp_get32(payload + 5);
    m->rate_min_mhz = sp_get32(payload + 9);
    m->rate_max_mhz = sp_get32(payload + 13);
    m->depth_slew_um_per_s = sp_get32(payload + 17);
    m->heartbeat_deadline_ms = sp_get16(payload + 21);
    m->telemetry_hz = sp_get16(payload + 23);
    return true;
}

size_t sp_pack_config(uint8_t *payload, size_t cap, const sp_config *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_CONFIG)
        return 0;
    payload[0] = SP_ID_CONFIG;
    sp_put32(payload + 1, m->depth_min_um);
    sp_put32(payload + 5, m->depth_max_um);
    sp_put32(payload + 9, m->rate_min_mhz);
    sp_put32(payload + 13, m->rate_max_mhz);
    sp_put32(payload + 17, m->depth_slew_um_per_s);
    sp_put16(payload + 21, m->heartbeat_deadline_ms);
    sp_put16(payload + 23, m->telemetry_hz);
    return SP_LEN_CONFIG;
}

bool sp_unpack_config(const uint8_t *payload, size_t len, sp_config *m)
{
    if (payload == NULL || len != SP_LEN_CONFIG || payload[0] != SP_ID_CONFIG)
        return false;
    if (m == NULL)
        return true;
    m->depth_min_um = sp_get32(payload + 1);
    m->depth_max_um = sp_get32(payload + 5);
    m->rate_min_mhz = sp_get32(payload + 9);
    m->rate_max_mhz = sp_get32(payload + 13);
    m->depth_slew_um_per_s = sp_get32(payload + 17);
    m->heartbeat_deadline_ms = sp_get16(payload + 21);
    m->telemetry_hz = sp_get16(payload + 23);
    return true;
}

size_t sp_pack_arm(uint8_t *payload, size_t cap, const sp_arm *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_ARM)
        return 0;
    payload[0] = SP_ID_ARM;
    return SP_LEN_ARM;
}

bool sp_unpack_arm(const uint8_t *payload, size_t len, sp_arm *m)
{
    if (payload == NULL || len != SP_LEN_ARM || payload[0] != SP_ID_ARM)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_disarm(uint8_t *payload, size_t cap, const sp_disarm *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_DISARM)
        return 0;
    payload[0] = SP_ID_DISARM;
    return SP_LEN_DISARM;
}

bool sp_unpack_disarm(const uint8_t *payload, size_t len, sp_disarm *m)
{
    if (payload == NULL || len != SP_LEN_DISARM || payload[0] != SP_ID_DISARM)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_set_stroke_rate(uint8_t *payload, size_t cap, const sp_set_stroke_rate *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_SET_STROKE_RATE)
        return 0;
    payload[0] = SP_ID_SET_STROKE_RATE;
    sp_put32(payload + 1, m->rate_mhz);
    sp_put16(payload + 5, m->ramp_ms);
    return SP_LEN_SET_STROKE_RATE;
}

bool sp_unpack_set_stroke_rate(const uint8_t *payload, size_t len, sp_set_stroke_rate *m)
{
    if (payload == NULL || len != SP_LEN_SET_STROKE_RATE || payload[0] != SP_ID_SET_STROKE_RATE)
        return false;
    if (m == NULL)
        return true;
    m->rate_mhz = sp_get32(payload + 1);
    m->ramp_ms = sp_get16(payload + 5);
    return true;
}

size_t sp_pack_set_depth(uint8_t *payload, size_t cap, const sp_set_depth *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_SET_DEPTH)
        return 0;
    payload[0] = SP_ID_SET_DEPTH;
    sp_put32(payload + 1, m->depth_um);
    sp_put32(payload + 5, m->slew_um_per_s);
    return SP_LEN_SET_DEPTH;
}

bool sp_unpack_set_depth(const uint8_t *payload, size_t len, sp_set_depth *m)
{
    if (payload == NULL || len != SP_LEN_SET_DEPTH || payload[0] != SP_ID_SET_DEPTH)
        return false;
    if (m == NULL)
        return true;
    m->depth_um = sp_get32(payload + 1);
    m->slew_um_per_s = sp_get32(payload + 5);
    return true;
}

size_t sp_pack_start(uint8_t *payload, size_t cap, const sp_start *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_START)
        return 0;
    payload[0] = SP_ID_START;
    return SP_LEN_START;
}

bool sp_unpack_start(const uint8_t *payload, size_t len, sp_start *m)
{
    if (payload == NULL || len != SP_LEN_START || payload[0] != SP_ID_START)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_stop(uint8_t *payload, size_t cap, const sp_stop *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_STOP)
        return 0;
    payload[0] = SP_ID_STOP;
    return SP_LEN_STOP;
}

bool sp_unpack_stop(const uint8_t *payload, size_t len, sp_stop *m)
{
    if (payload == NULL || len != SP_LEN_STOP || payload[0] != SP_ID_STOP)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_retract(uint8_t *payload, size_t cap, const sp_retract *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_RETRACT)
        return 0;
    payload[0] = SP_ID_RETRACT;
    return SP_LEN_RETRACT;
}

bool sp_unpack_retract(const uint8_t *payload, size_t len, sp_retract *m)
{
    if (payload == NULL || len != SP_LEN_RETRACT || payload[0] != SP_ID_RETRACT)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_heartbeat(uint8_t *payload, size_t cap, const sp_heartbeat *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_HEARTBEAT)
        return 0;
    payload[0] = SP_ID_HEARTBEAT;
    sp_put32(payload + 1, m->counter);
    return SP_LEN_HEARTBEAT;
}

bool sp_unpack_heartbeat(const uint8_t *payload, size_t len, sp_heartbeat *m)
{
    if (payload == NULL || len != SP_LEN_HEARTBEAT || payload[0] != SP_ID_HEARTBEAT)
        return false;
    if (m == NULL)
        return true;
    m->counter = sp_get32(payload + 1);
    return true;
}

size_t sp_pack_estop(uint8_t *payload, size_t cap, const sp_estop *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_ESTOP)
        return 0;
    payload[0] = SP_ID_ESTOP;
    return SP_LEN_ESTOP;
}

bool sp_unpack_estop(const uint8_t *payload, size_t len, sp_estop *m)
{
    if (payload == NULL || len != SP_LEN_ESTOP || payload[0] != SP_ID_ESTOP)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_reset_fault(uint8_t *payload, size_t cap, const sp_reset_fault *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_RESET_FAULT)
        return 0;
    payload[0] = SP_ID_RESET_FAULT;
    sp_put16(payload + 1, m->code);
    return SP_LEN_RESET_FAULT;
}

bool sp_unpack_reset_fault(const uint8_t *payload, size_t len, sp_reset_fault *m)
{
    if (payload == NULL || len != SP_LEN_RESET_FAULT || payload[0] != SP_ID_RESET_FAULT)
        return false;
    if (m == NULL)
        return true;
    m->code = sp_get16(payload + 1);
    return true;
}

size_t sp_pack_read_calibration(uint8_t *payload, size_t cap, const sp_read_calibration *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_READ_CALIBRATION)
        return 0;
    payload[0] = SP_ID_READ_CALIBRATION;
    return SP_LEN_READ_CALIBRATION;
}

bool sp_unpack_read_calibration(const uint8_t *payload, size_t len, sp_read_calibration *m)
{
    if (payload == NULL || len != SP_LEN_READ_CALIBRATION || payload[0] != SP_ID_READ_CALIBRATION)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_write_calibration(uint8_t *payload, size_t cap, const sp_write_calibration *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_WRITE_CALIBRATION)
        return 0;
    payload[0] = SP_ID_WRITE_CALIBRATION;
    sp_put32(payload + 1, (uint32_t)m->offset_um);
    sp_put32(payload + 5, m->scale_ppm);
    sp_put32(payload + 9, (uint32_t)m->quadratic_ppm);
    sp_put32(payload + 13, (uint32_t)m->cartridge_offset_um);
    sp_put64(payload + 17, m->expires_unix_s);
    return SP_LEN_WRITE_CALIBRATION;
}

bool sp_unpack_write_calibration(const uint8_t *payload, size_t len, sp_write_calibration *m)
{
    if (payload == NULL || len != SP_LEN_WRITE_CALIBRATION || payload[0] != SP_ID_WRITE_CALIBRATION)
        return false;
    if (m == NULL)
        return true;
    m->offset_um = sp_s32(sp_get32(payload + 1));
    m->scale_ppm = sp_get32(payload + 5);
    m->quadratic_ppm = sp_s32(sp_get32(payload + 9));
    m->cartridge_offset_um = sp_s32(sp_get32(payload + 13));
    m->expires_unix_s = sp_get64(payload + 17);
    return true;
}

size_t sp_pack_calibration(uint8_t *payload, size_t cap, const sp_calibration *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_CALIBRATION)
        return 0;
    payload[0] = SP_ID_CALIBRATION;
    sp_put32(payload + 1, (uint32_t)m->offset_um);
    sp_put32(payload + 5, m->scale_ppm);
    sp_put32(payload + 9, (uint32_t)m->quadratic_ppm);
    sp_put32(payload + 13, (uint32_t)m->cartridge_offset_um);
    sp_put64(payload + 17, m->expires_unix_s);
    return SP_LEN_CALIBRATION;
}

bool sp_unpack_calibration(const uint8_t *payload, size_t len, sp_calibration *m)
{
    if (payload == NULL || len != SP_LEN_CALIBRATION || payload[0] != SP_ID_CALIBRATION)
        return false;
    if (m == NULL)
        return true;
    m->offset_um = sp_s32(sp_get32(payload + 1));
    m->scale_ppm = sp_get32(payload + 5);
    m->quadratic_ppm = sp_s32(sp_get32(payload + 9));
    m->cartridge_offset_um = sp_s32(sp_get32(payload + 13));
    m->expires_unix_s = sp_get64(payload + 17);
    return true;
}

size_t sp_pack_get_cartridge(uint8_t *payload, size_t cap, const sp_get_cartridge *m)
{
    (void)m;
    if (payload == NULL || cap < SP_LEN_GET_CARTRIDGE)
        return 0;
    payload[0] = SP_ID_GET_CARTRIDGE;
    return SP_LEN_GET_CARTRIDGE;
}

bool sp_unpack_get_cartridge(const uint8_t *payload, size_t len, sp_get_cartridge *m)
{
    if (payload == NULL || len != SP_LEN_GET_CARTRIDGE || payload[0] != SP_ID_GET_CARTRIDGE)
        return false;
    if (m != NULL)
        m->unused = 0;
    return true;
}

size_t sp_pack_cartridge_info(uint8_t *payload, size_t cap, const sp_cartridge_info *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_CARTRIDGE_INFO)
        return 0;
    payload[0] = SP_ID_CARTRIDGE_INFO;
    sp_put64(payload + 1, m->cartridge_id);
    sp_put32(payload + 9, m->lot);
    sp_put16(payload + 13, m->use_count);
    payload[15] = m->present;
    return SP_LEN_CARTRIDGE_INFO;
}

bool sp_unpack_cartridge_info(const uint8_t *payload, size_t len, sp_cartridge_info *m)
{
    if (payload == NULL || len != SP_LEN_CARTRIDGE_INFO || payload[0] != SP_ID_CARTRIDGE_INFO)
        return false;
    if (m == NULL)
        return true;
    m->cartridge_id = sp_get64(payload + 1);
    m->lot = sp_get32(payload + 9);
    m->use_count = sp_get16(payload + 13);
    m->present = payload[15];
    return true;
}

size_t sp_pack_telemetry(uint8_t *payload, size_t cap, const sp_telemetry *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_TELEMETRY)
        return 0;
    payload[0] = SP_ID_TELEMETRY;
    sp_put64(payload + 1, m->device_ticks);
    sp_put32(payload + 9, m->rate_mhz);
    sp_put32(payload + 13, (uint32_t)m->depth_um);
    sp_put16(payload + 17, m->motor_current_ma);
    sp_put32(payload + 19, m->stroke_count);
    sp_put16(payload + 23, m->state_flags);
    return SP_LEN_TELEMETRY;
}

bool sp_unpack_telemetry(const uint8_t *payload, size_t len, sp_telemetry *m)
{
    if (payload == NULL || len != SP_LEN_TELEMETRY || payload[0] != SP_ID_TELEMETRY)
        return false;
    if (m == NULL)
        return true;
    m->device_ticks = sp_get64(payload + 1);
    m->rate_mhz = sp_get32(payload + 9);
    m->depth_um = sp_s32(sp_get32(payload + 13));
    m->motor_current_ma = sp_get16(payload + 17);
    m->stroke_count = sp_get32(payload + 19);
    m->state_flags = sp_get16(payload + 23);
    return true;
}

size_t sp_pack_fault_report(uint8_t *payload, size_t cap, const sp_fault_report *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_FAULT_REPORT)
        return 0;
    payload[0] = SP_ID_FAULT_REPORT;
    sp_put64(payload + 1, m->device_ticks);
    sp_put16(payload + 9, m->code);
    sp_put32(payload + 11, (uint32_t)m->detail);
    return SP_LEN_FAULT_REPORT;
}

bool sp_unpack_fault_report(const uint8_t *payload, size_t len, sp_fault_report *m)
{
    if (payload == NULL || len != SP_LEN_FAULT_REPORT || payload[0] != SP_ID_FAULT_REPORT)
        return false;
    if (m == NULL)
        return true;
    m->device_ticks = sp_get64(payload + 1);
    m->code = sp_get16(payload + 9);
    m->detail = sp_s32(sp_get32(payload + 11));
    return true;
}

size_t sp_pack_log_message(uint8_t *payload, size_t cap, const sp_log_message *m)
{
    size_t len;
    if (payload == NULL || m == NULL || m->text_len > 48)
        return 0;
    len = (size_t)SP_LEN_LOG_MESSAGE + m->text_len;
    if (cap < len)
        return 0;
    payload[0] = SP_ID_LOG_MESSAGE;
    payload[1] = m->level;
    payload[2] = m->text_len;
    memcpy(payload + 3, m->text, m->text_len);
    return len;
}

bool sp_unpack_log_message(const uint8_t *payload, size_t len, sp_log_message *m)
{
    if (payload == NULL || len < SP_LEN_LOG_MESSAGE || payload[0] != SP_ID_LOG_MESSAGE)
        return false;
    if (payload[2] > 48 || len != (size_t)SP_LEN_LOG_MESSAGE + payload[2])
        return false;
    if (m == NULL)
        return true;
    m->level = payload[1];
    m->text_len = payload[2];
    memcpy(m->text, payload + 3, m->text_len);
    memset(m->text + m->text_len, 0, sizeof m->text - m->text_len);
    return true;
}

size_t sp_pack_clock_request(uint8_t *payload, size_t cap, const sp_clock_request *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_CLOCK_REQUEST)
        return 0;
    payload[0] = SP_ID_CLOCK_REQUEST;
    sp_put32(payload + 1, m->nonce);
    return SP_LEN_CLOCK_REQUEST;
}

bool sp_unpack_clock_request(const uint8_t *payload, size_t len, sp_clock_request *m)
{
    if (payload == NULL || len != SP_LEN_CLOCK_REQUEST || payload[0] != SP_ID_CLOCK_REQUEST)
        return false;
    if (m == NULL)
        return true;
    m->nonce = sp_get32(payload + 1);
    return true;
}

size_t sp_pack_clock_reply(uint8_t *payload, size_t cap, const sp_clock_reply *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_CLOCK_REPLY)
        return 0;
    payload[0] = SP_ID_CLOCK_REPLY;
    sp_put32(payload + 1, m->nonce);
    sp_put64(payload + 5, m->device_ticks);
    return SP_LEN_CLOCK_REPLY;
}

bool sp_unpack_clock_reply(const uint8_t *payload, size_t len, sp_clock_reply *m)
{
    if (payload == NULL || len != SP_LEN_CLOCK_REPLY || payload[0] != SP_ID_CLOCK_REPLY)
        return false;
    if (m == NULL)
        return true;
    m->nonce = sp_get32(payload + 1);
    m->device_ticks = sp_get64(payload + 5);
    return true;
}

size_t sp_pack_command_result(uint8_t *payload, size_t cap, const sp_command_result *m)
{
    if (payload == NULL || m == NULL || cap < SP_LEN_COMMAND_RESULT)
        return 0;
    payload[0] = SP_ID_COMMAND_RESULT;
    payload[1] = m->command_id;
    sp_put16(payload + 2, m->status);
    sp_put32(payload + 4, (uint32_t)m->detail);
    return SP_LEN_COMMAND_RESULT;
}

bool sp_unpack_command_result(const uint8_t *payload, size_t len, sp_command_result *m)
{
    if (payload == NULL || len != SP_LEN_COMMAND_RESULT || payload[0] != SP_ID_COMMAND_RESULT)
        return false;
    if (m == NULL)
        return true;
    m->command_id = payload[1];
    m->status = sp_get16(payload + 2);
    m->detail = sp_s32(sp_get32(payload + 4));
    return true;
}
