/* PulseMQ — tests of the wire protocol: flags, meta and timestamp frames,
 * the record-count limit, and the codec element base class (PulseCodec)
 * with the str and bytes serializers. */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>

/* every legal flags byte, from ORIGINAL-PULSEMQ.md §1.4 */
static const struct {
  PulseSerializer serializer;
  PulseCompression compression;
  guint8 flags;
} flag_table[] = {
  { PULSE_SERIALIZER_MSGPACK, PULSE_COMPRESSION_NONE, 0x00 },
  { PULSE_SERIALIZER_MSGPACK, PULSE_COMPRESSION_SNAPPY, 0x08 },
  { PULSE_SERIALIZER_MSGPACK, PULSE_COMPRESSION_LZ4, 0x10 },
  { PULSE_SERIALIZER_MSGPACK, PULSE_COMPRESSION_ZSTD, 0x18 },
  { PULSE_SERIALIZER_BYTES, PULSE_COMPRESSION_NONE, 0x01 },
  { PULSE_SERIALIZER_BYTES, PULSE_COMPRESSION_SNAPPY, 0x09 },
  { PULSE_SERIALIZER_BYTES, PULSE_COMPRESSION_LZ4, 0x11 },
  { PULSE_SERIALIZER_BYTES, PULSE_COMPRESSION_ZSTD, 0x19 },
  { PULSE_SERIALIZER_ARROW, PULSE_COMPRESSION_NONE, 0x02 },
  { PULSE_SERIALIZER_ARROW, PULSE_COMPRESSION_SNAPPY, 0x0a },
  { PULSE_SERIALIZER_ARROW, PULSE_COMPRESSION_LZ4, 0x12 },
  { PULSE_SERIALIZER_ARROW, PULSE_COMPRESSION_ZSTD, 0x1a },
  { PULSE_SERIALIZER_STR, PULSE_COMPRESSION_NONE, 0x04 },
  { PULSE_SERIALIZER_STR, PULSE_COMPRESSION_SNAPPY, 0x0c },
  { PULSE_SERIALIZER_STR, PULSE_COMPRESSION_LZ4, 0x14 },
  { PULSE_SERIALIZER_STR, PULSE_COMPRESSION_ZSTD, 0x1c },
  { PULSE_SERIALIZER_JSON, PULSE_COMPRESSION_NONE, 0x05 },
  { PULSE_SERIALIZER_JSON, PULSE_COMPRESSION_SNAPPY, 0x0d },
  { PULSE_SERIALIZER_JSON, PULSE_COMPRESSION_LZ4, 0x15 },
  { PULSE_SERIALIZER_JSON, PULSE_COMPRESSION_ZSTD, 0x1d },
};

static void
test_flags_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (flag_table); i++) {
    PulseSerializer s;
    PulseCompression c;
    g_autoptr (GError) error = NULL;

    g_assert_cmphex (
        pulse_protocol_make_flags (flag_table[i].serializer, flag_table[i].compression), ==,
        flag_table[i].flags);
    g_assert_true (pulse_protocol_parse_flags (flag_table[i].flags, &s, &c, &error));
    g_assert_no_error (error);
    g_assert_cmpint (s, ==, flag_table[i].serializer);
    g_assert_cmpint (c, ==, flag_table[i].compression);
    /* reserved bits 5-7 are ignored on decode, as the original does */
    g_assert_true (pulse_protocol_parse_flags (flag_table[i].flags | 0xe0, &s, &c, NULL));
    g_assert_cmpint (s, ==, flag_table[i].serializer);
  }
}

static void
test_flags_unknown_serializer (void)
{
  static const guint8 bad[] = { 0x03, 0x06, 0x07, 0x1b, 0x0e };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_false (pulse_protocol_parse_flags (bad[i], NULL, NULL, &error));
    g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_MALFORMED);
  }
}

