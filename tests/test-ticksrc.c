/* PulseMQ — harness tests for ticksrc
 *
 * ticksrc runs a streaming thread of its own, so every test puts it in a
 * real pipeline in front of a capture sink that keeps what it gets, and
 * waits for a condition (buffers, end-of-stream, a bus message) with a
 * generous deadline before asserting. Nothing here sleeps.
 */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>

#include "harness.h"

/* generous: the suite runs on a loaded 2-core machine and under ASan */
#define DEADLINE_US (20 * G_USEC_PER_SEC)

#define N_DEFAULT_SYMBOLS 5

/* ---- the harness: ticksrc ! testcapture ------------------------------------ */

typedef struct {
  PulsePipeline *pipeline;
  PulseElement *src; /* the pipeline owns it */
  TestCapture *cap;  /* the pipeline owns it */
} Harness;

static Harness *
harness_new (const gchar *first_property, ...)
{
  Harness *h = g_new0 (Harness, 1);
  PulseElement *src;
  va_list args;

  va_start (args, first_property);
  h->pipeline = harness_pipeline_new_valist ("ticksrc", NULL, &src, &h->cap, first_property, args);
  va_end (args);
  h->src = src;
  return h;
}

static void
harness_play (Harness *h)
{
  harness_pipeline_play (h->pipeline);
}

/* counts the messages of @type left on the bus, and drops them all */
static guint
harness_drain (Harness *h, PulseMessageType type)
{
  PulseMessage *m;
  guint n = 0;

  while ((m = pulse_bus_pop (pulse_pipeline_get_bus (h->pipeline))) != NULL) {
    if (pulse_message_get_message_type (m) == type)
      n++;
    pulse_message_unref (m);
  }
  return n;
}

static gboolean
harness_wait_message (Harness *h, PulseMessageType type)
{
  PulseMessage *m = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (h->pipeline), DEADLINE_US, type);

  if (m == NULL)
    return FALSE;
  pulse_message_unref (m);
  return TRUE;
}

static void
harness_free (Harness *h)
{
  gpointer weak = h->pipeline;

  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  harness_drain (h, PULSE_MESSAGE_EOS);
  g_object_add_weak_pointer (G_OBJECT (h->pipeline), &weak);
  g_object_unref (h->pipeline);
  /* the thread is joined and nothing else keeps the pipeline */
  g_assert_null (weak);
  g_free (h);
}

static guint64
produced (Harness *h)
{
  guint64 n;

  g_object_get (h->src, "produced", &n, NULL);
  return n;
}

/* ---- checking ticks ------------------------------------------------------------ */

typedef struct {
  gchar *symbol;
  gdouble price;
  gint64 volume;
  gint64 seq;
} Tick;

static void
tick_clear (Tick *t)
{
  g_free (t->symbol);
}

/* Checks every buffer the capture kept and returns their ticks in order:
 * typed columns, seq without gaps from 0, prices > 0 with two decimals,
 * volumes > 0, records stamped no later than their buffer. */
static GArray *
collect_ticks (Harness *h, guint batch)
{
  GArray *ticks = g_array_new (FALSE, TRUE, sizeof (Tick));
  static const struct {
    const gchar *name;
    PulseColumnType type;
  } columns[] = {
    { "symbol", PULSE_COLUMN_UTF8 },
    { "price", PULSE_COLUMN_FLOAT64 },
    { "volume", PULSE_COLUMN_INT64 },
    { "timestamp_ns", PULSE_COLUMN_TIMESTAMP_NS },
    { "seq", PULSE_COLUMN_INT64 },
  };

  g_array_set_clear_func (ticks, (GDestroyNotify) tick_clear);
  for (guint b = 0; b < h->cap->buffers->len; b++) {
    PulseBuffer *buffer = g_ptr_array_index (h->cap->buffers, b);
    PulseRecordBatch *rb = pulse_buffer_get_records (buffer);
    guint n;

    g_assert_cmpint (pulse_buffer_get_format (buffer), ==, PULSE_FORMAT_RECORDS);
    g_assert_nonnull (rb);
    g_assert_true (pulse_record_batch_is_sealed (rb));
    /* only the capture holds it: nothing in ticksrc kept a reference */
    g_assert_cmpint (pulse_buffer_get_refcount (buffer), ==, 1);
    g_assert_cmpint (pulse_record_batch_get_shape (rb), ==,
        batch == 1 ? PULSE_RECORD_SHAPE_MAP : PULSE_RECORD_SHAPE_ROWS);
    g_assert_cmpuint (pulse_record_batch_get_n_columns (rb), ==, G_N_ELEMENTS (columns));
    for (guint c = 0; c < G_N_ELEMENTS (columns); c++) {
      g_assert_cmpstr (pulse_record_batch_get_column_name (rb, c), ==, columns[c].name);
      g_assert_cmpint (pulse_record_batch_get_column_type (rb, c), ==, columns[c].type);
    }
    n = pulse_record_batch_get_n_rows (rb);
    g_assert_cmpuint (n, >=, 1);
    g_assert_cmpuint (n, <=, batch);
    g_assert_cmpuint (pulse_buffer_get_record_count (buffer), ==, n);

    for (guint r = 0; r < n; r++) {
      Tick t;
      gint64 ts = pulse_record_batch_get_int64 (rb, 3, r);

      t.symbol = pulse_record_batch_dup_string (rb, 0, r);
      t.price = pulse_record_batch_get_double (rb, 1, r);
      t.volume = pulse_record_batch_get_int64 (rb, 2, r);
      t.seq = pulse_record_batch_get_int64 (rb, 4, r);
      g_assert_cmpint (t.seq, ==, ticks->len);
      g_assert_cmpfloat (t.price, >, 0.0);
      /* a whole number of cents (no libm here: prices are positive) */
      g_assert_cmpfloat (ABS (t.price * 100 - (gint64) (t.price * 100 + 0.5)), <, 1e-6);
      g_assert_cmpint (t.volume, >, 0);
      g_assert_cmpint (ts, >, G_GINT64_CONSTANT (1577836800000000000));
      g_assert_cmpint (ts, <=, pulse_buffer_get_timestamp_ns (buffer));
      g_assert_false (pulse_record_batch_is_null (rb, 0, r));
      g_array_append_val (ticks, t);
    }
  }
  return ticks;
}

