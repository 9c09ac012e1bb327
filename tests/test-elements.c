/* PulseMQ — one harness test per built-in element
 *
 * In the spirit of GStreamer's GstHarness: the element under test sits in
 * a real pipeline between a source pad the test drives ("testsrc") and one
 * or more capture sinks ("testcapture") that keep a reference to every
 * buffer they get. A test pushes buffers in, looks at what came out, and
 * checks reference counts: buffers travel without copies and nothing keeps
 * one after the pipeline is gone.
 *
 * Nothing here sleeps. A capture sink can hold a buffer (chain waits on a
 * GCond until the test lets go), which makes "downstream is blocked"
 * deterministic; everything else waits for a condition with a generous
 * deadline and then asserts it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pulsemq/pulsemq.h>

#include "harness.h"

/* generous: the suite runs on a loaded 2-core machine and under ASan */
#define DEADLINE_US (10 * G_USEC_PER_SEC)

/* ---- testserializedsink: accepts serialized bytes only -------------------- */

#define TEST_TYPE_SERIALIZED_SINK (test_serialized_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestSerializedSink, test_serialized_sink, TEST, SERIALIZED_SINK, PulseElement)

struct _TestSerializedSink {
  PulseElement parent_instance;
};

G_DEFINE_FINAL_TYPE (TestSerializedSink, test_serialized_sink, PULSE_TYPE_ELEMENT)

static void
test_serialized_sink_class_init (TestSerializedSinkClass *klass)
{
  pulse_element_class_add_pad_template (PULSE_ELEMENT_CLASS (klass),
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_SERIALIZED));
}

static void
test_serialized_sink_init (TestSerializedSink *self)
{
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
}

/* ---- the harness ------------------------------------------------------------ */

#define MAX_SINKS 2

typedef struct {
  PulsePipeline *pipeline;
  PulseElement *element;         /* under test; the pipeline owns it */
  PulsePad *srcpad;              /* of testsrc, or NULL */
  TestCapture *sinks[MAX_SINKS]; /* the pipeline owns them */
  guint n_sinks;
  GPtrArray *messages; /* what the bus said, in order */
} Harness;

static PulseElement *
make_element (const gchar *factory, const gchar *first_property, ...)
{
  g_autoptr (GError) error = NULL;
  PulseElement *element = pulse_element_factory_make (factory, &error);
  va_list args;

  g_assert_no_error (error);
  g_assert_nonnull (element);
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (element), first_property, args);
  va_end (args);
  return element;
}

static void
add_element (Harness *h, PulseElement *element)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_pipeline_add (h->pipeline, element, &error));
  g_assert_no_error (error);
}

/* Puts @element (transfer full) in a pipeline: fed by testsrc when
 * @with_src, feeding @n_sinks capture sinks. */
static Harness *
harness_new (PulseElement *element, gboolean with_src, guint n_sinks)
{
  Harness *h = g_new0 (Harness, 1);
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (n_sinks, <=, MAX_SINKS);
  h->pipeline = pulse_pipeline_new (NULL);
  h->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) pulse_message_unref);
  h->element = element;
  add_element (h, element);
  g_object_unref (element);

  if (with_src) {
    g_autoptr (PulseElement) src = make_element ("testsrc", NULL);
    add_element (h, src);
    g_assert_true (pulse_element_link (src, element, &error));
    g_assert_no_error (error);
    h->srcpad = TEST_SRC (src)->srcpad;
  }
  for (guint i = 0; i < n_sinks; i++) {
    g_autoptr (PulseElement) sink = make_element ("testcapture", NULL);
    add_element (h, sink);
    g_assert_true (pulse_element_link (element, sink, &error));
    g_assert_no_error (error);
    h->sinks[i] = TEST_CAPTURE (sink);
  }
  h->n_sinks = n_sinks;
  return h;
}

static void
harness_play (Harness *h)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_PLAYING, &error));
  g_assert_no_error (error);
}

static void harness_drain_bus (Harness *h);

static void
harness_free (Harness *h)
{
  gpointer weak = h->pipeline;

  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  /* drop what the bus still holds, so that only the harness's own
   * references remain when it checks the pipeline goes away */
  harness_drain_bus (h);
  g_ptr_array_unref (h->messages);
  g_object_add_weak_pointer (G_OBJECT (h->pipeline), &weak);
  g_object_unref (h->pipeline);
  /* nothing else may keep the pipeline alive */
  g_assert_null (weak);
  g_free (h);
}

static PulseFlowReturn
harness_push (Harness *h, PulseBuffer *buffer)
{
  return pulse_pad_push (h->srcpad, buffer);
}

/* moves what is on the bus into h->messages */
static void
harness_drain_bus (Harness *h)
{
  PulseMessage *m;

  while ((m = pulse_bus_pop (pulse_pipeline_get_bus (h->pipeline))) != NULL)
    g_ptr_array_add (h->messages, m);
}

static guint
harness_count_messages (Harness *h, PulseMessageType type)
{
  guint n = 0;

  harness_drain_bus (h);
  for (guint i = 0; i < h->messages->len; i++)
    if (pulse_message_get_message_type (g_ptr_array_index (h->messages, i)) == type)
      n++;
  return n;
}

