/* PulseMQ — the wire protocol of the original PulseMQ 2.0 (PROTOCOL.md) */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-buffer.h"
#include "pulse-format.h"

G_BEGIN_DECLS

/**
 * PULSE_MAX_RECORDS_PER_FRAME:
 *
 * The most records one message may carry; a larger batch is an error,
 * never silently truncated.
 */
#define PULSE_MAX_RECORDS_PER_FRAME 1000000

/**
 * PULSE_META_SIZE:
 *
 * Bytes of frame 2: `[msg_type u8][flags u8][record_count u32 BE]`.
 */
#define PULSE_META_SIZE 6

/**
 * PULSE_TIMESTAMP_SIZE:
 *
 * Bytes of frame 3: nanoseconds since the Unix epoch, int64 big-endian.
 */
#define PULSE_TIMESTAMP_SIZE 8

/**
 * PulseMsgType:
 * @PULSE_MSG_TYPE_DATA: a data message
 * @PULSE_MSG_TYPE_PING: a heartbeat: empty payload, record count 0
 *
 * Byte 0 of the meta frame.
 */
typedef enum {
  PULSE_MSG_TYPE_DATA = 0x01,
  PULSE_MSG_TYPE_PING = 0x02,
} PulseMsgType;

/**
 * PulseFrameHeader:
 * @msg_type: byte 0 of the meta frame (a #PulseMsgType, or an unknown value)
 * @flags: the flags byte
 * @serializer: the serializer named by the flags
 * @compression: the compression named by the flags
 * @record_count: the records the publisher says the payload holds
 * @timestamp_ns: the publisher's send time, nanoseconds since the Unix epoch
 *
 * What frames 2 and 3 of a message say.
 */
typedef struct {
  guint8 msg_type;
  guint8 flags;
  PulseSerializer serializer;
  PulseCompression compression;
  guint32 record_count;
  gint64 timestamp_ns;
} PulseFrameHeader;

#define PULSE_TYPE_FRAME_HEADER (pulse_frame_header_get_type ())
GType pulse_frame_header_get_type (void) G_GNUC_CONST;
PulseFrameHeader *pulse_frame_header_copy (const PulseFrameHeader *header);
void pulse_frame_header_free (PulseFrameHeader *header);

guint8 pulse_protocol_make_flags (PulseSerializer serializer, PulseCompression compression);
gboolean pulse_protocol_parse_flags (
    guint8 flags, PulseSerializer *serializer, PulseCompression *compression, GError **error);
void pulse_protocol_write_meta (guint8 *meta, guint8 msg_type, guint8 flags, guint32 record_count);
void pulse_protocol_write_timestamp (guint8 *timestamp, gint64 ns);
gboolean pulse_protocol_parse_header (const guint8 *meta, gsize meta_len, const guint8 *timestamp,
    gsize timestamp_len, PulseFrameHeader *header, GError **error);
gboolean pulse_protocol_check_record_count (guint64 count, GError **error);

G_END_DECLS
