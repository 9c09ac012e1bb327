/* PulseMQ — pulse-bench memory: what a publisher holds
 *
 * Each figure comes from a fresh process (`pulse-bench memory-part
 * PART`), so that one measurement's heap does not inflate the next; it
 * reads VmRSS and VmHWM from /proc/self/status:
 *
 * - idle: `producer ! msgpack ! zmqpub` PLAYING, nothing flowing;
 * - topics100: 100 `producer ! zmqpub` chains on one bind, PLAYING, and
 *   the process's PulseStats filled for every topic over a full 8-hour
 *   window (480 minutes, through an injected clock and pulse_stats_roll());
 * - stalled: a subscriber process that stops reading, while the
 *   publisher pushes far more than `max-queue-bytes` (overflow=drop): the
 *   bound, not the volume pushed, must decide the memory held.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <pulsemq/pulsemq.h>

#include "pulse-bench.h"

#define TOPICS 100
#define BOUND_BYTES (8 * 1024 * 1024)
#define FRAMES_PER_MINUTE 10

static void
print_mem (const gchar *extra)
{
  printf ("MEM rss_kb=%" G_GSIZE_FORMAT " hwm_kb=%" G_GSIZE_FORMAT "%s\n", bench_rss_kb ("VmRSS"),
      bench_rss_kb ("VmHWM"), extra != NULL ? extra : "");
  fflush (stdout);
}

static gboolean
part_idle (GError **error)
{
  gsize base = bench_rss_kb ("VmRSS");
  g_autofree gchar *extra = NULL;
  g_autoptr (PulsePipeline) pipeline = pulse_parse_launch (
      "producer interval=0 ! msgpack ! zmqpub topic=" BENCH_TOPIC " bind=tcp://127.0.0.1:*", error);

  if (pipeline == NULL || !pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, error))
    return FALSE;
  extra = g_strdup_printf (" base_kb=%" G_GSIZE_FORMAT, base);
  print_mem (extra);
  pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);
  return TRUE;
}

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static gboolean
part_topics (GError **error)
{
  GString *desc = g_string_new (NULL);
  g_autoptr (PulsePipeline) pipeline = NULL;
  PulseStats *stats = pulse_stats_get_default ();
  guint minutes = pulse_stats_get_retention_minutes (stats);
  static gint64 now_us;
  g_autofree gchar *extra = NULL;

  for (guint i = 0; i < TOPICS; i++)
    g_string_append_printf (desc,
        "producer name=p%u interval=0 ! zmqpub topic=topic%03u bind=tcp://127.0.0.1:* ", i, i);
  pipeline = pulse_parse_launch (desc->str, error);
  g_string_free (desc, TRUE);
  if (pipeline == NULL || !pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, error))
    return FALSE;

  /* a full window, minute by minute, on a clock of our own */
  now_us = g_get_real_time () / (60 * G_USEC_PER_SEC) * 60 * G_USEC_PER_SEC;
  pulse_stats_set_clock (stats, fake_clock, &now_us, NULL);
  for (guint m = 0; m <= minutes; m++) {
    for (guint i = 0; i < TOPICS; i++) {
      g_autofree gchar *name = g_strdup_printf ("topic%03u", i);
      g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, name);

      for (guint f = 0; f < FRAMES_PER_MINUTE; f++)
        pulse_stats_topic_add_frame (topic, 1000, 91000, 91000, 50000 + 1000 * f);
    }
    now_us += 60 * G_USEC_PER_SEC;
    pulse_stats_roll (stats);
  }
  extra = g_strdup_printf (
      " minutes=%u history=%u", minutes, pulse_stats_get_history_length (stats, "topic000"));
  print_mem (extra);
  pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);
  return TRUE;
}

static void
pipe_warm (gpointer user_data)
{
  bench_pipe_ctl (user_data, "WARM");
}

static gboolean
part_stalled (gboolean quick, GError **error)
{
  g_autofree gchar *props = g_strdup_printf (
      "max-queue-bytes=%d overflow=drop linger=0", BOUND_BYTES);
  BenchPipe *pipe = bench_pipe_new (props, error);
  BenchSubs *subs = NULL;
  guint64 bytes = (quick ? 64 : 512) * 1024 * 1024, pushed = 0, dropped = 0;
  g_autofree gchar *extra = NULL;
  gboolean ok = FALSE;

  if (pipe == NULL)
    return FALSE;
  subs = bench_subs_spawn (1, pipe->address, BENCH_LATENCY_FROM_FRAME, 0, TRUE, error);
  if (subs == NULL || !bench_subs_wait_ready (subs, pipe_warm, pipe, error))
    goto out;
  for (guint64 seq = 0; pushed < bytes; seq += 1000) {
    PulseRecordBatch *batch = pulse_record_batch_new ();
    gint64 now = bench_now_ns ();

    pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
    pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
    pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
    for (guint i = 0; i < 1000; i++) {
      pulse_record_batch_append_int64 (batch, 0, (gint64) (seq + i));
      pulse_record_batch_append_string (batch, 1, bench_record_data (seq + i), BENCH_DATA_LEN);
      pulse_record_batch_append_int64 (batch, 2, now);
      pulse_record_batch_end_row (batch);
    }
    ok = pulse_producer_push_buffer (pipe->src, pulse_buffer_new_records (batch), error);
    pulse_record_batch_unref (batch);
    if (!ok)
      goto out;
    pushed += 91 * 1000;
  }
  g_object_get (pipe->pub, "dropped", &dropped, NULL);
  extra = g_strdup_printf (" pushed_kb=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT
                           " bound_kb=%d",
      pushed / 1024, dropped, BOUND_BYTES / 1024);
  print_mem (extra);
  ok = TRUE;

out:
  if (subs != NULL)
    bench_subs_free (subs);
  bench_pipe_free (pipe);
  return ok;
}

