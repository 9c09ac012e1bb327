/* PulseMQ — harness tests for the producer element
 *
 * Each test puts a producer in a real pipeline in front of a capture sink
 * that keeps what it gets. Interval mode calls the producer function on
 * the main context that was the thread-default one going to PLAYING (here
 * the global default context), so the tests iterate it while they wait;
 * burst mode and pushes need no main loop. Every wait has a generous
 * deadline, and timing assertions are one-sided or on means.
 */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>

#include "harness.h"

/* generous: the suite runs on a loaded 2-core machine and under ASan */
#define DEADLINE_US (20 * G_USEC_PER_SEC)

/* ---- waiting while the main context runs ------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the default main context (where interval mode calls the producer)
 * until @done says so; a short timeout wakes it for conditions that
 * another thread makes true. */
static gboolean
iterate_until (Condition done, gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  guint wake = g_timeout_add (5, wake_up, NULL);
  gboolean ok;

  while (!(ok = done (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

static gboolean
got_eos (gpointer data)
{
  return capture_n_eos (data) > 0;
}

typedef struct {
  TestCapture *cap;
  guint n;
} BufferCount;

static gboolean
got_buffers (gpointer data)
{
  BufferCount *c = data;
  return capture_n (c->cap) >= c->n;
}

/* ---- the harness: producer ! testcapture ------------------------------------ */

typedef struct {
  PulsePipeline *pipeline;
  PulseProducer *producer; /* the pipeline owns it */
  TestCapture *cap;        /* the pipeline owns it */
} Harness;

static Harness *
harness_new (const gchar *first_property, ...)
{
  Harness *h = g_new0 (Harness, 1);
  PulseElement *src;
  va_list args;

  va_start (args, first_property);
  h->pipeline = harness_pipeline_new_valist (
      "producer", "prod", &src, &h->cap, first_property, args);
  va_end (args);
  h->producer = PULSE_PRODUCER (src);
  return h;
}

static void
harness_play (Harness *h)
{
  harness_pipeline_play (h->pipeline);
}

static void
harness_free (Harness *h)
{
  gpointer weak = h->pipeline;

  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  /* what the tick source and the thread held is released by now, or once
   * the context has run the destroyed source's last dispatch */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_add_weak_pointer (G_OBJECT (h->pipeline), &weak);
  g_object_unref (h->pipeline);
  g_assert_null (weak);
  g_free (h);
}

static guint64
uint64_prop (Harness *h, const gchar *name)
{
  guint64 n;

  g_object_get (h->producer, name, &n, NULL);
  return n;
}

/* the WARNING messages on the bus, as "src-path: text" lines */
static GPtrArray *
warnings (Harness *h)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  PulseMessage *m;

  while ((m = pulse_bus_pop (pulse_pipeline_get_bus (h->pipeline))) != NULL) {
    if (pulse_message_get_message_type (m) == PULSE_MESSAGE_WARNING) {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;

      pulse_message_parse_warning (m, &error, &debug);
      g_ptr_array_add (
          out, g_strdup_printf ("%s: %s", pulse_message_get_src_path (m), error->message));
    }
    pulse_message_unref (m);
  }
  return out;
}

/* ---- a producer function for the tests ---------------------------------------- */

typedef struct {
  GMutex lock;
  GArray *times;  /* g_get_monotonic_time() at each call's start */
  guint n_values; /* calls that produce a value; later ones produce NULL */
  guint fail_at;  /* 1-based call that fails, 0 for none */
  guint slow_n;   /* the first slow_n calls take slow_us */
  gint64 slow_us;
  gboolean endless; /* ignore n_values */
  GThread *thread;  /* of the last call */
  gint notified;
} Script;

static Script *
script_new (void)
{
  Script *s = g_new0 (Script, 1);

  g_mutex_init (&s->lock);
  s->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  return s;
}

static void
script_free (Script *s)
{
  g_array_unref (s->times);
  g_mutex_clear (&s->lock);
  g_free (s);
}

static guint
script_calls (Script *s)
{
  guint n;

  g_mutex_lock (&s->lock);
  n = s->times->len;
  g_mutex_unlock (&s->lock);
  return n;
}

static GVariant *
script_value (guint call)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "seq", g_variant_new_int64 (call));
  g_variant_builder_add (&b, "{sv}", "symbol", g_variant_new_string ("600000"));
  return g_variant_builder_end (&b);
}

static GVariant *
script_func (PulseProducer *producer, gpointer user_data, GError **error)
{
  Script *s = user_data;
  gint64 now = g_get_monotonic_time ();
  guint call;

  g_assert_true (PULSE_IS_PRODUCER (producer));
  g_mutex_lock (&s->lock);
  g_array_append_val (s->times, now);
  call = s->times->len;
  s->thread = g_thread_self ();
  g_mutex_unlock (&s->lock);

  if (call <= s->slow_n)
    g_usleep (s->slow_us);
  if (call == s->fail_at) {
    g_set_error (
        error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_READ, "the feed is down (call %u)", call);
    return NULL;
  }
  if (!s->endless && call > s->n_values)
    return NULL;
  return script_value (call);
}

static void
script_notify (gpointer user_data)
{
  Script *s = user_data;
  g_atomic_int_inc (&s->notified);
}

static gint64
seq_of (PulseBuffer *buffer)
{
  PulseRecordBatch *batch = pulse_buffer_get_records (buffer);

  g_assert_nonnull (batch);
  return pulse_record_batch_get_int64 (batch, pulse_record_batch_find_column (batch, "seq"), 0);
}

/* ---- tests ---------------------------------------------------------------------- */

static void
test_properties (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseElement) p = pulse_element_factory_make ("producer", &error);
  GObjectClass *klass;
  GParamSpec *pspec;
  gdouble interval;
  gboolean burst, tables;
  guint64 count, produced, failed;
  gint cache_size;

  g_assert_no_error (error);
  g_assert_true (PULSE_IS_PRODUCER (p));
  g_object_get (p, "interval", &interval, "burst", &burst, "count", &count, "cache-size",
      &cache_size, "tables", &tables, "produced", &produced, "failed", &failed, NULL);
  /* the original's defaults: every 5 s, a cache of 100 000 messages */
  g_assert_cmpfloat (interval, ==, 5.0);
  g_assert_false (burst);
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpint (cache_size, ==, 100000);
  g_assert_true (tables);
  g_assert_cmpuint (produced, ==, 0);
  g_assert_cmpuint (failed, ==, 0);

  klass = G_OBJECT_GET_CLASS (p);
  g_assert_true (pulse_param_spec_is_duration (g_object_class_find_property (klass, "interval")));
  pspec = g_object_class_find_property (klass, "cache-size");
  g_assert_cmpint (G_PARAM_SPEC_INT (pspec)->minimum, ==, 0);
  g_assert_cmpint (G_PARAM_SPEC_INT (pspec)->maximum, ==, G_MAXINT);
  g_assert_false (g_object_class_find_property (klass, "produced")->flags & G_PARAM_WRITABLE);
  g_assert_false (g_object_class_find_property (klass, "failed")->flags & G_PARAM_WRITABLE);
  g_assert_cmpstr (
      pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (p)), ==, "Source/App");
  g_assert_cmpuint (g_signal_lookup ("produce", PULSE_TYPE_PRODUCER), !=, 0);
}

