/* PulseMQ — the json serializer
 *
 * Encoding writes what the original's msgspec.json.encode() writes:
 * compact, UTF-8 without \u escapes, bytes as base64 strings, NaN and
 * infinities as null, and floats in msgspec's own shortest form (`1e16`,
 * `0.00001`, `1.5e-7`), which differs from Python's repr for large and
 * small exponents. That is why this file formats floats itself instead of
 * using _pulse_json_append_double(), which follows json.dumps for print
 * and the admin API. A map with non-string keys (`a(vv)`) is an object
 * whose integer keys are written as text, as msgspec does; other keys are
 * refused.
 *
 * Decoding is strict RFC 8259 JSON (no NaN, no comments, no trailing
 * commas, valid UTF-8, no lone surrogates, at most MAX_DEPTH nested
 * containers). It builds msgpack-c objects in a zone and hands them to the
 * conversion the msgpack codec uses, so both produce the same batch or
 * value tree for the same data: integers as `x` (`t` above the int64
 * range; beyond 64 bits an error), numbers with a fraction or an exponent
 * as `d`.
 */
#include "config.h"

#include <inttypes.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <msgpack.h>

#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
#include "pulse-private.h"

#define MAX_DEPTH 64

/* ---- encoding ------------------------------------------------------------ */

/* msgspec's layout of the shortest digits that read back as @v */
static void
append_double (GString *out, gdouble v)
{
  static const gchar *const formats[] = { "%.0e", "%.1e", "%.2e", "%.3e", "%.4e", "%.5e", "%.6e",
    "%.7e", "%.8e", "%.9e", "%.10e", "%.11e", "%.12e", "%.13e", "%.14e", "%.15e", "%.16e" };
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE], digits[24];
  gint n_digits = 0, exp10, kk;
  const gchar *p;

  if (!isfinite (v)) {
    g_string_append (out, "null");
    return;
  }
  if (v == 0) {
    g_string_append (out, signbit (v) ? "-0.0" : "0.0");
    return;
  }
  /* a normal double that reads back from 15 digits has its shortest form
   * among them, trailing zeros aside; subnormals have fewer bits, so try
   * every length */
  for (guint i = fabs (v) < DBL_MIN ? 0 : 14; i < G_N_ELEMENTS (formats); i++) {
    g_ascii_formatd (buf, sizeof buf, formats[i], v);
    if (g_ascii_strtod (buf, NULL) == v)
      break;
  }
  /* buf is [-]d.ddde±x: take the digits, drop trailing zeros */
  p = buf;
  if (*p == '-') {
    g_string_append_c (out, '-');
    p++;
  }
  for (; *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[n_digits++] = *p;
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  exp10 = atoi (p + 1);
  kk = exp10 + 1; /* the value is 0.digits × 10^kk */

  if (kk - n_digits >= 0 && kk <= 16) {
    g_string_append_len (out, digits, n_digits);
    for (gint i = n_digits; i < kk; i++)
      g_string_append_c (out, '0');
    g_string_append (out, ".0");
  } else if (kk > 0 && kk <= 16) {
    g_string_append_len (out, digits, kk);
    g_string_append_c (out, '.');
    g_string_append_len (out, digits + kk, n_digits - kk);
  } else if (kk > -5 && kk <= 0) {
    g_string_append (out, "0.");
    for (gint i = 0; i < -kk; i++)
      g_string_append_c (out, '0');
    g_string_append_len (out, digits, n_digits);
  } else {
    g_string_append_c (out, digits[0]);
    if (n_digits > 1) {
      g_string_append_c (out, '.');
      g_string_append_len (out, digits + 1, n_digits - 1);
    }
    g_string_append_printf (out, "e%d", kk - 1);
  }
}

static void
append_base64 (GString *out, const guint8 *data, gsize len)
{
  g_autofree gchar *b64 = g_base64_encode (data, len);

  g_string_append_c (out, '"');
  g_string_append (out, b64);
  g_string_append_c (out, '"');
}

