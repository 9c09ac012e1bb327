/* PulseMQ — pulse-bench latency: one-record frames at fixed rates
 *
 * Message k is due at start + k / rate on CLOCK_REALTIME, and carries that
 * scheduled time in its record's `ts`; the subscriber (a process of its
 * own) measures now − ts. A publisher that falls behind its schedule is
 * charged for every message it delayed, not only for the one that was
 * slow: the measurement does not omit the coordinated stalls, as timing
 * each send from when it really happened would.
 *
 * Two arms at each rate, in the same run: the pipeline (`producer !
 * msgpack ! zmqpub`, a one-record batch pushed with
 * pulse_producer_push_buffer() from the thread that follows the schedule)
 * and bare libzmq (a plain PUB sending the same msgpack map, about 64
 * bytes, as the same 4 frames on the same schedule). Percentiles come from
 * the subscriber's log-bucket histogram (1.6 % resolution).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <msgpack.h>
#include <pulsemq/pulsemq.h>
#include <zmq.h>

#include "pulse-bench.h"

/* with the keys and a seq of 4 bytes, the map is 64 bytes */
#define PAD_LEN 35

typedef struct {
  const gchar *name;
  gint64 p50_ns, p99_ns, p999_ns, max_ns;
  gdouble sent_rate; /* what the publisher managed */
  guint64 lost;
} Arm;

static void
collect (Arm *arm, BenchSubs *subs, guint64 messages, gint64 go_ns, gint64 sent_ns)
{
  BenchSub *s = &subs->subs[0];

  arm->p50_ns = s->p50_ns;
  arm->p99_ns = s->p99_ns;
  arm->p999_ns = s->p999_ns;
  arm->max_ns = s->max_ns;
  arm->lost = s->lost + s->malformed;
  arm->sent_rate = messages / ((sent_ns - go_ns) / 1e9);
}

static void
pipe_warm (gpointer user_data)
{
  bench_pipe_ctl (user_data, "WARM");
}

static void
raw_warm (gpointer user_data)
{
  bench_raw_ctl (user_data, "WARM");
}

static gint64
timeout_us (gdouble seconds)
{
  return (gint64) ((seconds + 60) * G_USEC_PER_SEC);
}

static gboolean
run_pipeline (gdouble rate, gdouble seconds, Arm *arm, GError **error)
{
  BenchPipe *pipe = bench_pipe_new (NULL, error);
  BenchSubs *subs = NULL;
  guint64 n = MAX (1, (guint64) (rate * seconds));
  gdouble period = 1e9 / rate;
  g_autofree gchar *end = NULL;
  gint64 go_ns, sent_ns;
  gboolean ok = FALSE;

  if (pipe == NULL)
    return FALSE;
  subs = bench_subs_spawn (1, pipe->address, BENCH_LATENCY_FROM_SCHEDULED, 0, FALSE, error);
  if (subs == NULL || !bench_subs_wait_ready (subs, pipe_warm, pipe, error))
    goto out;

  go_ns = bench_now_ns () + 1000000; /* the grid starts 1 ms from now */
  for (guint64 k = 0; k < n; k++) {
    gint64 due = go_ns + (gint64) (k * period);
    PulseRecordBatch *batch;

    if (bench_now_ns () < due)
      bench_sleep_until (due);
    batch = pulse_record_batch_new ();
    pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
    pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
    pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
    pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
    pulse_record_batch_append_int64 (batch, 0, (gint64) k);
    pulse_record_batch_append_string (batch, 1, bench_record_data (k), PAD_LEN);
    pulse_record_batch_append_int64 (batch, 2, due);
    pulse_record_batch_end_row (batch);
    if (!pulse_producer_push_buffer (pipe->src, pulse_buffer_new_records (batch), error)) {
      pulse_record_batch_unref (batch);
      goto out;
    }
    pulse_record_batch_unref (batch);
  }
  sent_ns = bench_now_ns ();
  end = bench_end_message (n, n);
  bench_pipe_ctl (pipe, end);
  if (!bench_subs_wait_done (subs, timeout_us (seconds), error) || !bench_pipe_finish (pipe, error))
    goto out;
  collect (arm, subs, n, go_ns, sent_ns);
  ok = TRUE;

out:
  if (subs != NULL)
    bench_subs_free (subs);
  bench_pipe_free (pipe);
  return ok;
}

typedef struct {
  guint8 *p;
} Cursor;

static inline int
cursor_write (void *data, const char *buf, size_t len)
{
  Cursor *c = data;

  memcpy (c->p, buf, len);
  c->p += len;
  return 0;
}

