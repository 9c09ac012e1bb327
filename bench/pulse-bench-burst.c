/* PulseMQ — pulse-bench burst: the original's bench_burst.py, three ways
 *
 * The original's records {"seq": int, "data": 64-char str, "ts": int}, in
 * frames of 1,000 (--batch), msgpack, no compression, to 2 subscriber
 * processes (--subscribers), sent by:
 *
 * - pipeline: `producer ! msgpack ! zmqpub`; the application writes its
 *   records into C arrays, as the bare arm does, puts them into a batch a
 *   column at a time (pulse_record_batch_append_int64_values() and
 *   _string_values(): one copy per column) and pushes it with
 *   pulse_producer_push_buffer();
 * - bare: no pipeline, the same work in plain C — the same records written
 *   into C arrays, packed by msgpack-c into a pooled buffer, sent with
 *   zmq_msg_init_data() as 4 frames;
 * - pre-built: a few frames packed once and sent again and again (seq
 *   wraps): the transport's ceiling.
 *
 * The clock starts when the subscribers are ready. Sent: records / time
 * until the last frame was handed over. Received, per subscriber: records
 * / time until its last frame arrived (its own clock, CLOCK_REALTIME, the
 * same as ours). The ratio compares what the slowest subscriber received
 * from the pipeline to what it received from the bare publisher, in the
 * same run.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <msgpack.h>
#include <pulsemq/pulsemq.h>
#include <zmq.h>

#include "pulse-bench.h"

/* the pre-built arm cycles through this many frames */
#define PREBUILT_FRAMES 64

#define MAX_ROUNDS 64

/* One arm of a run, summed over its rounds */
typedef struct {
  const gchar *name;
  guint64 sent;   /* records */
  gint64 sent_ns; /* summed: go → last frame handed over */
  guint64 sub_records[BENCH_MAX_SUBSCRIBERS];
  gint64 sub_ns[BENCH_MAX_SUBSCRIBERS]; /* summed: go → that subscriber's last frame */
  guint n_subs;
  guint rounds;
  gint64 p50_ns[MAX_ROUNDS], p90_ns[MAX_ROUNDS], p99_ns[MAX_ROUNDS]; /* worst subscriber's */
  gint64 max_ns;
  guint64 lost;
  guint64 malformed;
  guint64 received; /* records, all subscribers */
} Arm;

/* ---- results from the subscribers --------------------------------------------------- */

static void
collect (Arm *arm, BenchSubs *subs, guint64 records, gint64 go_ns, gint64 sent_ns)
{
  guint r = arm->rounds++;

  g_assert (r < MAX_ROUNDS && subs->n <= BENCH_MAX_SUBSCRIBERS);
  arm->sent += records;
  arm->sent_ns += sent_ns - go_ns;
  arm->n_subs = subs->n;
  arm->p50_ns[r] = arm->p90_ns[r] = arm->p99_ns[r] = 0;
  for (guint i = 0; i < subs->n; i++) {
    BenchSub *s = &subs->subs[i];

    arm->sub_records[i] += s->records;
    arm->sub_ns[i] += MAX (s->last_ns - go_ns, 1);
    arm->p50_ns[r] = MAX (arm->p50_ns[r], s->p50_ns);
    arm->p90_ns[r] = MAX (arm->p90_ns[r], s->p90_ns);
    arm->p99_ns[r] = MAX (arm->p99_ns[r], s->p99_ns);
    arm->max_ns = MAX (arm->max_ns, s->max_ns);
    arm->lost += s->lost;
    arm->malformed += s->malformed;
    arm->received += s->records;
  }
}

static gdouble
arm_sent_rps (const Arm *arm)
{
  return arm->sent / (MAX (arm->sent_ns, 1) / 1e9);
}

/* the slowest subscriber's: its records over its time, all rounds */
static gdouble
arm_sub_rps (const Arm *arm)
{
  gdouble slowest = G_MAXDOUBLE;

  for (guint i = 0; i < arm->n_subs; i++)
    slowest = MIN (slowest, arm->sub_records[i] / (arm->sub_ns[i] / 1e9));
  return arm->n_subs > 0 ? slowest : 0;
}