static void
append_row (GString *out, const PulseColumnView *cols, guint n_cols, guint r)
{
  g_string_append_c (out, '{');
  for (guint c = 0; c < n_cols; c++) {
    const PulseColumnView *v = &cols[c];

    if (c > 0)
      g_string_append_c (out, ',');
    _pulse_json_append_string (out, v->name, strlen (v->name));
    g_string_append_c (out, ':');
    if (v->validity != NULL && !(v->validity[r / 8] & (1u << (r % 8)))) {
      g_string_append (out, "null");
      continue;
    }
    switch (v->type) {
      case PULSE_COLUMN_INT64:
      case PULSE_COLUMN_TIMESTAMP_NS: {
        gint64 x;
        memcpy (&x, v->data + (gsize) r * 8, 8);
        g_string_append_printf (out, "%" PRId64, x);
        break;
      }
      case PULSE_COLUMN_FLOAT64: {
        gdouble d;
        memcpy (&d, v->data + (gsize) r * 8, 8);
        append_double (out, d);
        break;
      }
      case PULSE_COLUMN_BOOL: g_string_append (out, v->data[r] ? "true" : "false"); break;
      case PULSE_COLUMN_UTF8:
        _pulse_json_append_string (
            out, (const gchar *) v->data + v->offsets[r], v->offsets[r + 1] - v->offsets[r]);
        break;
      case PULSE_COLUMN_BINARY:
        append_base64 (out, v->data + v->offsets[r], v->offsets[r + 1] - v->offsets[r]);
        break;
    }
  }
  g_string_append_c (out, '}');
}

static gboolean
write_batch (GString *out, PulseRecordBatch *batch, GError **error)
{
  guint n_cols = pulse_record_batch_get_n_columns (batch);
  guint n_rows = pulse_record_batch_get_n_rows (batch);
  g_autofree PulseColumnView *cols = g_new (PulseColumnView, MAX (n_cols, 1));

  for (guint c = 0; c < n_cols; c++) {
    peek_column (batch, c, &cols[c]);
  }
  if (pulse_record_batch_get_shape (batch) == PULSE_RECORD_SHAPE_MAP && n_rows == 1) {
    append_row (out, cols, n_cols, 0);
    return TRUE;
  }
  g_string_append_c (out, '[');
  for (guint r = 0; r < n_rows; r++) {
    if (r > 0)
      g_string_append_c (out, ',');
    append_row (out, cols, n_cols, r);
  }
  g_string_append_c (out, ']');
  return TRUE;
}

static gboolean
refuse_type (GVariant *value, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
      _ ("json cannot serialize a value of type \"%s\": use s, ay, x, t, d, b, mv, av, a{sv} "
         "or a(vv)"),
      g_variant_get_type_string (value));
  return FALSE;
}

static gboolean write_variant (GString *out, GVariant *value, GError **error);

/* an `a(vv)` key: text as is, integers as their decimal text */
static gboolean
write_key (GString *out, GVariant *key, GError **error)
{
  while (g_variant_is_of_type (key, G_VARIANT_TYPE_VARIANT)) {
    GVariant *inner = g_variant_get_variant (key);
    g_variant_unref (key);
    key = inner;
  }
  if (g_variant_is_of_type (key, G_VARIANT_TYPE_STRING)) {
    gsize len;
    const gchar *s = g_variant_get_string (key, &len);
    _pulse_json_append_string (out, s, len);
  } else if (g_variant_is_of_type (key, G_VARIANT_TYPE_INT64)) {
    g_string_append_printf (out, "\"%" PRId64 "\"", g_variant_get_int64 (key));
  } else if (g_variant_is_of_type (key, G_VARIANT_TYPE_UINT64)) {
    g_string_append_printf (out, "\"%" PRIu64 "\"", g_variant_get_uint64 (key));
  } else {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("json object keys must be strings or integers, not \"%s\""),
        g_variant_get_type_string (key));
    g_variant_unref (key);
    return FALSE;
  }
  g_variant_unref (key);
  return TRUE;
}

static gboolean
write_map (GString *out, GVariant *value, gboolean string_keys, GError **error)
{
  gsize n = g_variant_n_children (value);

  g_string_append_c (out, '{');
  for (gsize i = 0; i < n; i++) {
    g_autoptr (GVariant) entry = g_variant_get_child_value (value, i);
    g_autoptr (GVariant) val = g_variant_get_child_value (entry, 1);

    if (i > 0)
      g_string_append_c (out, ',');
    if (string_keys) {
      gsize len;
      const gchar *k;
      g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
      k = g_variant_get_string (key, &len);
      _pulse_json_append_string (out, k, len);
    } else if (!write_key (out, g_variant_get_child_value (entry, 0), error)) {
      return FALSE;
    }
    g_string_append_c (out, ':');
    if (!write_variant (out, val, error))
      return FALSE;
  }
  g_string_append_c (out, '}');
  return TRUE;
}

