/* The Arrow IPC stream codec: round trips of every column type, the exact
 * framing of what we write, and a decoder that refuses damaged and hostile
 * streams without crashing. Another reader (apache-arrow) checks our
 * streams in tests/interop/test_arrow_interop.py. */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>

static const gchar *const names[] = { "i", "f", "b", "s", "y", "t" };
static const PulseColumnType types[] = {
  PULSE_COLUMN_INT64,
  PULSE_COLUMN_FLOAT64,
  PULSE_COLUMN_BOOL,
  PULSE_COLUMN_UTF8,
  PULSE_COLUMN_BINARY,
  PULSE_COLUMN_TIMESTAMP_NS,
};

/* n rows of every type; with @nulls, a null at every third row of each
 * column (shifted per column, so rows are never entirely null) */
static PulseRecordBatch *
make_batch (guint n, gboolean nulls)
{
  PulseRecordBatch *batch = pulse_record_batch_new ();

  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    pulse_record_batch_add_column (batch, names[c], types[c]);
  for (guint r = 0; r < n; r++) {
    gchar text[32];
    guint8 bytes[3] = { r & 0xff, 0, 0xff };

    g_snprintf (text, sizeof text, "é-%u", r);
    for (guint c = 0; c < G_N_ELEMENTS (names); c++) {
      if (nulls && (r + c) % 3 == 0) {
        pulse_record_batch_append_null (batch, c);
        continue;
      }
      switch (types[c]) {
        case PULSE_COLUMN_INT64:
          pulse_record_batch_append_int64 (
              batch, c, r % 2 ? -(gint64) r * 1000003 : G_MAXINT64 - r);
          break;
        case PULSE_COLUMN_FLOAT64: pulse_record_batch_append_double (batch, c, r / 7.0 - 3); break;
        case PULSE_COLUMN_BOOL: pulse_record_batch_append_boolean (batch, c, r % 5 < 2); break;
        case PULSE_COLUMN_UTF8:
          pulse_record_batch_append_string (batch, c, r % 4 == 0 ? "" : text, -1);
          break;
        case PULSE_COLUMN_BINARY: pulse_record_batch_append_binary (batch, c, bytes, r % 4); break;
        case PULSE_COLUMN_TIMESTAMP_NS:
          pulse_record_batch_append_timestamp (
              batch, c, G_GINT64_CONSTANT (1700000000123456789) + r);
          break;
      }
    }
    pulse_record_batch_end_row (batch);
  }
  return batch;
}

static void
assert_same (PulseRecordBatch *a, PulseRecordBatch *b)
{
  guint n_cols = pulse_record_batch_get_n_columns (a);
  guint n = pulse_record_batch_get_n_rows (a);

  g_assert_cmpuint (pulse_record_batch_get_n_columns (b), ==, n_cols);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (b), ==, n);
  for (guint c = 0; c < n_cols; c++) {
    PulseColumnType type = pulse_record_batch_get_column_type (a, c);

    g_assert_cmpstr (
        pulse_record_batch_get_column_name (a, c), ==, pulse_record_batch_get_column_name (b, c));
    g_assert_cmpint (pulse_record_batch_get_column_type (b, c), ==, type);
    for (guint r = 0; r < n; r++) {
      gboolean null = pulse_record_batch_is_null (a, c, r);

      g_assert_cmpint (pulse_record_batch_is_null (b, c, r), ==, null);
      if (null)
        continue;
      switch (type) {
        case PULSE_COLUMN_INT64:
        case PULSE_COLUMN_TIMESTAMP_NS:
          g_assert_cmpint (
              pulse_record_batch_get_int64 (a, c, r), ==, pulse_record_batch_get_int64 (b, c, r));
          break;
        case PULSE_COLUMN_FLOAT64:
          g_assert_cmpfloat (
              pulse_record_batch_get_double (a, c, r), ==, pulse_record_batch_get_double (b, c, r));
          break;
        case PULSE_COLUMN_BOOL:
          g_assert_cmpint (pulse_record_batch_get_boolean (a, c, r), ==,
              pulse_record_batch_get_boolean (b, c, r));
          break;
        case PULSE_COLUMN_UTF8:
        case PULSE_COLUMN_BINARY: {
          gsize la, lb;
          const gchar *sa = pulse_record_batch_peek_string (a, c, r, &la);
          const gchar *sb = pulse_record_batch_peek_string (b, c, r, &lb);
          g_assert_cmpmem (sa, la, sb, lb);
          break;
        }
      }
    }
  }
}