/* runs ticksrc count=@count batch=@batch rate=@rate seed=@seed to its end */
static GArray *
run_ticks (guint64 count, guint batch, gdouble rate, guint seed)
{
  Harness *h = harness_new ("count", count, "batch", batch, "rate", rate, "seed", seed, NULL);
  GArray *ticks;

  harness_play (h);
  g_assert_true (harness_wait_message (h, PULSE_MESSAGE_EOS));
  g_assert_true (capture_wait_eos (h->cap));
  ticks = collect_ticks (h, batch);
  g_assert_cmpuint (ticks->len, ==, count);
  g_assert_cmpuint (h->cap->buffers->len, ==, (count + batch - 1) / batch);
  /* EOS once, after the last buffer */
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (h->cap->eos_at, ==, h->cap->buffers->len);
  g_assert_cmpuint (produced (h), ==, count);
  g_assert_cmpuint (harness_drain (h, PULSE_MESSAGE_EOS), ==, 0);
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  harness_free (h);
  return ticks;
}

/* ---- tests ---------------------------------------------------------------------- */

static void
test_properties (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseElement) src = pulse_element_factory_make ("ticksrc", &error);
  g_autofree gchar *symbols = NULL;
  gdouble rate, delay;
  guint batch, seed;
  guint64 count, made;

  g_assert_no_error (error);
  g_object_get (src, "symbols", &symbols, "rate", &rate, "batch", &batch, "count", &count, "seed",
      &seed, "produced", &made, NULL);
  g_assert_cmpstr (symbols, ==, "600000,600036,601318,000001,000002");
  g_assert_cmpfloat (rate, ==, 10.0);
  g_assert_cmpuint (batch, ==, 1);
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpuint (seed, ==, 0);
  g_assert_cmpuint (made, ==, 0);
  g_object_get (src, "start-delay", &delay, NULL);
  g_assert_cmpfloat (delay, ==, 0.0);
  g_assert_cmpstr (
      pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (src)), ==, "Source/Market");
  g_assert_false (g_object_class_find_property (G_OBJECT_GET_CLASS (src), "produced")->flags &
      G_PARAM_WRITABLE);
}

static void
test_count_batch (void)
{
  static const struct {
    guint64 count;
    guint batch;
  } cases[] = {
    { 10, 3 },
    { 9, 3 },
    { 1, 1 },
    { 5, 1 },
    { 7, 100 },
    { 1000, 7 },
    { 5000, 1000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GArray) ticks = NULL;
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    g_test_message ("count=%" G_GUINT64_FORMAT " batch=%u", cases[i].count, cases[i].batch);
    ticks = run_ticks (cases[i].count, cases[i].batch, 0, 7);
    for (guint r = 0; r < ticks->len; r++)
      g_hash_table_add (seen, g_array_index (ticks, Tick, r).symbol);
    /* picked at random among the symbols, so only long runs see them all */
    if (cases[i].count >= 1000)
      g_assert_cmpuint (g_hash_table_size (seen), ==, N_DEFAULT_SYMBOLS);
    else
      g_assert_cmpuint (g_hash_table_size (seen), <=, N_DEFAULT_SYMBOLS);
  }
}