static void
test_meta_and_timestamp (void)
{
  guint8 meta[PULSE_META_SIZE], ts[PULSE_TIMESTAMP_SIZE];
  static const guint8 want_meta[] = { 0x01, 0x10, 0x00, 0x0f, 0x42, 0x40 };
  static const guint8 want_ts[] = { 0x17, 0x9c, 0x2b, 0x5d, 0x8e, 0x42, 0x7f, 0x15 };
  PulseFrameHeader h;
  g_autoptr (GError) error = NULL;

  pulse_protocol_write_meta (meta, PULSE_MSG_TYPE_DATA, 0x10, 1000000);
  g_assert_cmpmem (meta, sizeof meta, want_meta, sizeof want_meta);
  pulse_protocol_write_timestamp (ts, G_GINT64_CONSTANT (0x179c2b5d8e427f15));
  g_assert_cmpmem (ts, sizeof ts, want_ts, sizeof want_ts);

  g_assert_true (pulse_protocol_parse_header (meta, 6, ts, 8, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (h.msg_type, ==, PULSE_MSG_TYPE_DATA);
  g_assert_cmphex (h.flags, ==, 0x10);
  g_assert_cmpint (h.serializer, ==, PULSE_SERIALIZER_MSGPACK);
  g_assert_cmpint (h.compression, ==, PULSE_COMPRESSION_LZ4);
  g_assert_cmpuint (h.record_count, ==, 1000000);
  g_assert_cmpint (h.timestamp_ns, ==, G_GINT64_CONSTANT (0x179c2b5d8e427f15));

  /* the golden vector of the original: {'symbol':..} msgpack/none, rc 1 */
  pulse_protocol_write_meta (meta, PULSE_MSG_TYPE_DATA, 0x00, 1);
  g_assert_cmpmem (meta, 6, "\x01\x00\x00\x00\x00\x01", 6);
  /* a record count is unsigned 32-bit big-endian */
  pulse_protocol_write_meta (meta, PULSE_MSG_TYPE_PING, 0x1d, G_MAXUINT32);
  g_assert_true (pulse_protocol_parse_header (meta, 6, ts, 8, &h, NULL));
  g_assert_cmpuint (h.record_count, ==, G_MAXUINT32);
  g_assert_cmpuint (h.msg_type, ==, PULSE_MSG_TYPE_PING);
  /* negative timestamps survive the round trip */
  pulse_protocol_write_timestamp (ts, -5);
  g_assert_true (pulse_protocol_parse_header (meta, 6, ts, 8, &h, NULL));
  g_assert_cmpint (h.timestamp_ns, ==, -5);
}

static void
test_header_malformed (void)
{
  guint8 meta[8] = { 1, 0, 0, 0, 0, 1, 0, 0 }, ts[9] = { 0 };
  PulseFrameHeader h;
  static const struct {
    gsize meta_len, ts_len;
  } sizes[] = { { 5, 8 }, { 7, 8 }, { 0, 8 }, { 6, 7 }, { 6, 9 }, { 6, 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_false (
        pulse_protocol_parse_header (meta, sizes[i].meta_len, ts, sizes[i].ts_len, &h, &error));
    g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_MALFORMED);
  }
  {
    g_autoptr (GError) error = NULL;
    meta[1] = 0x06;
    g_assert_false (pulse_protocol_parse_header (meta, 6, ts, 8, &h, &error));
    g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_MALFORMED);
  }
}

static void
test_record_count_limit (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_protocol_check_record_count (PULSE_MAX_RECORDS_PER_FRAME, NULL));
  g_assert_false (pulse_protocol_check_record_count (PULSE_MAX_RECORDS_PER_FRAME + 1, &error));
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_TOO_LARGE);
}

static void
test_value_record_counts (void)
{
  g_autoptr (PulseBuffer)
      list = pulse_buffer_new_value (g_variant_new_parsed ("[<1>, <'a'>, <2.5>]"));
  g_autoptr (PulseBuffer) strings = pulse_buffer_new_value (g_variant_new_parsed ("['a', 'b']"));
  g_autoptr (PulseBuffer) map = pulse_buffer_new_value (g_variant_new_parsed ("{'a': <1>}"));
  g_autoptr (PulseBuffer) bytes = pulse_buffer_new_value (g_variant_new_parsed ("b'abc'"));
  g_autoptr (PulseBuffer) text = pulse_buffer_new_value (g_variant_new_string ("hello"));

  /* a list counts its items, anything else is one record */
  g_assert_cmpuint (pulse_buffer_get_record_count (list), ==, 3);
  g_assert_cmpuint (pulse_buffer_get_record_count (strings), ==, 2);
  g_assert_cmpuint (pulse_buffer_get_record_count (map), ==, 1);
  g_assert_cmpuint (pulse_buffer_get_record_count (bytes), ==, 1);
  g_assert_cmpuint (pulse_buffer_get_record_count (text), ==, 1);
}

static void
test_value_json (void)
{
  g_autoptr (PulseBuffer) buffer = pulse_buffer_new_value (g_variant_new_parsed (
      "{'s': <'x\"y'>, 'b': <[byte 0x00, 0x01]>, 'n': <@mv nothing>, 'l': <[<1>, <2.5>, <true>]>}"));
  g_autofree gchar *json = pulse_buffer_to_json (buffer);

  /* a map keeps its insertion order; bytes go out as base64 */
  g_assert_cmpstr (json, ==, "{\"s\":\"x\\\"y\",\"b\":\"AAE=\",\"n\":null,\"l\":[1,2.5,true]}");
}

/* str and bytes through the codec element: the PulseCodec base class */
typedef struct {
  PulsePipeline *pipeline;
  PulsePad *src;
  PulseElement *codec;
  PulseElement *sink;
  GPtrArray *received;
} Rig;