static GBytes *
serialize_batch (PulseRecordBatch *batch)
{
  g_autoptr (PulseBuffer) buffer = pulse_buffer_new_records (batch);
  g_autoptr (GError) error = NULL;
  GBytes *bytes = pulse_serialize (PULSE_SERIALIZER_ARROW, buffer, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static PulseRecordBatch *
deserialize_ok (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseBuffer) out = pulse_deserialize (PULSE_SERIALIZER_ARROW, bytes, &error);
  PulseRecordBatch *batch;

  g_assert_no_error (error);
  g_assert_nonnull (out);
  batch = pulse_buffer_get_records (out);
  g_assert_nonnull (batch);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_TABLE);
  return pulse_record_batch_ref (batch);
}

/* Returns whether @bytes decode; an error must be a DECODE error with a
 * message that says it comes from arrow */
static gboolean
decodes (const guint8 *data, gsize len)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseBuffer) out = pulse_deserialize (PULSE_SERIALIZER_ARROW, bytes, &error);

  if (out != NULL) {
    g_assert_no_error (error);
    return TRUE;
  }
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE);
  g_assert_true (g_str_has_prefix (error->message, "arrow: "));
  return FALSE;
}

static void
round_trip (guint n, gboolean nulls)
{
  g_autoptr (PulseRecordBatch) batch = make_batch (n, nulls);
  g_autoptr (GBytes) bytes = serialize_batch (batch);
  g_autoptr (PulseRecordBatch) back = deserialize_ok (bytes);

  assert_same (batch, back);
}

static void
test_round_trip (void)
{
  static const guint sizes[] = { 0, 1, 2, 7, 8, 9, 63, 64, 65, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    round_trip (sizes[i], FALSE);
    round_trip (sizes[i], TRUE);
  }
}

static void
test_round_trip_large (void)
{
  round_trip (100000, TRUE);
  round_trip (100000, FALSE);
}

static void
test_no_columns (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (PulseRecordBatch) back = NULL;

  pulse_record_batch_end_row (batch);
  pulse_record_batch_end_row (batch);
  bytes = serialize_batch (batch);
  back = deserialize_ok (bytes);
  g_assert_cmpuint (pulse_record_batch_get_n_columns (back), ==, 0);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (back), ==, 2);
}

static void
test_all_nulls (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (PulseRecordBatch) back = NULL;

  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    pulse_record_batch_add_column (batch, names[c], types[c]);
  for (guint r = 0; r < 11; r++)
    pulse_record_batch_end_row (batch);
  bytes = serialize_batch (batch);
  back = deserialize_ok (bytes);
  assert_same (batch, back);
}

static guint32
u32_at (const guint8 *p, gsize at)
{
  guint32 v;

  memcpy (&v, p + at, 4);
  return GUINT32_FROM_LE (v);
}

/* Arrow text may hold NUL; it may not hold what is not UTF-8, nor split
 * a character between two values */
