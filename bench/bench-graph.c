/* PulseMQ — what the element graph itself costs per buffer
 *
 *   build/bench/bench-graph [N]
 *
 * Pushes N buffers (one 1,000-row record batch, built once and shared)
 * from a pad the benchmark owns through three graphs and prints buffers/s
 * beside a bare baseline doing the same bookkeeping with no graph (a
 * reference taken and dropped, a counter bumped) in the same run, so that
 * the ratio survives a noisy machine:
 *   direct  src → fakesink                    one push
 *   tee     src → tee → 2 × fakesink          fan-out without copies
 *   queue   src → queue → fakesink            a thread hop per buffer
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pulsemq/pulsemq.h>

static PulseRecordBatch *
make_batch (void)
{
  PulseRecordBatch *batch = pulse_record_batch_new ();
  gchar data[64];

  memset (data, 'x', sizeof data);
  pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
  for (gint i = 0; i < 1000; i++) {
    pulse_record_batch_append_int64 (batch, 0, i);
    pulse_record_batch_append_string (batch, 1, data, sizeof data);
    pulse_record_batch_append_int64 (batch, 2, i);
    pulse_record_batch_end_row (batch);
  }
  return batch;
}

static PulseElement *
add (PulsePipeline *pipeline, const gchar *factory)
{
  g_autoptr (GError) error = NULL;
  PulseElement *e = pulse_element_factory_make (factory, &error);

  g_assert_no_error (error);
  g_assert_true (pulse_pipeline_add (pipeline, e, NULL));
  g_object_unref (e);
  return e;
}

/* Builds the graph by hand: its first element is fed by our own pad. */
static gdouble
run (const gchar *graph, guint64 n, PulseRecordBatch *batch)
{
  g_autoptr (PulsePipeline) pipeline = pulse_pipeline_new (NULL);
  g_autoptr (PulsePadTemplate)
      templ = pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_RECORDS);
  g_autoptr (PulsePad) src = pulse_pad_new_from_template (templ, "src");
  g_autoptr (PulseMessage) eos = NULL;
  PulseElement *first, *last;
  gint64 start, end;

  if (strcmp (graph, "tee") == 0) {
    first = add (pipeline, "tee");
    pulse_element_link (first, add (pipeline, "fakesink"), NULL);
    pulse_element_link (first, add (pipeline, "fakesink"), NULL);
  } else if (strcmp (graph, "queue") == 0) {
    first = add (pipeline, "queue");
    last = add (pipeline, "fakesink");
    pulse_element_link (first, last, NULL);
  } else {
    first = add (pipeline, "fakesink");
  }
  g_assert_true (pulse_pad_link (src, pulse_element_get_static_pad (first, "sink"), NULL));
  g_assert_true (pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, NULL));

  start = g_get_monotonic_time ();
  for (guint64 i = 0; i < n; i++) {
    PulseBuffer *b = pulse_buffer_new_records (batch);
    if (pulse_pad_push (src, b) != PULSE_FLOW_OK)
      g_error ("push failed");
  }
  pulse_pad_push_eos (src);
  eos = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (pipeline), 60 * G_USEC_PER_SEC, PULSE_MESSAGE_EOS);
  end = g_get_monotonic_time ();
  g_assert_nonnull (eos);
  pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);
  pulse_pad_unlink (src);
  return n / ((end - start) / (gdouble) G_USEC_PER_SEC);
}

/* the same allocation and refcounting, with no graph at all */
static gdouble
run_bare (guint64 n, PulseRecordBatch *batch)
{
  volatile guint64 counted = 0;
  gint64 start = g_get_monotonic_time (), end;

  for (guint64 i = 0; i < n; i++) {
    PulseBuffer *b = pulse_buffer_new_records (batch);
    counted += pulse_buffer_get_record_count (b);
    pulse_buffer_unref (b);
  }
  end = g_get_monotonic_time ();
  return n / ((end - start) / (gdouble) G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  guint64 n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  g_autoptr (PulseRecordBatch) batch = make_batch ();
  gdouble bare = run_bare (n, batch);
  static const gchar *graphs[] = { "direct", "tee", "queue" };

  /* each buffer stands for the 1,000 records of its batch */
  printf ("%-8s %14s %14s %8s\n", "graph", "buffers/s", "records/s", "vs bare");
  printf ("%-8s %14.0f %14.0f %8s\n", "bare", bare, bare * 1000, "1.00");
  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++) {
    gdouble r = run (graphs[i], n, batch);
    printf ("%-8s %14.0f %14.0f %8.2f\n", graphs[i], r, r * 1000, r / bare);
    printf ("RESULT scenario=graph-%s buffers_per_s=%.0f bare_buffers_per_s=%.0f ratio=%.3f\n",
        graphs[i], r, bare, r / bare);
  }
  return 0;
}
