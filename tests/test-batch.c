/* PulseMQ — harness tests for batch
 *
 * The element sits in a real pipeline between a source pad the test
 * drives ("testsrc", or ticksrc) and a capture sink that keeps every
 * buffer. Flushes by size, schema change and EOS happen inside the
 * pushing call, so the test checks them right after it returns; a flush
 * by timeout comes from the element's own thread, so the test waits for
 * it with a generous deadline. Nothing here sleeps.
 */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>

#include "harness.h"

/* generous: the suite runs on a loaded 2-core machine and under ASan */
#define DEADLINE_US (20 * G_USEC_PER_SEC)

/* borrowed: the capture keeps its reference */
static PulseRecordBatch *
capture_batch (TestCapture *self, guint i)
{
  PulseBuffer *buffer;

  g_mutex_lock (&self->lock);
  g_assert_cmpuint (i, <, self->buffers->len);
  buffer = g_ptr_array_index (self->buffers, i);
  g_mutex_unlock (&self->lock);
  g_assert_cmpint (pulse_buffer_get_format (buffer), ==, PULSE_FORMAT_RECORDS);
  g_assert_nonnull (pulse_buffer_get_records (buffer));
  g_assert_cmpuint (pulse_buffer_get_record_count (buffer), ==,
      pulse_record_batch_get_n_rows (pulse_buffer_get_records (buffer)));
  return pulse_buffer_get_records (buffer);
}

/* ---- the harness: (testsrc | ticksrc) ! batch ! testcapture ---------------- */

typedef struct {
  PulsePipeline *pipeline;
  PulseElement *src;   /* the pipeline owns it */
  PulseElement *batch; /* the pipeline owns it */
  TestCapture *cap;    /* the pipeline owns it */
} Harness;

static PulseElement *
make (const gchar *factory)
{
  g_autoptr (GError) error = NULL;
  PulseElement *element = pulse_element_factory_make (factory, &error);

  g_assert_no_error (error);
  g_assert_nonnull (element);
  return element;
}

static void
add (Harness *h, PulseElement *element)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_pipeline_add (h->pipeline, element, &error));
  g_assert_no_error (error);
  g_object_unref (element);
}

/* @src_factory is "testsrc" or a real source; properties are batch's */
static Harness *
harness_new (const gchar *src_factory, const gchar *first_property, ...)
{
  Harness *h = g_new0 (Harness, 1);
  g_autoptr (GError) error = NULL;
  va_list args;

  h->pipeline = pulse_pipeline_new (NULL);
  h->src = make (src_factory);
  h->batch = make ("batch");
  h->cap = TEST_CAPTURE (make ("testcapture"));
  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (h->batch), first_property, args);
  va_end (args);
  add (h, h->src);
  add (h, h->batch);
  add (h, PULSE_ELEMENT (h->cap));
  g_assert_true (pulse_element_link (h->src, h->batch, &error));
  g_assert_true (pulse_element_link (h->batch, PULSE_ELEMENT (h->cap), &error));
  g_assert_no_error (error);
  return h;
}

static void
harness_play (Harness *h)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_PLAYING, &error));
  g_assert_no_error (error);
}

static PulseFlowReturn
harness_push (Harness *h, PulseBuffer *buffer)
{
  return pulse_pad_push (TEST_SRC (h->src)->srcpad, buffer);
}

static void
harness_eos (Harness *h)
{
  pulse_pad_push_eos (TEST_SRC (h->src)->srcpad);
  g_assert_true (capture_wait_eos (h->cap));
}

static void
harness_free (Harness *h)
{
  gpointer weak = h->pipeline;
  PulseMessage *m;

  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  while ((m = pulse_bus_pop (pulse_pipeline_get_bus (h->pipeline))) != NULL)
    pulse_message_unref (m);
  g_object_add_weak_pointer (G_OBJECT (h->pipeline), &weak);
  g_object_unref (h->pipeline);
  g_assert_null (weak);
  g_free (h);
}