/* ---- every kind of value ---- */

static PulseBuffer *
make (PulseProducer *p, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  PulseBuffer *buffer = pulse_producer_make_buffer (p, g_variant_new_parsed (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (buffer);
  g_assert_cmpint (pulse_buffer_get_format (buffer), ==, PULSE_FORMAT_RECORDS);
  return buffer;
}

static gchar *
to_json (PulseBuffer *buffer)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = pulse_serialize (PULSE_SERIALIZER_JSON, buffer, &error);
  gsize len;
  const gchar *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

static void
assert_json (PulseBuffer *buffer, const gchar *expected)
{
  g_autofree gchar *json = to_json (buffer);
  g_assert_cmpstr (json, ==, expected);
}

static void
test_values (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseElement) element = pulse_element_factory_make ("producer", &error);
  PulseProducer *p = PULSE_PRODUCER (element);
  PulseBuffer *b;
  PulseRecordBatch *batch;
  GVariant *v;
  gsize len;

  g_assert_no_error (error);

  /* a map: one record, columnar, written back as a map */
  b = make (p, "{'symbol': <'600000'>, 'price': <10.5>, 'volume': <int64 100>, 'ok': <true>}");
  batch = pulse_buffer_get_records (b);
  g_assert_nonnull (batch);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_MAP);
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 1);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 2), ==, PULSE_COLUMN_INT64);
  assert_json (b, "{\"symbol\":\"600000\",\"price\":10.5,\"volume\":100,\"ok\":true}");
  pulse_buffer_unref (b);

  /* a list of maps, as aa{sv} and as av: one record each, the union of keys */
  b = make (p, "[{'seq': <int64 1>, 'price': <10.5>}, {'seq': <int64 2>}]");
  batch = pulse_buffer_get_records (b);
  g_assert_nonnull (batch);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_ROWS);
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 2);
  assert_json (b, "[{\"seq\":1,\"price\":10.5},{\"seq\":2,\"price\":null}]");
  pulse_buffer_unref (b);
  b = make (p, "[<{'seq': <int64 1>}>, <{'seq': <int64 2>}>, <{'seq': <int64 3>}>]");
  g_assert_nonnull (pulse_buffer_get_records (b));
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 3);
  assert_json (b, "[{\"seq\":1},{\"seq\":2},{\"seq\":3}]");
  pulse_buffer_unref (b);

  /* an empty list: no record, as the original's [] */
  b = make (p, "@aa{sv} []");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 0);
  assert_json (b, "[]");
  pulse_buffer_unref (b);

  /* a string: what the str serializer sends as it is */
  b = make (p, "'hello 中文'");
  v = pulse_buffer_get_value (b);
  g_assert_nonnull (v);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "s");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 1);
  {
    g_autoptr (GBytes) raw = pulse_serialize (PULSE_SERIALIZER_STR, b, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (raw, &len), len, "hello 中文", strlen ("hello 中文"));
  }
  pulse_buffer_unref (b);

  /* bytes: what the bytes serializer sends as it is */
  b = make (p, "[byte 0x01, 0x02, 0x72, 0x61, 0x77]");
  v = pulse_buffer_get_value (b);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "ay");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 1);
  {
    g_autoptr (GBytes) raw = pulse_serialize (PULSE_SERIALIZER_BYTES, b, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (raw, &len), len, "\x01\x02raw", 5);
  }
  pulse_buffer_unref (b);

  /* lists of strings and of bytes: one record each */
  b = make (p, "['a', 'b', 'c']");
  g_assert_cmpstr (g_variant_get_type_string (pulse_buffer_get_value (b)), ==, "as");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 3);
  assert_json (b, "[\"a\",\"b\",\"c\"]");
  pulse_buffer_unref (b);
  b = make (p, "[b'x', b'yz']");
  g_assert_cmpstr (g_variant_get_type_string (pulse_buffer_get_value (b)), ==, "aay");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 2);
  pulse_buffer_unref (b);

  /* a table of columns: one record per row, written back as row maps */
  b = make (p,
      "{'seq': <[int64 1, 2, 3]>, 'price': <[10.5, 10.6, 10.7]>, "
      "'sym': <['600000', '600036', '601318']>, 'up': <[true, false, true]>}");
  batch = pulse_buffer_get_records (b);
  g_assert_nonnull (batch);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_TABLE);
  g_assert_cmpuint (pulse_record_batch_get_n_rows (batch), ==, 3);
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 3);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 0), ==, PULSE_COLUMN_INT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 1), ==, PULSE_COLUMN_FLOAT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 2), ==, PULSE_COLUMN_UTF8);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 3), ==, PULSE_COLUMN_BOOL);
  assert_json (b,
      "[{\"seq\":1,\"price\":10.5,\"sym\":\"600000\",\"up\":true},"
      "{\"seq\":2,\"price\":10.6,\"sym\":\"600036\",\"up\":false},"
      "{\"seq\":3,\"price\":10.7,\"sym\":\"601318\",\"up\":true}]");
  pulse_buffer_unref (b);

  /* columns of narrower ints, of variants with nulls and mixed numbers,
   * of byte strings; as a list of (name, column) pairs */
  b = make (p,
      "[('n', <[1, 2]>), ('v', <[<int64 1>, <2.5>]>), ('m', <[just 'a', nothing]>), "
      "('raw', <[b'x', b'y']>)]");
  batch = pulse_buffer_get_records (b);
  g_assert_cmpint (pulse_record_batch_get_shape (batch), ==, PULSE_RECORD_SHAPE_TABLE);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 0), ==, PULSE_COLUMN_INT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 1), ==, PULSE_COLUMN_FLOAT64);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 2), ==, PULSE_COLUMN_UTF8);
  g_assert_cmpint (pulse_record_batch_get_column_type (batch, 3), ==, PULSE_COLUMN_BINARY);
  g_assert_true (pulse_record_batch_is_null (batch, 2, 1));
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 2);
  /* (a b'' of the text format ends with its nul byte: "x\0" is eAA=) */
  assert_json (b,
      "[{\"n\":1,\"v\":1.0,\"m\":\"a\",\"raw\":\"eAA=\"},"
      "{\"n\":2,\"v\":2.5,\"m\":null,\"raw\":\"eQA=\"}]");
  pulse_buffer_unref (b);

  /* with tables=false a map of lists is one record */
  g_object_set (p, "tables", FALSE, NULL);
  b = make (p, "{'bids': <[10.5, 10.4]>, 'asks': <[10.6, 10.7]>}");
  g_assert_null (pulse_buffer_get_records (b));
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 1);
  assert_json (b, "{\"bids\":[10.5,10.4],\"asks\":[10.6,10.7]}");
  pulse_buffer_unref (b);
  g_object_set (p, "tables", TRUE, NULL);

  /* records that are not flat travel as a value tree, integers widened */
  b = make (p, "{'sym': <'600000'>, 'book': <{'bid': <int32 7>}>, 'levels': <[1, 2]>}");
  g_assert_null (pulse_buffer_get_records (b));
  g_assert_nonnull (pulse_buffer_get_value (b));
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 1);
  assert_json (b, "{\"sym\":\"600000\",\"book\":{\"bid\":7},\"levels\":[1,2]}");
  pulse_buffer_unref (b);
  b = make (p, "[<'a'>, <int64 1>, <{'x': <byte 0x05>}>]");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 3);
  assert_json (b, "[\"a\",1,{\"x\":5}]");
  pulse_buffer_unref (b);
  /* a number is one record too */
  b = make (p, "int64 42");
  g_assert_cmpuint (pulse_buffer_get_record_count (b), ==, 1);
  assert_json (b, "42");
  pulse_buffer_unref (b);
  /* a value boxed in a variant is the value */
  b = make (p, "<<'boxed'>>");
  g_assert_cmpstr (g_variant_get_type_string (pulse_buffer_get_value (b)), ==, "s");
  pulse_buffer_unref (b);

  /* what no serializer writes, and tables that are not */
  {
    static const gchar *const refused[] = {
      "(1, 'a')",
      "{'t': <(1, 2)>}",
      "{1: 'a'}",
      "{'seq': <[int64 1, 2]>, 'price': <[10.5]>}",
      "{'seq': <[int64 1]>, 'nested': <[[1]]>}",
      "{'seq': <[<int64 1>, <'one'>]>}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
      g_autoptr (GError) local = NULL;
      b = pulse_producer_make_buffer (p, g_variant_new_parsed (refused[i]), &local);
      g_test_message ("%s: %s", refused[i], local != NULL ? local->message : "(accepted)");
      g_assert_null (b);
      g_assert_error (local, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
    }
  }
}

