/* PulseMQ — tests of the msgpack and json serializers
 *
 * Golden vectors of the original (ORIGINAL-PULSEMQ.md §1.11), integer
 * encodings checked byte for byte against the msgpack spec, round trips
 * of every column type, and hostile input that must fail cleanly.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <msgpack.h>
#include <pulsemq/pulsemq.h>

static GBytes *
from_hex (const gchar *hex)
{
  gsize len = strlen (hex) / 2;
  guint8 *data = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i++)
    data[i] = g_ascii_xdigit_value (hex[2 * i]) * 16 + g_ascii_xdigit_value (hex[2 * i + 1]);
  return g_bytes_new_take (data, len);
}

static gchar *
to_hex (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%02x", data[i]);
  return g_string_free (out, FALSE);
}

static gchar *
to_text (GBytes *bytes)
{
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

static void
assert_encodes (PulseSerializer ser, PulseBuffer *buffer, const gchar *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = pulse_serialize (ser, buffer, &error);
  g_autofree gchar *got = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (out);
  got = ser == PULSE_SERIALIZER_JSON ? to_text (out) : to_hex (out);
  g_assert_cmpstr (got, ==, expected);
}

static void
assert_value_encodes (PulseSerializer ser, GVariant *value, const gchar *expected)
{
  g_autoptr (PulseBuffer) buffer = pulse_buffer_new_value (value);
  assert_encodes (ser, buffer, expected);
}

static PulseBuffer *
decode_hex (const gchar *hex)
{
  g_autoptr (GBytes) bytes = from_hex (hex);
  g_autoptr (GError) error = NULL;
  PulseBuffer *buffer = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (buffer);
  return buffer;
}

static PulseBuffer *
decode_json (const gchar *text)
{
  g_autoptr (GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr (GError) error = NULL;
  PulseBuffer *buffer = pulse_deserialize (PULSE_SERIALIZER_JSON, bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (buffer);
  return buffer;
}

static void
assert_decode_fails (PulseSerializer ser, const guint8 *data, gsize len)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  g_autoptr (GError) error = NULL;
  PulseBuffer *buffer = pulse_deserialize (ser, bytes, &error);

  g_assert_null (buffer);
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE);
  g_assert_true (error->message != NULL && error->message[0] != '\0');
}

static void
assert_json_fails (const gchar *text)
{
  assert_decode_fails (PULSE_SERIALIZER_JSON, (const guint8 *) text, strlen (text));
}

static void
assert_hex_fails (const gchar *hex)
{
  g_autoptr (GBytes) bytes = from_hex (hex);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  assert_decode_fails (PULSE_SERIALIZER_MSGPACK, data, len);
}

static PulseRecordBatch *
market_batch (void)
{
  PulseRecordBatch *batch = pulse_record_batch_new ();

  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
  pulse_record_batch_add_column (batch, "symbol", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "price", PULSE_COLUMN_FLOAT64);
  pulse_record_batch_add_column (batch, "volume", PULSE_COLUMN_INT64);
  pulse_record_batch_append_string (batch, 0, "600000", -1);
  pulse_record_batch_append_double (batch, 1, 10.5);
  pulse_record_batch_append_int64 (batch, 2, 12345);
  pulse_record_batch_end_row (batch);
  return batch;
}

#define MARKET_HEX                                                                                 \
  "83a673796d626f6ca6363030303030a57072696365cb4025000000000000a6766f6c756d65cd3039"

static void
test_msgpack_golden_encode (void)
{
  g_autoptr (PulseRecordBatch) batch = market_batch ();
  g_autoptr (PulseBuffer) buffer = pulse_buffer_new_records (batch);
  GVariantBuilder b;

  assert_encodes (PULSE_SERIALIZER_MSGPACK, buffer, MARKET_HEX);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&b, "{sv}", "symbol", g_variant_new_string ("600000"));
  g_variant_builder_add (&b, "{sv}", "price", g_variant_new_double (10.5));
  g_variant_builder_add (&b, "{sv}", "volume", g_variant_new_int64 (12345));
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_builder_end (&b), MARKET_HEX);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&b, "v", g_variant_new_string ("a"));
  g_variant_builder_add (&b, "v", g_variant_new_string ("b"));
  g_variant_builder_add (&b, "v", g_variant_new_string ("c"));
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_builder_end (&b), "93a161a162a163");
  {
    const gchar *abc[] = { "a", "b", "c", NULL };
    assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_strv (abc, -1), "93a161a162a163");
  }
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK,
      g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "\x00\x01\x02", 3, 1), "c403000102");
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_int64 (-1), "ff");
  assert_value_encodes (
      PULSE_SERIALIZER_MSGPACK, g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL), "c0");
  assert_value_encodes (
      PULSE_SERIALIZER_MSGPACK, g_variant_new_array (G_VARIANT_TYPE_VARIANT, NULL, 0), "90");

  {
    g_autoptr (PulseRecordBatch) empty = pulse_record_batch_new ();
    g_autoptr (PulseBuffer) eb = pulse_buffer_new_records (empty);
    assert_encodes (PULSE_SERIALIZER_MSGPACK, eb, "90");
    assert_encodes (PULSE_SERIALIZER_JSON, eb, "[]");
  }
  {
    g_autoptr (PulseRecordBatch) rows = pulse_record_batch_new ();
    g_autoptr (PulseBuffer) rb = NULL;
    pulse_record_batch_add_column (rows, "seq", PULSE_COLUMN_INT64);
    pulse_record_batch_add_column (rows, "v", PULSE_COLUMN_FLOAT64);
    pulse_record_batch_append_int64 (rows, 0, 1);
    pulse_record_batch_append_double (rows, 1, 0.5);
    pulse_record_batch_end_row (rows);
    rb = pulse_buffer_new_records (rows);
    assert_encodes (PULSE_SERIALIZER_MSGPACK, rb, "9182a373657101a176cb3fe0000000000000");
    /* a table goes as an array of row maps too */
    pulse_record_batch_set_shape (rows, PULSE_RECORD_SHAPE_TABLE);
    assert_encodes (PULSE_SERIALIZER_MSGPACK, rb, "9182a373657101a176cb3fe0000000000000");
  }
}