static void
test_utf8 (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (PulseRecordBatch) bad = pulse_record_batch_new ();
  g_autoptr (PulseRecordBatch) split = pulse_record_batch_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (PulseRecordBatch) back = NULL;
  gsize len;

  pulse_record_batch_add_column (batch, "s", PULSE_COLUMN_UTF8);
  pulse_record_batch_append_string (batch, 0, "a\0b", 3);
  pulse_record_batch_end_row (batch);
  bytes = serialize_batch (batch);
  back = deserialize_ok (bytes);
  g_assert_cmpmem (pulse_record_batch_peek_string (back, 0, 0, &len), len, "a\0b", 3);
  g_clear_pointer (&bytes, g_bytes_unref);

  pulse_record_batch_add_column (bad, "s", PULSE_COLUMN_UTF8);
  pulse_record_batch_append_string (bad, 0, "ok", -1);
  pulse_record_batch_end_row (bad);
  pulse_record_batch_append_string (bad, 0, "\xff", -1);
  pulse_record_batch_end_row (bad);
  bytes = serialize_batch (bad);
  g_assert_false (decodes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  g_clear_pointer (&bytes, g_bytes_unref);

  /* "é" cut in two: the bytes together are valid, the values are not */
  pulse_record_batch_add_column (split, "s", PULSE_COLUMN_UTF8);
  pulse_record_batch_append_string (split, 0, "\xc3", -1);
  pulse_record_batch_end_row (split);
  pulse_record_batch_append_string (split, 0, "\xa9", -1);
  pulse_record_batch_end_row (split);
  bytes = serialize_batch (split);
  g_assert_false (decodes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
}

/* continuation, metadata length, 8-byte alignment, the body, EOS */
static void
test_framing (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (GBytes) bytes = NULL;
  /* validity 0b101 padded to 8, then three int64 */
  static const guint8 body[] = {
    0x05,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xfd,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
  };
  static const guint8 eos[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
  const guint8 *p;
  gsize len, pos = 0, meta;

  pulse_record_batch_add_column (batch, "a", PULSE_COLUMN_INT64);
  pulse_record_batch_append_int64 (batch, 0, 1);
  pulse_record_batch_end_row (batch);
  pulse_record_batch_append_null (batch, 0);
  pulse_record_batch_end_row (batch);
  pulse_record_batch_append_int64 (batch, 0, -3);
  pulse_record_batch_end_row (batch);
  bytes = serialize_batch (batch);
  p = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len % 8, ==, 0);

  /* the schema message: no body */
  g_assert_cmphex (u32_at (p, pos), ==, 0xffffffff);
  meta = u32_at (p, pos + 4);
  g_assert_cmpuint (meta % 8, ==, 0);
  g_assert_cmpuint (meta, >, 0);
  pos += 8 + meta;

  /* the record batch message, its body right after its metadata */
  g_assert_cmphex (u32_at (p, pos), ==, 0xffffffff);
  meta = u32_at (p, pos + 4);
  g_assert_cmpuint (meta % 8, ==, 0);
  pos += 8 + meta;
  g_assert_cmpuint (len, ==, pos + sizeof body + sizeof eos);
  g_assert_cmpmem (p + pos, sizeof body, body, sizeof body);
  g_assert_cmpmem (p + len - 8, 8, eos, sizeof eos);
}

/* the bool column is bit-packed, least significant bit first */
static void
test_bool_packing (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (GBytes) bytes = NULL;
  const guint8 *p;
  gsize len;

  pulse_record_batch_add_column (batch, "b", PULSE_COLUMN_BOOL);
  for (guint r = 0; r < 10; r++) {
    pulse_record_batch_append_boolean (batch, 0, r == 0 || r == 3 || r == 9);
    pulse_record_batch_end_row (batch);
  }
  bytes = serialize_batch (batch);
  p = g_bytes_get_data (bytes, &len);
  /* body: no validity buffer, then 2 bytes of bits padded to 8, then EOS */
  g_assert_cmphex (p[len - 16], ==, 0x09);
  g_assert_cmphex (p[len - 15], ==, 0x02);
  for (gsize i = len - 14; i < len - 8; i++)
    g_assert_cmphex (p[i], ==, 0);
}

static GBytes *
serialize_value (GVariant *value, GError **error)
{
  g_autoptr (PulseBuffer) buffer = pulse_buffer_new_value (value);

  return pulse_serialize (PULSE_SERIALIZER_ARROW, buffer, error);
}

static void
test_values (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (PulseRecordBatch) back = NULL;
  GVariantBuilder rows, row;
  gsize len;

  /* a map is one row */
  bytes = serialize_value (g_variant_new_parsed ("{'symbol': <'600000'>, 'price': <10.5>, "
                                                 "'volume': <int64 12345>, 'ok': <true>}"),
      &error);
  g_assert_no_error (error);
  back = deserialize_ok (bytes);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (back), ==, 1);
  g_assert_cmpmem (pulse_record_batch_peek_string (back, 0, 0, &len), len, "600000", 6);
  g_assert_cmpfloat (pulse_record_batch_get_double (back, 1, 0), ==, 10.5);
  g_assert_cmpint (pulse_record_batch_get_int64 (back, 2, 0), ==, 12345);
  g_assert_true (pulse_record_batch_get_boolean (back, 3, 0));
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_pointer (&back, pulse_record_batch_unref);

  /* a list of maps: the union of keys, ints with floats make floats,
   * a missing key or an empty maybe is a null */
  g_variant_builder_init (&rows, G_VARIANT_TYPE ("av"));
  g_variant_builder_init (&row, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&row, "{sv}", "a", g_variant_new_int64 (1));
  g_variant_builder_add (&row, "{sv}", "b", g_variant_new_bytestring ("xy"));
  g_variant_builder_add (&rows, "v", g_variant_builder_end (&row));
  g_variant_builder_init (&row, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&row, "{sv}", "a", g_variant_new_double (2.5));
  g_variant_builder_add (&row, "{sv}", "c", g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL));
  g_variant_builder_add (&rows, "v", g_variant_builder_end (&row));
  bytes = serialize_value (g_variant_builder_end (&rows), &error);
  g_assert_no_error (error);
  back = deserialize_ok (bytes);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (back), ==, 2);
  g_assert_cmpuint (pulse_record_batch_get_n_columns (back), ==, 3);
  g_assert_cmpint (pulse_record_batch_get_column_type (back, 0), ==, PULSE_COLUMN_FLOAT64);
  g_assert_cmpfloat (pulse_record_batch_get_double (back, 0, 0), ==, 1.0);
  g_assert_cmpfloat (pulse_record_batch_get_double (back, 0, 1), ==, 2.5);
  g_assert_cmpint (pulse_record_batch_get_column_type (back, 1), ==, PULSE_COLUMN_BINARY);
  g_assert_true (pulse_record_batch_is_null (back, 1, 1));
  g_assert_true (pulse_record_batch_is_null (back, 2, 0));
  g_assert_true (pulse_record_batch_is_null (back, 2, 1));
}