/* ---- interval mode ---- */

static void
test_interval_accuracy (void)
{
  /* 51 calls 20 ms apart on the grid: the mean of the 50 periods is the
   * interval within 2 %, whatever the jitter of single ticks */
  Harness *h = harness_new ("interval", 0.02, "count", (guint64) 51, NULL);
  Script *s = script_new ();
  gint64 first, last;
  gdouble mean_us, slope_us;

  s->endless = TRUE;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (s->times->len, ==, 51);
  first = g_array_index (s->times, gint64, 0);
  last = g_array_index (s->times, gint64, 50);
  mean_us = (last - first) / 50.0;
  /* the least-squares slope of call time over call number is the mean
   * period too, and one late first or last call hardly moves it */
  {
    gdouble sxy = 0, sxx = 0;
    for (guint k = 0; k <= 50; k++) {
      sxy += (k - 25.0) * (gdouble) (g_array_index (s->times, gint64, k) - first);
      sxx += (k - 25.0) * (k - 25.0);
    }
    slope_us = sxy / sxx;
  }
  g_test_message ("mean period %.1f us, fitted %.1f us", mean_us, slope_us);
  g_assert_cmpfloat (slope_us, >=, 20000 * 0.98);
  g_assert_cmpfloat (slope_us, <=, 20000 * 1.02);
  /* and from the two ends, within 5 %: 2 % is 20 ms over the second,
   * which a loaded machine could take from the first or last call alone */
  g_assert_cmpfloat (mean_us, >=, 20000 * 0.95);
  g_assert_cmpfloat (mean_us, <=, 20000 * 1.05);
  /* called on this thread, which ran the main context */
  g_assert_true (s->thread == g_thread_self ());
  /* every call produced, EOS after the last one */
  g_assert_cmpuint (h->cap->n_buffers, ==, 51);
  g_assert_cmpuint (h->cap->eos_at, ==, 51);
  g_assert_cmpuint (uint64_prop (h, "produced"), ==, 51);
  for (guint i = 0; i < 51; i++)
    g_assert_cmpint (seq_of (capture_get (h->cap, i)), ==, i + 1);
  harness_free (h);
  script_free (s);
}