static void
test_msgpack_golden_decode (void)
{
  g_autoptr (PulseBuffer) market = decode_hex (MARKET_HEX);
  PulseRecordBatch *batch = pulse_buffer_get_records (market);
  g_autofree gchar *sym = NULL;

  g_assert_nonnull (batch);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_MAP);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (batch), ==, 1);
  g_assert_cmpuint (pulse_record_batch_get_n_columns (batch), ==, 3);
  g_assert_cmpstr (pulse_record_batch_get_column_name (batch, 0), ==, "symbol");
  g_assert_cmpstr (pulse_record_batch_get_column_name (batch, 1), ==, "price");
  g_assert_cmpstr (pulse_record_batch_get_column_name (batch, 2), ==, "volume");
  sym = pulse_record_batch_dup_string (batch, 0, 0);
  g_assert_cmpstr (sym, ==, "600000");
  g_assert_cmpfloat (pulse_record_batch_get_double (batch, 1, 0), ==, 10.5);
  g_assert_cmpint (pulse_record_batch_get_int64 (batch, 2, 0), ==, 12345);
  g_assert_cmpuint (pulse_buffer_get_record_count (market), ==, 1);

  {
    g_autoptr (PulseBuffer) abc = decode_hex ("93a161a162a163");
    GVariant *v = pulse_buffer_get_value (abc);
    g_autofree gchar *text = NULL;
    g_assert_nonnull (v);
    text = g_variant_print (v, FALSE);
    g_assert_cmpstr (text, ==, "[<'a'>, <'b'>, <'c'>]");
    g_assert_cmpuint (pulse_buffer_get_record_count (abc), ==, 3);
  }
  {
    g_autoptr (PulseBuffer) bin = decode_hex ("c403000102");
    GVariant *v = pulse_buffer_get_value (bin);
    gsize n;
    const guint8 *d;
    g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE_BYTESTRING));
    d = g_variant_get_fixed_array (v, &n, 1);
    g_assert_cmpmem (d, n, "\x00\x01\x02", 3);
  }
  {
    g_autoptr (PulseBuffer) rows = decode_hex ("9182a373657101a176cb3fe0000000000000");
    PulseRecordBatch *b = pulse_buffer_get_records (rows);
    g_assert_nonnull (b);
    g_assert_cmpint (pulse_record_batch_get_shape (b), ==, PULSE_RECORD_SHAPE_ROWS);
    g_assert_cmpint (pulse_record_batch_get_column_type (b, 0), ==, PULSE_COLUMN_INT64);
    g_assert_cmpint (pulse_record_batch_get_int64 (b, 0, 0), ==, 1);
    g_assert_cmpfloat (pulse_record_batch_get_double (b, 1, 0), ==, 0.5);
  }
  {
    g_autoptr (PulseBuffer) empty = decode_hex ("90");
    g_assert_nonnull (pulse_buffer_get_records (empty));
    g_assert_cmpuint (pulse_buffer_get_record_count (empty), ==, 0);
    assert_encodes (PULSE_SERIALIZER_MSGPACK, empty, "90");
  }
  {
    g_autoptr (PulseBuffer) m1 = decode_hex ("ff");
    g_autoptr (PulseBuffer) nil = decode_hex ("c0");
    g_assert_cmpint (g_variant_get_int64 (pulse_buffer_get_value (m1)), ==, -1);
    g_assert_true (g_variant_is_of_type (pulse_buffer_get_value (nil), G_VARIANT_TYPE ("mv")));
    g_assert_cmpuint (g_variant_n_children (pulse_buffer_get_value (nil)), ==, 0);
  }
}

static void
test_json_golden (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (PulseBuffer) buffer = NULL;
  GVariantBuilder b;

  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
  pulse_record_batch_add_column (batch, "key", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "num", PULSE_COLUMN_INT64);
  pulse_record_batch_append_string (batch, 0, "value", -1);
  pulse_record_batch_append_int64 (batch, 1, 42);
  pulse_record_batch_end_row (batch);
  buffer = pulse_buffer_new_records (batch);
  assert_encodes (PULSE_SERIALIZER_JSON, buffer, "{\"key\":\"value\",\"num\":42}");

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&b, "{sv}", "key", g_variant_new_string ("value"));
  g_variant_builder_add (&b, "{sv}", "num", g_variant_new_int64 (42));
  assert_value_encodes (
      PULSE_SERIALIZER_JSON, g_variant_builder_end (&b), "{\"key\":\"value\",\"num\":42}");

  {
    g_autoptr (PulseRecordBatch) rows = pulse_record_batch_new ();
    g_autoptr (PulseBuffer) rb = NULL;
    pulse_record_batch_add_column (rows, "i", PULSE_COLUMN_INT64);
    for (gint i = 0; i < 2; i++) {
      pulse_record_batch_append_int64 (rows, 0, i);
      pulse_record_batch_end_row (rows);
    }
    rb = pulse_buffer_new_records (rows);
    assert_encodes (PULSE_SERIALIZER_JSON, rb, "[{\"i\":0},{\"i\":1}]");
  }
  {
    g_autoptr (PulseBuffer) d = decode_json ("{\"key\":\"value\",\"num\":42}");
    PulseRecordBatch *db = pulse_buffer_get_records (d);
    g_autofree gchar *s = NULL;
    g_assert_nonnull (db);
    g_assert_cmpint (pulse_record_batch_get_shape (db), ==, PULSE_RECORD_SHAPE_MAP);
    s = pulse_record_batch_dup_string (db, 0, 0);
    g_assert_cmpstr (s, ==, "value");
    g_assert_cmpint (pulse_record_batch_get_int64 (db, 1, 0), ==, 42);
    assert_encodes (PULSE_SERIALIZER_JSON, d, "{\"key\":\"value\",\"num\":42}");
  }
  {
    g_autoptr (PulseBuffer) d = decode_json (" [ {\"i\" : 0} , {\"i\":1} ] ");
    PulseRecordBatch *db = pulse_buffer_get_records (d);
    g_assert_nonnull (db);
    g_assert_cmpuint (pulse_record_batch_get_n_rows (db), ==, 2);
    g_assert_cmpint (pulse_record_batch_get_int64 (db, 0, 1), ==, 1);
    assert_encodes (PULSE_SERIALIZER_JSON, d, "[{\"i\":0},{\"i\":1}]");
    assert_encodes (PULSE_SERIALIZER_MSGPACK, d, "9281a1690081a16901");
  }
  {
    g_autoptr (PulseBuffer) e = decode_json ("[]");
    assert_encodes (PULSE_SERIALIZER_JSON, e, "[]");
    assert_encodes (PULSE_SERIALIZER_MSGPACK, e, "90");
  }
}