int
bench_memory_part (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gboolean quick = argc > 2 && strcmp (argv[2], "--quick") == 0;
  gboolean ok;

  if (argc < 2)
    return 2;
  if (strcmp (argv[1], "idle") == 0)
    ok = part_idle (&error);
  else if (strcmp (argv[1], "topics100") == 0)
    ok = part_topics (&error);
  else if (strcmp (argv[1], "stalled") == 0)
    ok = part_stalled (quick, &error);
  else
    return 2;
  if (!ok) {
    g_printerr ("pulse-bench memory-part %s: %s\n", argv[1], error->message);
    return 1;
  }
  return 0;
}

/* runs one part in a process of its own; returns its MEM line's fields */
static GHashTable *
run_part (const gchar *part, gboolean quick, GError **error)
{
  const gchar *argv[] = { bench_self_exe (), "memory-part", part, quick ? "--quick" : NULL, NULL };
  g_autofree gchar *out = NULL;
  gint status;
  GHashTable *fields;
  gchar *line;

  if (!g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &out,
          NULL, &status, error) ||
      !g_spawn_check_wait_status (status, error))
    return NULL;
  line = strstr (out, "MEM ");
  if (line == NULL) {
    g_set_error (error, BENCH_ERROR, 0, "memory-part %s printed no MEM line", part);
    return NULL;
  }
  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_strchomp (line);
  {
    g_auto (GStrv) words = g_strsplit (line + 4, " ", -1);

    for (guint i = 0; words[i] != NULL; i++) {
      gchar *eq = strchr (words[i], '=');

      if (eq == NULL)
        continue;
      *eq = '\0';
      g_hash_table_insert (fields, g_strdup (words[i]),
          GSIZE_TO_POINTER ((gsize) g_ascii_strtoull (eq + 1, NULL, 10)));
    }
  }
  return fields;
}

static gdouble
mb (GHashTable *fields, const gchar *key)
{
  return GPOINTER_TO_SIZE (g_hash_table_lookup (fields, key)) / 1024.0;
}

int
bench_memory (const BenchOptions *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) idle = NULL, topics = NULL, stalled = NULL;

  if ((idle = run_part ("idle", opts->quick, &error)) == NULL ||
      (topics = run_part ("topics100", opts->quick, &error)) == NULL ||
      (stalled = run_part ("stalled", opts->quick, &error)) == NULL) {
    g_printerr ("pulse-bench memory: %s\n", error->message);
    return 1;
  }
  printf ("memory: publisher RSS (VmRSS; peak VmHWM), MB of 2^20 bytes\n");
  printf ("  %-40s %8.1f\n", "process before any pipeline", mb (idle, "base_kb"));
  printf ("  %-40s %8.1f (peak %.1f)\n", "idle pipeline, PLAYING", mb (idle, "rss_kb"),
      mb (idle, "hwm_kb"));
  printf ("  %-40s %8.1f (peak %.1f)\n", "100 topics, full 8-hour stats window",
      mb (topics, "rss_kb"), mb (topics, "hwm_kb"));
  printf ("  %-40s %8.1f (peak %.1f) after %.0f MB pushed, %" G_GSIZE_FORMAT
          " frames dropped, bound %.1f MB\n",
      "stalled subscriber, max-queue-bytes", mb (stalled, "rss_kb"), mb (stalled, "hwm_kb"),
      mb (stalled, "pushed_kb"), GPOINTER_TO_SIZE (g_hash_table_lookup (stalled, "dropped")),
      mb (stalled, "bound_kb"));
  printf ("RESULT scenario=memory idle_mb=%.1f topics100_mb=%.1f stalled_mb=%.1f "
          "stalled_peak_mb=%.1f bound_mb=%.1f pushed_mb=%.0f\n",
      mb (idle, "rss_kb"), mb (topics, "rss_kb"), mb (stalled, "rss_kb"), mb (stalled, "hwm_kb"),
      mb (stalled, "bound_kb"), mb (stalled, "pushed_kb"));
  return 0;
}