static void
on_handoff (PulseElement *sink, PulseBuffer *buffer, gpointer user_data)
{
  Rig *rig = user_data;
  g_ptr_array_add (rig->received, pulse_buffer_ref (buffer));
}

static Rig *
rig_new (const gchar *codec, const gchar *mode)
{
  Rig *rig = g_new0 (Rig, 1);
  PulseFormat in;
  g_autoptr (PulsePadTemplate) templ = NULL;

  rig->pipeline = pulse_pipeline_new (NULL);
  rig->codec = pulse_element_factory_make (codec, NULL);
  if (mode != NULL)
    g_object_set (rig->codec, "mode", g_ascii_strcasecmp (mode, "decode") == 0 ? 1 : 0, NULL);
  rig->sink = pulse_element_factory_make ("fakesink", NULL);
  g_object_set (rig->sink, "signal-handoffs", TRUE, NULL);
  rig->received = g_ptr_array_new_with_free_func ((GDestroyNotify) pulse_buffer_unref);
  g_signal_connect (rig->sink, "handoff", G_CALLBACK (on_handoff), rig);
  g_assert_true (pulse_pipeline_add (rig->pipeline, rig->codec, NULL));
  g_assert_true (pulse_pipeline_add (rig->pipeline, rig->sink, NULL));
  g_assert_true (pulse_element_link (rig->codec, rig->sink, NULL));
  in = pulse_pad_get_formats (pulse_element_get_static_pad (rig->codec, "sink"));
  templ = pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, in);
  rig->src = pulse_pad_new_from_template (templ, "src");
  g_assert_true (
      pulse_pad_link (rig->src, pulse_element_get_static_pad (rig->codec, "sink"), NULL));
  g_assert_true (pulse_pipeline_set_state (rig->pipeline, PULSE_STATE_PLAYING, NULL));
  /* the element unrefs what it is given; the objects stay in the pipeline */
  g_object_unref (rig->codec);
  g_object_unref (rig->sink);
  return rig;
}

static guint
rig_count_warnings (Rig *rig)
{
  PulseMessage *m;
  guint n = 0;

  while ((m = pulse_bus_pop (pulse_pipeline_get_bus (rig->pipeline))) != NULL) {
    if (pulse_message_get_message_type (m) == PULSE_MESSAGE_WARNING)
      n++;
    pulse_message_unref (m);
  }
  return n;
}

static void
rig_free (Rig *rig)
{
  pulse_pipeline_set_state (rig->pipeline, PULSE_STATE_NULL, NULL);
  pulse_pad_unlink (rig->src);
  g_object_unref (rig->src);
  g_object_unref (rig->pipeline);
  g_ptr_array_unref (rig->received);
  g_free (rig);
}

static void
test_str_codec (void)
{
  Rig *rig = rig_new ("str", NULL);
  Rig *back = rig_new ("str", "decode");
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  PulseBuffer *out;
  guint64 errors;

  g_assert_cmpint (
      pulse_pad_push (rig->src, pulse_buffer_new_value (g_variant_new_string ("你好"))), ==,
      PULSE_FLOW_OK);
  /* bytes pass under str only when they are text */
  g_assert_cmpint (pulse_pad_push (rig->src,
                       pulse_buffer_new_value (g_variant_new_parsed ("[byte 0x6f, 0x6b]"))),
      ==, PULSE_FLOW_OK);
  g_assert_cmpint (pulse_pad_push (rig->src,
                       pulse_buffer_new_value (g_variant_new_parsed ("[byte 0xff, 0xfe]"))),
      ==, PULSE_FLOW_OK);
  /* records are refused with a warning, and the stream goes on */
  pulse_record_batch_add_column (batch, "a", PULSE_COLUMN_INT64);
  pulse_record_batch_append_int64 (batch, 0, 1);
  pulse_record_batch_end_row (batch);
  g_assert_cmpint (pulse_pad_push (rig->src, pulse_buffer_new_records (batch)), ==, PULSE_FLOW_OK);

  g_assert_cmpuint (rig->received->len, ==, 2);
  out = g_ptr_array_index (rig->received, 0);
  g_assert_cmpint (pulse_buffer_get_format (out), ==, PULSE_FORMAT_SERIALIZED);
  g_assert_cmpint (pulse_buffer_get_serializer (out), ==, PULSE_SERIALIZER_STR);
  g_assert_cmpint (pulse_buffer_get_compression (out), ==, PULSE_COMPRESSION_NONE);
  g_assert_cmpmem (g_bytes_get_data (pulse_buffer_get_bytes (out), NULL),
      g_bytes_get_size (pulse_buffer_get_bytes (out)), "你好", strlen ("你好"));
  g_object_get (rig->codec, "errors", &errors, NULL);
  g_assert_cmpuint (errors, ==, 2);
  g_assert_cmpuint (rig_count_warnings (rig), ==, 2);

  /* and back: valid UTF-8 decodes to a string, invalid is refused */
  pulse_pad_push (back->src, pulse_buffer_ref (out));
  {
    g_autoptr (GBytes) bad = g_bytes_new ("\xc3\x28", 2);
    PulseBuffer *b = pulse_buffer_new_bytes (PULSE_FORMAT_SERIALIZED, bad);
    pulse_buffer_set_serializer (b, PULSE_SERIALIZER_STR);
    pulse_pad_push (back->src, b);
  }
  g_assert_cmpuint (back->received->len, ==, 1);
  g_assert_cmpstr (
      g_variant_get_string (pulse_buffer_get_value (g_ptr_array_index (back->received, 0)), NULL),
      ==, "你好");
  g_assert_cmpuint (rig_count_warnings (back), ==, 1);
  rig_free (rig);
  rig_free (back);
}