static void
test_values_refused (void)
{
  static const gchar *const refused[] = {
    "'just a string'",
    "[<'a'>, <'b'>]",
    "{'nested': <{'x': <1>}>}",
    "[<{'a': <1>}>, <{'a': <'one'>}>]",
    "{'list': <[1, 2]>}",
    "{'big': <uint64 18446744073709551615>}",
    "[<{'a': <1>}>, <2>]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) bytes = serialize_value (g_variant_new_parsed (refused[i]), &error);

    g_assert_null (bytes);
    g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
    g_test_message ("%s: %s", refused[i], error->message);
  }
}

/* without the end-of-stream marker a stream was cut short: every
 * truncation is an error */
static void
test_truncation (void)
{
  g_autoptr (PulseRecordBatch) batch = make_batch (20, TRUE);
  g_autoptr (GBytes) bytes = serialize_batch (batch);
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);

  g_assert_true (decodes (p, len));
  for (gsize cut = 0; cut < len; cut++) {
    /* a copy of the exact size, so that ASan sees any read past it */
    g_autofree guint8 *copy = g_memdup2 (p, cut);
    g_assert_false (decodes (copy, cut));
  }
}

/* flipped bits: errors or other data, never a crash or a wild read */
static void
test_bit_flips (void)
{
  g_autoptr (PulseRecordBatch) batch = make_batch (5, TRUE);
  g_autoptr (GBytes) bytes = serialize_batch (batch);
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  g_autofree guint8 *copy = g_memdup2 (p, len);
  guint ok = 0;

  for (gsize i = 0; i < len * 8; i++) {
    copy[i / 8] ^= 1u << (i % 8);
    ok += decodes (copy, len);
    copy[i / 8] ^= 1u << (i % 8);
  }
  g_test_message ("%u of %" G_GSIZE_FORMAT " flips still decode", ok, len * 8);
  /* also whole bytes set to the values that make lengths extreme */
  for (gsize i = 0; i < len; i++) {
    static const guint8 values[] = { 0x00, 0x7f, 0x80, 0xff };
    for (guint v = 0; v < G_N_ELEMENTS (values); v++) {
      guint8 old = copy[i];
      copy[i] = values[v];
      decodes (copy, len);
      copy[i] = old;
    }
  }
}

/* finds the @nth 8-aligned int64 equal to @value at or after @from */
static gssize
find_i64 (const guint8 *p, gsize len, gsize from, gint64 value, guint nth)
{
  for (gsize at = from; at + 8 <= len; at += 4) {
    gint64 v;
    memcpy (&v, p + at, 8);
    if (GINT64_FROM_LE (v) == value && nth-- == 0)
      return at;
  }
  return -1;
}

static void
put_i64_at (guint8 *p, gsize at, gint64 value)
{
  value = GINT64_TO_LE (value);
  memcpy (p + at, &value, 8);
}

static void
put_u32_at (guint8 *p, gsize at, guint32 value)
{
  value = GUINT32_TO_LE (value);
  memcpy (p + at, &value, 4);
}

/* hand-made hostile metadata: each must give an error, none may allocate
 * what the payload does not back */