static PulseMessage *
harness_find_message (Harness *h, PulseMessageType type)
{
  harness_drain_bus (h);
  for (guint i = 0; i < h->messages->len; i++)
    if (pulse_message_get_message_type (g_ptr_array_index (h->messages, i)) == type)
      return g_ptr_array_index (h->messages, i);
  return NULL;
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main context (where timers tick) until a message of
 * @type is on the bus, or the deadline passes. */
static gboolean
harness_run_until_message (Harness *h, PulseMessageType type)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  guint wake = g_timeout_add (5, wake_up, NULL);

  while (harness_find_message (h, type) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return harness_find_message (h, type) != NULL;
}

static gboolean
harness_run_until_buffers (Harness *h, TestCapture *capture, guint n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  guint wake = g_timeout_add (5, wake_up, NULL);

  while (capture_n (capture) < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return capture_n (capture) >= n;
}

/* {"seq": seq} as one map */
static PulseBuffer *
make_seq_buffer (gint64 seq)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();

  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
  pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_append_int64 (batch, 0, seq);
  pulse_record_batch_end_row (batch);
  return pulse_buffer_new_records (batch);
}

static gint64
seq_of (PulseBuffer *buffer)
{
  PulseRecordBatch *batch = pulse_buffer_get_records (buffer);

  g_assert_nonnull (batch);
  return pulse_record_batch_get_int64 (batch, pulse_record_batch_find_column (batch, "seq"), 0);
}

static PulseBuffer *
make_bytes_buffer (gsize size, guint8 fill)
{
  g_autofree guint8 *data = g_malloc (MAX (size, 1));
  g_autoptr (GBytes) bytes = NULL;

  memset (data, fill, size);
  bytes = g_bytes_new (data, size);
  return pulse_buffer_new_bytes (PULSE_FORMAT_SERIALIZED, bytes);
}

/* ---- timer ---------------------------------------------------------------- */

static void
check_timer_buffer (PulseBuffer *buffer, gint64 seq)
{
  PulseRecordBatch *batch = pulse_buffer_get_records (buffer);
  gint ts_col;

  g_assert_cmpint (pulse_buffer_get_format (buffer), ==, PULSE_FORMAT_RECORDS);
  g_assert_nonnull (batch);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_MAP);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (batch), ==, 1);
  g_assert_cmpuint (pulse_buffer_get_record_count (buffer), ==, 1);
  g_assert_cmpstr (pulse_record_batch_get_column_name (batch, 0), ==, "seq");
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 0), ==, PULSE_COLUMN_INT64);
  g_assert_cmpint (pulse_record_batch_get_int64 (batch, 0, 0), ==, seq);
  ts_col = pulse_record_batch_find_column (batch, "timestamp_ns");
  g_assert_cmpint (ts_col, ==, 1);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 1), ==, PULSE_COLUMN_TIMESTAMP_NS);
  /* the wall clock when the record was made, and the buffer says the same */
  g_assert_cmpint (
      pulse_record_batch_get_int64 (batch, 1, 0), >, G_GINT64_CONSTANT (1577836800000000000));
  g_assert_cmpint (
      pulse_record_batch_get_int64 (batch, 1, 0), ==, pulse_buffer_get_timestamp_ns (buffer));
  /* it was pushed */
  g_assert_true (pulse_record_batch_is_sealed (batch));
  g_assert_false (pulse_buffer_is_writable (buffer));
}

static void
test_timer_count (void)
{
  Harness *h = harness_new (make_element ("timer", "interval", 0.001, "count", 5, NULL), FALSE, 1);
  TestCapture *cap = h->sinks[0];

  harness_play (h);
  g_assert_true (harness_run_until_message (h, PULSE_MESSAGE_EOS));

  g_assert_cmpuint (capture_n (cap), ==, 5);
  for (guint i = 0; i < 5; i++) {
    check_timer_buffer (capture_get (cap, i), i);
    /* only the capture holds it */
    g_assert_cmpint (pulse_buffer_get_refcount (capture_get (cap, i)), ==, 1);
  }
  /* EOS came after the last record, once */
  g_assert_cmpuint (cap->n_eos, ==, 1);
  g_assert_cmpuint (cap->eos_at, ==, 5);
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_EOS), ==, 1);
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_ERROR), ==, 0);

  /* the timer's source is gone: nothing more arrives */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (capture_n (cap), ==, 5);

  /* PLAYING again starts over at seq 0 */
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_READY, NULL));
  g_object_set (h->element, "count", 2, NULL);
  g_ptr_array_set_size (h->messages, 0);
  harness_play (h);
  g_assert_false (pulse_pipeline_is_eos (h->pipeline));
  g_assert_true (harness_run_until_message (h, PULSE_MESSAGE_EOS));
  g_assert_cmpuint (capture_n (cap), ==, 7);
  check_timer_buffer (capture_get (cap, 5), 0);
  check_timer_buffer (capture_get (cap, 6), 1);
  g_assert_cmpuint (cap->n_eos, ==, 2);

  harness_free (h);
}

static void
test_timer_interval (void)
{
  /* a longer interval: still only order and count are asserted */
  Harness *h = harness_new (make_element ("timer", "interval", 0.02, "count", 3, NULL), FALSE, 1);
  TestCapture *cap = h->sinks[0];
  gdouble interval;
  guint count;

  g_object_get (h->element, "interval", &interval, "count", &count, NULL);
  g_assert_cmpfloat (interval, ==, 0.02);
  g_assert_cmpuint (count, ==, 3);

  harness_play (h);
  g_assert_true (harness_run_until_message (h, PULSE_MESSAGE_EOS));
  g_assert_cmpuint (capture_n (cap), ==, 3);
  for (guint i = 0; i < 3; i++)
    check_timer_buffer (capture_get (cap, i), i);
  harness_free (h);
}

static void
test_timer_fields (void)
{
  Harness *h = harness_new (
      make_element ("timer", "interval", 0.001, "count", 2, "fields",
          "{\"symbol\":\"600000\",\"price\":10.5,\"n\":3,\"ok\":true,\"none\":null}", NULL),
      FALSE, 1);
  TestCapture *cap = h->sinks[0];

  harness_play (h);
  g_assert_true (harness_run_until_message (h, PULSE_MESSAGE_EOS));
  g_assert_cmpuint (capture_n (cap), ==, 2);

  for (guint i = 0; i < 2; i++) {
    PulseBuffer *buffer = capture_get (cap, i);
    PulseRecordBatch *batch = pulse_buffer_get_records (buffer);
    g_autofree gchar *json = NULL;
    g_autofree gchar *expect = NULL;
    g_autofree gchar *symbol = NULL;

    check_timer_buffer (buffer, i);
    g_assert_cmpuint (pulse_record_batch_get_n_columns (batch), ==, 7);
    g_assert_cmpint (pulse_record_batch_get_column_type (batch, 2), ==, PULSE_COLUMN_UTF8);
    symbol = pulse_record_batch_dup_string (batch, 2, 0);
    g_assert_cmpstr (symbol, ==, "600000");
    g_assert_cmpint (pulse_record_batch_get_column_type (batch, 3), ==, PULSE_COLUMN_FLOAT64);
    g_assert_cmpfloat (pulse_record_batch_get_double (batch, 3, 0), ==, 10.5);
    g_assert_cmpint (pulse_record_batch_get_column_type (batch, 4), ==, PULSE_COLUMN_INT64);
    g_assert_cmpint (pulse_record_batch_get_int64 (batch, 4, 0), ==, 3);
    g_assert_cmpint (pulse_record_batch_get_column_type (batch, 5), ==, PULSE_COLUMN_BOOL);
    g_assert_true (pulse_record_batch_get_boolean (batch, 5, 0));
    g_assert_true (pulse_record_batch_is_null (batch, 6, 0));

    /* the fields follow seq and timestamp_ns, in the order written */
    json = pulse_record_batch_to_json (batch);
    expect = g_strdup_printf (
        "{\"seq\":%u,\"timestamp_ns\":%" G_GINT64_FORMAT
        ",\"symbol\":\"600000\",\"price\":10.5,\"n\":3,\"ok\":true,\"none\":null}",
        i, pulse_buffer_get_timestamp_ns (buffer));
    g_assert_cmpstr (json, ==, expect);
  }
  harness_free (h);
}