static void
test_bytes_codec_and_limit (void)
{
  Rig *rig = rig_new ("bytes", NULL);
  guint8 data[] = { 0, 1, 2, 255 };
  PulseBuffer *big, *max;
  PulseBuffer *out;

  g_assert_cmpint (pulse_pad_push (rig->src,
                       pulse_buffer_new_value (
                           g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, sizeof data, 1))),
      ==, PULSE_FLOW_OK);
  /* a string is not bytes: the original raises TypeError, we warn */
  pulse_pad_push (rig->src, pulse_buffer_new_value (g_variant_new_string ("text")));
  /* more than 1,000,000 records is refused, exactly 1,000,000 is fine */
  big = pulse_buffer_new_value (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, 1, 1));
  pulse_buffer_set_record_count (big, PULSE_MAX_RECORDS_PER_FRAME + 1);
  pulse_pad_push (rig->src, big);
  max = pulse_buffer_new_value (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, 1, 1));
  pulse_buffer_set_record_count (max, PULSE_MAX_RECORDS_PER_FRAME);
  pulse_pad_push (rig->src, max);

  g_assert_cmpuint (rig->received->len, ==, 2);
  out = g_ptr_array_index (rig->received, 0);
  g_assert_cmpint (pulse_buffer_get_serializer (out), ==, PULSE_SERIALIZER_BYTES);
  g_assert_cmpmem (g_bytes_get_data (pulse_buffer_get_bytes (out), NULL),
      g_bytes_get_size (pulse_buffer_get_bytes (out)), data, sizeof data);
  g_assert_cmpuint (pulse_buffer_get_record_count (g_ptr_array_index (rig->received, 1)), ==,
      PULSE_MAX_RECORDS_PER_FRAME);
  g_assert_cmpuint (rig_count_warnings (rig), ==, 2);
  rig_free (rig);
}

static void
test_codec_mode_formats (void)
{
  g_autoptr (PulseElement) enc = pulse_element_factory_make ("lz4", NULL);
  g_autoptr (PulseElement) dec = pulse_element_factory_make ("msgpack", NULL);

  g_assert_cmpint (pulse_pad_get_formats (pulse_element_get_static_pad (enc, "sink")), ==,
      PULSE_FORMAT_SERIALIZED);
  g_assert_cmpint (pulse_pad_get_formats (pulse_element_get_static_pad (enc, "src")), ==,
      PULSE_FORMAT_COMPRESSED);
  g_object_set (dec, "mode", PULSE_CODEC_MODE_DECODE, NULL);
  g_assert_cmpint (pulse_pad_get_formats (pulse_element_get_static_pad (dec, "sink")), ==,
      PULSE_FORMAT_SERIALIZED);
  g_assert_cmpint (
      pulse_pad_get_formats (pulse_element_get_static_pad (dec, "src")), ==, PULSE_FORMAT_RECORDS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/protocol/flags/table", test_flags_table);
  g_test_add_func ("/protocol/flags/unknown-serializer", test_flags_unknown_serializer);
  g_test_add_func ("/protocol/header/round-trip", test_meta_and_timestamp);
  g_test_add_func ("/protocol/header/malformed", test_header_malformed);
  g_test_add_func ("/protocol/record-count/limit", test_record_count_limit);
  g_test_add_func ("/protocol/value/record-counts", test_value_record_counts);
  g_test_add_func ("/protocol/value/json", test_value_json);
  g_test_add_func ("/protocol/codec/str", test_str_codec);
  g_test_add_func ("/protocol/codec/bytes-and-limit", test_bytes_codec_and_limit);
  g_test_add_func ("/protocol/codec/mode-formats", test_codec_mode_formats);
  return g_test_run ();
}