static void
test_interval_skips_nothing (void)
{
  /* NULL skips a tick; count counts calls, produced or not */
  Harness *h = harness_new ("interval", 0.005, "count", (guint64) 6, NULL);
  Script *s = script_new ();

  s->n_values = 3;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (script_calls (s), ==, 6);
  g_assert_cmpuint (h->cap->n_buffers, ==, 3);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  harness_free (h);
  script_free (s);
}

static void
test_callback_error (void)
{
  /* the third call fails: a WARNING naming the element, and the producer
   * carries on with the next ones */
  Harness *h = harness_new ("interval", 0.005, "count", (guint64) 6, NULL);
  Script *s = script_new ();
  g_autoptr (GPtrArray) warned = NULL;

  s->endless = TRUE;
  s->fail_at = 3;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (script_calls (s), ==, 6);
  g_assert_cmpuint (h->cap->n_buffers, ==, 5);
  g_assert_cmpint (seq_of (capture_get (h->cap, 2)), ==, 4);
  g_assert_cmpuint (uint64_prop (h, "failed"), ==, 1);
  g_assert_cmpuint (uint64_prop (h, "produced"), ==, 5);
  warned = warnings (h);
  g_assert_cmpuint (warned->len, ==, 1);
  g_test_message ("%s", (gchar *) warned->pdata[0]);
  g_assert_true (g_str_has_suffix (warned->pdata[0],
      "/prod: prod could not produce (1 failures so far): the feed is down (call 3)"));
  harness_free (h);
  script_free (s);
}