static void
test_timer_bad_fields (void)
{
  static const gchar *bad[] = {
    "not json",
    "[1, 2]",
    "42",
    "{\"seq\": 1}",
    "{\"timestamp_ns\": 1}",
    "{\"a\": {\"b\": 1}}",
    "{\"a\": [1]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    Harness *h = harness_new (make_element ("timer", "fields", bad[i], NULL), FALSE, 1);
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) verror = NULL;
    GValue value = G_VALUE_INIT;

    g_test_message ("fields=%s", bad[i]);
    /* the parser asks first */
    g_value_init (&value, G_TYPE_STRING);
    g_value_set_string (&value, bad[i]);
    g_assert_false (pulse_element_validate_property (h->element, "fields", &value, &verror));
    g_assert_error (verror, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
    g_value_unset (&value);

    /* and READY refuses, leaving everything in NULL */
    g_assert_false (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_READY, &error));
    g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
    g_assert_cmpstr (error->message, ==, verror->message);
    g_assert_cmpint (pulse_pipeline_get_state (h->pipeline), ==, PULSE_STATE_NULL);
    g_assert_cmpint (pulse_element_get_state (h->element), ==, PULSE_STATE_NULL);
    g_assert_cmpint (pulse_element_get_state (PULSE_ELEMENT (h->sinks[0])), ==, PULSE_STATE_NULL);
    harness_free (h);
  }

  /* no fields, or none, is fine */
  {
    GValue value = G_VALUE_INIT;
    g_autoptr (PulseElement) timer = make_element ("timer", NULL);

    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (pulse_element_validate_property (timer, "fields", &value, NULL));
    g_value_set_string (&value, "{}");
    g_assert_true (pulse_element_validate_property (timer, "fields", &value, NULL));
    g_value_unset (&value);
  }
}

static void
test_timer_send_eos (void)
{
  /* endless: only send_eos stops it */
  Harness *h = harness_new (make_element ("timer", "interval", 0.001, NULL), FALSE, 1);
  TestCapture *cap = h->sinks[0];
  guint n;

  harness_play (h);
  g_assert_true (harness_run_until_buffers (h, cap, 3));
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_EOS), ==, 0);
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_true (harness_run_until_message (h, PULSE_MESSAGE_EOS));
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));

  n = capture_n (cap);
  g_assert_cmpuint (n, >=, 3);
  g_assert_cmpuint (cap->n_eos, ==, 1);
  g_assert_cmpuint (cap->eos_at, ==, n);
  for (guint i = 0; i < n; i++)
    check_timer_buffer (capture_get (cap, i), i);
  /* stopped: nothing more, and a second send_eos changes nothing */
  pulse_pipeline_send_eos (h->pipeline);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (capture_n (cap), ==, n);
  g_assert_cmpuint (cap->n_eos, ==, 1);
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_EOS), ==, 1);
  harness_free (h);
}

/* ---- print ------------------------------------------------------------------ */

typedef struct {
  int saved;
  int read_fd;
} StdoutCapture;

/* print writes with fwrite() to stdout: point fd 1 at a pipe meanwhile */
static void
stdout_capture_begin (StdoutCapture *c)
{
  int fds[2];

  fflush (stdout);
  g_assert_no_errno (pipe (fds));
  c->saved = dup (STDOUT_FILENO);
  g_assert_cmpint (c->saved, >=, 0);
  g_assert_no_errno (dup2 (fds[1], STDOUT_FILENO));
  close (fds[1]);
  c->read_fd = fds[0];
}

static gchar *
stdout_capture_end (StdoutCapture *c)
{
  GString *out = g_string_new (NULL);
  gchar buf[4096];
  gssize n;

  fflush (stdout);
  g_assert_no_errno (dup2 (c->saved, STDOUT_FILENO));
  close (c->saved);
  /* every write end is closed now: read to EOF */
  while ((n = read (c->read_fd, buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  g_assert_cmpint (n, ==, 0);
  close (c->read_fd);
  return g_string_free (out, FALSE);
}

static PulseBuffer *
make_ab_rows (void)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();

  pulse_record_batch_add_column (batch, "a", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "s", PULSE_COLUMN_UTF8);
  pulse_record_batch_append_int64 (batch, 0, 1);
  pulse_record_batch_append_string (batch, 1, "x\"y", -1);
  pulse_record_batch_end_row (batch);
  pulse_record_batch_append_int64 (batch, 0, 2);
  pulse_record_batch_end_row (batch);
  return pulse_buffer_new_records (batch);
}

static void
test_print_records (void)
{
  Harness *h = harness_new (make_element ("print", NULL), TRUE, 0);
  g_autoptr (PulseBuffer) map = make_seq_buffer (7);
  g_autoptr (PulseBuffer) rows = make_ab_rows ();
  g_autofree gchar *out = NULL;
  StdoutCapture c;
  PulseFlowReturn r1, r2;

  harness_play (h);
  stdout_capture_begin (&c);
  r1 = harness_push (h, pulse_buffer_ref (map));
  r2 = harness_push (h, pulse_buffer_ref (rows));
  out = stdout_capture_end (&c);

  g_assert_cmpint (r1, ==, PULSE_FLOW_OK);
  g_assert_cmpint (r2, ==, PULSE_FLOW_OK);
  /* one JSON line per buffer: a map as an object, rows as an array */
  g_assert_cmpstr (out, ==,
      "{\"seq\":7}\n"
      "[{\"a\":1,\"s\":\"x\\\"y\"},{\"a\":2,\"s\":null}]\n");
  /* print keeps nothing */
  g_assert_cmpint (pulse_buffer_get_refcount (map), ==, 1);
  g_assert_cmpint (pulse_buffer_get_refcount (rows), ==, 1);
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_ERROR), ==, 0);
  harness_free (h);
}