/* the median over the rounds, in ms */
static gdouble
arm_ms (const Arm *arm, const gint64 *per_round)
{
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (gdouble));

  for (guint r = 0; r < arm->rounds; r++) {
    gdouble ms = per_round[r] / 1e6;
    g_array_append_val (v, ms);
  }
  return bench_median (v);
}

static void
print_arm (const Arm *arm)
{
  printf ("  %-10s %12.0f %12.0f %9.2f %9.2f %9.2f %9.2f %6" G_GUINT64_FORMAT "\n", arm->name,
      arm_sent_rps (arm), arm_sub_rps (arm), arm_ms (arm, arm->p50_ns), arm_ms (arm, arm->p90_ns),
      arm_ms (arm, arm->p99_ns), arm->max_ns / 1e6, arm->lost + arm->malformed);
  fflush (stdout);
}

static gint64
done_timeout_us (const BenchOptions *opts)
{
  /* generous: a loaded machine, a slow sanitized build */
  return (60 + (gint64) (opts->records / opts->rounds / 200000)) * G_USEC_PER_SEC;
}

/* ---- the pipeline arm ---------------------------------------------------------------- */

static void
pipe_warm (gpointer user_data)
{
  bench_pipe_ctl (user_data, "WARM");
}

static gboolean
run_pipeline (const BenchOptions *opts, guint64 records, Arm *arm, GError **error)
{
  BenchPipe *pipe = bench_pipe_new (NULL, error);
  BenchSubs *subs = NULL;
  g_autofree gint64 *seqs = g_new (gint64, opts->batch);
  g_autofree gchar *data = g_malloc ((gsize) opts->batch * BENCH_DATA_LEN);
  g_autofree gint64 *ts = g_new (gint64, opts->batch);
  g_autofree gint32 *offsets = g_new (gint32, opts->batch + 1);
  g_autofree gchar *end = NULL;
  guint64 frames = 0;
  gint64 go_ns, sent_ns;
  gboolean ok = FALSE;

  if (pipe == NULL)
    return FALSE;
  subs = bench_subs_spawn (
      opts->subscribers, pipe->address, BENCH_LATENCY_FROM_FRAME, 0, FALSE, error);
  if (subs == NULL || !bench_subs_wait_ready (subs, pipe_warm, pipe, error))
    goto out;

  for (guint i = 0; i <= opts->batch; i++)
    offsets[i] = (gint32) (i * BENCH_DATA_LEN);
  go_ns = bench_now_ns ();
  for (guint64 seq = 0; seq < records; seq += opts->batch) {
    guint n = (guint) MIN (opts->batch, records - seq);
    PulseRecordBatch *batch = pulse_record_batch_new ();
    gint64 now = bench_now_ns (); /* one clock read per batch */

    /* the application's records in C arrays, as the bare arm has them,
     * then into the batch a column at a time */
    for (guint i = 0; i < n; i++) {
      seqs[i] = (gint64) (seq + i);
      memcpy (data + (gsize) i * BENCH_DATA_LEN, bench_record_data (seq + i), BENCH_DATA_LEN);
      ts[i] = now;
    }
    pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
    pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
    pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
    pulse_record_batch_reserve (batch, n, (gsize) n * BENCH_DATA_LEN);
    pulse_record_batch_append_int64_values (batch, 0, seqs, n);
    pulse_record_batch_append_string_values (
        batch, 1, data, (gsize) n * BENCH_DATA_LEN, offsets, n + 1);
    pulse_record_batch_append_int64_values (batch, 2, ts, n);
    pulse_record_batch_end_rows (batch, n);
    if (!pulse_producer_push_buffer (pipe->src, pulse_buffer_new_records (batch), error)) {
      pulse_record_batch_unref (batch);
      goto out;
    }
    pulse_record_batch_unref (batch);
    frames++;
  }
  sent_ns = bench_now_ns ();
  end = bench_end_message (records, frames);
  bench_pipe_ctl (pipe, end);
  if (!bench_subs_wait_done (subs, done_timeout_us (opts), error) ||
      !bench_pipe_finish (pipe, error))
    goto out;
  collect (arm, subs, records, go_ns, sent_ns);
  ok = TRUE;

out:
  if (subs != NULL)
    bench_subs_free (subs);
  bench_pipe_free (pipe);
  return ok;
}

