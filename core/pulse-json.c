/* PulseMQ — JSON text, written by hand
 *
 * The print element, the json serializer and the admin API all write JSON
 * the way Python's json.dumps(separators=(",", ":"), ensure_ascii=False)
 * does, so output can be compared with the original's byte for byte. Not
 * json-glib: building a JsonNode per record is 30 times too slow for the
 * hot path (DESIGN.md).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

void
_pulse_json_append_string (GString *out, const gchar *s, gsize len)
{
  const gchar *p = s, *end = s + len;

  /* walk it ourselves rather than g_utf8_validate(): text may hold U+0000,
   * which JSON writes as \u0000, and an invalid byte becomes U+FFFD
   * without losing what follows */
  g_string_append_c (out, '"');
  while (p < end) {
    guchar ch = *p;
    gunichar c;
    const gchar *next;

    if (ch < 0x80) {
      switch (ch) {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (ch < 0x20)
            g_string_append_printf (out, "\\u%04x", ch);
          else
            g_string_append_c (out, ch);
      }
      p++;
      continue;
    }
    c = g_utf8_get_char_validated (p, end - p);
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      g_string_append (out, "\xef\xbf\xbd");
      p++;
      continue;
    }
    next = g_utf8_next_char (p);
    g_string_append_len (out, p, next - p);
    p = next;
  }
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as the same double, as repr() does. */
void
_pulse_json_append_double (GString *out, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v)) {
    g_string_append (out, "null");
    return;
  }
  for (gint prec = 15; prec <= 17; prec++) {
    g_ascii_formatd (buf, sizeof buf, prec == 15 ? "%.15g" : prec == 16 ? "%.16g" : "%.17g", v);
    if (g_ascii_strtod (buf, NULL) == v)
      break;
  }
  g_string_append (out, buf);
  /* keep it a float for readers that tell 1 from 1.0 */
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

/* A value tree (see #PulseBuffer for its types) as JSON. Bytes become
 * base64 strings and non-finite doubles null, as the original's msgspec
 * JSON encoder does. */
void
_pulse_json_append_variant (GString *out, GVariant *value)
{
  const GVariantType *type = g_variant_get_type (value);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT)) {
    g_autoptr (GVariant) inner = g_variant_get_variant (value);
    _pulse_json_append_variant (out, inner);
  } else if (g_variant_type_is_maybe (type)) {
    g_autoptr (GVariant) inner = g_variant_get_maybe (value);
    if (inner == NULL)
      g_string_append (out, "null");
    else
      _pulse_json_append_variant (out, inner);
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
    gsize len;
    const gchar *s = g_variant_get_string (value, &len);
    _pulse_json_append_string (out, s, len);
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)) {
    gsize len;
    const guint8 *data = g_variant_get_fixed_array (value, &len, 1);
    g_autofree gchar *b64 = g_base64_encode (data, len);
    _pulse_json_append_string (out, b64, strlen (b64));
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)) {
    g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64)) {
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64)) {
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32)) {
    g_string_append_printf (out, "%d", g_variant_get_int32 (value));
  } else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE)) {
    _pulse_json_append_double (out, g_variant_get_double (value));
  } else if (g_variant_type_is_array (type) &&
      g_variant_type_is_dict_entry (g_variant_type_element (type))) {
    GVariantIter iter;
    GVariant *entry;
    gboolean first = TRUE;

    g_string_append_c (out, '{');
    g_variant_iter_init (&iter, value);
    while ((entry = g_variant_iter_next_value (&iter)) != NULL) {
      g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr (GVariant) val = g_variant_get_child_value (entry, 1);
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      if (g_variant_is_of_type (key, G_VARIANT_TYPE_STRING)) {
        gsize len;
        const gchar *k = g_variant_get_string (key, &len);
        _pulse_json_append_string (out, k, len);
      } else {
        /* JSON keys are strings */
        g_autoptr (GString) k = g_string_new (NULL);
        _pulse_json_append_variant (k, key);
        _pulse_json_append_string (out, k->str, k->len);
      }
      g_string_append_c (out, ':');
      _pulse_json_append_variant (out, val);
      g_variant_unref (entry);
    }
    g_string_append_c (out, '}');
  } else if (g_variant_type_is_array (type) || g_variant_type_is_tuple (type)) {
    gsize n = g_variant_n_children (value);

    g_string_append_c (out, '[');
    for (gsize i = 0; i < n; i++) {
      g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
      if (i > 0)
        g_string_append_c (out, ',');
      _pulse_json_append_variant (out, child);
    }
    g_string_append_c (out, ']');
  } else {
    /* other basic types do not occur in values; write their text */
    g_autofree gchar *text = g_variant_print (value, FALSE);
    _pulse_json_append_string (out, text, strlen (text));
  }
}

/**
 * pulse_buffer_to_json:
 * @buffer: a #PulseBuffer of records (a batch or a value)
 *
 * Writes the records as compact JSON, as the json serializer sends them.
 *
 * Returns: (transfer full) (nullable): the JSON text, or %NULL for a
 * buffer of bytes
 */
gchar *
pulse_buffer_to_json (PulseBuffer *buffer)
{
  GString *out;

  g_return_val_if_fail (buffer != NULL, NULL);
  if (pulse_buffer_get_records (buffer) != NULL)
    return pulse_record_batch_to_json (pulse_buffer_get_records (buffer));
  if (pulse_buffer_get_value (buffer) == NULL)
    return NULL;
  out = g_string_new (NULL);
  _pulse_json_append_variant (out, pulse_buffer_get_value (buffer));
  return g_string_free (out, FALSE);
}