static void
test_print_meta (void)
{
  Harness *h = harness_new (make_element ("print", "meta", TRUE, NULL), TRUE, 0);
  PulseBuffer *map = make_seq_buffer (1);
  PulseBuffer *bytes = make_bytes_buffer (0, 0);
  PulseBuffer *hello;
  g_autoptr (GBytes) payload = g_bytes_new_static ("hello", 5);
  g_autofree gchar *out = NULL;
  StdoutCapture c;

  pulse_buffer_set_timestamp_ns (map, 123);
  pulse_buffer_set_timestamp_ns (bytes, 5);

  hello = pulse_buffer_new_bytes (PULSE_FORMAT_COMPRESSED, payload);
  pulse_buffer_set_timestamp_ns (hello, G_GINT64_CONSTANT (1700000000123456789));
  pulse_buffer_set_record_count (hello, 1000);
  pulse_buffer_set_serializer (hello, PULSE_SERIALIZER_JSON);
  pulse_buffer_set_compression (hello, PULSE_COMPRESSION_LZ4);

  harness_play (h);
  stdout_capture_begin (&c);
  g_assert_cmpint (harness_push (h, map), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, hello), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, bytes), ==, PULSE_FLOW_OK);
  out = stdout_capture_end (&c);

  g_assert_cmpstr (out, ==,
      "{\"format\":\"records\",\"record_count\":1,"
      "\"timestamp_ns\":123,\"serializer\":\"msgpack\",\"compression\":\"none\","
      "\"payload\":{\"seq\":1}}\n"
      "{\"format\":\"compressed\",\"record_count\":1000,\"timestamp_ns\":1700000000123456789,"
      "\"serializer\":\"json\",\"compression\":\"lz4\",\"size\":5,\"payload_base64\":\"aGVsbG8=\"}\n"
      "{\"format\":\"serialized\",\"record_count\":1,\"timestamp_ns\":5,"
      "\"serializer\":\"msgpack\",\"compression\":\"none\",\"size\":0,\"payload_base64\":\"\"}\n");
  harness_free (h);
}

static void
test_print_received (void)
{
  /* what a subscriber received (it has a topic) always gets the envelope,
   * with the latency from the publisher's send time */
  Harness *h = harness_new (make_element ("print", NULL), TRUE, 0);
  PulseBuffer *buffer = make_seq_buffer (7);
  g_autofree gchar *out = NULL;
  StdoutCapture c;

  pulse_buffer_set_topic (buffer, "sh_market");
  pulse_buffer_set_timestamp_ns (buffer, pulse_util_get_real_time_ns ());
  harness_play (h);
  stdout_capture_begin (&c);
  g_assert_cmpint (harness_push (h, buffer), ==, PULSE_FLOW_OK);
  out = stdout_capture_end (&c);

  g_assert_true (g_str_has_prefix (out, "{\"format\":\"records\",\"topic\":\"sh_market\","));
  g_assert_nonnull (strstr (out, ",\"latency_ms\":"));
  g_assert_true (g_str_has_suffix (out, ",\"payload\":{\"seq\":7}}\n"));
  harness_free (h);
}

static void
test_print_bytes_without_meta (void)
{
  /* bytes have no JSON of their own: they always get the envelope */
  Harness *h = harness_new (make_element ("print", NULL), TRUE, 0);
  PulseBuffer *buffer = make_bytes_buffer (3, 0xff);
  g_autofree gchar *out = NULL;
  StdoutCapture c;

  pulse_buffer_set_timestamp_ns (buffer, 9);
  harness_play (h);
  stdout_capture_begin (&c);
  g_assert_cmpint (harness_push (h, buffer), ==, PULSE_FLOW_OK);
  out = stdout_capture_end (&c);
  g_assert_cmpstr (out, ==,
      "{\"format\":\"serialized\",\"record_count\":1,\"timestamp_ns\":9,"
      "\"serializer\":\"msgpack\",\"compression\":\"none\",\"size\":3,\"payload_base64\":\"////\"}\n");
  harness_free (h);
}

/* ---- fakesink --------------------------------------------------------------- */

static void
on_handoff (PulseElement *sink, PulseBuffer *buffer, gpointer user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, pulse_buffer_ref (buffer));
}

static void
check_counters (PulseElement *sink, guint64 buffers, guint64 records, guint64 bytes)
{
  guint64 b, r, y;

  g_object_get (sink, "buffers", &b, "records", &r, "bytes", &y, NULL);
  g_assert_cmpuint (b, ==, buffers);
  g_assert_cmpuint (r, ==, records);
  g_assert_cmpuint (y, ==, bytes);
}

static void
test_fakesink (void)
{
  Harness *h = harness_new (make_element ("fakesink", "signal-handoffs", TRUE, NULL), TRUE, 0);
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify) pulse_buffer_unref);
  g_autoptr (PulseBuffer) rows = make_ab_rows ();
  g_autoptr (PulseBuffer) bytes = make_bytes_buffer (10, 1);
  gsize rows_size = pulse_buffer_get_size (rows);
  gboolean handoffs;

  g_object_get (h->element, "signal-handoffs", &handoffs, NULL);
  g_assert_true (handoffs);
  g_signal_connect (h->element, "handoff", G_CALLBACK (on_handoff), seen);
  harness_play (h);
  check_counters (h->element, 0, 0, 0);

  g_assert_cmpint (harness_push (h, pulse_buffer_ref (rows)), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (bytes)), ==, PULSE_FLOW_OK);
  /* 2 rows + 1 record for a bytes buffer; raw record bytes + payload bytes */
  check_counters (h->element, 2, 3, rows_size + 10);

  /* the handoff gets the buffers themselves */
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_true (g_ptr_array_index (seen, 0) == rows);
  g_assert_true (g_ptr_array_index (seen, 1) == bytes);
  g_assert_cmpint (pulse_buffer_get_refcount (rows), ==, 2);
  g_ptr_array_set_size (seen, 0);
  g_assert_cmpint (pulse_buffer_get_refcount (rows), ==, 1);
  g_assert_cmpint (pulse_buffer_get_refcount (bytes), ==, 1);

  /* without signal-handoffs, no signal */
  g_object_set (h->element, "signal-handoffs", FALSE, NULL);
  g_assert_cmpint (harness_push (h, make_seq_buffer (0)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (seen->len, ==, 0);
  check_counters (h->element, 3, 4, rows_size + 10 + 8);

  /* counters start over at PLAYING */
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_READY, NULL));
  harness_play (h);
  check_counters (h->element, 0, 0, 0);

  /* EOS: the pipeline says so, and later buffers are refused and freed */
  pulse_pad_push_eos (h->srcpad);
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_EOS), ==, 1);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (rows)), ==, PULSE_FLOW_EOS);
  g_assert_cmpint (pulse_buffer_get_refcount (rows), ==, 1);
  check_counters (h->element, 0, 0, 0);
  harness_free (h);
}