/* ---- the bare arm ---------------------------------------------------------------------- */

/* Payload buffers come back from ZeroMQ's I/O thread when sent to every
 * subscriber; the next frame reuses one, so that the steady state
 * allocates nothing */
typedef struct {
  GAsyncQueue *free;
  gsize size;
  gint allocated; /* atomic */
} Pool;

static guint8 *
pool_get (Pool *pool)
{
  guint8 *buf = g_async_queue_try_pop (pool->free);

  if (buf == NULL) {
    g_atomic_int_inc (&pool->allocated);
    buf = g_malloc (pool->size);
  }
  return buf;
}

static void
pool_put (void *data, void *hint)
{
  Pool *pool = hint;

  g_async_queue_push (pool->free, data);
}

static void
pool_clear (Pool *pool)
{
  guint8 *buf;
  gint returned = 0;

  while ((buf = g_async_queue_try_pop (pool->free)) != NULL) {
    g_free (buf);
    returned++;
  }
  g_warn_if_fail (returned == g_atomic_int_get (&pool->allocated));
  g_async_queue_unref (pool->free);
}

/* the largest msgpack encoding of one record: map header, 3 keys with
 * their headers, 2 int64, a str header and the data */
#define RECORD_BOUND (1 + 4 + 9 + 5 + 5 + BENCH_DATA_LEN + 3 + 9)

/* Packs @n records from the columns, as the pipeline's msgpack element
 * writes them: an array of maps, keys in column order */
static gsize
pack_records (guint8 *out, const gint64 *seqs, const gchar *data, const gint64 *ts, guint n)
{
  BenchCursor cursor = { out };
  msgpack_packer pk;

  msgpack_packer_init (&pk, &cursor, bench_cursor_write);
  msgpack_pack_array (&pk, n);
  for (guint i = 0; i < n; i++) {
    msgpack_pack_map (&pk, 3);
    msgpack_pack_str (&pk, 3);
    msgpack_pack_str_body (&pk, "seq", 3);
    msgpack_pack_int64 (&pk, seqs[i]);
    msgpack_pack_str (&pk, 4);
    msgpack_pack_str_body (&pk, "data", 4);
    msgpack_pack_str (&pk, BENCH_DATA_LEN);
    msgpack_pack_str_body (&pk, data + (gsize) i * BENCH_DATA_LEN, BENCH_DATA_LEN);
    msgpack_pack_str (&pk, 2);
    msgpack_pack_str_body (&pk, "ts", 2);
    msgpack_pack_int64 (&pk, ts[i]);
  }
  return cursor.p - out;
}

/* pre-built frames outlive the context: nothing to free */
static void
keep (void *data, void *hint)
{
}

static void
raw_warm (gpointer user_data)
{
  bench_raw_ctl (user_data, "WARM");
}