static guint64
counter (Harness *h, const gchar *name)
{
  guint64 v;

  g_object_get (h->batch, name, &v, NULL);
  return v;
}

/* @n rows {seq: first..first+n-1} as a list (a map when @n is 1) */
static PulseBuffer *
seq_buffer (gint64 first, guint n)
{
  g_autoptr (PulseRecordBatch) rb = pulse_record_batch_new ();

  pulse_record_batch_set_shape (rb, n == 1 ? PULSE_RECORD_SHAPE_MAP : PULSE_RECORD_SHAPE_ROWS);
  pulse_record_batch_add_column (rb, "seq", PULSE_COLUMN_INT64);
  for (guint i = 0; i < n; i++) {
    pulse_record_batch_append_int64 (rb, 0, first + i);
    pulse_record_batch_end_row (rb);
  }
  return pulse_buffer_new_records (rb);
}

/* checks that output @i holds seq @first..@first+@n-1 */
static void
check_seq (Harness *h, guint i, gint64 first, guint n)
{
  PulseRecordBatch *rb = capture_batch (h->cap, i);
  gint col = pulse_record_batch_find_column (rb, "seq");

  g_assert_cmpint (col, >=, 0);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (rb), ==, n);
  for (guint r = 0; r < n; r++)
    g_assert_cmpint (pulse_record_batch_get_int64 (rb, col, r), ==, first + r);
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_properties (void)
{
  g_autoptr (PulseElement) batch = make ("batch");
  GObjectClass *klass = G_OBJECT_GET_CLASS (batch);
  GParamSpecUInt *size = G_PARAM_SPEC_UINT (g_object_class_find_property (klass, "size"));
  static const gchar *counters[] = { "pushed", "records", "timeouts", "dropped" };
  gdouble timeout;

  g_assert_cmpuint (size->minimum, ==, 1);
  g_assert_cmpuint (size->maximum, ==, PULSE_MAX_RECORDS_PER_FRAME);
  g_assert_cmpuint (size->default_value, ==, 1000);
  g_object_get (batch, "timeout", &timeout, NULL);
  g_assert_cmpfloat (timeout, ==, 0.1);
  g_assert_true (pulse_param_spec_is_duration (g_object_class_find_property (klass, "timeout")));
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++) {
    GParamSpec *pspec = g_object_class_find_property (klass, counters[i]);
    g_assert_nonnull (pspec);
    g_assert_false (pspec->flags & G_PARAM_WRITABLE);
  }
  g_assert_cmpstr (
      pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (batch)), ==, "Filter/Batch");
}

static void
test_size_flush (void)
{
  Harness *h = harness_new ("testsrc", "size", 10, "timeout", 0.0, NULL);

  harness_play (h);
  /* 25 one-record maps: full batches go out inside the push that fills them */
  for (guint i = 0; i < 25; i++) {
    g_assert_cmpint (harness_push (h, seq_buffer (i, 1)), ==, PULSE_FLOW_OK);
    g_assert_cmpuint (capture_n (h->cap), ==, (i + 1) / 10);
  }
  check_seq (h, 0, 0, 10);
  check_seq (h, 1, 10, 10);
  /* maps gathered are a list */
  g_assert_cmpint (
      pulse_record_batch_get_shape (capture_batch (h->cap, 0)), ==, PULSE_RECORD_SHAPE_ROWS);
  g_assert_cmpuint (counter (h, "pushed"), ==, 2);
  g_assert_cmpuint (counter (h, "records"), ==, 20);
  g_assert_cmpuint (counter (h, "timeouts"), ==, 0);
  harness_free (h);
}