/* ---- queue ------------------------------------------------------------------ */

static guint64
queue_dropped (PulseElement *queue)
{
  guint64 dropped;

  g_object_get (queue, "dropped", &dropped, NULL);
  return dropped;
}

static guint
queue_level_buffers (PulseElement *queue)
{
  guint level;

  g_object_get (queue, "current-level-buffers", &level, NULL);
  return level;
}

static void
test_queue_fifo (void)
{
  Harness *h = harness_new (make_element ("queue", NULL), TRUE, 1);
  TestCapture *cap = h->sinks[0];
  g_autoptr (PulseMessage) eos = NULL;
  const guint n = 500;

  harness_play (h);
  /* more than max-buffers (200): upstream blocks now and then, loses nothing */
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (harness_push (h, make_seq_buffer (i)), ==, PULSE_FLOW_OK);
  pulse_pad_push_eos (h->srcpad);

  g_assert_true (capture_wait_eos (cap));
  g_assert_cmpuint (capture_n (cap), ==, n);
  g_assert_cmpuint (cap->eos_at, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (seq_of (capture_get (cap, i)), ==, i);
  /* delivered on the queue's own thread */
  g_assert_nonnull (cap->chain_thread);
  g_assert_true (cap->chain_thread != g_thread_self ());

  /* the EOS message comes from the queue's thread */
  eos = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (h->pipeline), DEADLINE_US, PULSE_MESSAGE_EOS);
  g_assert_nonnull (eos);
  g_assert_true (pulse_message_get_src (eos) == G_OBJECT (h->pipeline));
  g_clear_pointer (&eos, pulse_message_unref);
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  g_assert_cmpuint (queue_dropped (h->element), ==, 0);
  g_assert_cmpuint (queue_level_buffers (h->element), ==, 0);

  /* after EOS the queue refuses more */
  g_assert_cmpint (harness_push (h, make_seq_buffer (n)), ==, PULSE_FLOW_EOS);
  harness_free (h);
}

static void
test_queue_eos_after_queued (void)
{
  Harness *h = harness_new (make_element ("queue", NULL), TRUE, 1);
  TestCapture *cap = h->sinks[0];

  harness_play (h);
  capture_set_hold (cap, TRUE);
  g_assert_cmpint (harness_push (h, make_seq_buffer (0)), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (cap, 1));
  g_assert_cmpint (harness_push (h, make_seq_buffer (1)), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, make_seq_buffer (2)), ==, PULSE_FLOW_OK);
  pulse_pad_push_eos (h->srcpad);
  /* the streaming thread is held in the sink: nothing can have passed */
  g_assert_cmpuint (queue_level_buffers (h->element), ==, 2);
  g_assert_cmpuint (cap->n_eos, ==, 0);
  g_assert_false (pulse_pipeline_is_eos (h->pipeline));

  capture_set_hold (cap, FALSE);
  g_assert_true (capture_wait_eos (cap));
  g_assert_cmpuint (cap->eos_at, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (seq_of (capture_get (cap, i)), ==, i);
  harness_free (h);
}

static void
check_drop_warning (Harness *h, const gchar *leaky)
{
  PulseMessage *m;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  g_autofree gchar *path = pulse_element_get_path_string (h->element);

  /* one warning for the first drop, not one per buffer */
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_WARNING), ==, 1);
  m = harness_find_message (h, PULSE_MESSAGE_WARNING);
  g_assert_cmpstr (pulse_message_get_src_path (m), ==, path);
  pulse_message_parse_warning (m, &error, &debug);
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, leaky));
  g_assert_nonnull (strstr (debug, "max-buffers=1"));
}

static void
test_queue_leaky_upstream (void)
{
  Harness *h = harness_new (
      make_element ("queue", "leaky", 1 /* upstream */, "max-buffers", 1, NULL), TRUE, 1);
  TestCapture *cap = h->sinks[0];
  PulseBuffer *b[4];

  for (guint i = 0; i < 4; i++)
    b[i] = make_seq_buffer (i);
  harness_play (h);
  capture_set_hold (cap, TRUE);

  /* 0 goes to the held sink, 1 waits in the queue: full */
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[0])), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (cap, 1));
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[1])), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (queue_level_buffers (h->element), ==, 1);
  /* the new ones are dropped, upstream never blocks */
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[2])), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[3])), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (queue_dropped (h->element), ==, 2);
  g_assert_cmpint (pulse_buffer_get_refcount (b[2]), ==, 1);
  g_assert_cmpint (pulse_buffer_get_refcount (b[3]), ==, 1);
  check_drop_warning (h, "leaky=upstream");

  capture_set_hold (cap, FALSE);
  g_assert_true (capture_wait_buffers (cap, 2));
  g_assert_true (capture_get (cap, 0) == b[0]);
  g_assert_true (capture_get (cap, 1) == b[1]);
  harness_free (h);
  for (guint i = 0; i < 4; i++) {
    g_assert_cmpint (pulse_buffer_get_refcount (b[i]), ==, 1);
    pulse_buffer_unref (b[i]);
  }
}