static void
test_msgpack_integers (void)
{
  static const struct {
    gint64 v;
    const gchar *hex;
  } cases[] = {
    { 0, "00" },
    { 127, "7f" },
    { 128, "cc80" },
    { 255, "ccff" },
    { 256, "cd0100" },
    { 65535, "cdffff" },
    { 65536, "ce00010000" },
    { G_GINT64_CONSTANT (4294967295), "ceffffffff" },
    { G_GINT64_CONSTANT (4294967296), "cf0000000100000000" },
    { G_MAXINT64, "cf7fffffffffffffff" },
    { -1, "ff" },
    { -32, "e0" },
    { -33, "d0df" },
    { -128, "d080" },
    { -129, "d1ff7f" },
    { -32768, "d18000" },
    { -32769, "d2ffff7fff" },
    { G_GINT64_CONSTANT (-2147483648), "d280000000" },
    { G_GINT64_CONSTANT (-2147483649), "d3ffffffff7fffffff" },
    { G_MININT64, "d38000000000000000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
    g_autoptr (PulseBuffer) buffer = NULL;
    g_autoptr (PulseBuffer) back = NULL;
    g_autofree gchar *hex = g_strconcat ("81a178", cases[i].hex, NULL);

    assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_int64 (cases[i].v), cases[i].hex);
    back = decode_hex (cases[i].hex);
    g_assert_cmpint (g_variant_get_int64 (pulse_buffer_get_value (back)), ==, cases[i].v);

    pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
    pulse_record_batch_add_column (batch, "x", PULSE_COLUMN_INT64);
    pulse_record_batch_append_int64 (batch, 0, cases[i].v);
    pulse_record_batch_end_row (batch);
    buffer = pulse_buffer_new_records (batch);
    assert_encodes (PULSE_SERIALIZER_MSGPACK, buffer, hex);
  }
  /* above int64: t */
  assert_value_encodes (
      PULSE_SERIALIZER_MSGPACK, g_variant_new_uint64 (G_MAXUINT64), "cfffffffffffffffff");
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_uint64 ((guint64) G_MAXINT64 + 1),
      "cf8000000000000000");
  {
    g_autoptr (PulseBuffer) big = decode_hex ("cfffffffffffffffff");
    g_autoptr (PulseBuffer) in_map = decode_hex ("81a178cfffffffffffffffff");
    g_assert_true (g_variant_is_of_type (pulse_buffer_get_value (big), G_VARIANT_TYPE_UINT64));
    g_assert_cmpuint (g_variant_get_uint64 (pulse_buffer_get_value (big)), ==, G_MAXUINT64);
    /* no int64 column holds it: a value tree */
    g_assert_null (pulse_buffer_get_records (in_map));
    assert_encodes (PULSE_SERIALIZER_MSGPACK, in_map, "81a178cfffffffffffffffff");
    assert_encodes (PULSE_SERIALIZER_JSON, in_map, "{\"x\":18446744073709551615}");
  }
  /* non-minimal encodings from other writers decode to the same value */
  {
    g_autoptr (PulseBuffer) a = decode_hex ("d3ffffffffffffffff");
    g_autoptr (PulseBuffer) b = decode_hex ("cf0000000000000005");
    g_autoptr (PulseBuffer) f = decode_hex ("ca3fc00000");
    g_assert_cmpint (g_variant_get_int64 (pulse_buffer_get_value (a)), ==, -1);
    g_assert_cmpint (g_variant_get_int64 (pulse_buffer_get_value (b)), ==, 5);
    g_assert_cmpfloat (g_variant_get_double (pulse_buffer_get_value (f)), ==, 1.5);
  }
  /* strings and containers at their size boundaries */
  {
    g_autofree gchar *s31 = g_strnfill (31, 'a');
    g_autofree gchar *s32 = g_strnfill (32, 'a');
    g_autofree gchar *s256 = g_strnfill (256, 'a');
    g_autoptr (GBytes) o1 = NULL, o2 = NULL, o3 = NULL;
    g_autoptr (PulseBuffer) b1 = pulse_buffer_new_value (g_variant_new_string (s31));
    g_autoptr (PulseBuffer) b2 = pulse_buffer_new_value (g_variant_new_string (s32));
    g_autoptr (PulseBuffer) b3 = pulse_buffer_new_value (g_variant_new_string (s256));
    o1 = pulse_serialize (PULSE_SERIALIZER_MSGPACK, b1, NULL);
    o2 = pulse_serialize (PULSE_SERIALIZER_MSGPACK, b2, NULL);
    o3 = pulse_serialize (PULSE_SERIALIZER_MSGPACK, b3, NULL);
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (o1, NULL))[0], ==, 0xbf);
    g_assert_cmpmem (g_bytes_get_data (o2, NULL), 2, "\xd9\x20", 2);
    g_assert_cmpmem (g_bytes_get_data (o3, NULL), 3, "\xda\x01\x00", 3);
  }
  {
    GVariantBuilder b;
    g_autoptr (GBytes) out = NULL;
    g_autoptr (PulseBuffer) buffer = NULL;
    g_variant_builder_init (&b, G_VARIANT_TYPE ("av"));
    for (gint i = 0; i < 16; i++)
      g_variant_builder_add (&b, "v", g_variant_new_boolean (i % 2));
    buffer = pulse_buffer_new_value (g_variant_builder_end (&b));
    out = pulse_serialize (PULSE_SERIALIZER_MSGPACK, buffer, NULL);
    g_assert_cmpmem (g_bytes_get_data (out, NULL), 5, "\xdc\x00\x10\xc2\xc3", 5);
  }
}

/* every column type, nulls, and both serializers */
static PulseRecordBatch *
all_types_batch (gboolean with_binary)
{
  PulseRecordBatch *batch = pulse_record_batch_new ();

  pulse_record_batch_add_column (batch, "i", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "f", PULSE_COLUMN_FLOAT64);
  pulse_record_batch_add_column (batch, "b", PULSE_COLUMN_BOOL);
  pulse_record_batch_add_column (batch, "s", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_TIMESTAMP_NS);
  if (with_binary)
    pulse_record_batch_add_column (batch, "bin", PULSE_COLUMN_BINARY);
  for (gint r = 0; r < 3; r++) {
    if (r == 1) {
      pulse_record_batch_end_row (batch); /* all null */
      continue;
    }
    pulse_record_batch_append_int64 (batch, 0, r == 0 ? -5 : G_MAXINT64);
    pulse_record_batch_append_double (batch, 1, r == 0 ? 0.1 : -1e300);
    pulse_record_batch_append_boolean (batch, 2, r == 0);
    pulse_record_batch_append_string (batch, 3, r == 0 ? "价格 \"q\"\n" : "", -1);
    pulse_record_batch_append_timestamp (batch, 4, G_GINT64_CONSTANT (1700000000000000000) + r);
    if (with_binary)
      pulse_record_batch_append_binary (batch, 5, (const guint8 *) "\x00\xff", r == 0 ? 2 : 0);
    pulse_record_batch_end_row (batch);
  }
  return batch;
}