static void
test_symbols (void)
{
  Harness *h = harness_new ("symbols", " AAPL , MSFT,TSLA ", "count", (guint64) 300, "batch", 50,
      "rate", 0.0, "seed", 3, NULL);
  g_autoptr (GArray) ticks = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  harness_play (h);
  g_assert_true (capture_wait_eos (h->cap));
  ticks = collect_ticks (h, 50);
  g_assert_cmpuint (ticks->len, ==, 300);
  for (guint r = 0; r < ticks->len; r++)
    g_hash_table_add (seen, g_array_index (ticks, Tick, r).symbol);
  /* trimmed */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 3);
  g_assert_true (g_hash_table_contains (seen, "AAPL"));
  g_assert_true (g_hash_table_contains (seen, "MSFT"));
  g_assert_true (g_hash_table_contains (seen, "TSLA"));
  harness_free (h);
}

static void
test_bad_symbols (void)
{
  static const gchar *bad[] = { "", ",", "600000,,600036", "600000, ", " " };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    Harness *h = harness_new ("symbols", bad[i], NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) verror = NULL;
    GValue value = G_VALUE_INIT;

    g_test_message ("symbols='%s'", bad[i]);
    g_value_init (&value, G_TYPE_STRING);
    g_value_set_string (&value, bad[i]);
    g_assert_false (pulse_element_validate_property (h->src, "symbols", &value, &verror));
    g_assert_error (verror, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
    g_value_unset (&value);

    g_assert_false (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_READY, &error));
    g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE);
    g_assert_cmpint (pulse_element_get_state (h->src), ==, PULSE_STATE_NULL);
    harness_free (h);
  }
}

static gboolean
same_ticks (GArray *a, GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++) {
    Tick *x = &g_array_index (a, Tick, i);
    Tick *y = &g_array_index (b, Tick, i);
    if (strcmp (x->symbol, y->symbol) != 0 || x->price != y->price || x->volume != y->volume)
      return FALSE;
  }
  return TRUE;
}

static void
test_seed (void)
{
  g_autoptr (GArray) a = run_ticks (500, 7, 0, 42);
  /* whatever the batch size and rate: each record draws the same way */
  g_autoptr (GArray) b = run_ticks (500, 1, 0, 42);
  g_autoptr (GArray) c = run_ticks (500, 100, 1e6, 42);
  g_autoptr (GArray) d = run_ticks (500, 7, 0, 43);

  g_assert_true (same_ticks (a, b));
  g_assert_true (same_ticks (a, c));
  g_assert_false (same_ticks (a, d));
}

static void
test_map_shape (void)
{
  /* collect_ticks checks batch=1 gives maps of one row */
  g_autoptr (GArray) ticks = run_ticks (3, 1, 0, 1);
  g_autoptr (GArray) rows = run_ticks (3, 2, 0, 1);

  g_assert_cmpuint (ticks->len, ==, 3);
  g_assert_cmpuint (rows->len, ==, 3);
}

static void
test_rate_zero (void)
{
  /* as fast as possible: two million records well within the deadline */
  Harness *h = harness_new (
      "count", (guint64) 2000000, "batch", 10000, "rate", 0.0, "seed", 5, NULL);

  h->cap->keep_max = 1;
  harness_play (h);
  g_assert_true (capture_wait_eos (h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 200);
  g_assert_cmpuint (h->cap->eos_at, ==, 200);
  g_assert_cmpuint (produced (h), ==, 2000000);
  harness_free (h);
}

static void
test_rate_paced (void)
{
  /* 200 records/s in pairs: buffer k is due at k × 10 ms, so the tenth
   * cannot come before 90 ms; only that lower bound is asserted */
  gint64 start = g_get_monotonic_time ();
  Harness *h = harness_new ("count", (guint64) 20, "batch", 2, "rate", 200.0, NULL);
  g_autoptr (GArray) ticks = NULL;

  harness_play (h);
  g_assert_true (capture_wait_eos (h->cap));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 90 * 1000);
  ticks = collect_ticks (h, 2);
  g_assert_cmpuint (ticks->len, ==, 20);
  g_assert_cmpuint (h->cap->buffers->len, ==, 10);
  harness_free (h);
}