static void
test_queue_leaky_downstream (void)
{
  Harness *h = harness_new (
      make_element ("queue", "leaky", 2 /* downstream */, "max-buffers", 1, NULL), TRUE, 1);
  TestCapture *cap = h->sinks[0];
  PulseBuffer *b[4];

  for (guint i = 0; i < 4; i++)
    b[i] = make_seq_buffer (i);
  harness_play (h);
  capture_set_hold (cap, TRUE);

  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[0])), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (cap, 1));
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[1])), ==, PULSE_FLOW_OK);
  /* each new one pushes out the oldest waiting */
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[2])), ==, PULSE_FLOW_OK);
  g_assert_cmpint (pulse_buffer_get_refcount (b[1]), ==, 1);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (b[3])), ==, PULSE_FLOW_OK);
  g_assert_cmpint (pulse_buffer_get_refcount (b[2]), ==, 1);
  g_assert_cmpuint (queue_dropped (h->element), ==, 2);
  g_assert_cmpuint (queue_level_buffers (h->element), ==, 1);
  check_drop_warning (h, "leaky=downstream");

  capture_set_hold (cap, FALSE);
  g_assert_true (capture_wait_buffers (cap, 2));
  g_assert_true (capture_get (cap, 0) == b[0]);
  g_assert_true (capture_get (cap, 1) == b[3]);
  harness_free (h);
  for (guint i = 0; i < 4; i++) {
    g_assert_cmpint (pulse_buffer_get_refcount (b[i]), ==, 1);
    pulse_buffer_unref (b[i]);
  }
}

/* Pushes one buffer from a thread of its own, as an upstream streaming
 * thread would. */
typedef struct {
  PulsePad *pad;
  PulseBuffer *buffer; /* transfer full, to push */
  TestCapture *capture;
  gboolean release_after; /* let the capture go once the push returned */
  GMutex lock;
  GCond cond;
  gboolean started;
  PulseFlowReturn ret;
  guint done_at_return; /* chain calls the capture had finished by then */
} Pusher;

static gpointer
pusher_thread (gpointer user_data)
{
  Pusher *p = user_data;
  PulseFlowReturn ret;

  g_mutex_lock (&p->lock);
  p->started = TRUE;
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);

  ret = pulse_pad_push (p->pad, g_steal_pointer (&p->buffer));

  g_mutex_lock (&p->capture->lock);
  p->done_at_return = p->capture->n_done;
  g_mutex_unlock (&p->capture->lock);
  p->ret = ret;
  if (p->release_after)
    capture_set_hold (p->capture, FALSE);
  return NULL;
}

static GThread *
pusher_start (Pusher *p)
{
  GThread *thread;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  thread = g_thread_new ("upstream", pusher_thread, p);
  g_mutex_lock (&p->lock);
  while (!p->started && g_cond_wait_until (&p->cond, &p->lock, deadline))
    ;
  g_assert_true (p->started);
  g_mutex_unlock (&p->lock);
  return thread;
}

static void
pusher_clear (Pusher *p)
{
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
}

static void
test_queue_leaky_no_blocks (void)
{
  Harness *h = harness_new (make_element ("queue", "max-buffers", 1, NULL), TRUE, 1);
  TestCapture *cap = h->sinks[0];
  Pusher p = { 0 };
  GThread *thread;

  harness_play (h);
  capture_set_hold (cap, TRUE);
  g_assert_cmpint (harness_push (h, make_seq_buffer (0)), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (cap, 1));
  g_assert_cmpint (harness_push (h, make_seq_buffer (1)), ==, PULSE_FLOW_OK);

  /* full: the third push can only return once the sink let go of the
   * first and the queue's thread took the second */
  p.pad = h->srcpad;
  p.buffer = make_seq_buffer (2);
  p.capture = cap;
  thread = pusher_start (&p);
  capture_set_hold (cap, FALSE);
  g_thread_join (thread);
  g_assert_cmpint (p.ret, ==, PULSE_FLOW_OK);
  g_assert_cmpuint (p.done_at_return, >=, 1);

  g_assert_true (capture_wait_buffers (cap, 3));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (seq_of (capture_get (cap, i)), ==, i);
  g_assert_cmpuint (queue_dropped (h->element), ==, 0);
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_WARNING), ==, 0);
  pusher_clear (&p);
  harness_free (h);
}

static void
test_queue_stop_unblocks_upstream (void)
{
  Harness *h = harness_new (make_element ("queue", "max-buffers", 1, NULL), TRUE, 1);
  TestCapture *cap = h->sinks[0];
  PulseBuffer *queued = make_seq_buffer (1);
  PulseBuffer *blocked = make_seq_buffer (2);
  Pusher p = { 0 };
  GThread *thread;

  harness_play (h);
  capture_set_hold (cap, TRUE);
  g_assert_cmpint (harness_push (h, make_seq_buffer (0)), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (cap, 1));
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (queued)), ==, PULSE_FLOW_OK);

  /* Upstream blocks on the full queue. Stopping the pipeline must wake it
   * with FLUSHING. The pusher only lets the sink go after its push
   * returned, so the push cannot have returned because room was made. The
   * queue's thread is held in the sink until then, and the state change
   * joins it: the sink has to be let go for NULL to be reached at all. */
  p.pad = h->srcpad;
  p.buffer = pulse_buffer_ref (blocked);
  p.capture = cap;
  p.release_after = TRUE;
  thread = pusher_start (&p);
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  g_thread_join (thread);
  g_assert_cmpint (p.ret, ==, PULSE_FLOW_FLUSHING);
  g_assert_cmpuint (p.done_at_return, ==, 0);

  /* the queue was flushed: it keeps no buffer */
  g_assert_cmpuint (queue_level_buffers (h->element), ==, 0);
  g_assert_cmpint (pulse_buffer_get_refcount (queued), ==, 1);
  g_assert_cmpint (pulse_buffer_get_refcount (blocked), ==, 1);
  g_assert_cmpuint (capture_n (cap), ==, 1);
  pusher_clear (&p);
  harness_free (h);
  pulse_buffer_unref (queued);
  pulse_buffer_unref (blocked);
}