static gboolean
write_variant (GString *out, GVariant *value, GError **error)
{
  const GVariantType *type = g_variant_get_type (value);

  switch (g_variant_classify (value)) {
    case G_VARIANT_CLASS_VARIANT: {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      return write_variant (out, inner, error);
    }
    case G_VARIANT_CLASS_MAYBE: {
      g_autoptr (GVariant) inner = g_variant_get_maybe (value);
      if (inner == NULL) {
        g_string_append (out, "null");
        return TRUE;
      }
      return write_variant (out, inner, error);
    }
    case G_VARIANT_CLASS_STRING: {
      gsize len;
      const gchar *s = g_variant_get_string (value, &len);
      _pulse_json_append_string (out, s, len);
      return TRUE;
    }
    case G_VARIANT_CLASS_BOOLEAN:
      g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
      return TRUE;
    case G_VARIANT_CLASS_INT64:
      g_string_append_printf (out, "%" PRId64, g_variant_get_int64 (value));
      return TRUE;
    case G_VARIANT_CLASS_UINT64:
      g_string_append_printf (out, "%" PRIu64, g_variant_get_uint64 (value));
      return TRUE;
    case G_VARIANT_CLASS_DOUBLE: append_double (out, g_variant_get_double (value)); return TRUE;
    case G_VARIANT_CLASS_ARRAY: {
      const GVariantType *element = g_variant_type_element (type);
      gsize n;

      if (g_variant_type_equal (type, G_VARIANT_TYPE_BYTESTRING)) {
        const guint8 *data = g_variant_get_fixed_array (value, &n, 1);
        append_base64 (out, data, n);
        return TRUE;
      }
      if (g_variant_type_is_dict_entry (element)) {
        if (!g_variant_type_equal (g_variant_type_key (element), G_VARIANT_TYPE_STRING))
          return refuse_type (value, error);
        return write_map (out, value, TRUE, error);
      }
      if (g_variant_type_equal (element, G_VARIANT_TYPE ("(vv)")))
        return write_map (out, value, FALSE, error);
      n = g_variant_n_children (value);
      g_string_append_c (out, '[');
      for (gsize i = 0; i < n; i++) {
        g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
        if (i > 0)
          g_string_append_c (out, ',');
        if (!write_variant (out, child, error))
          return FALSE;
      }
      g_string_append_c (out, ']');
      return TRUE;
    }
    default: return refuse_type (value, error);
  }
}

GBytes *
_pulse_json_serialize (PulseBuffer *buffer, GError **error)
{
  PulseRecordBatch *batch = pulse_buffer_get_records (buffer);
  GVariant *value = pulse_buffer_get_value (buffer);
  GString *out;
  gboolean ok;

  if (batch == NULL && value == NULL) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("json serializes records, not bytes"));
    return NULL;
  }
  out = g_string_new (NULL);
  ok = batch != NULL ? write_batch (out, batch, error) : write_variant (out, value, error);
  if (!ok) {
    g_string_free (out, TRUE);
    return NULL;
  }
  return g_string_free_to_bytes (out);
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct {
  const gchar *start;
  const gchar *p;
  const gchar *end;
  msgpack_zone *zone;
  gint depth;
  GError **error;
} Parser;

static gboolean
fail (Parser *parser, const gchar *what)
{
  if (parser->p >= parser->end)
    g_set_error (parser->error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("invalid JSON: %s at the end of the payload (truncated?)"), what);
  else
    g_set_error (parser->error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("invalid JSON: %s at offset %zu"), what, (gsize) (parser->p - parser->start));
  return FALSE;
}