static void
test_start_delay (void)
{
  /* the first buffer waits for the delay, whatever the rate; only that
   * lower bound is asserted */
  static const gdouble rates[] = { 0.0, 1000.0 };

  for (guint i = 0; i < G_N_ELEMENTS (rates); i++) {
    gint64 start = g_get_monotonic_time ();
    Harness *h = harness_new (
        "count", (guint64) 3, "rate", rates[i], "start-delay", 0.2, "seed", 1, NULL);
    g_autoptr (GArray) ticks = NULL;

    harness_play (h);
    g_assert_true (capture_wait_buffers (h->cap, 1));
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);
    g_assert_true (capture_wait_eos (h->cap));
    ticks = collect_ticks (h, 1);
    g_assert_cmpuint (ticks->len, ==, 3);
    harness_free (h);
  }

  /* send_eos during the delay: EOS at once, no buffer */
  {
    gint64 start = g_get_monotonic_time ();
    Harness *h = harness_new ("rate", 0.0, "start-delay", 100.0, NULL);
    gdouble delay;

    g_object_get (h->src, "start-delay", &delay, NULL);
    g_assert_cmpfloat (delay, ==, 100.0);
    harness_play (h);
    pulse_pipeline_send_eos (h->pipeline);
    g_assert_true (capture_wait_eos (h->cap));
    g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * G_USEC_PER_SEC);
    g_assert_cmpuint (h->cap->n_buffers, ==, 0);
    g_assert_cmpuint (produced (h), ==, 0);
    harness_free (h);
  }
}

static void
test_stop_midrun (void)
{
  /* endless and back to back: leaving PLAYING stops and joins the thread */
  Harness *h = harness_new ("batch", 1000, "rate", 0.0, NULL);
  gint64 t;

  h->cap->keep_max = 4;
  harness_play (h);
  g_assert_true (capture_wait_buffers (h->cap, 5));
  t = g_get_monotonic_time ();
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - t, <, 5 * G_USEC_PER_SEC);
  /* stopped, not ended: no EOS */
  g_assert_cmpuint (h->cap->n_eos, ==, 0);
  /* the last batch may have met a flushing pad */
  g_assert_cmpuint (produced (h), >=, (guint64) h->cap->n_buffers * 1000);
  g_assert_cmpuint (produced (h), <=, (guint64) (h->cap->n_buffers + 1) * 1000);
  harness_free (h);

  /* waiting for a slot 100 s away: the wait wakes up at once */
  h = harness_new ("rate", 0.01, NULL);
  harness_play (h);
  g_assert_true (capture_wait_buffers (h->cap, 1));
  t = g_get_monotonic_time ();
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - t, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (h->cap->n_buffers, ==, 1);
  g_assert_cmpuint (h->cap->n_eos, ==, 0);

  /* and PLAYING again starts over */
  g_object_set (h->src, "rate", 0.0, "count", (guint64) 3, NULL);
  harness_play (h);
  g_assert_true (capture_wait_eos (h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 4);
  g_assert_cmpuint (produced (h), ==, 3);
  harness_free (h);
}

static void
test_send_eos (void)
{
  /* endless: send_eos stops the thread, which ends with EOS */
  Harness *h = harness_new ("rate", 1000.0, "batch", 1, NULL);
  g_autoptr (GArray) ticks = NULL;

  harness_play (h);
  g_assert_true (capture_wait_buffers (h->cap, 3));
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_true (harness_wait_message (h, PULSE_MESSAGE_EOS));
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (h->cap->eos_at, ==, h->cap->n_buffers);
  ticks = collect_ticks (h, 1);
  g_assert_cmpuint (ticks->len, ==, produced (h));

  /* a second send_eos changes nothing */
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (harness_drain (h, PULSE_MESSAGE_EOS), ==, 0);
  harness_free (h);

  /* send_eos while waiting for a slot 100 s away: EOS at once */
  h = harness_new ("rate", 0.01, NULL);
  harness_play (h);
  g_assert_true (capture_wait_buffers (h->cap, 1));
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_true (capture_wait_eos (h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 1);
  harness_free (h);
}

static void
test_downstream_error (void)
{
  /* an error downstream stops the thread after the first buffer */
  Harness *h = harness_new ("rate", 0.0, "batch", 10, NULL);

  h->cap->ret = PULSE_FLOW_ERROR;
  harness_play (h);
  g_assert_true (capture_wait_buffers (h->cap, 1));
  /* send_eos still ends the stream, once, after that buffer */
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_true (capture_wait_eos (h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 1);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (produced (h), ==, 10);
  harness_free (h);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_harness_register ();

  g_test_add_func ("/ticksrc/properties", test_properties);
  g_test_add_func ("/ticksrc/count-batch", test_count_batch);
  g_test_add_func ("/ticksrc/symbols", test_symbols);
  g_test_add_func ("/ticksrc/bad-symbols", test_bad_symbols);
  g_test_add_func ("/ticksrc/seed", test_seed);
  g_test_add_func ("/ticksrc/map-shape", test_map_shape);
  g_test_add_func ("/ticksrc/rate-zero", test_rate_zero);
  g_test_add_func ("/ticksrc/rate-paced", test_rate_paced);
  g_test_add_func ("/ticksrc/start-delay", test_start_delay);
  g_test_add_func ("/ticksrc/stop-midrun", test_stop_midrun);
  g_test_add_func ("/ticksrc/send-eos", test_send_eos);
  g_test_add_func ("/ticksrc/downstream-error", test_downstream_error);
  return g_test_run ();
}