static void
test_queue_max_bytes (void)
{
  Harness *h = harness_new (make_element ("queue", "leaky", 1 /* upstream */, "max-buffers", 0,
                                "max-bytes", G_GUINT64_CONSTANT (250), NULL),
      TRUE, 1);
  TestCapture *cap = h->sinks[0];
  guint64 level_bytes, max_bytes;
  guint max_buffers;

  g_object_get (h->element, "max-bytes", &max_bytes, "max-buffers", &max_buffers, NULL);
  g_assert_cmpuint (max_bytes, ==, 250);
  g_assert_cmpuint (max_buffers, ==, 0);

  harness_play (h);
  capture_set_hold (cap, TRUE);
  g_assert_cmpint (harness_push (h, make_bytes_buffer (100, 0)), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (cap, 1));
  /* like GStreamer's queue, it is full once the level reaches max-bytes:
   * 100, 200 and 300 bytes go in, the next is dropped */
  for (guint i = 1; i <= 4; i++)
    g_assert_cmpint (harness_push (h, make_bytes_buffer (100, i)), ==, PULSE_FLOW_OK);
  g_object_get (h->element, "current-level-bytes", &level_bytes, NULL);
  g_assert_cmpuint (level_bytes, ==, 300);
  g_assert_cmpuint (queue_level_buffers (h->element), ==, 3);
  g_assert_cmpuint (queue_dropped (h->element), ==, 1);

  capture_set_hold (cap, FALSE);
  g_assert_true (capture_wait_buffers (cap, 4));
  for (guint i = 0; i < 4; i++) {
    GBytes *bytes = pulse_buffer_get_bytes (capture_get (cap, i));
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[0], ==, i);
  }
  harness_free (h);
}

static void
test_queue_properties (void)
{
  g_autoptr (PulseElement) queue = make_element ("queue", NULL);
  GParamSpec *pspec;
  guint max_buffers;
  guint64 max_bytes;
  gint leaky;

  g_object_get (queue, "max-buffers", &max_buffers, "max-bytes", &max_bytes, "leaky", &leaky, NULL);
  g_assert_cmpuint (max_buffers, ==, 200);
  g_assert_cmpuint (max_bytes, ==, 16 * 1024 * 1024);
  g_assert_cmpint (leaky, ==, 0);

  /* leaky takes the nicks the parser reads */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (queue), "leaky");
  g_assert_nonnull (pspec);
  {
    GValue v = G_VALUE_INIT;
    g_assert_true (pulse_value_from_string (pspec, "downstream", &v, NULL));
    g_object_set_property (G_OBJECT (queue), "leaky", &v);
    g_value_unset (&v);
  }
  g_object_get (queue, "leaky", &leaky, NULL);
  g_assert_cmpint (leaky, ==, 2);
}

/* ---- tee -------------------------------------------------------------------- */

static void
test_tee_request_pads (void)
{
  Harness *h = harness_new (make_element ("tee", NULL), TRUE, 2);
  PulsePad *src0 = pulse_element_get_static_pad (h->element, "src_0");
  PulsePad *src1 = pulse_element_get_static_pad (h->element, "src_1");
  g_autoptr (GList) pads = pulse_element_get_pads (h->element);

  g_assert_cmpuint (g_list_length (pads), ==, 3);
  g_assert_cmpstr (pulse_pad_get_name (pads->data), ==, "sink");
  g_assert_nonnull (src0);
  g_assert_nonnull (src1);
  g_assert_cmpuint (pulse_element_get_n_pads (h->element, PULSE_PAD_SRC), ==, 2);
  g_assert_true (
      pulse_pad_get_parent_element (pulse_pad_get_peer (src0)) == PULSE_ELEMENT (h->sinks[0]));
  g_assert_true (
      pulse_pad_get_parent_element (pulse_pad_get_peer (src1)) == PULSE_ELEMENT (h->sinks[1]));
  /* a request template, not an always pad */
  g_assert_cmpint (
      pulse_pad_template_get_presence (pulse_pad_get_template (src0)), ==, PULSE_PAD_REQUEST);
  g_assert_cmpstr (
      pulse_pad_template_get_name_template (pulse_pad_get_template (src0)), ==, "src_%u");
  harness_free (h);
}

static void
test_tee_same_buffer (void)
{
  Harness *h = harness_new (make_element ("tee", NULL), TRUE, 2);
  PulseBuffer *buffer = make_seq_buffer (42);
  PulseBuffer *bytes = make_bytes_buffer (16, 7);

  harness_play (h);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (buffer)), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (bytes)), ==, PULSE_FLOW_OK);
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpuint (capture_n (h->sinks[i]), ==, 2);
    /* no copy: both branches hold the very buffer pushed */
    g_assert_true (capture_get (h->sinks[i], 0) == buffer);
    g_assert_true (capture_get (h->sinks[i], 1) == bytes);
  }
  /* ours + one per branch */
  g_assert_cmpint (pulse_buffer_get_refcount (buffer), ==, 3);
  g_assert_cmpint (pulse_buffer_get_refcount (bytes), ==, 3);
  g_assert_false (pulse_buffer_is_writable (buffer));

  harness_free (h);
  g_assert_cmpint (pulse_buffer_get_refcount (buffer), ==, 1);
  g_assert_cmpint (pulse_buffer_get_refcount (bytes), ==, 1);
  pulse_buffer_unref (buffer);
  pulse_buffer_unref (bytes);
}

static void
test_tee_branch_returns (void)
{
  Harness *h = harness_new (make_element ("tee", NULL), TRUE, 2);
  PulseBuffer *buffer = make_seq_buffer (0);

  harness_play (h);
  /* one branch that ended does not stop the others */
  capture_set_return (h->sinks[0], PULSE_FLOW_EOS);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (buffer)), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, make_seq_buffer (1)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->sinks[1]), ==, 2);
  g_assert_cmpint (seq_of (capture_get (h->sinks[1], 1)), ==, 1);
  /* the same when the other branch is the one that ended */
  capture_set_return (h->sinks[0], PULSE_FLOW_OK);
  capture_set_return (h->sinks[1], PULSE_FLOW_EOS);
  g_assert_cmpint (harness_push (h, make_seq_buffer (2)), ==, PULSE_FLOW_OK);
  /* all ended: upstream is told */
  capture_set_return (h->sinks[0], PULSE_FLOW_EOS);
  g_assert_cmpint (harness_push (h, make_seq_buffer (3)), ==, PULSE_FLOW_EOS);
  /* an error in one branch is an error */
  capture_set_return (h->sinks[0], PULSE_FLOW_ERROR);
  capture_set_return (h->sinks[1], PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, make_seq_buffer (4)), ==, PULSE_FLOW_ERROR);
  g_assert_cmpuint (capture_n (h->sinks[0]), ==, 5);
  g_assert_cmpuint (capture_n (h->sinks[1]), ==, 5);

  harness_free (h);
  g_assert_cmpint (pulse_buffer_get_refcount (buffer), ==, 1);
  pulse_buffer_unref (buffer);
}