static void
test_round_trip_types (void)
{
  g_autoptr (PulseRecordBatch) batch = all_types_batch (TRUE);
  g_autoptr (PulseBuffer) buffer = pulse_buffer_new_records (batch);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) mp = pulse_serialize (PULSE_SERIALIZER_MSGPACK, buffer, &error);
  g_autoptr (PulseBuffer) back = NULL;
  g_autoptr (GBytes) mp2 = NULL;
  PulseRecordBatch *bb;

  g_assert_no_error (error);
  back = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, mp, &error);
  g_assert_no_error (error);
  bb = pulse_buffer_get_records (back);
  g_assert_nonnull (bb);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (bb), ==, 3);
  g_assert_cmpuint (pulse_record_batch_get_n_columns (bb), ==, 6);
  g_assert_cmpint (pulse_record_batch_get_column_type (bb, 0), ==, PULSE_COLUMN_INT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (bb, 1), ==, PULSE_COLUMN_FLOAT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (bb, 2), ==, PULSE_COLUMN_BOOL);
  g_assert_cmpint (pulse_record_batch_get_column_type (bb, 3), ==, PULSE_COLUMN_UTF8);
  /* a timestamp is an integer on the wire */
  g_assert_cmpint (pulse_record_batch_get_column_type (bb, 4), ==, PULSE_COLUMN_INT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (bb, 5), ==, PULSE_COLUMN_BINARY);
  for (guint c = 0; c < 6; c++)
    g_assert_true (pulse_record_batch_is_null (bb, c, 1));
  g_assert_cmpint (pulse_record_batch_get_int64 (bb, 0, 2), ==, G_MAXINT64);
  g_assert_cmpfloat (pulse_record_batch_get_double (bb, 1, 0), ==, 0.1);
  g_assert_true (pulse_record_batch_get_boolean (bb, 2, 0));
  {
    g_autofree gchar *s = pulse_record_batch_dup_string (bb, 3, 0);
    g_autoptr (GBytes) bin = pulse_record_batch_get_binary (bb, 5, 0);
    g_assert_cmpstr (s, ==, "价格 \"q\"\n");
    g_assert_cmpmem (g_bytes_get_data (bin, NULL), g_bytes_get_size (bin), "\x00\xff", 2);
  }
  /* the same bytes again */
  mp2 = pulse_serialize (PULSE_SERIALIZER_MSGPACK, back, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (mp, mp2));

  /* json: bytes are base64 */
  assert_encodes (PULSE_SERIALIZER_JSON, buffer,
      "[{\"i\":-5,\"f\":0.1,\"b\":true,\"s\":\"价格 \\\"q\\\"\\n\",\"ts\":1700000000000000000,"
      "\"bin\":\"AP8=\"},"
      "{\"i\":null,\"f\":null,\"b\":null,\"s\":null,\"ts\":null,\"bin\":null},"
      "{\"i\":9223372036854775807,\"f\":-1e300,\"b\":false,\"s\":\"\",\"ts\":1700000000000000002,"
      "\"bin\":\"\"}]");
  {
    g_autoptr (PulseRecordBatch) nb = all_types_batch (FALSE);
    g_autoptr (PulseBuffer) nbuf = pulse_buffer_new_records (nb);
    g_autoptr (GBytes) js = pulse_serialize (PULSE_SERIALIZER_JSON, nbuf, &error);
    g_autoptr (PulseBuffer) jback = NULL;
    g_autoptr (GBytes) js2 = NULL;
    g_assert_no_error (error);
    jback = pulse_deserialize (PULSE_SERIALIZER_JSON, js, &error);
    g_assert_no_error (error);
    g_assert_nonnull (pulse_buffer_get_records (jback));
    js2 = pulse_serialize (PULSE_SERIALIZER_JSON, jback, &error);
    g_assert_true (g_bytes_equal (js, js2));
  }
}

static void
test_union_and_mixed (void)
{
  /* keys in first-seen order; a missing key is null; int + float → float */
  const gchar *json = "[{\"a\":1,\"b\":\"x\"},{\"c\":true,\"a\":2.5},{\"b\":null}]";
  g_autoptr (PulseBuffer) jb = decode_json (json);
  PulseRecordBatch *b = pulse_buffer_get_records (jb);

  g_assert_nonnull (b);
  g_assert_cmpuint (pulse_record_batch_get_n_columns (b), ==, 3);
  g_assert_cmpstr (pulse_record_batch_get_column_name (b, 2), ==, "c");
  g_assert_cmpint (pulse_record_batch_get_column_type (b, 0), ==, PULSE_COLUMN_FLOAT64);
  g_assert_cmpfloat (pulse_record_batch_get_double (b, 0, 0), ==, 1.0);
  g_assert_true (pulse_record_batch_is_null (b, 2, 0));
  g_assert_true (pulse_record_batch_is_null (b, 1, 2));
  assert_encodes (PULSE_SERIALIZER_JSON, jb,
      "[{\"a\":1.0,\"b\":\"x\",\"c\":null},{\"a\":2.5,\"b\":null,\"c\":true},"
      "{\"a\":null,\"b\":null,\"c\":null}]");

  /* str and int in one column: a value tree, kept as sent */
  {
    g_autoptr (PulseBuffer) t = decode_json ("[{\"a\":1},{\"a\":\"x\"}]");
    g_assert_null (pulse_buffer_get_records (t));
    g_assert_cmpuint (pulse_buffer_get_record_count (t), ==, 2);
    assert_encodes (PULSE_SERIALIZER_JSON, t, "[{\"a\":1},{\"a\":\"x\"}]");
    assert_encodes (PULSE_SERIALIZER_MSGPACK, t, "9281a1610181a161a178");
  }
  /* duplicate keys: a tree too */
  {
    g_autoptr (PulseBuffer) t = decode_json ("{\"a\":1,\"a\":2}");
    g_assert_null (pulse_buffer_get_records (t));
  }
}

static void
test_nested_and_scalars (void)
{
  const gchar *json = "{\"a\":[1,{\"b\":null}],\"c\":{\"d\":[]},\"e\":-0.5}";
  g_autoptr (PulseBuffer) t = decode_json (json);
  GVariant *v = pulse_buffer_get_value (t);
  g_autoptr (GBytes) mp = NULL;
  g_autoptr (PulseBuffer) back = NULL;

  g_assert_nonnull (v);
  g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE ("a{sv}")));
  assert_encodes (PULSE_SERIALIZER_JSON, t, json);
  mp = pulse_serialize (PULSE_SERIALIZER_MSGPACK, t, NULL);
  back = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, mp, NULL);
  g_assert_nonnull (back);
  g_assert_true (g_variant_equal (v, pulse_buffer_get_value (back)));

  /* top-level scalars */
  {
    static const gchar *scalars[] = { "\"hello\"", "42", "-7", "1.5", "true", "false", "null",
      "\"\"", "[\"a\",\"b\"]" };
    for (guint i = 0; i < G_N_ELEMENTS (scalars); i++) {
      g_autoptr (PulseBuffer) s = decode_json (scalars[i]);
      g_assert_nonnull (pulse_buffer_get_value (s));
      assert_encodes (PULSE_SERIALIZER_JSON, s, scalars[i]);
    }
  }
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_string ("hello"), "a568656c6c6f");
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_boolean (TRUE), "c3");
  assert_value_encodes (PULSE_SERIALIZER_MSGPACK, g_variant_new_double (1.5), "cb3ff8000000000000");
  assert_value_encodes (PULSE_SERIALIZER_JSON,
      g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "\x00\x01\x02", 3, 1), "\"AAEC\"");

  /* non-string keys stay typed: a(vv), and back to the same map */
  {
    g_autoptr (PulseBuffer) k = decode_hex ("8201a1610ac3");
    GVariant *kv = pulse_buffer_get_value (k);
    g_assert_true (g_variant_is_of_type (kv, G_VARIANT_TYPE ("a(vv)")));
    assert_encodes (PULSE_SERIALIZER_MSGPACK, k, "8201a1610ac3");
    assert_encodes (PULSE_SERIALIZER_JSON, k, "{\"1\":\"a\",\"10\":true}");
  }
  {
    g_autoptr (PulseBuffer) k = decode_hex ("81cb3ff000000000000001");
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) out = pulse_serialize (PULSE_SERIALIZER_JSON, k, &error);
    g_assert_null (out);
    g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
  }
}