static void
test_slow_callback (void)
{
  /* 20 ms apart, but the first 4 calls take 60 ms: each late call is made
   * at once and the slots it missed are skipped. Once the calls are fast
   * again they follow the grid: the 8 missed slots are not made up in a
   * burst. Only sums of gaps are asserted: a loaded machine may delay any
   * one call. */
  Harness *h = harness_new ("interval", 0.02, "count", (guint64) 12, NULL);
  Script *s = script_new ();
  gint64 fast_span;

  s->endless = TRUE;
  s->slow_n = 4;
  s->slow_us = 60 * 1000;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (s->times->len, ==, 12);
  for (guint i = 1; i < s->times->len; i++) {
    gint64 gap = g_array_index (s->times, gint64, i) - g_array_index (s->times, gint64, i - 1);
    g_test_message ("call %u: %+.1f ms", i + 1, gap / 1000.0);
    /* one call at a time, never two at once */
    if (i <= s->slow_n)
      g_assert_cmpint (gap, >=, 60 * 1000);
  }
  /* call 5 comes at once after the slow ones, late in its slot; calls 6
   * to 12 are on the next 7 slots of the grid, so they span 6 slots
   * (120 ms), less what a loaded machine delays call 6 by. Making up the
   * 8 missed slots would have squeezed them into a few milliseconds. */
  fast_span = g_array_index (s->times, gint64, 11) - g_array_index (s->times, gint64, 5);
  g_test_message ("calls 6 to 12 span %.1f ms", fast_span / 1000.0);
  g_assert_cmpint (fast_span, >=, 4 * 20 * 1000);
  harness_free (h);
  script_free (s);
}