static gboolean
run_bare (gdouble rate, gdouble seconds, Arm *arm, GError **error)
{
  BenchRaw *raw = bench_raw_new (error);
  BenchSubs *subs = NULL;
  guint64 n = MAX (1, (guint64) (rate * seconds));
  gdouble period = 1e9 / rate;
  g_autofree gchar *end = NULL;
  gint64 go_ns, sent_ns;
  gboolean ok = FALSE;

  if (raw == NULL)
    return FALSE;
  subs = bench_subs_spawn (1, raw->address, BENCH_LATENCY_FROM_SCHEDULED, 0, FALSE, error);
  if (subs == NULL || !bench_subs_wait_ready (subs, raw_warm, raw, error))
    goto out;

  go_ns = bench_now_ns () + 1000000;
  for (guint64 k = 0; k < n; k++) {
    gint64 due = go_ns + (gint64) (k * period);
    guint8 buf[128];
    Cursor cursor = { buf };
    msgpack_packer pk;

    if (bench_now_ns () < due)
      bench_sleep_until (due);
    msgpack_packer_init (&pk, &cursor, cursor_write);
    msgpack_pack_map (&pk, 3);
    msgpack_pack_str (&pk, 3);
    msgpack_pack_str_body (&pk, "seq", 3);
    msgpack_pack_int64 (&pk, (gint64) k);
    msgpack_pack_str (&pk, 4);
    msgpack_pack_str_body (&pk, "data", 4);
    msgpack_pack_str (&pk, PAD_LEN);
    msgpack_pack_str_body (&pk, bench_record_data (k), PAD_LEN);
    msgpack_pack_str (&pk, 2);
    msgpack_pack_str_body (&pk, "ts", 2);
    msgpack_pack_int64 (&pk, due);
    if (!bench_raw_send (
            raw, BENCH_TOPIC, strlen (BENCH_TOPIC), 0x00, 1, buf, cursor.p - buf, NULL, NULL)) {
      g_set_error (error, BENCH_ERROR, 0, "zmq_send: %s", zmq_strerror (zmq_errno ()));
      goto out;
    }
  }
  sent_ns = bench_now_ns ();
  end = bench_end_message (n, n);
  bench_raw_ctl (raw, end);
  if (!bench_subs_wait_done (subs, timeout_us (seconds), error))
    goto out;
  collect (arm, subs, n, go_ns, sent_ns);
  ok = TRUE;

out:
  if (subs != NULL)
    bench_subs_free (subs);
  bench_raw_free (raw);
  return ok;
}

static void
print_arm (const Arm *arm)
{
  printf ("  %-10s %10.0f %10.1f %10.1f %10.1f %10.1f %6" G_GUINT64_FORMAT "\n", arm->name,
      arm->sent_rate, arm->p50_ns / 1e3, arm->p99_ns / 1e3, arm->p999_ns / 1e3, arm->max_ns / 1e3,
      arm->lost);
  fflush (stdout);
}

static void
append (GArray *a, gdouble v)
{
  g_array_append_val (a, v);
}

int
bench_latency (const BenchOptions *opts)
{
  guint64 lost = 0;

  printf ("latency: one-record frames (msgpack map, about 64 bytes) on a fixed schedule, "
          "%.1f s per rate and arm, 1 subscriber process; microseconds from the scheduled "
          "send time\n",
      opts->seconds);
  for (const gdouble *rate = opts->rates; *rate > 0; rate++) {
    g_autoptr (GArray) p50 = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) p99 = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) p999 = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) max = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) raw_p50 = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) raw_p99 = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) raw_p999 = g_array_new (FALSE, FALSE, sizeof (gdouble));
    g_autoptr (GArray) ratio = g_array_new (FALSE, FALSE, sizeof (gdouble));
    guint64 rate_lost = 0;

    for (guint run = 0; run < opts->runs; run++) {
      g_autoptr (GError) error = NULL;
      Arm pipeline = { "pipeline" }, bare = { "bare" };
      gboolean ok;

      printf ("rate %.0f/s, run %u/%u:\n  %-10s %10s %10s %10s %10s %10s %6s\n", *rate, run + 1,
          opts->runs, "arm", "sent msg/s", "p50 us", "p99 us", "p99.9 us", "max us", "lost");
      if (run % 2 == 0)
        ok = run_bare (*rate, opts->seconds, &bare, &error) &&
            run_pipeline (*rate, opts->seconds, &pipeline, &error);
      else
        ok = run_pipeline (*rate, opts->seconds, &pipeline, &error) &&
            run_bare (*rate, opts->seconds, &bare, &error);
      if (!ok) {
        g_printerr ("pulse-bench latency: %s\n", error->message);
        return 1;
      }
      print_arm (&bare);
      print_arm (&pipeline);
      append (p50, pipeline.p50_ns / 1e3);
      append (p99, pipeline.p99_ns / 1e3);
      append (p999, pipeline.p999_ns / 1e3);
      append (max, pipeline.max_ns / 1e3);
      append (raw_p50, bare.p50_ns / 1e3);
      append (raw_p99, bare.p99_ns / 1e3);
      append (raw_p999, bare.p999_ns / 1e3);
      append (ratio, (gdouble) pipeline.p99_ns / MAX (bare.p99_ns, 1));
      rate_lost += pipeline.lost + bare.lost;
    }
    lost += rate_lost;
    printf (
        "RESULT scenario=latency rate=%.0f runs=%u p50_us=%.1f p99_us=%.1f p999_us=%.1f "
        "max_us=%.1f raw_p50_us=%.1f raw_p99_us=%.1f raw_p999_us=%.1f ratio=%.3f lost=%" G_GUINT64_FORMAT
        "\n",
        *rate, opts->runs, bench_median (p50), bench_median (p99), bench_median (p999),
        bench_median (max), bench_median (raw_p50), bench_median (raw_p99), bench_median (raw_p999),
        bench_median (ratio), rate_lost);
    fflush (stdout);
  }
  return lost == 0 ? 0 : 1;
}