static void
test_json_numbers (void)
{
  static const struct {
    gdouble v;
    const gchar *text;
  } cases[] = {
    { 1.0, "1.0" },
    { -2.0, "-2.0" },
    { 0.0, "0.0" },
    { 10.5, "10.5" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 1e15, "1000000000000000.0" },
    { 1e16, "1e16" },
    { 1.5e-7, "1.5e-7" },
    { 0.00001, "0.00001" },
    { 0.0001, "0.0001" },
    { 1.7976931348623157e308, "1.7976931348623157e308" },
    { 5e-324, "5e-324" },
    { 123456.789, "123456.789" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (PulseBuffer) back = NULL;
    assert_value_encodes (PULSE_SERIALIZER_JSON, g_variant_new_double (cases[i].v), cases[i].text);
    back = decode_json (cases[i].text);
    g_assert_cmpfloat (g_variant_get_double (pulse_buffer_get_value (back)), ==, cases[i].v);
  }
  assert_value_encodes (PULSE_SERIALIZER_JSON, g_variant_new_double (NAN), "null");
  assert_value_encodes (PULSE_SERIALIZER_JSON, g_variant_new_double (-INFINITY), "null");
  {
    g_autoptr (PulseBuffer) i = decode_json ("-9223372036854775808");
    g_autoptr (PulseBuffer) u = decode_json ("18446744073709551615");
    g_autoptr (PulseBuffer) e = decode_json ("1E2");
    g_assert_cmpint (g_variant_get_int64 (pulse_buffer_get_value (i)), ==, G_MININT64);
    g_assert_cmpuint (g_variant_get_uint64 (pulse_buffer_get_value (u)), ==, G_MAXUINT64);
    g_assert_cmpfloat (g_variant_get_double (pulse_buffer_get_value (e)), ==, 100.0);
    /* a NUL cannot be in a value tree string (a batch column holds it) */
    assert_json_fails ("\"a\\u0000\"");
  }
}

static void
test_json_nul_in_column (void)
{
  g_autoptr (PulseBuffer) b = decode_json ("{\"s\":\"a\\u0000b\"}");
  gsize len;
  const gchar *s = pulse_record_batch_peek_string (pulse_buffer_get_records (b), 0, 0, &len);

  g_assert_cmpmem (s, len, "a\0b", 3);
  assert_encodes (PULSE_SERIALIZER_JSON, b, "{\"s\":\"a\\u0000b\"}");
  {
    g_autoptr (PulseBuffer) e = decode_json ("[\"\\u00e9\\ud83d\\ude00\\/\"]");
    assert_encodes (PULSE_SERIALIZER_JSON, e, "[\"é😀/\"]");
  }
}

static void
test_large_batch (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  g_autoptr (PulseBuffer) buffer = NULL;
  g_autoptr (GBytes) mp = NULL, js = NULL;
  g_autoptr (PulseBuffer) back = NULL, jback = NULL;
  g_autoptr (GError) error = NULL;
  PulseRecordBatch *bb;
  const guint n = 100000;

  pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "px", PULSE_COLUMN_FLOAT64);
  for (guint i = 0; i < n; i++) {
    g_autofree gchar *s = g_strdup_printf ("row-%u", i);
    pulse_record_batch_append_int64 (batch, 0, (gint64) i * 1000003 - 50000000);
    pulse_record_batch_append_string (batch, 1, s, -1);
    pulse_record_batch_append_double (batch, 2, i / 7.0);
    pulse_record_batch_end_row (batch);
  }
  buffer = pulse_buffer_new_records (batch);
  mp = pulse_serialize (PULSE_SERIALIZER_MSGPACK, buffer, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (mp, NULL), 5, "\xdd\x00\x01\x86\xa0", 5);
  back = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, mp, &error);
  g_assert_no_error (error);
  bb = pulse_buffer_get_records (back);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (bb), ==, n);
  g_assert_cmpuint (pulse_buffer_get_record_count (back), ==, n);
  for (guint i = 0; i < n; i += 997) {
    g_autofree gchar *s = pulse_record_batch_dup_string (bb, 1, i);
    g_autofree gchar *want = g_strdup_printf ("row-%u", i);
    g_assert_cmpint (pulse_record_batch_get_int64 (bb, 0, i), ==, (gint64) i * 1000003 - 50000000);
    g_assert_cmpstr (s, ==, want);
    g_assert_cmpfloat (pulse_record_batch_get_double (bb, 2, i), ==, i / 7.0);
  }
  js = pulse_serialize (PULSE_SERIALIZER_JSON, buffer, &error);
  g_assert_no_error (error);
  jback = pulse_deserialize (PULSE_SERIALIZER_JSON, js, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (pulse_buffer_get_records (jback)), ==, n);
  {
    g_autoptr (GBytes) mp2 = pulse_serialize (PULSE_SERIALIZER_MSGPACK, jback, NULL);
    g_assert_true (g_bytes_equal (mp, mp2));
  }
}