static GVariant *
signal_handler (PulseProducer *producer, gpointer user_data)
{
  guint *n = user_data;

  (*n)++;
  if (*n == 2)
    /* a handler's error channel */
    pulse_producer_report_error (producer, "handler failed");
  return g_variant_ref_sink (g_variant_new_string ("from the signal"));
}

static void
test_signal (void)
{
  Harness *h = harness_new ("interval", 0.005, "count", (guint64) 3, NULL);
  Script *s = script_new ();
  guint n = 0;
  g_autoptr (GPtrArray) warned = NULL;

  g_signal_connect (h->producer, "produce", G_CALLBACK (signal_handler), &n);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (n, ==, 3);
  /* the second value was dropped: its call reported an error */
  g_assert_cmpuint (h->cap->n_buffers, ==, 2);
  g_assert_cmpstr (g_variant_get_string (pulse_buffer_get_value (capture_get (h->cap, 0)), NULL),
      ==, "from the signal");
  g_assert_cmpuint (uint64_prop (h, "failed"), ==, 1);
  warned = warnings (h);
  g_assert_cmpuint (warned->len, ==, 1);
  g_assert_nonnull (strstr (warned->pdata[0], "prod could not produce"));
  g_assert_nonnull (strstr (warned->pdata[0], "handler failed"));

  /* a callback takes precedence over the signal */
  s->endless = TRUE;
  pulse_producer_set_callback (h->producer, script_func, s, script_notify);
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_NULL, NULL));
  capture_reset (h->cap);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (script_calls (s), ==, 3);
  /* going back to the signal releases the callback's data */
  g_assert_cmpint (s->notified, ==, 0);
  pulse_producer_set_callback (h->producer, NULL, NULL, NULL);
  g_assert_cmpint (s->notified, ==, 1);
  harness_free (h);
  script_free (s);
}

static void
test_no_callback (void)
{
  /* with nothing to call, interval mode ticks, sends nothing and ends
   * after count ticks; burst mode ends at once */
  Harness *h = harness_new ("interval", 0.005, "count", (guint64) 3, NULL);

  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 0);
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  harness_free (h);

  h = harness_new ("burst", TRUE, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 0);
  harness_free (h);
}

static void
test_send_eos_interval (void)
{
  /* endless: send_eos ends the stream after the last buffer, and no call
   * comes after it */
  Harness *h = harness_new ("interval", 0.005, NULL);
  Script *s = script_new ();
  BufferCount three = { h->cap, 3 };
  guint calls;

  s->endless = TRUE;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_buffers, &three));
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_true (iterate_until (got_eos, h->cap));
  calls = script_calls (s);
  g_assert_cmpuint (h->cap->eos_at, ==, h->cap->n_buffers);
  g_assert_cmpuint (h->cap->n_buffers, ==, calls);
  /* a while later: nothing more */
  g_usleep (30 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (script_calls (s), ==, calls);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  harness_free (h);
  script_free (s);
}

/* ---- burst mode ---- */

static void
test_burst (void)
{
  /* N values, then NULL: exactly N buffers, then EOS */
  Harness *h = harness_new ("burst", TRUE, NULL);
  Script *s = script_new ();

  s->n_values = 1000;
  pulse_producer_set_callback (h->producer, script_func, s, script_notify);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 1000);
  g_assert_cmpuint (h->cap->eos_at, ==, 1000);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (script_calls (s), ==, 1001);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpint (seq_of (capture_get (h->cap, i)), ==, i + 1);
  /* on a thread of its own */
  g_assert_false (s->thread == g_thread_self ());
  g_assert_cmpuint (uint64_prop (h, "produced"), ==, 1000);
  harness_free (h);
  /* the element is gone, and with it the callback's data */
  g_assert_cmpint (s->notified, ==, 1);
  script_free (s);
}

static void
test_burst_count (void)
{
  Harness *h = harness_new ("burst", TRUE, "count", (guint64) 7, NULL);
  Script *s = script_new ();

  s->endless = TRUE;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 7);
  g_assert_cmpuint (script_calls (s), ==, 7);
  harness_free (h);
  script_free (s);
}

