/* PulseMQ — pulse-bench burst: the original's bench_burst.py, three ways
 *
 * The original's records {"seq": int, "data": 64-char str, "ts": int}, in
 * frames of 1,000 (--batch), msgpack, no compression, to 2 subscriber
 * processes (--subscribers), sent by:
 *
 * - pipeline: `producer ! msgpack ! zmqpub`; the application builds each
 *   batch column by column (PulseRecordBatch append API) and pushes it
 *   with pulse_producer_push_buffer();
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

typedef struct {
  const gchar *name;
  gdouble sent_rps;
  gdouble sub_rps;                       /* the slowest subscriber's */
  gint64 p50_ns, p90_ns, p99_ns, max_ns; /* the worst subscriber's */
  guint64 lost;
  guint64 malformed;
  guint64 received; /* records, all subscribers */
} Arm;

/* ---- results from the subscribers --------------------------------------------------- */

static void
collect (Arm *arm, BenchSubs *subs, guint64 records, gint64 go_ns, gint64 sent_ns)
{
  arm->sent_rps = records / ((sent_ns - go_ns) / 1e9);
  arm->sub_rps = G_MAXDOUBLE;
  for (guint i = 0; i < subs->n; i++) {
    BenchSub *s = &subs->subs[i];
    gdouble rps = s->last_ns > go_ns ? s->records / ((s->last_ns - go_ns) / 1e9) : 0;

    arm->sub_rps = MIN (arm->sub_rps, rps);
    arm->p50_ns = MAX (arm->p50_ns, s->p50_ns);
    arm->p90_ns = MAX (arm->p90_ns, s->p90_ns);
    arm->p99_ns = MAX (arm->p99_ns, s->p99_ns);
    arm->max_ns = MAX (arm->max_ns, s->max_ns);
    arm->lost += s->lost;
    arm->malformed += s->malformed;
    arm->received += s->records;
  }
}

static void
print_arm (const Arm *arm)
{
  printf ("  %-10s %12.0f %12.0f %9.2f %9.2f %9.2f %9.2f %6" G_GUINT64_FORMAT "\n", arm->name,
      arm->sent_rps, arm->sub_rps, arm->p50_ns / 1e6, arm->p90_ns / 1e6, arm->p99_ns / 1e6,
      arm->max_ns / 1e6, arm->lost + arm->malformed);
  fflush (stdout);
}

static gint64
done_timeout_us (const BenchOptions *opts)
{
  /* generous: a loaded machine, a slow sanitized build */
  return (60 + (gint64) (opts->records / 200000)) * G_USEC_PER_SEC;
}

/* ---- the pipeline arm ---------------------------------------------------------------- */

static void
pipe_warm (gpointer user_data)
{
  bench_pipe_ctl (user_data, "WARM");
}