static void
test_msgpack_malformed (void)
{
  static const gchar *valid[] = {
    MARKET_HEX,
    "9182a373657101a176cb3fe0000000000000",
    "82a16192c0c4020102a162810ad90461626364",
  };

  /* every proper prefix of a valid payload is truncated */
  for (guint v = 0; v < G_N_ELEMENTS (valid); v++) {
    g_autoptr (GBytes) bytes = from_hex (valid[v]);
    gsize len;
    const guint8 *data = g_bytes_get_data (bytes, &len);
    g_autoptr (PulseBuffer) ok = decode_hex (valid[v]);
    guint8 *more = g_malloc (len + 1);

    for (gsize cut = 0; cut < len; cut++)
      assert_decode_fails (PULSE_SERIALIZER_MSGPACK, data, cut);
    /* trailing garbage */
    memcpy (more, data, len);
    more[len] = 0x00;
    assert_decode_fails (PULSE_SERIALIZER_MSGPACK, more, len + 1);
    g_free (more);
  }
  /* huge declared lengths in tiny payloads */
  assert_hex_fails ("ddffffffff00000000000000");
  assert_hex_fails ("dfffffffff0000000000");
  assert_hex_fails ("dbffffffff61");
  assert_hex_fails ("c6ffffffff00");
  assert_hex_fails ("c9ffffffff0100");
  assert_hex_fails ("dc0100");
  /* never-used byte, ext types, invalid UTF-8 (alone, as a key, in a row) */
  assert_hex_fails ("c1");
  assert_hex_fails ("d40100");
  assert_hex_fails ("c70101ff");
  assert_hex_fails ("a2c328");
  assert_hex_fails ("81a2c32801");
  assert_hex_fails ("81a161a2c328");
  assert_hex_fails ("9181a161a3eda080");
  /* NUL in a key cannot be a value tree string */
  assert_hex_fails ("81a2610001");

  /* deep nesting: an error, not a stack overflow */
  {
    const gsize depth = 10000;
    guint8 *deep = g_malloc (depth + 1);
    memset (deep, 0x91, depth);
    deep[depth] = 0x01;
    assert_decode_fails (PULSE_SERIALIZER_MSGPACK, deep, depth + 1);
    /* 32 levels (msgpack-c's limit) decode, 33 do not */
    {
      g_autoptr (GBytes) ok32 = g_bytes_new (deep + depth - 32, 33);
      g_autoptr (GError) error = NULL;
      g_autoptr (PulseBuffer) b = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, ok32, &error);
      g_assert_no_error (error);
      g_assert_nonnull (b);
    }
    assert_decode_fails (PULSE_SERIALIZER_MSGPACK, deep + depth - 33, 34);
    g_free (deep);
  }
  assert_decode_fails (PULSE_SERIALIZER_MSGPACK, (const guint8 *) "", 0);
}

/* "[[[...]]]", @depth levels deep */
static gchar *
nested_arrays (gsize depth)
{
  g_autofree gchar *open = g_strnfill (depth, '[');
  g_autofree gchar *close = g_strnfill (depth, ']');

  return g_strconcat (open, close, NULL);
}

static void
test_json_malformed (void)
{
  static const gchar *bad[] = {
    "",
    " ",
    "{",
    "[",
    "[1,",
    "[1,]",
    "{\"a\":1,}",
    "{\"a\" 1}",
    "{a:1}",
    "{'a':1}",
    "01",
    "1.",
    ".5",
    "-",
    "1e",
    "+1",
    "NaN",
    "[NaN]",
    "Infinity",
    "-Infinity",
    "nul",
    "tru",
    "\"abc",
    "\"\\x\"",
    "\"\\u12\"",
    "\"\\ud800\"",
    "\"\\udc00\"",
    "\"a\tb\"",
    "[1] x",
    "[1]]",
    "{\"a\":1}}",
    "// c\n1",
    "/* c */ 1",
    "1 2",
    "99999999999999999999",
    "-9223372036854775809",
    "\"\xff\"",
    "\"\xed\xa0\x80\"",
    "[\"\xc3\"]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_json_fails (bad[i]);
  assert_decode_fails (PULSE_SERIALIZER_JSON, (const guint8 *) "[1,\0 2]", 7);
  {
    g_autofree gchar *deep = nested_arrays (10000);
    g_autofree gchar *limit = nested_arrays (64);
    g_autofree gchar *over = nested_arrays (65);

    assert_json_fails (deep);
    /* 64 levels are fine, 65 are not */
    {
      g_autoptr (PulseBuffer) ok = decode_json (limit);
      g_assert_nonnull (ok);
    }
    assert_json_fails (over);
  }
}

static void
test_encode_refusals (void)
{
  static const gchar *types[] = { "i", "u", "y", "n", "q", "h", "o", "g" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++) {
    GVariant *v = NULL;
    switch (types[i][0]) {
      case 'i': v = g_variant_new_int32 (1); break;
      case 'u': v = g_variant_new_uint32 (1); break;
      case 'y': v = g_variant_new_byte (1); break;
      case 'n': v = g_variant_new_int16 (1); break;
      case 'q': v = g_variant_new_uint16 (1); break;
      case 'h': v = g_variant_new_handle (1); break;
      case 'o': v = g_variant_new_object_path ("/a"); break;
      case 'g': v = g_variant_new_signature ("s"); break;
    }
    {
      g_autoptr (PulseBuffer) buffer = pulse_buffer_new_value (v);
      for (gint s = 0; s < 2; s++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) out = pulse_serialize (
            s == 0 ? PULSE_SERIALIZER_MSGPACK : PULSE_SERIALIZER_JSON, buffer, &error);
        g_assert_null (out);
        g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
      }
    }
  }
  /* nested, and dictionaries with non-string keys */
  {
    g_autoptr (PulseBuffer)
        nested = pulse_buffer_new_value (g_variant_new_parsed ("{'a': <[<int32 1>]>}"));
    g_autoptr (PulseBuffer)
        intkeys = pulse_buffer_new_value (g_variant_new_parsed ("{int64 1: <'a'>}"));
    for (gint s = 0; s < 2; s++) {
      PulseSerializer ser = s == 0 ? PULSE_SERIALIZER_MSGPACK : PULSE_SERIALIZER_JSON;
      g_autoptr (GError) e1 = NULL, e2 = NULL;
      g_autoptr (GBytes) o1 = pulse_serialize (ser, nested, &e1);
      g_autoptr (GBytes) o2 = pulse_serialize (ser, intkeys, &e2);
      g_assert_error (e1, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
      g_assert_error (e2, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
    }
  }
}

/* Payloads of 16 kB and more come from a pool: a frame's buffer, once
 * dropped (by ZeroMQ's I/O thread, in a publisher), serves the next frame;
 * frames held at the same time never share one; compressed data far
 * smaller than its bound does not keep the large buffer. */
static PulseBuffer *
ticks_buffer (guint n, gint64 first)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();

  pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
  for (guint i = 0; i < n; i++) {
    g_autofree gchar *data = g_strdup_printf ("%064" G_GINT64_FORMAT, first + i);
    pulse_record_batch_append_int64 (batch, 0, first + i);
    pulse_record_batch_append_string (batch, 1, data, -1);
    pulse_record_batch_end_row (batch);
  }
  return pulse_buffer_new_records (batch);
}

static void
check_ticks (GBytes *payload, guint n, gint64 first)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseBuffer) back = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, payload, &error);
  PulseRecordBatch *batch;

  g_assert_no_error (error);
  batch = pulse_buffer_get_records (back);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (batch), ==, n);
  for (guint i = 0; i < n; i += 97)
    g_assert_cmpint (pulse_record_batch_get_int64 (batch, 0, i), ==, first + i);
}

static gpointer
drop_in_thread (gpointer data)
{
  g_bytes_unref (data);
  return NULL;
}