static void
test_burst_error_backoff (void)
{
  /* a failure in burst mode: a WARNING, 100 ms of pause, then on */
  Harness *h = harness_new ("burst", TRUE, NULL);
  Script *s = script_new ();
  g_autoptr (GPtrArray) warned = NULL;
  gint64 pause;

  s->n_values = 5;
  s->fail_at = 2;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (script_calls (s), ==, 6);
  g_assert_cmpuint (h->cap->n_buffers, ==, 4);
  pause = g_array_index (s->times, gint64, 2) - g_array_index (s->times, gint64, 1);
  g_assert_cmpint (pause, >=, 100 * 1000);
  warned = warnings (h);
  g_assert_cmpuint (warned->len, ==, 1);
  g_assert_nonnull (strstr (warned->pdata[0], "the feed is down (call 2)"));
  harness_free (h);
  script_free (s);
}

static void
test_burst_send_eos_and_stop (void)
{
  /* endless: send_eos ends the stream after the buffer in progress */
  Harness *h = harness_new ("burst", TRUE, NULL);
  Script *s = script_new ();
  BufferCount some = { h->cap, 50 };

  s->endless = TRUE;
  h->cap->keep_max = 10;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_buffers, &some));
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (h->cap->eos_at, ==, h->cap->n_buffers);
  /* a second one changes nothing */
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  harness_free (h);
  script_free (s);

  /* leaving PLAYING stops and joins the thread, without EOS */
  h = harness_new ("burst", TRUE, NULL);
  s = script_new ();
  s->endless = TRUE;
  h->cap->keep_max = 10;
  some.cap = h->cap;
  pulse_producer_set_callback (h->producer, script_func, s, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_buffers, &some));
  g_assert_true (pulse_pipeline_set_state (h->pipeline, PULSE_STATE_READY, NULL));
  g_assert_cmpuint (h->cap->n_eos, ==, 0);
  /* and PLAYING again starts over */
  g_object_set (h->producer, "count", (guint64) 3, NULL);
  capture_reset (h->cap);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 3);
  g_assert_cmpuint (uint64_prop (h, "produced"), ==, 3);
  harness_free (h);
  script_free (s);
}

/* ---- pushing ---- */

typedef struct {
  PulseProducer *producer;
  guint first;
  guint n;
} Pusher;

static gpointer
pusher_thread (gpointer data)
{
  Pusher *p = data;

  for (guint i = 0; i < p->n; i++) {
    g_autoptr (GError) error = NULL;
    g_assert_true (pulse_producer_push (p->producer, script_value (p->first + i), &error));
    g_assert_no_error (error);
  }
  return NULL;
}