static gboolean
run_bare (const BenchOptions *opts, guint64 records, gboolean prebuilt, Arm *arm, GError **error)
{
  BenchRaw *raw = bench_raw_new (error);
  BenchSubs *subs = NULL;
  Pool pool = { g_async_queue_new (), 5 + (gsize) opts->batch * RECORD_BOUND, 0 };
  g_autofree gint64 *seqs = g_new (gint64, opts->batch);
  g_autofree gchar *data = g_malloc ((gsize) opts->batch * BENCH_DATA_LEN);
  g_autofree gint64 *ts = g_new (gint64, opts->batch);
  guint8 *built[PREBUILT_FRAMES] = { NULL };
  gsize built_size[PREBUILT_FRAMES] = { 0 };
  guint n_built = 0;
  g_autofree gchar *end = NULL;
  guint64 frames = 0, sent = 0;
  gint64 go_ns, sent_ns;
  gboolean ok = FALSE;

  if (raw == NULL) {
    g_async_queue_unref (pool.free);
    return FALSE;
  }
  if (prebuilt) {
    /* whole frames only, seq 0 … n_built × batch − 1, then again */
    n_built = (guint) MIN (PREBUILT_FRAMES, (records + opts->batch - 1) / opts->batch);
    for (guint f = 0; f < n_built; f++) {
      gint64 now = bench_now_ns ();

      for (guint i = 0; i < opts->batch; i++) {
        guint64 seq = (guint64) f * opts->batch + i;
        seqs[i] = (gint64) seq;
        memcpy (data + (gsize) i * BENCH_DATA_LEN, bench_record_data (seq), BENCH_DATA_LEN);
        ts[i] = now;
      }
      built[f] = g_malloc (pool.size);
      built_size[f] = pack_records (built[f], seqs, data, ts, opts->batch);
    }
  }
  subs = bench_subs_spawn (opts->subscribers, raw->address, BENCH_LATENCY_FROM_FRAME,
      prebuilt ? (guint64) n_built * opts->batch : 0, FALSE, error);
  if (subs == NULL || !bench_subs_wait_ready (subs, raw_warm, raw, error))
    goto out;

  go_ns = bench_now_ns ();
  if (prebuilt) {
    for (; sent < records; sent += opts->batch) {
      guint f = (guint) (frames % n_built);

      if (!bench_raw_send (raw, BENCH_TOPIC, strlen (BENCH_TOPIC), 0x00, opts->batch, built[f],
              built_size[f], keep, NULL))
        goto send_failed;
      frames++;
    }
  } else {
    for (guint64 seq = 0; seq < records; seq += opts->batch) {
      guint n = (guint) MIN (opts->batch, records - seq);
      gint64 now = bench_now_ns (); /* one clock read per batch */
      guint8 *buf;
      gsize size;

      for (guint i = 0; i < n; i++) {
        seqs[i] = (gint64) (seq + i);
        memcpy (data + (gsize) i * BENCH_DATA_LEN, bench_record_data (seq + i), BENCH_DATA_LEN);
        ts[i] = now;
      }
      buf = pool_get (&pool);
      size = pack_records (buf, seqs, data, ts, n);
      if (!bench_raw_send (
              raw, BENCH_TOPIC, strlen (BENCH_TOPIC), 0x00, n, buf, size, pool_put, &pool))
        goto send_failed;
      frames++;
      sent += n;
    }
  }
  sent_ns = bench_now_ns ();
  end = bench_end_message (sent, frames);
  bench_raw_ctl (raw, end);
  if (!bench_subs_wait_done (subs, done_timeout_us (opts), error))
    goto out;
  collect (arm, subs, sent, go_ns, sent_ns);
  ok = TRUE;
  goto out;

send_failed:
  g_set_error (error, BENCH_ERROR, 0, "zmq_send: %s", zmq_strerror (zmq_errno ()));
out:
  if (subs != NULL)
    bench_subs_free (subs);
  /* ZeroMQ has given every payload back once its context is gone */
  bench_raw_free (raw);
  pool_clear (&pool);
  for (guint f = 0; f < n_built; f++)
    g_free (built[f]);
  return ok;
}

/* ---- the scenario ------------------------------------------------------------------------ */

static void
append (GArray *a, gdouble v)
{
  g_array_append_val (a, v);
}