static void
test_payload_pool (void)
{
  g_autoptr (PulseBuffer) ticks = ticks_buffer (1000, 0);
  g_autoptr (PulseBuffer) later = ticks_buffer (1000, 5000);
  g_autoptr (GError) error = NULL;
  const PulseCompression compressions[] = { PULSE_COMPRESSION_SNAPPY, PULSE_COMPRESSION_LZ4,
    PULSE_COMPRESSION_ZSTD };
  GBytes *first, *held[8];
  G_GNUC_UNUSED const guint8 *first_data;
  gsize size;

  first = pulse_serialize (PULSE_SERIALIZER_MSGPACK, ticks, &error);
  g_assert_no_error (error);
  first_data = g_bytes_get_data (first, &size);
  g_assert_cmpuint (size, >, 64000);
  check_ticks (first, 1000, 0);

  /* dropped by another thread, as ZeroMQ's I/O thread does */
  g_thread_join (g_thread_new ("drop", drop_in_thread, first));
  {
    g_autoptr (GBytes) next = pulse_serialize (PULSE_SERIALIZER_MSGPACK, later, &error);
    g_assert_no_error (error);
#if !defined(__SANITIZE_ADDRESS__)
    /* reused, still mapped (under ASan the pool keeps nothing, so that a
     * use after free is caught) */
    g_assert_true (g_bytes_get_data (next, NULL) == first_data);
#endif
    check_ticks (next, 1000, 5000);
  }

  /* frames in flight together: eight buffers, each its own */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++) {
    g_autoptr (PulseBuffer) b = ticks_buffer (1000, i * 1000);
    held[i] = pulse_serialize (PULSE_SERIALIZER_MSGPACK, b, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (held); i++) {
    check_ticks (held[i], 1000, i * 1000);
    for (guint j = 0; j < i; j++)
      g_assert_true (g_bytes_get_data (held[i], NULL) != g_bytes_get_data (held[j], NULL));
  }

  /* a compressor's bound is large, its output small: the output is its
   * own, and both directions still agree */
  for (guint i = 0; i < G_N_ELEMENTS (compressions); i++) {
    PulseCompression c = compressions[i];
    g_autoptr (GBytes) packed = pulse_compress (c, held[0], -1, &error);
    g_autoptr (GBytes) unpacked = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (packed), <, g_bytes_get_size (held[0]) / 4);
    unpacked = pulse_decompress (c, packed, 16 * 1024 * 1024, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (unpacked, held[0]));
  }
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    g_bytes_unref (held[i]);
}

/* The msgpack decoder reads flat tables straight into columns; the JSON
 * decoder is independent code with the same rules. Random flat tables —
 * keys missing, in another order, null before and after values, ints and
 * floats mixed, every integer width, strings across the fixstr/str8/str16
 * boundaries, UTF-8 — are written both ways (JSON by hand, msgpack by
 * msgpack-c) and must decode to the same records. */
typedef struct {
  GString *json;
  msgpack_sbuffer sbuf;
  msgpack_packer pk;
} Doc;

static void
doc_value (Doc *d, GRand *rand, gint kind)
{
  static const gint64 ints[] = { 0, 1, -1, 127, 128, -32, -33, 255, 256, 65535, 65536,
    G_GINT64_CONSTANT (2147483648), G_GINT64_CONSTANT (-2147483649),
    G_GINT64_CONSTANT (1099511627776), G_MININT64, G_MAXINT64 };
  static const gdouble floats[] = { 0.5, -1.25, 1e300, 3.0, -0.0 };
  static const gchar *strs[] = { "", "a", "600000", "中文", "0123456789012345678901234567890",
    "01234567890123456789012345678901" };

  switch (kind) {
    case 0: {
      gint64 v = ints[g_rand_int_range (rand, 0, G_N_ELEMENTS (ints))];
      g_string_append_printf (d->json, "%" G_GINT64_FORMAT, v);
      msgpack_pack_int64 (&d->pk, v);
      break;
    }
    case 1: {
      gdouble v = floats[g_rand_int_range (rand, 0, G_N_ELEMENTS (floats))];
      gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (d->json, g_ascii_dtostr (buf, sizeof buf, v));
      if (!strchr (buf, '.') && !strchr (buf, 'e'))
        g_string_append (d->json, ".0");
      msgpack_pack_double (&d->pk, v);
      break;
    }
    case 2: {
      const gchar *v = strs[g_rand_int_range (rand, 0, G_N_ELEMENTS (strs))];
      guint repeat = g_rand_int_range (rand, 0, 4) == 0 ? 10 : 1; /* str16 */
      g_autoptr (GString) s = g_string_new (NULL);
      for (guint i = 0; i < repeat; i++)
        g_string_append (s, v);
      g_string_append_printf (d->json, "\"%s\"", s->str);
      msgpack_pack_str (&d->pk, s->len);
      msgpack_pack_str_body (&d->pk, s->str, s->len);
      break;
    }
    default: {
      gboolean v = g_rand_boolean (rand);
      g_string_append (d->json, v ? "true" : "false");
      if (v)
        msgpack_pack_true (&d->pk);
      else
        msgpack_pack_false (&d->pk);
      break;
    }
  }
}

static void
test_msgpack_flat_matches_json (void)
{
  static const gchar *keys[] = { "seq", "px", "sym", "vol", "ok", "ts", "note" };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261130);

  for (guint n = 0; n < 300; n++) {
    Doc d;
    gint kinds[G_N_ELEMENTS (keys)];
    guint n_rows = g_rand_int_range (rand, 0, 4) == 0 ? 1 : g_rand_int_range (rand, 0, 40);
    gboolean one_map = n_rows == 1 && g_rand_boolean (rand);
    g_autoptr (GBytes) packed = NULL;
    g_autoptr (PulseBuffer) from_mp = NULL, from_json = NULL;
    g_autoptr (GBytes) a = NULL, b = NULL;
    g_autoptr (GError) error = NULL;

    d.json = g_string_new (one_map ? "" : "[");
    msgpack_sbuffer_init (&d.sbuf);
    msgpack_packer_init (&d.pk, &d.sbuf, msgpack_sbuffer_write);
    for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
      kinds[k] = g_rand_int_range (rand, 0, 5); /* 4: ints and floats mixed */
    if (!one_map)
      msgpack_pack_array (&d.pk, n_rows);
    for (guint r = 0; r < n_rows; r++) {
      guint order[G_N_ELEMENTS (keys)], n_keys = 0;

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        if (g_rand_int_range (rand, 0, 7) > 0) /* sometimes missing */
          order[n_keys++] = k;
      if (g_rand_int_range (rand, 0, 3) == 0) /* sometimes in another order */
        for (guint i = n_keys; i > 1; i--) {
          guint j = g_rand_int_range (rand, 0, i), t = order[i - 1];
          order[i - 1] = order[j];
          order[j] = t;
        }
      g_string_append (d.json, r > 0 ? ",{" : "{");
      msgpack_pack_map (&d.pk, n_keys);
      for (guint i = 0; i < n_keys; i++) {
        const gchar *key = keys[order[i]];
        gint kind = kinds[order[i]];

        g_string_append_printf (d.json, "%s\"%s\":", i > 0 ? "," : "", key);
        msgpack_pack_str (&d.pk, strlen (key));
        msgpack_pack_str_body (&d.pk, key, strlen (key));
        if (g_rand_int_range (rand, 0, 6) == 0) {
          g_string_append (d.json, "null");
          msgpack_pack_nil (&d.pk);
        } else {
          doc_value (&d, rand, kind == 4 ? g_rand_int_range (rand, 0, 2) : kind);
        }
      }
      g_string_append_c (d.json, '}');
    }
    if (!one_map)
      g_string_append_c (d.json, ']');

    packed = g_bytes_new (d.sbuf.data, d.sbuf.size);
    from_mp = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, packed, &error);
    g_assert_no_error (error);
    from_json = decode_json (d.json->str);
    g_assert_nonnull (pulse_buffer_get_records (from_mp));
    g_assert_nonnull (pulse_buffer_get_records (from_json));
    a = pulse_serialize (PULSE_SERIALIZER_JSON, from_mp, &error);
    g_assert_no_error (error);
    b = pulse_serialize (PULSE_SERIALIZER_JSON, from_json, &error);
    g_assert_no_error (error);
    if (!g_bytes_equal (a, b))
      g_error ("doc %u: %s\nmsgpack → %.*s\njson → %.*s", n, d.json->str,
          (int) g_bytes_get_size (a), (const char *) g_bytes_get_data (a, NULL),
          (int) g_bytes_get_size (b), (const char *) g_bytes_get_data (b, NULL));
    for (guint c = 0; c < pulse_record_batch_get_n_columns (pulse_buffer_get_records (from_mp));
         c++)
      g_assert_cmpint (pulse_record_batch_get_column_type (pulse_buffer_get_records (from_mp), c),
          ==, pulse_record_batch_get_column_type (pulse_buffer_get_records (from_json), c));
    g_string_free (d.json, TRUE);
    msgpack_sbuffer_destroy (&d.sbuf);
  }
}

