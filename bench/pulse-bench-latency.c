/* PulseMQ — pulse-bench latency: one-record frames at fixed rates
 *
 * Message k is due at start + k / rate on CLOCK_REALTIME, and carries that
 * scheduled time in its record's `ts`; the subscriber (a process of its
 * own) measures now − ts. A publisher that falls behind its schedule is
 * charged for every message it delayed, not only for the one that was
 * slow: the measurement does not omit the coordinated stalls, as timing
 * each send from when it really happened would.
 *
 * Two arms at each rate, side by side on one schedule: the pipeline
 * (`producer ! msgpack ! zmqpub`, a one-record batch pushed with
 * pulse_producer_push_buffer() from the thread that follows the schedule)
 * and bare libzmq (a plain PUB sending the same msgpack map, about 64
 * bytes, as the same 4 frames). At every tick that thread sends message k
 * through both, in turns first, to one subscriber process connected to
 * both: on a machine that stalls for milliseconds now and then, arms run
 * one after the other catch different stalls and their ratio is noise,
 * while arms side by side, sent by one thread and read by one, catch the
 * same ones. Percentiles come from the subscriber's log-bucket histograms
 * (1.6 % resolution).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <msgpack.h>
#include <pulsemq/pulsemq.h>
#include <zmq.h>

#include "pulse-bench.h"

/* with the keys and a seq of 4 bytes, the map is 64 bytes */
#define PAD_LEN 35

/* One arm of a run: every latency of its rounds in one histogram */
typedef struct {
  const gchar *name;
  BenchHist hist;
  guint64 sent;   /* messages */
  gint64 sent_ns; /* summed: the first scheduled send → the last send */
  guint64 lost;
} Arm;

/* @bare: take the bare arm's figures of a paired subscriber */
static gboolean
collect (Arm *arm, BenchSubs *subs, gboolean bare, guint64 messages, gint64 go_ns, gint64 sent_ns,
    GError **error)
{
  BenchSub *s = &subs->subs[0];
  BenchHist *hist = bare ? s->b_hist : s->hist;

  if (hist == NULL) {
    g_set_error (error, BENCH_ERROR, 0, "the subscriber sent no histogram");
    return FALSE;
  }
  bench_hist_merge (&arm->hist, hist);
  arm->lost += bare ? s->b_lost + s->b_malformed : s->lost + s->malformed;
  arm->sent += messages;
  arm->sent_ns += MAX (sent_ns - go_ns, 1);
  return TRUE;
}

static gdouble
arm_us (const Arm *arm, gdouble q)
{
  return bench_hist_percentile (&arm->hist, q) / 1e3;
}

static void
pipe_warm (gpointer user_data)
{
  bench_pipe_ctl (user_data, "WARM pipeline");
}

static void
raw_warm (gpointer user_data)
{
  bench_raw_ctl (user_data, "WARM bare");
}

typedef struct {
  BenchPipe *pipe;
  BenchRaw *raw;
} Pair;

static void
pair_warm (gpointer user_data)
{
  Pair *pair = user_data;

  pipe_warm (pair->pipe);
  raw_warm (pair->raw);
}

static gint64
timeout_us (gdouble seconds)
{
  return (gint64) ((seconds + 60) * G_USEC_PER_SEC);
}

/* message k through the pipeline: a one-record batch */
static gboolean
send_pipeline (BenchPipe *pipe, guint64 k, gint64 due, GError **error)
{
  PulseRecordBatch *batch = pulse_record_batch_new ();
  gboolean ok;

  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
  pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
  pulse_record_batch_append_int64 (batch, 0, (gint64) k);
  pulse_record_batch_append_string (batch, 1, bench_record_data (k), PAD_LEN);
  pulse_record_batch_append_int64 (batch, 2, due);
  pulse_record_batch_end_row (batch);
  ok = pulse_producer_push_buffer (pipe->src, pulse_buffer_new_records (batch), error);
  pulse_record_batch_unref (batch);
  return ok;
}

/* message k with bare libzmq: the same map, packed by msgpack-c */
static gboolean
send_bare (BenchRaw *raw, const gchar *topic, guint64 k, gint64 due, GError **error)
{
  guint8 buf[128];
  BenchCursor cursor = { buf };
  msgpack_packer pk;

  msgpack_packer_init (&pk, &cursor, bench_cursor_write);
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
  if (!bench_raw_send (raw, topic, strlen (topic), 0x00, 1, buf, cursor.p - buf, NULL, NULL)) {
    g_set_error (error, BENCH_ERROR, 0, "zmq_send: %s", zmq_strerror (zmq_errno ()));
    return FALSE;
  }
  return TRUE;
}

/* Both arms on one schedule: at every tick the same thread sends message
 * k through the pipeline and through bare libzmq, the pipeline first on
 * even ticks and second on odd ones, to one subscriber process whose one
 * socket is connected to both publishers (the bare arm on a topic of its
 * own). A stall of the machine, of the sending thread or of the
 * subscriber then delays both alike, and the ratio of their percentiles
 * measures the pipeline, not the luck of the moment. Either arm may be
 * NULL, to run one alone with a subscriber of its own. */