static void
skip_space (Parser *parser)
{
  while (parser->p < parser->end &&
      (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r'))
    parser->p++;
}

static gboolean
literal (Parser *parser, const gchar *word)
{
  gsize len = strlen (word);

  if ((gsize) (parser->end - parser->p) < len || memcmp (parser->p, word, len) != 0)
    return fail (parser, _ ("unexpected token"));
  parser->p += len;
  return TRUE;
}

static gint
hex4 (const gchar *p)
{
  gint v = 0;

  for (gint i = 0; i < 4; i++) {
    gint d = g_ascii_xdigit_value (p[i]);
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

static gboolean
parse_string (Parser *parser, msgpack_object *out)
{
  const gchar *begin = ++parser->p; /* past the quote */
  GString *text = NULL;

  while (TRUE) {
    guchar ch;

    if (parser->p >= parser->end)
      goto unterminated;
    ch = *parser->p;
    if (ch == '"')
      break;
    if (ch < 0x20) {
      if (text != NULL)
        g_string_free (text, TRUE);
      return fail (parser, _ ("control character in a string"));
    }
    if (ch != '\\') {
      if (text != NULL)
        g_string_append_c (text, ch);
      parser->p++;
      continue;
    }
    if (text == NULL)
      text = g_string_new_len (begin, parser->p - begin);
    if (parser->end - parser->p < 2)
      goto unterminated;
    switch (parser->p[1]) {
      case '"': g_string_append_c (text, '"'); break;
      case '\\': g_string_append_c (text, '\\'); break;
      case '/': g_string_append_c (text, '/'); break;
      case 'b': g_string_append_c (text, '\b'); break;
      case 'f': g_string_append_c (text, '\f'); break;
      case 'n': g_string_append_c (text, '\n'); break;
      case 'r': g_string_append_c (text, '\r'); break;
      case 't': g_string_append_c (text, '\t'); break;
      case 'u': {
        gint cp;

        if (parser->end - parser->p < 6 || (cp = hex4 (parser->p + 2)) < 0)
          goto bad_escape;
        if (cp >= 0xdc00 && cp <= 0xdfff)
          goto bad_escape;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          gint low;
          if (parser->end - parser->p < 12 || parser->p[6] != '\\' || parser->p[7] != 'u' ||
              (low = hex4 (parser->p + 8)) < 0xdc00 || low > 0xdfff)
            goto bad_escape;
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          parser->p += 6;
        }
        g_string_append_unichar (text, cp);
        parser->p += 4;
        break;
      }
      default: goto bad_escape;
    }
    parser->p += 2;
  }

  out->type = MSGPACK_OBJECT_STR;
  if (text == NULL) {
    /* no escapes: point into the payload, which outlives the objects */
    out->via.str.ptr = begin;
    out->via.str.size = parser->p - begin;
  } else {
    gchar *copy = msgpack_zone_malloc (parser->zone, MAX (text->len, 1));
    if (copy == NULL) {
      g_string_free (text, TRUE);
      return fail (parser, _ ("out of memory"));
    }
    memcpy (copy, text->str, text->len);
    out->via.str.ptr = copy;
    out->via.str.size = text->len;
    g_string_free (text, TRUE);
  }
  parser->p++;
  return TRUE;

bad_escape:
  if (text != NULL)
    g_string_free (text, TRUE);
  return fail (parser, _ ("invalid escape or lone surrogate in a string"));
unterminated:
  if (text != NULL)
    g_string_free (text, TRUE);
  return fail (parser, _ ("unterminated string"));
}

static gboolean
parse_number (Parser *parser, msgpack_object *out)
{
  const gchar *begin = parser->p, *p = parser->p, *end = parser->end;
  gboolean negative = FALSE, integral = TRUE, overflow = FALSE;
  guint64 magnitude = 0;

  if (*p == '-') {
    negative = TRUE;
    p++;
  }
  if (p >= end || !g_ascii_isdigit (*p)) {
    parser->p = p;
    return fail (parser, _ ("invalid number"));
  }
  if (*p == '0') {
    p++;
  } else {
    for (; p < end && g_ascii_isdigit (*p); p++) {
      guint d = *p - '0';
      if (magnitude > (G_MAXUINT64 - d) / 10)
        overflow = TRUE;
      else
        magnitude = magnitude * 10 + d;
    }
  }
  if (p < end && *p == '.') {
    integral = FALSE;
    p++;
    if (p >= end || !g_ascii_isdigit (*p)) {
      parser->p = p;
      return fail (parser, _ ("invalid number"));
    }
    while (p < end && g_ascii_isdigit (*p))
      p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    integral = FALSE;
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    if (p >= end || !g_ascii_isdigit (*p)) {
      parser->p = p;
      return fail (parser, _ ("invalid number"));
    }
    while (p < end && g_ascii_isdigit (*p))
      p++;
  }
  parser->p = p;

  if (integral) {
    if (overflow || (negative && magnitude > (guint64) G_MAXINT64 + 1)) {
      parser->p = begin;
      return fail (parser, _ ("integer beyond the 64-bit range"));
    }
    if (negative && magnitude > 0) {
      out->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
      out->via.i64 = (gint64) (0 - magnitude);
    } else {
      out->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
      out->via.u64 = magnitude;
    }
  } else {
    g_autofree gchar *token = g_strndup (begin, p - begin);
    out->type = MSGPACK_OBJECT_FLOAT64;
    out->via.f64 = g_ascii_strtod (token, NULL);
  }
  return TRUE;
}

static gboolean parse_value (Parser *parser, msgpack_object *out);

/* Elements go to a growing array first, then to the zone once their
 * number is known. */
static gboolean
parse_container (Parser *parser, msgpack_object *out)
{
  gboolean is_map = *parser->p == '{';
  gchar close = is_map ? '}' : ']';
  g_autoptr (GArray) items = NULL;
  gsize size;

  if (++parser->depth > MAX_DEPTH)
    return fail (parser, _ ("containers nested too deeply"));
  items = g_array_new (FALSE, FALSE, is_map ? sizeof (msgpack_object_kv) : sizeof (msgpack_object));
  parser->p++;
  skip_space (parser);
  if (parser->p < parser->end && *parser->p == close) {
    parser->p++;
  } else {
    while (TRUE) {
      if (is_map) {
        msgpack_object_kv kv;
        skip_space (parser);
        if (parser->p >= parser->end || *parser->p != '"')
          return fail (parser, _ ("expected a string key"));
        if (!parse_string (parser, &kv.key))
          return FALSE;
        skip_space (parser);
        if (parser->p >= parser->end || *parser->p != ':')
          return fail (parser, _ ("expected ':'"));
        parser->p++;
        if (!parse_value (parser, &kv.val))
          return FALSE;
        g_array_append_val (items, kv);
      } else {
        msgpack_object item;
        if (!parse_value (parser, &item))
          return FALSE;
        g_array_append_val (items, item);
      }
      skip_space (parser);
      if (parser->p < parser->end && *parser->p == ',') {
        parser->p++;
        continue;
      }
      if (parser->p < parser->end && *parser->p == close) {
        parser->p++;
        break;
      }
      return fail (parser, is_map ? _ ("expected ',' or '}'") : _ ("expected ',' or ']'"));
    }
  }
  parser->depth--;

  size = items->len * (gsize) g_array_get_element_size (items);
  if (items->len > G_MAXUINT32)
    return fail (parser, _ ("too many elements"));
  out->type = is_map ? MSGPACK_OBJECT_MAP : MSGPACK_OBJECT_ARRAY;
  if (is_map)
    out->via.map.size = items->len;
  else
    out->via.array.size = items->len;
  if (items->len == 0) {
    if (is_map)
      out->via.map.ptr = NULL;
    else
      out->via.array.ptr = NULL;
    return TRUE;
  }
  {
    gpointer copy = msgpack_zone_malloc (parser->zone, size);
    if (copy == NULL)
      return fail (parser, _ ("out of memory"));
    memcpy (copy, items->data, size);
    if (is_map)
      out->via.map.ptr = copy;
    else
      out->via.array.ptr = copy;
  }
  return TRUE;
}

static gboolean
parse_value (Parser *parser, msgpack_object *out)
{
  skip_space (parser);
  if (parser->p >= parser->end)
    return fail (parser, _ ("expected a value"));
  switch (*parser->p) {
    case '{':
    case '[': return parse_container (parser, out);
    case '"': return parse_string (parser, out);
    case 't':
      out->type = MSGPACK_OBJECT_BOOLEAN;
      out->via.boolean = TRUE;
      return literal (parser, "true");
    case 'f':
      out->type = MSGPACK_OBJECT_BOOLEAN;
      out->via.boolean = FALSE;
      return literal (parser, "false");
    case 'n': out->type = MSGPACK_OBJECT_NIL; return literal (parser, "null");
    default:
      if (*parser->p == '-' || g_ascii_isdigit (*parser->p))
        return parse_number (parser, out);
      return fail (parser, _ ("unexpected character"));
  }
}

PulseBuffer *
_pulse_json_deserialize (GBytes *payload, GError **error)
{
  gsize len;
  const gchar *data = g_bytes_get_data (payload, &len);
  const gchar *bad;
  msgpack_zone zone;
  msgpack_object object;
  PulseBuffer *buffer = NULL;
  Parser parser;

  if (len == 0) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("empty JSON payload"));
    return NULL;
  }
  /* NUL is never valid in JSON text either, raw */
  if (!g_utf8_validate_len (data, len, &bad)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("JSON payload is not valid UTF-8 at offset %zu"), (gsize) (bad - data));
    return NULL;
  }
  if (!msgpack_zone_init (&zone, MSGPACK_ZONE_CHUNK_SIZE)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("out of memory"));
    return NULL;
  }
  parser.start = parser.p = data;
  parser.end = data + len;
  parser.zone = &zone;
  parser.depth = 0;
  parser.error = error;
  if (parse_value (&parser, &object)) {
    skip_space (&parser);
    if (parser.p != parser.end)
      fail (&parser, _ ("unexpected data after the value"));
    else
      buffer = _pulse_msgpack_object_to_buffer (&object, error);
  }
  msgpack_zone_destroy (&zone);
  return buffer;
}