static void
test_hostile (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autofree guint8 *copy = NULL;
  const guint8 *p;
  gsize len, second, body_len_at, data_len_at;
  gssize at;
  static const guint8 eos_only[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
  static const guint8 legacy_eos[] = { 0, 0, 0, 0 };

  /* one int64 column of 3 values, no null: a 24-byte body */
  pulse_record_batch_add_column (batch, "a", PULSE_COLUMN_INT64);
  for (guint r = 0; r < 3; r++) {
    pulse_record_batch_append_int64 (batch, 0, 7);
    pulse_record_batch_end_row (batch);
  }
  bytes = serialize_batch (batch);
  p = g_bytes_get_data (bytes, &len);
  copy = g_memdup2 (p, len);
  second = 8 + u32_at (p, 4);

  g_assert_false (decodes (p, 0));
  g_assert_false (decodes (eos_only, sizeof eos_only));
  g_assert_false (decodes (legacy_eos, sizeof legacy_eos));
  g_assert_true (decodes (p, len));

  /* metadata lengths: huge, negative, past the stream */
  put_u32_at (copy, 4, 0x7ffffff8);
  g_assert_false (decodes (copy, len));
  put_u32_at (copy, 4, 0x80000000);
  g_assert_false (decodes (copy, len));
  put_u32_at (copy, 4, u32_at (p, 4) + 8);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);

  /* the message's bodyLength comes first in its metadata, the data
   * buffer's length later: both are 24 */
  at = find_i64 (p, len, second + 8, 24, 0);
  g_assert_cmpint (at, >, 0);
  body_len_at = at;
  at = find_i64 (p, len, body_len_at + 8, 24, 0);
  g_assert_cmpint (at, >, 0);
  data_len_at = at;

  put_i64_at (copy, body_len_at, G_GINT64_CONSTANT (1) << 40);
  g_assert_false (decodes (copy, len));
  put_i64_at (copy, body_len_at, -8);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);

  /* a buffer past the body, at a negative offset, of a negative length */
  put_i64_at (copy, data_len_at, 32);
  g_assert_false (decodes (copy, len));
  put_i64_at (copy, data_len_at, G_MAXINT64);
  g_assert_false (decodes (copy, len));
  put_i64_at (copy, data_len_at, -1);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);
  put_i64_at (copy, data_len_at - 8, -8);
  g_assert_false (decodes (copy, len));
  put_i64_at (copy, data_len_at - 8, 8); /* in the body, but 8 bytes short */
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);

  /* 2^40 rows in a 24-byte body: the batch length and the node length */
  while ((at = find_i64 (copy, len - 32, second + 8, 3, 0)) > 0)
    put_i64_at (copy, at, G_GINT64_CONSTANT (1) << 40);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);
  while ((at = find_i64 (copy, len - 32, second + 8, 3, 0)) > 0)
    put_i64_at (copy, at, 1000);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);

  /* more nulls than values */
  at = find_i64 (p, len - 32, second + 8, 3, 1);
  g_assert_cmpint (at, >, 0);
  put_i64_at (copy, at + 8, 4);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);

  /* a root offset pointing out of the metadata, and at itself */
  put_u32_at (copy, 8, 0x7fffffff);
  g_assert_false (decodes (copy, len));
  put_u32_at (copy, 8, 0);
  g_assert_false (decodes (copy, len));
  memcpy (copy, p, len);

  /* two schemas, a record batch first */
  {
    g_autoptr (GByteArray) two = g_byte_array_new ();
    g_byte_array_append (two, p, second);
    g_byte_array_append (two, p, len);
    g_assert_false (decodes (two->data, two->len));
    g_byte_array_set_size (two, 0);
    g_byte_array_append (two, p + second, len - second);
    g_assert_false (decodes (two->data, two->len));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arrow/round-trip", test_round_trip);
  g_test_add_func ("/arrow/round-trip-100000", test_round_trip_large);
  g_test_add_func ("/arrow/no-columns", test_no_columns);
  g_test_add_func ("/arrow/all-nulls", test_all_nulls);
  g_test_add_func ("/arrow/utf8", test_utf8);
  g_test_add_func ("/arrow/framing", test_framing);
  g_test_add_func ("/arrow/bool-packing", test_bool_packing);
  g_test_add_func ("/arrow/values", test_values);
  g_test_add_func ("/arrow/values-refused", test_values_refused);
  g_test_add_func ("/arrow/truncation", test_truncation);
  g_test_add_func ("/arrow/bit-flips", test_bit_flips);
  g_test_add_func ("/arrow/hostile", test_hostile);
  return g_test_run ();
}