static void
test_eos_flush (void)
{
  Harness *h = harness_new ("testsrc", "size", 10, "timeout", 0.0, NULL);

  harness_play (h);
  for (guint i = 0; i < 23; i += 3)
    g_assert_cmpint (harness_push (h, seq_buffer (i, MIN (3, 23 - i))), ==, PULSE_FLOW_OK);
  /* an input is split across outputs: 10 exactly, then the rest */
  g_assert_cmpuint (capture_n (h->cap), ==, 2);
  harness_eos (h);
  g_assert_cmpuint (capture_n (h->cap), ==, 3);
  /* the partial batch, then EOS after it */
  check_seq (h, 0, 0, 10);
  check_seq (h, 1, 10, 10);
  check_seq (h, 2, 20, 3);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (h->cap->eos_at, ==, 3);
  harness_free (h);
}

static void
test_timeout_flush (void)
{
  Harness *h = harness_new ("testsrc", "size", 1000, "timeout", 0.05, NULL);
  gint64 start;

  harness_play (h);
  start = g_get_monotonic_time ();
  g_assert_cmpint (harness_push (h, seq_buffer (0, 2)), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, seq_buffer (2, 1)), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (h->cap, 1));
  /* not before the timeout, counted from the first record */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50000);
  check_seq (h, 0, 0, 3);
  g_assert_cmpuint (counter (h, "timeouts"), ==, 1);

  /* the next batch gets a deadline of its own */
  g_assert_cmpint (harness_push (h, seq_buffer (3, 4)), ==, PULSE_FLOW_OK);
  g_assert_true (capture_wait_buffers (h->cap, 2));
  check_seq (h, 1, 3, 4);
  g_assert_cmpuint (counter (h, "timeouts"), ==, 2);
  harness_eos (h);
  g_assert_cmpuint (capture_n (h->cap), ==, 2);
  harness_free (h);
}

