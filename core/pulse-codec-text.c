/* PulseMQ — the str and bytes serializers
 *
 * str carries one UTF-8 string and bytes one byte string, as the original
 * does. What else the original lets through — bytes under the str flag
 * that are not UTF-8, a map under str — breaks its subscribers, so here it
 * is refused with an error instead.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"

/* UTF-8 as Python reads it: U+0000 is a character like any other, which
 * g_utf8_validate() refuses */
static gboolean
is_utf8 (const gchar *data, gsize len)
{
  const gchar *end = data + len;

  while (data < end) {
    const gchar *nul = memchr (data, '\0', end - data);
    gsize n = nul != NULL ? (gsize) (nul - data) : (gsize) (end - data);

    if (!g_utf8_validate_len (data, n, NULL))
      return FALSE;
    data += n + (nul != NULL ? 1 : 0);
  }
  return TRUE;
}

static const gchar *
shape_of (PulseBuffer *buffer)
{
  GVariant *value = pulse_buffer_get_value (buffer);

  if (value == NULL)
    /* TRANSLATORS: the format name, as pulse-inspect shows it: keep it */
    return _ ("records");
  return g_variant_get_type_string (value);
}

static GBytes *
refuse (PulseBuffer *buffer, const gchar *serializer, const gchar *wanted, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
      _ ("%s serializes %s, not %s: use msgpack or json for records"), serializer, wanted,
      shape_of (buffer));
  return NULL;
}

GBytes *
_pulse_str_serialize (PulseBuffer *buffer, GError **error)
{
  GVariant *value = pulse_buffer_get_value (buffer);

  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
    gsize len;
    const gchar *s = g_variant_get_string (value, &len);
    return g_bytes_new (s, len);
  }
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)) {
    /* the original passes bytes through under str: only honest if they are text */
    GBytes *bytes = g_variant_get_data_as_bytes (value);
    gsize len;
    const gchar *data = g_bytes_get_data (bytes, &len);
    if (!is_utf8 (data, len)) {
      g_bytes_unref (bytes);
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
          _ ("str cannot send bytes that are not UTF-8: use the bytes serializer"));
      return NULL;
    }
    return bytes;
  }
  return refuse (buffer, "str", _ ("a string"), error);
}

PulseBuffer *
_pulse_str_deserialize (GBytes *payload, GError **error)
{
  gsize len;
  const gchar *data = g_bytes_get_data (payload, &len);

  if (!g_utf8_validate_len (data, len, NULL)) {
    g_set_error (
        error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("str payload is not valid UTF-8"));
    return NULL;
  }
  /* an empty GBytes may have no data pointer at all */
  return pulse_buffer_new_value (g_variant_new_take_string (g_strndup (len > 0 ? data : "", len)));
}

GBytes *
_pulse_bytes_serialize (PulseBuffer *buffer, GError **error)
{
  GVariant *value = pulse_buffer_get_value (buffer);

  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    return g_variant_get_data_as_bytes (value);
  return refuse (buffer, "bytes", _ ("a byte string"), error);
}

PulseBuffer *
_pulse_bytes_deserialize (GBytes *payload, GError **error)
{
  /* no copy: the value shares the received payload */
  return pulse_buffer_new_value (
      g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, payload, TRUE));
}
