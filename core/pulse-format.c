/* PulseMQ — formats */
#include "config.h"

#include <pulsemq/pulsemq.h>

/**
 * pulse_format_to_string:
 * @formats: a set of formats
 *
 * Names a set of formats: `records`, `serialized|compressed`, `any`.
 *
 * Returns: (transfer full): the names of @formats
 */
gchar *
pulse_format_to_string (PulseFormat formats)
{
  static const struct {
    PulseFormat f;
    const gchar *name;
  } names[] = {
    { PULSE_FORMAT_RECORDS, "records" },
    { PULSE_FORMAT_SERIALIZED, "serialized" },
    { PULSE_FORMAT_COMPRESSED, "compressed" },
    { PULSE_FORMAT_FRAME, "frame" },
  };
  GString *s;

  if (formats == PULSE_FORMAT_ANY)
    return g_strdup ("any");
  if (formats == PULSE_FORMAT_NONE)
    return g_strdup ("none");

  s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (!(formats & names[i].f))
      continue;
    if (s->len > 0)
      g_string_append_c (s, '|');
    g_string_append (s, names[i].name);
  }
  return g_string_free (s, FALSE);
}

/**
 * pulse_serializer_get_nick:
 * @serializer: a serializer
 *
 * Returns: (transfer none): the serializer's name as users write it
 * (`msgpack`, `json`, …), or `unknown`
 */
const gchar *
pulse_serializer_get_nick (PulseSerializer serializer)
{
  switch (serializer) {
    case PULSE_SERIALIZER_MSGPACK: return "msgpack";
    case PULSE_SERIALIZER_BYTES: return "bytes";
    case PULSE_SERIALIZER_ARROW: return "arrow";
    case PULSE_SERIALIZER_STR: return "str";
    case PULSE_SERIALIZER_JSON: return "json";
    default: return "unknown";
  }
}

/**
 * pulse_compression_get_nick:
 * @compression: a compression
 *
 * Returns: (transfer none): the compression's name (`none`, `lz4`, …), or
 * `unknown`
 */
const gchar *
pulse_compression_get_nick (PulseCompression compression)
{
  switch (compression) {
    case PULSE_COMPRESSION_NONE: return "none";
    case PULSE_COMPRESSION_SNAPPY: return "snappy";
    case PULSE_COMPRESSION_LZ4: return "lz4";
    case PULSE_COMPRESSION_ZSTD: return "zstd";
    default: return "unknown";
  }
}