static gboolean
run_paired (gdouble rate, gdouble seconds, Arm *pipeline, Arm *bare, GError **error)
{
  Pair pair = { NULL, NULL };
  BenchSubs *subs = NULL;
  guint64 n = MAX (1, (guint64) (rate * seconds));
  gdouble period = 1e9 / rate;
  g_autofree gchar *end = bench_end_message (n, n);
  const gchar *bare_topic = pipeline != NULL ? BENCH_BARE_TOPIC : BENCH_TOPIC;
  gint64 go_ns, sent_ns;
  gboolean ok = FALSE;

  if (pipeline != NULL && (pair.pipe = bench_pipe_new (NULL, error)) == NULL)
    goto out;
  if (bare != NULL && (pair.raw = bench_raw_new (error)) == NULL)
    goto out;
  if (pair.pipe != NULL && pair.raw != NULL)
    subs = bench_subs_spawn_paired (pair.pipe->address, pair.raw->address, error);
  else
    subs = bench_subs_spawn (1, pair.pipe != NULL ? pair.pipe->address : pair.raw->address,
        BENCH_LATENCY_FROM_SCHEDULED, 0, FALSE, error);
  if (subs == NULL ||
      !bench_subs_wait_ready (subs,
          pair.pipe != NULL && pair.raw != NULL ? pair_warm
              : pair.pipe != NULL               ? pipe_warm
                                                : raw_warm,
          pair.pipe != NULL && pair.raw != NULL ? (gpointer) &pair
              : pair.pipe != NULL               ? (gpointer) pair.pipe
                                                : (gpointer) pair.raw,
          error))
    goto out;

  go_ns = bench_now_ns () + 1000000; /* the grid starts 1 ms from now */
  for (guint64 k = 0; k < n; k++) {
    gint64 due = go_ns + (gint64) (k * period);

    if (bench_now_ns () < due)
      bench_sleep_until (due);
    if (k % 2 == 0) {
      if ((pair.pipe != NULL && !send_pipeline (pair.pipe, k, due, error)) ||
          (pair.raw != NULL && !send_bare (pair.raw, bare_topic, k, due, error)))
        goto out;
    } else {
      if ((pair.raw != NULL && !send_bare (pair.raw, bare_topic, k, due, error)) ||
          (pair.pipe != NULL && !send_pipeline (pair.pipe, k, due, error)))
        goto out;
    }
  }
  sent_ns = bench_now_ns ();
  if (pair.pipe != NULL)
    bench_pipe_ctl (pair.pipe, end);
  if (pair.raw != NULL)
    bench_raw_ctl (pair.raw, end);
  if (!bench_subs_wait_done (subs, timeout_us (seconds), error) ||
      (pair.pipe != NULL && !bench_pipe_finish (pair.pipe, error)))
    goto out;
  if (pipeline != NULL && !collect (pipeline, subs, FALSE, n, go_ns, sent_ns, error))
    goto out;
  /* alone, the bare arm's figures are the subscriber's own */
  if (bare != NULL && !collect (bare, subs, pipeline != NULL, n, go_ns, sent_ns, error))
    goto out;
  ok = TRUE;

out:
  if (subs != NULL)
    bench_subs_free (subs);
  bench_pipe_free (pair.pipe);
  bench_raw_free (pair.raw);
  return ok;
}

static void
print_arm (const Arm *arm)
{
  printf ("  %-10s %10.0f %10.1f %10.1f %10.1f %10.1f %6" G_GUINT64_FORMAT "\n", arm->name,
      arm->sent / (arm->sent_ns / 1e9), arm_us (arm, 0.50), arm_us (arm, 0.99), arm_us (arm, 0.999),
      arm_us (arm, 1.0), arm->lost);
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
          "%.1f s per rate, both arms side by side on one schedule, 1 subscriber process "
          "each; microseconds from the scheduled send time\n",
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
      g_autofree Arm *pipeline = g_new0 (Arm, 1), *bare = g_new0 (Arm, 1);

      pipeline->name = "pipeline";
      bare->name = "bare";
      bench_hist_init (&pipeline->hist);
      bench_hist_init (&bare->hist);
      printf ("rate %.0f/s, run %u/%u:\n  %-10s %10s %10s %10s %10s %10s %6s\n", *rate, run + 1,
          opts->runs, "arm", "sent msg/s", "p50 us", "p99 us", "p99.9 us", "max us", "lost");
      {
        g_autoptr (GError) error = NULL;
        gboolean only_bare = opts->arm != NULL && g_str_equal (opts->arm, "bare");
        gboolean only_pipeline = opts->arm != NULL && !only_bare;

        if (!run_paired (*rate, opts->seconds, only_bare ? NULL : pipeline,
                only_pipeline ? NULL : bare, &error)) {
          g_printerr ("pulse-bench latency: %s\n", error->message);
          return 1;
        }
      }
      if (opts->arm == NULL || g_str_equal (opts->arm, "bare"))
        print_arm (bare);
      if (opts->arm == NULL || !g_str_equal (opts->arm, "bare"))
        print_arm (pipeline);
      append (p50, arm_us (pipeline, 0.50));
      append (p99, arm_us (pipeline, 0.99));
      append (p999, arm_us (pipeline, 0.999));
      append (max, arm_us (pipeline, 1.0));
      append (raw_p50, arm_us (bare, 0.50));
      append (raw_p99, arm_us (bare, 0.99));
      append (raw_p999, arm_us (bare, 0.999));
      append (ratio, arm_us (pipeline, 0.99) / MAX (arm_us (bare, 0.99), 1e-3));
      rate_lost += pipeline->lost + bare->lost;
    }
    lost += rate_lost;
    printf (
        "RESULT scenario=latency rate=%.0f runs=%u p50_us=%.1f p99_us=%.1f p999_us=%.1f "
        "max_us=%.1f raw_p50_us=%.1f raw_p99_us=%.1f raw_p999_us=%.1f ratio=%.3f lost=%" G_GUINT64_FORMAT
        "\n",
        *rate, opts->runs, bench_median (p50), bench_median (p99), bench_median (p999),
        bench_median (max), bench_median (raw_p50), bench_median (raw_p99), bench_median (raw_p999),
        opts->arm != NULL ? NAN : bench_median (ratio), rate_lost);
    fflush (stdout);
  }
  return lost == 0 ? 0 : 1;
}