static void
test_tee_eos (void)
{
  Harness *h = harness_new (make_element ("tee", NULL), TRUE, 2);
  PulseBuffer *late = make_seq_buffer (1);

  harness_play (h);
  g_assert_cmpint (harness_push (h, make_seq_buffer (0)), ==, PULSE_FLOW_OK);
  pulse_pad_push_eos (h->srcpad);
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpuint (h->sinks[i]->n_eos, ==, 1);
    g_assert_cmpuint (h->sinks[i]->eos_at, ==, 1);
  }
  /* once for the pipeline, when both sinks have it */
  g_assert_cmpuint (harness_count_messages (h, PULSE_MESSAGE_EOS), ==, 1);
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (late)), ==, PULSE_FLOW_EOS);
  g_assert_cmpint (pulse_buffer_get_refcount (late), ==, 1);
  g_assert_cmpuint (capture_n (h->sinks[0]), ==, 1);
  harness_free (h);
  pulse_buffer_unref (late);
}

static void
test_tee_link_failure_releases_pad (void)
{
  Harness *h = harness_new (make_element ("tee", NULL), TRUE, 1);
  PulseElement *second = make_element ("testcapture", NULL);
  g_autoptr (GError) error = NULL;
  PulseBuffer *buffer = make_seq_buffer (0);

  /* the sink is taken: the pad requested for this link goes again */
  g_assert_false (pulse_element_link (h->element, PULSE_ELEMENT (h->sinks[0]), &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK);
  g_clear_error (&error);
  g_assert_cmpuint (pulse_element_get_n_pads (h->element, PULSE_PAD_SRC), ==, 1);
  g_assert_null (pulse_element_get_static_pad (h->element, "src_1"));

  /* a second branch still works, and the released pad is not pushed to
   * (ASan would see a freed pad if the tee still had it) */
  add_element (h, second);
  g_assert_true (pulse_element_link (h->element, second, &error));
  g_assert_no_error (error);
  g_object_unref (second);
  g_assert_cmpuint (pulse_element_get_n_pads (h->element, PULSE_PAD_SRC), ==, 2);
  harness_play (h);
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (buffer)), ==, PULSE_FLOW_OK);
  g_assert_cmpint (pulse_buffer_get_refcount (buffer), ==, 3);
  g_assert_true (capture_get (TEST_CAPTURE (second), 0) == buffer);
  harness_free (h);
  pulse_buffer_unref (buffer);
}

static void
test_tee_format_failure_releases_pad (void)
{
  /* records in, serialized out: the formats do not fit, and the request
   * pad made for the link is removed */
  Harness *h = harness_new (make_element ("tee", "name", "fan", NULL), FALSE, 0);
  g_autoptr (PulseElement) timer = make_element ("timer", "name", "clock", NULL);
  PulseElement *sersink = g_object_new (TEST_TYPE_SERIALIZED_SINK, "name", "wire", NULL);
  g_autoptr (GError) error = NULL;

  add_element (h, timer);
  add_element (h, sersink);
  g_assert_true (pulse_element_link (timer, h->element, &error));
  g_assert_no_error (error);
  g_assert_false (pulse_element_link (h->element, sersink, &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK);
  /* the error is about the link being made, not about the tee's insides
   * (it once named the tee twice with the formats swapped) */
  g_assert_true (g_str_has_prefix (error->message,
      "cannot link fan to wire: fan produces records "
      "but wire accepts serialized; put a serializer"));
  g_assert_cmpuint (pulse_element_get_n_pads (h->element, PULSE_PAD_SRC), ==, 0);
  g_assert_false (pulse_pad_is_linked (pulse_element_get_static_pad (sersink, "sink")));
  /* the tee's input kept its link and its format */
  g_assert_true (pulse_pad_is_linked (pulse_element_get_static_pad (h->element, "sink")));
  g_assert_cmpint (pulse_pad_get_formats (pulse_element_get_static_pad (h->element, "sink")), ==,
      PULSE_FORMAT_RECORDS);
  harness_free (h);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_harness_register ();

  g_test_add_func ("/elements/timer/count", test_timer_count);
  g_test_add_func ("/elements/timer/interval", test_timer_interval);
  g_test_add_func ("/elements/timer/fields", test_timer_fields);
  g_test_add_func ("/elements/timer/bad-fields", test_timer_bad_fields);
  g_test_add_func ("/elements/timer/send-eos", test_timer_send_eos);
  g_test_add_func ("/elements/print/records", test_print_records);
  g_test_add_func ("/elements/print/meta", test_print_meta);
  g_test_add_func ("/elements/print/received", test_print_received);
  g_test_add_func ("/elements/print/bytes", test_print_bytes_without_meta);
  g_test_add_func ("/elements/fakesink/counters-and-handoff", test_fakesink);
  g_test_add_func ("/elements/queue/fifo", test_queue_fifo);
  g_test_add_func ("/elements/queue/eos-after-queued", test_queue_eos_after_queued);
  g_test_add_func ("/elements/queue/leaky-upstream", test_queue_leaky_upstream);
  g_test_add_func ("/elements/queue/leaky-downstream", test_queue_leaky_downstream);
  g_test_add_func ("/elements/queue/leaky-no-blocks", test_queue_leaky_no_blocks);
  g_test_add_func ("/elements/queue/stop-unblocks-upstream", test_queue_stop_unblocks_upstream);
  g_test_add_func ("/elements/queue/max-bytes", test_queue_max_bytes);
  g_test_add_func ("/elements/queue/properties", test_queue_properties);
  g_test_add_func ("/elements/tee/request-pads", test_tee_request_pads);
  g_test_add_func ("/elements/tee/same-buffer", test_tee_same_buffer);
  g_test_add_func ("/elements/tee/branch-returns", test_tee_branch_returns);
  g_test_add_func ("/elements/tee/eos", test_tee_eos);
  g_test_add_func ("/elements/tee/link-failure-releases-pad", test_tee_link_failure_releases_pad);
  g_test_add_func (
      "/elements/tee/format-failure-releases-pad", test_tee_format_failure_releases_pad);

  return g_test_run ();
}