int
bench_burst (const BenchOptions *opts)
{
  g_autoptr (GArray) rps = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) sent = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) raw_rps = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) pre_rps = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) ratio = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) p50 = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) p99 = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) raw_p50 = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GArray) raw_p99 = g_array_new (FALSE, FALSE, sizeof (gdouble));
  guint rounds = (guint) MIN (opts->rounds, MAX_ROUNDS);
  guint64 lost = 0;

  printf ("burst: %" G_GUINT64_FORMAT " records {seq, data: %d-char str, ts} in frames of %u, "
          "msgpack, %u subscriber processes; each arm in %u rounds, taken in turns\n",
      opts->records, BENCH_DATA_LEN, opts->batch, opts->subscribers, rounds);
  for (guint run = 0; run < opts->runs; run++) {
    Arm pipeline = { "pipeline" }, bare = { "bare" }, prebuilt = { "pre-built" };
    Arm *order[3];
    guint n_arms = 0;

    if (opts->arm != NULL) {
      /* one arm alone, for a profiler: no ratio */
      order[n_arms++] = g_str_equal (opts->arm, "pipeline") ? &pipeline
          : g_str_equal (opts->arm, "bare")                 ? &bare
                                                            : &prebuilt;
    } else {
      order[n_arms++] = &bare;
      order[n_arms++] = &pipeline;
      order[n_arms++] = &prebuilt;
    }
    printf ("run %u/%u:\n  %-10s %12s %12s %9s %9s %9s %9s %6s\n", run + 1, opts->runs, "arm",
        "sent rec/s", "per-sub r/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "lost");
    /* The arms take turns, a slice of the records each (the pre-built
     * ceiling last): a phase of a noisy machine falls on both arms, and
     * the pair bare/pipeline swaps its order every round, so neither
     * always gets the cold (or warm) start */
    for (guint r = 0; r < rounds; r++) {
      guint64 slice = opts->records / rounds + (r < opts->records % rounds ? 1 : 0);

      if (n_arms > 1 && (run + r) % 2 == 1) {
        order[0] = &pipeline;
        order[1] = &bare;
      } else if (n_arms > 1) {
        order[0] = &bare;
        order[1] = &pipeline;
      }
      for (guint a = 0; a < n_arms; a++) {
        g_autoptr (GError) error = NULL;
        Arm *arm = order[a];
        gboolean ok = arm == &pipeline ? run_pipeline (opts, slice, arm, &error)
                                       : run_bare (opts, slice, arm == &prebuilt, arm, &error);

        if (!ok) {
          g_printerr ("pulse-bench burst: %s\n", error->message);
          return 1;
        }
      }
    }
    if (opts->arm != NULL) {
      print_arm (order[0]);
      append (rps, arm_sub_rps (order[0]));
      append (sent, arm_sent_rps (order[0]));
      append (p50, arm_ms (order[0], order[0]->p50_ns));
      append (p99, arm_ms (order[0], order[0]->p99_ns));
      lost += order[0]->lost + order[0]->malformed;
      continue;
    }
    print_arm (&bare);
    print_arm (&pipeline);
    print_arm (&prebuilt);
    printf ("  ratio pipeline/bare per subscriber: %.3f\n",
        arm_sub_rps (&pipeline) / arm_sub_rps (&bare));
    append (rps, arm_sub_rps (&pipeline));
    append (sent, arm_sent_rps (&pipeline));
    append (raw_rps, arm_sub_rps (&bare));
    append (pre_rps, arm_sub_rps (&prebuilt));
    append (ratio, arm_sub_rps (&pipeline) / arm_sub_rps (&bare));
    append (p50, arm_ms (&pipeline, pipeline.p50_ns));
    append (p99, arm_ms (&pipeline, pipeline.p99_ns));
    append (raw_p50, arm_ms (&bare, bare.p50_ns));
    append (raw_p99, arm_ms (&bare, bare.p99_ns));
    lost += pipeline.lost + pipeline.malformed + bare.lost + bare.malformed + prebuilt.lost +
        prebuilt.malformed;
  }
  if (opts->arm != NULL) {
    printf ("RESULT scenario=burst arm=%s records=%" G_GUINT64_FORMAT " runs=%u records_per_s=%.0f "
            "sent_records_per_s=%.0f p50_ms=%.2f p99_ms=%.2f lost=%" G_GUINT64_FORMAT "\n",
        opts->arm, opts->records, opts->runs, bench_median (rps), bench_median (sent),
        bench_median (p50), bench_median (p99), lost);
    return lost == 0 ? 0 : 1;
  }
  printf ("RESULT scenario=burst records=%" G_GUINT64_FORMAT
          " runs=%u rounds=%u records_per_s=%.0f "
          "sent_records_per_s=%.0f raw_records_per_s=%.0f prebuilt_records_per_s=%.0f ratio=%.3f "
          "p50_ms=%.2f p99_ms=%.2f raw_p50_ms=%.2f raw_p99_ms=%.2f lost=%" G_GUINT64_FORMAT "\n",
      opts->records, opts->runs, rounds, bench_median (rps), bench_median (sent),
      bench_median (raw_rps), bench_median (pre_rps), bench_median (ratio), bench_median (p50),
      bench_median (p99), bench_median (raw_p50), bench_median (raw_p99), lost);
  return lost == 0 ? 0 : 1;
}
