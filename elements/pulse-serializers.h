/* PulseMQ — the serializer elements: msgpack, json, str, bytes, arrow (and
 * its alias pyarrow). Each is a PulseCodec with its metadata. */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

GType pulse_msgpack_codec_get_type (void);
GType pulse_json_codec_get_type (void);
GType pulse_str_codec_get_type (void);
GType pulse_bytes_codec_get_type (void);
GType pulse_arrow_codec_get_type (void);
GType pulse_pyarrow_codec_get_type (void);

G_END_DECLS
