/* PulseMQ — the formats that pads carry
 *
 * Formats are few and explicit so that a pipeline can be checked when it is
 * built rather than when the first buffer arrives: `timer ! lz4` is refused
 * by the parser because records are not serialized bytes.
 */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PulseFormat:
 * @PULSE_FORMAT_NONE: no format (a pad that accepts nothing)
 * @PULSE_FORMAT_RECORDS: structured values, as a columnar #PulseRecordBatch
 * @PULSE_FORMAT_SERIALIZED: bytes written by a serializer
 * @PULSE_FORMAT_COMPRESSED: serialized bytes, then compressed
 * @PULSE_FORMAT_FRAME: a message as received from the wire
 * @PULSE_FORMAT_ANY: every format
 *
 * What a pad accepts or produces. A pad holds a set of formats; a buffer
 * has exactly one.
 */
typedef enum /*< flags >*/ {
  PULSE_FORMAT_NONE = 0,
  PULSE_FORMAT_RECORDS = 1 << 0,
  PULSE_FORMAT_SERIALIZED = 1 << 1,
  PULSE_FORMAT_COMPRESSED = 1 << 2,
  PULSE_FORMAT_FRAME = 1 << 3,
  PULSE_FORMAT_ANY = 0x0f,
} PulseFormat;

/**
 * PulseSerializer:
 * @PULSE_SERIALIZER_MSGPACK: MessagePack
 * @PULSE_SERIALIZER_BYTES: raw bytes
 * @PULSE_SERIALIZER_ARROW: Arrow IPC stream (the original's "pyarrow")
 * @PULSE_SERIALIZER_STR: UTF-8 text
 * @PULSE_SERIALIZER_JSON: compact JSON
 *
 * The serializer of a payload. The values are the wire codes of bits 0–2 of
 * the flags byte (PROTOCOL.md).
 */
typedef enum {
  PULSE_SERIALIZER_MSGPACK = 0,
  PULSE_SERIALIZER_BYTES = 1,
  PULSE_SERIALIZER_ARROW = 2,
  PULSE_SERIALIZER_STR = 4,
  PULSE_SERIALIZER_JSON = 5,
} PulseSerializer;

/**
 * PulseCompression:
 * @PULSE_COMPRESSION_NONE: not compressed
 * @PULSE_COMPRESSION_SNAPPY: raw Snappy block
 * @PULSE_COMPRESSION_LZ4: LZ4 frame
 * @PULSE_COMPRESSION_ZSTD: zstd frame
 *
 * The compression of a payload. The values are the wire codes of bits 3–4
 * of the flags byte.
 */
typedef enum {
  PULSE_COMPRESSION_NONE = 0,
  PULSE_COMPRESSION_SNAPPY = 1,
  PULSE_COMPRESSION_LZ4 = 2,
  PULSE_COMPRESSION_ZSTD = 3,
} PulseCompression;

gchar *pulse_format_to_string (PulseFormat formats);
const gchar *pulse_serializer_get_nick (PulseSerializer serializer);
const gchar *pulse_compression_get_nick (PulseCompression compression);

G_END_DECLS