static gboolean
run_pipeline (const BenchOptions *opts, Arm *arm, GError **error)
{
  BenchPipe *pipe = bench_pipe_new (NULL, error);
  BenchSubs *subs = NULL;
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

  go_ns = bench_now_ns ();
  for (guint64 seq = 0; seq < opts->records; seq += opts->batch) {
    guint n = (guint) MIN (opts->batch, opts->records - seq);
    PulseRecordBatch *batch = pulse_record_batch_new ();
    gint64 now = bench_now_ns (); /* one clock read per batch */

    pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
    pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
    pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
    for (guint i = 0; i < n; i++) {
      pulse_record_batch_append_int64 (batch, 0, (gint64) (seq + i));
      pulse_record_batch_append_string (batch, 1, bench_record_data (seq + i), BENCH_DATA_LEN);
      pulse_record_batch_append_int64 (batch, 2, now);
      pulse_record_batch_end_row (batch);
    }
    if (!pulse_producer_push_buffer (pipe->src, pulse_buffer_new_records (batch), error)) {
      pulse_record_batch_unref (batch);
      goto out;
    }
    pulse_record_batch_unref (batch);
    frames++;
  }
  sent_ns = bench_now_ns ();
  end = bench_end_message (opts->records, frames);
  bench_pipe_ctl (pipe, end);
  if (!bench_subs_wait_done (subs, done_timeout_us (opts), error) ||
      !bench_pipe_finish (pipe, error))
    goto out;
  collect (arm, subs, opts->records, go_ns, sent_ns);
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

typedef struct {
  guint8 *p;
} Cursor;

/* inlined into the packing loop: msgpack-c's write becomes a store */
static inline int
cursor_write (void *data, const char *buf, size_t len)
{
  Cursor *c = data;

  memcpy (c->p, buf, len);
  c->p += len;
  return 0;
}

/* the largest msgpack encoding of one record: map header, 3 keys with
 * their headers, 2 int64, a str header and the data */
#define RECORD_BOUND (1 + 4 + 9 + 5 + 5 + BENCH_DATA_LEN + 3 + 9)

/* Packs @n records from the columns, as the pipeline's msgpack element
 * writes them: an array of maps, keys in column order */
static gsize
pack_records (guint8 *out, const gint64 *seqs, const gchar *data, const gint64 *ts, guint n)
{
  Cursor cursor = { out };
  msgpack_packer pk;

  msgpack_packer_init (&pk, &cursor, cursor_write);
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
run_bare (const BenchOptions *opts, gboolean prebuilt, Arm *arm, GError **error)
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
    n_built = (guint) MIN (PREBUILT_FRAMES, (opts->records + opts->batch - 1) / opts->batch);
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
    for (; sent < opts->records; sent += opts->batch) {
      guint f = (guint) (frames % n_built);

      if (!bench_raw_send (raw, BENCH_TOPIC, strlen (BENCH_TOPIC), 0x00, opts->batch, built[f],
              built_size[f], keep, NULL))
        goto send_failed;
      frames++;
    }
  } else {
    for (guint64 seq = 0; seq < opts->records; seq += opts->batch) {
      guint n = (guint) MIN (opts->batch, opts->records - seq);
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
  guint64 lost = 0;

  printf ("burst: %" G_GUINT64_FORMAT " records {seq, data: %d-char str, ts} in frames of %u, "
          "msgpack, %u subscriber processes\n",
      opts->records, BENCH_DATA_LEN, opts->batch, opts->subscribers);
  for (guint run = 0; run < opts->runs; run++) {
    g_autoptr (GError) error = NULL;
    Arm pipeline = { "pipeline" }, bare = { "bare" }, prebuilt = { "pre-built" };
    gboolean ok;

    printf ("run %u/%u:\n  %-10s %12s %12s %9s %9s %9s %9s %6s\n", run + 1, opts->runs, "arm",
        "sent rec/s", "per-sub r/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "lost");
    if (opts->arm != NULL) {
      /* one arm alone, for a profiler: no ratio */
      Arm *arm = g_str_equal (opts->arm, "pipeline") ? &pipeline
          : g_str_equal (opts->arm, "bare")          ? &bare
                                                     : &prebuilt;

      if (!(arm == &pipeline ? run_pipeline (opts, arm, &error)
                             : run_bare (opts, arm == &prebuilt, arm, &error))) {
        g_printerr ("pulse-bench burst: %s\n", error->message);
        return 1;
      }
      print_arm (arm);
      append (rps, arm->sub_rps);
      append (sent, arm->sent_rps);
      append (p50, arm->p50_ns / 1e6);
      append (p99, arm->p99_ns / 1e6);
      lost += arm->lost + arm->malformed;
      continue;
    }
    /* alternate which goes first: neither always gets a cold (or warm) start */
    if (run % 2 == 0)
      ok = run_bare (opts, FALSE, &bare, &error) && run_pipeline (opts, &pipeline, &error);
    else
      ok = run_pipeline (opts, &pipeline, &error) && run_bare (opts, FALSE, &bare, &error);
    ok = ok && run_bare (opts, TRUE, &prebuilt, &error);
    if (!ok) {
      g_printerr ("pulse-bench burst: %s\n", error->message);
      return 1;
    }
    print_arm (&bare);
    print_arm (&pipeline);
    print_arm (&prebuilt);
    printf ("  ratio pipeline/bare per subscriber: %.3f\n", pipeline.sub_rps / bare.sub_rps);
    append (rps, pipeline.sub_rps);
    append (sent, pipeline.sent_rps);
    append (raw_rps, bare.sub_rps);
    append (pre_rps, prebuilt.sub_rps);
    append (ratio, pipeline.sub_rps / bare.sub_rps);
    append (p50, pipeline.p50_ns / 1e6);
    append (p99, pipeline.p99_ns / 1e6);
    append (raw_p50, bare.p50_ns / 1e6);
    append (raw_p99, bare.p99_ns / 1e6);
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
  printf ("RESULT scenario=burst records=%" G_GUINT64_FORMAT " runs=%u records_per_s=%.0f "
          "sent_records_per_s=%.0f raw_records_per_s=%.0f prebuilt_records_per_s=%.0f ratio=%.3f "
          "p50_ms=%.2f p99_ms=%.2f raw_p50_ms=%.2f raw_p99_ms=%.2f lost=%" G_GUINT64_FORMAT "\n",
      opts->records, opts->runs, bench_median (rps), bench_median (sent), bench_median (raw_rps),
      bench_median (pre_rps), bench_median (ratio), bench_median (p50), bench_median (p99),
      bench_median (raw_p50), bench_median (raw_p99), lost);
  return lost == 0 ? 0 : 1;
}