static PulseBuffer *
named_buffer (gint64 seq, PulseColumnType name_type)
{
  g_autoptr (PulseRecordBatch) rb = pulse_record_batch_new ();

  pulse_record_batch_add_column (rb, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (rb, "name", name_type);
  pulse_record_batch_append_int64 (rb, 0, seq);
  if (name_type == PULSE_COLUMN_UTF8)
    pulse_record_batch_append_string (rb, 1, "x", -1);
  else
    pulse_record_batch_append_int64 (rb, 1, 7);
  pulse_record_batch_end_row (rb);
  return pulse_buffer_new_records (rb);
}

static void
test_schema_change (void)
{
  Harness *h = harness_new ("testsrc", "size", 100, "timeout", 0.0, NULL);

  harness_play (h);
  g_assert_cmpint (harness_push (h, seq_buffer (0, 3)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 0);
  /* another schema: the pending batch goes out first */
  g_assert_cmpint (harness_push (h, named_buffer (3, PULSE_COLUMN_UTF8)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 1);
  check_seq (h, 0, 0, 3);
  g_assert_cmpint (harness_push (h, named_buffer (4, PULSE_COLUMN_UTF8)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 1);
  /* the same names with another type are another schema too */
  g_assert_cmpint (harness_push (h, named_buffer (5, PULSE_COLUMN_INT64)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 2);
  check_seq (h, 1, 3, 2);
  g_assert_cmpint (
      pulse_record_batch_get_column_type (capture_batch (h->cap, 1), 1), ==, PULSE_COLUMN_UTF8);
  harness_eos (h);
  g_assert_cmpuint (capture_n (h->cap), ==, 3);
  check_seq (h, 2, 5, 1);
  g_assert_cmpint (
      pulse_record_batch_get_column_type (capture_batch (h->cap, 2), 1), ==, PULSE_COLUMN_INT64);
  harness_free (h);
}

static void
test_frame_cap (void)
{
  Harness *h = harness_new ("testsrc", "size", PULSE_MAX_RECORDS_PER_FRAME, "timeout", 0.0, NULL);
  PulseBuffer *whole = seq_buffer (0, PULSE_MAX_RECORDS_PER_FRAME);

  harness_play (h);
  /* a full batch with nothing pending goes through as it is */
  g_assert_cmpint (harness_push (h, pulse_buffer_ref (whole)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 1);
  g_assert_true (g_ptr_array_index (h->cap->buffers, 0) == whole);
  pulse_buffer_unref (whole);

  /* 2.5 M records in one buffer, beyond the protocol's limit: split */
  g_assert_cmpint (
      harness_push (h, seq_buffer (PULSE_MAX_RECORDS_PER_FRAME, 2500000)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 3);
  check_seq (h, 1, PULSE_MAX_RECORDS_PER_FRAME, PULSE_MAX_RECORDS_PER_FRAME);
  check_seq (h, 2, 2 * PULSE_MAX_RECORDS_PER_FRAME, PULSE_MAX_RECORDS_PER_FRAME);
  harness_eos (h);
  g_assert_cmpuint (capture_n (h->cap), ==, 4);
  check_seq (h, 3, 3 * PULSE_MAX_RECORDS_PER_FRAME, 500000);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (
        pulse_record_batch_get_n_rows (capture_batch (h->cap, i)), <=, PULSE_MAX_RECORDS_PER_FRAME);
  harness_free (h);
}

/* Utf8 and binary columns with empty strings and nulls, split across
 * outputs at places that do not match the inputs: every string, every
 * null and every integer must come out where it went in. */
static const gchar *const words[] = { "a", "", "ccc", NULL, "dddd", "é中", "", NULL, "ffffff", "g",
  "hh", "", "iii", "jjjj", NULL, "k" };

static PulseBuffer *
words_buffer (guint first, guint n)
{
  g_autoptr (PulseRecordBatch) rb = pulse_record_batch_new ();

  pulse_record_batch_add_column (rb, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (rb, "word", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (rb, "raw", PULSE_COLUMN_BINARY);
  pulse_record_batch_add_column (rb, "odd", PULSE_COLUMN_INT64);
  for (guint i = first; i < first + n; i++) {
    const gchar *w = words[i];
    pulse_record_batch_append_int64 (rb, 0, i);
    pulse_record_batch_append_string (rb, 1, w, -1);
    if (w != NULL)
      pulse_record_batch_append_binary (rb, 2, (const guint8 *) w, strlen (w));
    /* null in every even row, so the bitmap has a pattern to get wrong */
    if (i % 2 == 1)
      pulse_record_batch_append_int64 (rb, 3, i * 10);
    pulse_record_batch_end_row (rb);
  }
  return pulse_buffer_new_records (rb);
}

static void
test_utf8_offsets (void)
{
  Harness *h = harness_new ("testsrc", "size", 5, "timeout", 0.0, NULL);
  static const guint sizes[] = { 3, 2, 1, 4, 6 };
  guint first = 0, row = 0;

  harness_play (h);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_assert_cmpint (harness_push (h, words_buffer (first, sizes[i])), ==, PULSE_FLOW_OK);
    first += sizes[i];
  }
  g_assert_cmpuint (first, ==, G_N_ELEMENTS (words));
  harness_eos (h);
  g_assert_cmpuint (capture_n (h->cap), ==, 4);

  for (guint b = 0; b < capture_n (h->cap); b++) {
    PulseRecordBatch *rb = capture_batch (h->cap, b);

    g_assert_cmpuint (pulse_record_batch_get_n_rows (rb), ==, b < 3 ? 5 : 1);
    for (guint r = 0; r < pulse_record_batch_get_n_rows (rb); r++, row++) {
      g_autofree gchar *w = pulse_record_batch_dup_string (rb, 1, r);
      g_autoptr (GBytes) raw = pulse_record_batch_get_binary (rb, 2, r);

      g_assert_cmpint (pulse_record_batch_get_int64 (rb, 0, r), ==, row);
      g_assert_cmpstr (w, ==, words[row]);
      g_assert_cmpint (pulse_record_batch_is_null (rb, 1, r), ==, words[row] == NULL);
      g_assert_cmpint (pulse_record_batch_is_null (rb, 2, r), ==, words[row] == NULL);
      if (words[row] != NULL) {
        g_assert_cmpmem (
            g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), words[row], strlen (words[row]));
      }
      g_assert_cmpint (pulse_record_batch_is_null (rb, 3, r), ==, row % 2 == 0);
      if (row % 2 == 1)
        g_assert_cmpint (pulse_record_batch_get_int64 (rb, 3, r), ==, row * 10);
    }
  }
  g_assert_cmpuint (row, ==, G_N_ELEMENTS (words));
  /* and the JSON writer reads the rebased offsets the same way */
  {
    g_autofree gchar *json = pulse_record_batch_to_json (capture_batch (h->cap, 1));
    g_assert_cmpstr (json, ==,
        "[{\"seq\":5,\"word\":\"é中\",\"raw\":\"w6nkuK0=\",\"odd\":50},"
        "{\"seq\":6,\"word\":\"\",\"raw\":\"\",\"odd\":null},"
        "{\"seq\":7,\"word\":null,\"raw\":null,\"odd\":70},"
        "{\"seq\":8,\"word\":\"ffffff\",\"raw\":\"ZmZmZmZm\",\"odd\":null},"
        "{\"seq\":9,\"word\":\"g\",\"raw\":\"Zw==\",\"odd\":90}]");
  }
  harness_free (h);
}

/* Real ticks through batch compared with the same ticks without it: a
 * given seed gives the same ticks whatever ticksrc's batch size. */
static GPtrArray *
run_ticks (guint tick_batch, guint batch_size, guint64 count)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = NULL;
  PulsePipeline *pipeline;
  PulseElement *cap;
  GPtrArray *out;
  PulseMessage *m;

  if (batch_size > 0)
    desc = g_strdup_printf ("ticksrc rate=0 seed=5 batch=%u count=%" G_GUINT64_FORMAT
                            " ! batch size=%u timeout=0 ! testcapture name=cap",
        tick_batch, count, batch_size);
  else
    desc = g_strdup_printf ("ticksrc rate=0 seed=5 batch=%u count=%" G_GUINT64_FORMAT
                            " ! testcapture name=cap",
        tick_batch, count);
  pipeline = pulse_parse_launch (desc, &error);
  g_assert_no_error (error);
  cap = pulse_pipeline_get_by_name (pipeline, "cap");
  g_assert_nonnull (cap);
  g_assert_true (pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error));
  g_assert_no_error (error);
  m = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (pipeline), DEADLINE_US, PULSE_MESSAGE_EOS | PULSE_MESSAGE_ERROR);
  g_assert_nonnull (m);
  g_assert_cmpint (pulse_message_get_message_type (m), ==, PULSE_MESSAGE_EOS);
  pulse_message_unref (m);
  out = g_ptr_array_ref (TEST_CAPTURE (cap)->buffers);
  g_assert_true (pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL));
  g_object_unref (pipeline);
  return out;
}

static void
test_seq_continuity (void)
{
  const guint64 count = 10007;
  g_autoptr (GPtrArray) batched = run_ticks (7, 100, count);
  g_autoptr (GPtrArray) plain = run_ticks (count, 0, count);
  PulseRecordBatch *ref = pulse_buffer_get_records (g_ptr_array_index (plain, 0));
  guint64 row = 0;

  g_assert_cmpuint (plain->len, ==, 1);
  g_assert_cmpuint (batched->len, ==, (count + 99) / 100);
  for (guint b = 0; b < batched->len; b++) {
    PulseRecordBatch *rb = pulse_buffer_get_records (g_ptr_array_index (batched, b));
    guint n = pulse_record_batch_get_n_rows (rb);

    g_assert_cmpuint (n, ==, b + 1 < batched->len ? 100 : count % 100);
    g_assert_cmpuint (pulse_record_batch_get_n_columns (rb), ==, 5);
    for (guint r = 0; r < n; r++, row++) {
      g_autofree gchar *sym = pulse_record_batch_dup_string (rb, 0, r);
      g_autofree gchar *ref_sym = pulse_record_batch_dup_string (ref, 0, row);

      g_assert_cmpint (pulse_record_batch_get_int64 (rb, 4, r), ==, row);
      g_assert_cmpstr (sym, ==, ref_sym);
      g_assert_cmpfloat (pulse_record_batch_get_double (rb, 1, r), ==,
          pulse_record_batch_get_double (ref, 1, row));
      g_assert_cmpint (
          pulse_record_batch_get_int64 (rb, 2, r), ==, pulse_record_batch_get_int64 (ref, 2, row));
      /* no record is younger than its buffer */
      g_assert_cmpint (pulse_record_batch_get_int64 (rb, 3, r), <=,
          pulse_buffer_get_timestamp_ns (g_ptr_array_index (batched, b)));
    }
  }
  g_assert_cmpuint (row, ==, count);
}

static void
test_value_input (void)
{
  Harness *h = harness_new ("testsrc", "size", 2, "timeout", 0.0, NULL);
  g_autoptr (GVariantBuilder) b = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
  PulseMessage *warning;
  PulseRecordBatch *rb;

  harness_play (h);
  /* a flat map as a value: one row */
  g_variant_builder_add (b, "{sv}", "seq", g_variant_new_int64 (0));
  g_assert_cmpint (
      harness_push (h, pulse_buffer_new_value (g_variant_builder_end (b))), ==, PULSE_FLOW_OK);
  g_assert_cmpint (harness_push (h, seq_buffer (1, 1)), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (capture_n (h->cap), ==, 1);
  check_seq (h, 0, 0, 2);
  rb = capture_batch (h->cap, 0);
  g_assert_cmpint (pulse_record_batch_get_shape (rb), ==, PULSE_RECORD_SHAPE_ROWS);

  /* a plain string is no record: dropped, counted, said once on the bus */
  g_assert_cmpint (
      harness_push (h, pulse_buffer_new_value (g_variant_new_string ("hello"))), ==, PULSE_FLOW_OK);
  g_assert_cmpuint (counter (h, "dropped"), ==, 1);
  warning = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (h->pipeline), DEADLINE_US, PULSE_MESSAGE_WARNING);
  g_assert_nonnull (warning);
  pulse_message_unref (warning);
  harness_eos (h);
  g_assert_cmpuint (capture_n (h->cap), ==, 1);
  harness_free (h);
}

static void
test_downstream_error (void)
{
  Harness *h = harness_new ("testsrc", "size", 2, "timeout", 0.0, NULL);

  h->cap->ret = PULSE_FLOW_ERROR;
  harness_play (h);
  g_assert_cmpint (harness_push (h, seq_buffer (0, 1)), ==, PULSE_FLOW_OK);
  /* the push that fills the batch gets downstream's answer, and so does
   * every push after it */
  g_assert_cmpint (harness_push (h, seq_buffer (1, 1)), ==, PULSE_FLOW_ERROR);
  g_assert_cmpint (harness_push (h, seq_buffer (2, 1)), ==, PULSE_FLOW_ERROR);
  g_assert_cmpuint (capture_n (h->cap), ==, 1);
  harness_free (h);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_harness_register ();

  g_test_add_func ("/batch/properties", test_properties);
  g_test_add_func ("/batch/size-flush", test_size_flush);
  g_test_add_func ("/batch/eos-flush", test_eos_flush);
  g_test_add_func ("/batch/timeout-flush", test_timeout_flush);
  g_test_add_func ("/batch/schema-change", test_schema_change);
  g_test_add_func ("/batch/frame-cap", test_frame_cap);
  g_test_add_func ("/batch/utf8-offsets", test_utf8_offsets);
  g_test_add_func ("/batch/seq-continuity", test_seq_continuity);
  g_test_add_func ("/batch/value-input", test_value_input);
  g_test_add_func ("/batch/downstream-error", test_downstream_error);
  return g_test_run ();
}
