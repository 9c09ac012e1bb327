/* PulseMQ — the wire protocol
 *
 * A message is exactly four frames: topic, a 6-byte meta
 * [msg_type][flags][record_count u32 BE], an 8-byte int64 BE timestamp in
 * nanoseconds, and the payload. These functions write and read frames 2
 * and 3; everything about them that can be wrong in a received message is
 * an error here, so that a subscriber can count it and go on.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>

/**
 * pulse_frame_header_copy:
 * @header: a #PulseFrameHeader
 *
 * Returns: (transfer full): a copy
 */
PulseFrameHeader *
pulse_frame_header_copy (const PulseFrameHeader *header)
{
  g_return_val_if_fail (header != NULL, NULL);
  return g_memdup2 (header, sizeof *header);
}

/**
 * pulse_frame_header_free:
 * @header: (transfer full): a #PulseFrameHeader
 *
 * Frees a copy made by pulse_frame_header_copy().
 */
void
pulse_frame_header_free (PulseFrameHeader *header)
{
  g_free (header);
}

G_DEFINE_BOXED_TYPE (
    PulseFrameHeader, pulse_frame_header, pulse_frame_header_copy, pulse_frame_header_free)

/**
 * pulse_protocol_make_flags:
 * @serializer: the serializer
 * @compression: the compression
 *
 * Returns: the flags byte: serializer in bits 0–2, compression in bits 3–4
 */
guint8
pulse_protocol_make_flags (PulseSerializer serializer, PulseCompression compression)
{
  return (guint8) ((serializer & 0x07) | ((compression & 0x03) << 3));
}

/**
 * pulse_protocol_parse_flags:
 * @flags: a flags byte
 * @serializer: (out) (optional): the serializer
 * @compression: (out) (optional): the compression
 * @error: return location for a #GError
 *
 * Reads a flags byte. Bits 5–7 are reserved and ignored, as the original
 * does; serializer codes 3, 6 and 7 are unknown and an error (the original
 * silently takes them for msgpack).
 *
 * Returns: %TRUE if the flags name a known serializer
 */
gboolean
pulse_protocol_parse_flags (
    guint8 flags, PulseSerializer *serializer, PulseCompression *compression, GError **error)
{
  guint ser = flags & 0x07;

  if (ser == 3 || ser == 6 || ser == 7) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_MALFORMED,
        _ ("unknown serializer code %u in flags 0x%02x"), ser, flags);
    return FALSE;
  }
  if (serializer != NULL)
    *serializer = (PulseSerializer) ser;
  if (compression != NULL)
    *compression = (PulseCompression) ((flags >> 3) & 0x03);
  return TRUE;
}

/**
 * pulse_protocol_write_meta:
 * @meta: (out caller-allocates) (array fixed-size=6): where to write the 6 bytes
 * @msg_type: a #PulseMsgType
 * @flags: the flags byte
 * @record_count: the record count
 *
 * Writes frame 2.
 */
void
pulse_protocol_write_meta (guint8 *meta, guint8 msg_type, guint8 flags, guint32 record_count)
{
  g_return_if_fail (meta != NULL);
  meta[0] = msg_type;
  meta[1] = flags;
  meta[2] = (guint8) (record_count >> 24);
  meta[3] = (guint8) (record_count >> 16);
  meta[4] = (guint8) (record_count >> 8);
  meta[5] = (guint8) record_count;
}

/**
 * pulse_protocol_write_timestamp:
 * @timestamp: (out caller-allocates) (array fixed-size=8): where to write the 8 bytes
 * @ns: nanoseconds since the Unix epoch
 *
 * Writes frame 3, big-endian.
 */
void
pulse_protocol_write_timestamp (guint8 *timestamp, gint64 ns)
{
  guint64 v = (guint64) ns;

  g_return_if_fail (timestamp != NULL);
  for (gint i = 7; i >= 0; i--) {
    timestamp[i] = (guint8) v;
    v >>= 8;
  }
}

/**
 * pulse_protocol_parse_header:
 * @meta: (array length=meta_len): frame 2
 * @meta_len: its size
 * @timestamp: (array length=timestamp_len): frame 3
 * @timestamp_len: its size
 * @header: (out caller-allocates): what they say
 * @error: return location for a #GError (%PULSE_STREAM_ERROR_MALFORMED)
 *
 * Reads frames 2 and 3 of a received message. A meta frame must be exactly
 * 6 bytes and a timestamp exactly 8; the flags must name a known
 * serializer.
 *
 * Returns: %TRUE if the frames are well formed
 */
gboolean
pulse_protocol_parse_header (const guint8 *meta, gsize meta_len, const guint8 *timestamp,
    gsize timestamp_len, PulseFrameHeader *header, GError **error)
{
  guint64 ts = 0;

  g_return_val_if_fail (header != NULL, FALSE);

  if (meta == NULL || meta_len != PULSE_META_SIZE) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_MALFORMED,
        _ ("meta frame has %zu bytes instead of 6"), (size_t) meta_len);
    return FALSE;
  }
  if (timestamp == NULL || timestamp_len != PULSE_TIMESTAMP_SIZE) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_MALFORMED,
        _ ("timestamp frame has %zu bytes instead of 8"), (size_t) timestamp_len);
    return FALSE;
  }
  if (!pulse_protocol_parse_flags (meta[1], &header->serializer, &header->compression, error))
    return FALSE;
  header->msg_type = meta[0];
  header->flags = meta[1];
  header->record_count = ((guint32) meta[2] << 24) | ((guint32) meta[3] << 16) |
      ((guint32) meta[4] << 8) | meta[5];
  for (gint i = 0; i < 8; i++)
    ts = (ts << 8) | timestamp[i];
  header->timestamp_ns = (gint64) ts;
  return TRUE;
}

/**
 * pulse_protocol_check_record_count:
 * @count: the records a message would carry
 * @error: return location for a #GError (%PULSE_STREAM_ERROR_TOO_LARGE)
 *
 * Returns: %TRUE if @count is at most #PULSE_MAX_RECORDS_PER_FRAME
 */
gboolean
pulse_protocol_check_record_count (guint64 count, GError **error)
{
  if (count <= PULSE_MAX_RECORDS_PER_FRAME)
    return TRUE;
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_TOO_LARGE,
      _ ("a message holds at most 1,000,000 records, this one %llu: split it with batch"),
      (unsigned long long) count);
  return FALSE;
}