static void
test_push (void)
{
  /* interval=0 and no burst: push only, from any thread */
  Harness *h = harness_new ("interval", 0.0, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new_static ("raw", 3);
  Pusher pushers[3];
  GThread *threads[3];
  PulseBuffer *extra;

  /* not PLAYING yet: refused */
  g_assert_false (pulse_producer_push (h->producer, script_value (0), &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  harness_play (h);
  g_assert_true (pulse_producer_push (h->producer, g_variant_new_string ("first"), &error));
  g_assert_no_error (error);
  g_assert_true (pulse_producer_push_bytes (h->producer, bytes, &error));
  g_assert_no_error (error);
  /* a value no serializer writes: the caller hears of it, nothing is sent */
  g_assert_false (pulse_producer_push (h->producer, g_variant_new_parsed ("(1, 2)"), &error));
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
  g_clear_error (&error);
  /* only records go out */
  extra = pulse_buffer_new_bytes (PULSE_FORMAT_SERIALIZED, bytes);
  g_assert_false (pulse_producer_push_buffer (h->producer, extra, &error));
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_FORMAT);
  g_clear_error (&error);
  {
    g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
    pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
    pulse_record_batch_append_int64 (batch, 0, 0);
    pulse_record_batch_end_row (batch);
    g_assert_true (
        pulse_producer_push_buffer (h->producer, pulse_buffer_new_records (batch), &error));
    g_assert_no_error (error);
  }

  /* three threads at once: every value arrives, each thread's in order */
  for (guint t = 0; t < 3; t++) {
    pushers[t] = (Pusher){ h->producer, 1 + t * 1000, 200 };
    threads[t] = g_thread_new ("pusher", pusher_thread, &pushers[t]);
  }
  for (guint t = 0; t < 3; t++)
    g_thread_join (threads[t]);
  g_assert_cmpuint (h->cap->n_buffers, ==, 3 + 600);
  g_assert_cmpstr (
      g_variant_get_string (pulse_buffer_get_value (capture_get (h->cap, 0)), NULL), ==, "first");
  g_assert_cmpstr (
      g_variant_get_type_string (pulse_buffer_get_value (capture_get (h->cap, 1))), ==, "ay");
  {
    gint64 last[3] = { 0, 1000, 2000 };
    for (guint i = 3; i < h->cap->buffers->len; i++) {
      gint64 seq = seq_of (capture_get (h->cap, i));
      guint t = (guint) ((seq - 1) / 1000);
      g_assert_cmpint (seq, ==, last[t] + 1);
      last[t] = seq;
    }
  }
  g_assert_cmpuint (uint64_prop (h, "produced"), ==, 603);

  /* the end: EOS after the last buffer, and pushes refused from then on */
  pulse_producer_end_of_stream (h->producer);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (h->cap->eos_at, ==, 603);
  g_assert_true (pulse_pipeline_is_eos (h->pipeline));
  g_assert_false (pulse_producer_push (h->producer, script_value (0), &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  harness_free (h);
}

static GVariant *
pushing_func (PulseProducer *producer, gpointer user_data, GError **error)
{
  guint *n = user_data;

  /* pushing from inside the producer function works too */
  (*n)++;
  g_assert_true (pulse_producer_push (producer, script_value (100 + *n), NULL));
  return *n <= 3 ? script_value (*n) : NULL;
}

static void
test_push_from_callback (void)
{
  Harness *h = harness_new ("burst", TRUE, NULL);
  guint n = 0;

  pulse_producer_set_callback (h->producer, pushing_func, &n, NULL);
  harness_play (h);
  g_assert_true (iterate_until (got_eos, h->cap));
  g_assert_cmpuint (h->cap->n_buffers, ==, 7);
  g_assert_cmpint (seq_of (capture_get (h->cap, 0)), ==, 101);
  g_assert_cmpint (seq_of (capture_get (h->cap, 1)), ==, 1);
  g_assert_cmpint (seq_of (capture_get (h->cap, 6)), ==, 104);
  harness_free (h);
}

static void
test_push_send_eos (void)
{
  /* push mode: send_eos (pulse-launch's SIGINT) ends the stream at once */
  Harness *h = harness_new ("interval", 0.0, NULL);

  harness_play (h);
  g_assert_true (pulse_producer_push (h->producer, script_value (1), NULL));
  pulse_pipeline_send_eos (h->pipeline);
  g_assert_cmpuint (h->cap->n_eos, ==, 1);
  g_assert_cmpuint (h->cap->eos_at, ==, 1);
  harness_free (h);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_harness_register ();

  g_test_add_func ("/producer/properties", test_properties);
  g_test_add_func ("/producer/values", test_values);
  g_test_add_func ("/producer/interval-accuracy", test_interval_accuracy);
  g_test_add_func ("/producer/interval-skips-nothing", test_interval_skips_nothing);
  g_test_add_func ("/producer/callback-error", test_callback_error);
  g_test_add_func ("/producer/slow-callback", test_slow_callback);
  g_test_add_func ("/producer/signal", test_signal);
  g_test_add_func ("/producer/no-callback", test_no_callback);
  g_test_add_func ("/producer/send-eos-interval", test_send_eos_interval);
  g_test_add_func ("/producer/burst", test_burst);
  g_test_add_func ("/producer/burst-count", test_burst_count);
  g_test_add_func ("/producer/burst-error-backoff", test_burst_error_backoff);
  g_test_add_func ("/producer/burst-send-eos-and-stop", test_burst_send_eos_and_stop);
  g_test_add_func ("/producer/push", test_push);
  g_test_add_func ("/producer/push-from-callback", test_push_from_callback);
  g_test_add_func ("/producer/push-send-eos", test_push_send_eos);
  return g_test_run ();
}