/* What is not a flat table leaves the fast path for the general one,
 * with the same outcome as before it existed. */
static void
test_msgpack_not_flat (void)
{
  static const struct {
    const gchar *hex;
    gboolean records; /* else a value tree */
    const gchar *json;
  } cases[] = {
    /* a duplicate key, a nested array, a uint64, a non-string key */
    { "9182a16101a16102", FALSE, "[{\"a\":1,\"a\":2}]" },
    { "9181a1619101", FALSE, "[{\"a\":[1]}]" },
    { "9181a161cfffffffffffffffff", FALSE, "[{\"a\":18446744073709551615}]" },
    { "91810102", FALSE, NULL },
    /* a str then an int in one column; rows that are not maps */
    { "9281a161a17881a16101", FALSE, "[{\"a\":\"x\"},{\"a\":1}]" },
    { "920102", FALSE, "[1,2]" },
    /* float32, bin, a NUL inside a value, a column of nulls only: records */
    { "9181a161ca3fc00000", TRUE, "[{\"a\":1.5}]" },
    { "9281a161c40201ff81a161c0", TRUE, NULL },
    { "9181a161a378007a", TRUE, NULL },
    { "9281a161c081a161c0", TRUE, "[{\"a\":null},{\"a\":null}]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (PulseBuffer) b = decode_hex (cases[i].hex);

    g_assert_cmpint (pulse_buffer_get_records (b) != NULL, ==, cases[i].records);
    if (cases[i].json != NULL)
      assert_encodes (PULSE_SERIALIZER_JSON, b, cases[i].json);
  }
  {
    /* an all-null column is int64; the NUL stays in the string */
    g_autoptr (PulseBuffer) nulls = decode_hex ("9281a161c081a161c0");
    g_autoptr (PulseBuffer) nul = decode_hex ("9181a161a378007a");
    gsize len;
    const gchar *s;

    g_assert_cmpint (pulse_record_batch_get_column_type (pulse_buffer_get_records (nulls), 0), ==,
        PULSE_COLUMN_INT64);
    s = pulse_record_batch_peek_string (pulse_buffer_get_records (nul), 0, 0, &len);
    g_assert_cmpmem (s, len, "x\0z", 3);
  }
  /* 65 columns: past the fast path's limit, the same batch */
  {
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    g_autoptr (GBytes) packed = NULL;
    g_autoptr (PulseBuffer) b = NULL;
    g_autoptr (GError) error = NULL;

    msgpack_sbuffer_init (&sbuf);
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 2);
    for (guint r = 0; r < 2; r++) {
      msgpack_pack_map (&pk, 65);
      for (guint c = 0; c < 65; c++) {
        g_autofree gchar *key = g_strdup_printf ("k%u", c);
        msgpack_pack_str (&pk, strlen (key));
        msgpack_pack_str_body (&pk, key, strlen (key));
        msgpack_pack_int64 (&pk, r * 100 + c);
      }
    }
    packed = g_bytes_new (sbuf.data, sbuf.size);
    msgpack_sbuffer_destroy (&sbuf);
    b = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, packed, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pulse_record_batch_get_n_columns (pulse_buffer_get_records (b)), ==, 65);
    g_assert_cmpint (pulse_record_batch_get_int64 (pulse_buffer_get_records (b), 64, 1), ==, 164);
  }
  /* truncated, trailing bytes, invalid UTF-8 in a value: errors, as before */
  {
    static const gchar *bad[] = { "9281a16101", "9181a1610100", "9181a161a1ff" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
      g_autoptr (GBytes) bytes = from_hex (bad[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (PulseBuffer) b = pulse_deserialize (PULSE_SERIALIZER_MSGPACK, bytes, &error);
      g_assert_null (b);
      g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE);
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/codecs/msgpack/golden-encode", test_msgpack_golden_encode);
  g_test_add_func ("/codecs/msgpack/golden-decode", test_msgpack_golden_decode);
  g_test_add_func ("/codecs/json/golden", test_json_golden);
  g_test_add_func ("/codecs/msgpack/integers", test_msgpack_integers);
  g_test_add_func ("/codecs/round-trip/types", test_round_trip_types);
  g_test_add_func ("/codecs/round-trip/union-and-mixed", test_union_and_mixed);
  g_test_add_func ("/codecs/round-trip/nested-and-scalars", test_nested_and_scalars);
  g_test_add_func ("/codecs/json/numbers", test_json_numbers);
  g_test_add_func ("/codecs/json/nul-in-column", test_json_nul_in_column);
  g_test_add_func ("/codecs/round-trip/large", test_large_batch);
  g_test_add_func ("/codecs/msgpack/malformed", test_msgpack_malformed);
  g_test_add_func ("/codecs/json/malformed", test_json_malformed);
  g_test_add_func ("/codecs/encode-refusals", test_encode_refusals);
  g_test_add_func ("/codecs/payload-pool", test_payload_pool);
  g_test_add_func ("/codecs/msgpack/flat-matches-json", test_msgpack_flat_matches_json);
  g_test_add_func ("/codecs/msgpack/not-flat", test_msgpack_not_flat);
  return g_test_run ();
}
