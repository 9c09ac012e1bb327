/* PulseMQ — pulse-bench: what every scenario shares
 *
 * pulse-bench.c holds main(), the options, the subscriber process and the
 * helpers below; each scenario lives in a file of its own and is one
 * function taking the parsed options.
 */
#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* ---- options -------------------------------------------------------------- */

typedef struct {
  const gchar *scenario;
  guint64 records; /* burst: records per arm */
  guint batch;     /* burst: records per frame */
  guint subscribers;
  guint runs;
  guint rounds; /* burst: the arms take turns this many times per run */
  gboolean quick;
  gdouble *rates;  /* latency: messages/s, 0-terminated */
  gdouble seconds; /* latency: per rate and arm; codecs: per case */
  gboolean verbose;
  const gchar *arm; /* burst: only this arm (profiling), or NULL for all */
} BenchOptions;

#define BENCH_MAX_SUBSCRIBERS 64

/* errors of the benchmark itself (a subscriber died, a timeout): code 0 */
#define BENCH_ERROR (bench_error_quark ())
GQuark bench_error_quark (void);

/* ---- clocks ------------------------------------------------------------- */

gint64 bench_now_ns (void);  /* CLOCK_REALTIME: comparable across processes */
gint64 bench_mono_ns (void); /* CLOCK_MONOTONIC */
void bench_sleep_until (gint64 realtime_ns);

/* ---- a log-bucket histogram (HdrHistogram-style) --------------------------- */

/* 2^HIST_SUB_BITS sub-buckets per power of two: every value is recorded
 * within 1/64 (1.6 %) of itself, whatever its magnitude, in a fixed array */
#define BENCH_HIST_SUB_BITS 7
#define BENCH_HIST_BUCKETS ((64 - BENCH_HIST_SUB_BITS + 2) << (BENCH_HIST_SUB_BITS - 1))

typedef struct {
  guint64 counts[BENCH_HIST_BUCKETS];
  guint64 total;
  gint64 max;
  gint64 min;
} BenchHist;

void bench_hist_init (BenchHist *h);
void bench_hist_record (BenchHist *h, gint64 value);
gint64 bench_hist_percentile (const BenchHist *h, gdouble q);
void bench_hist_merge (BenchHist *into, const BenchHist *h);
/* the non-empty buckets as "index:count,…", and back (FALSE: malformed) */
gchar *bench_hist_to_string (const BenchHist *h);
gboolean bench_hist_add_string (BenchHist *h, const gchar *text);

/* ---- the original's records {"seq": int, "data": 64-char str, "ts": int} ---- */

#define BENCH_DATA_LEN 64

/* msgpack-c's packer writing into memory sized beforehand: inlined into
 * a packing loop, its write becomes a store */
typedef struct {
  guint8 *p;
} BenchCursor;

static inline int
bench_cursor_write (void *data, const char *buf, size_t len)
{
  BenchCursor *c = data;

  memcpy (c->p, buf, len);
  c->p += len;
  return 0;
}
const gchar *bench_record_data (guint64 seq); /* BENCH_DATA_LEN hex characters, not 0-terminated */

/* ---- subscribers in processes of their own --------------------------------- */

#define BENCH_TOPIC "burst_topic"
#define BENCH_CTL_TOPIC "ctl"
#define BENCH_BARE_TOPIC "bare" /* the bare arm's, when one subscriber reads both arms */

typedef enum {
  BENCH_LATENCY_FROM_FRAME,     /* now − frame 3, the publisher's send time */
  BENCH_LATENCY_FROM_SCHEDULED, /* now − the record's "ts", its scheduled send time */
} BenchLatencyFrom;

typedef struct {
  GPid pid;
  gint in_fd;  /* its stdin: closing it ends the subscriber */
  gint out_fd; /* its stdout: READY, then DONE key=value … */
  GString *line;
  gboolean ready;
  gboolean done;
  /* from DONE */
  guint64 frames;
  guint64 records;
  guint64 lost;
  guint64 malformed;
  gint64 first_ns; /* when the first data frame came, CLOCK_REALTIME */
  gint64 last_ns;  /* when the last one came */
  gint64 p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
  BenchHist *hist; /* every latency it measured */
  /* paired (bench_subs_spawn_paired): the bare arm's, from b_… keys */
  guint64 b_records, b_lost, b_malformed;
  BenchHist *b_hist;
} BenchSub;

typedef struct {
  BenchSub *subs;
  guint n;
} BenchSubs;

/* Starts @n subscribers of @address; @seq_wrap: seq restarts at 0 after
 * that many records (the pre-built arm sends the same frames again), 0 for
 * never. */
BenchSubs *bench_subs_spawn (guint n, const gchar *address, BenchLatencyFrom from, guint64 seq_wrap,
    gboolean stall, GError **error);
/* One subscriber of both latency arms: @address (the pipeline, on
 * BENCH_TOPIC) and @bare_address (on BENCH_BARE_TOPIC), one socket */
BenchSubs *
bench_subs_spawn_paired (const gchar *address, const gchar *bare_address, GError **error);
/* Calls @warm (which publishes one control message "WARM") until every
 * subscriber says it saw one: their data subscription is then in place,
 * because it was made before the control one. */
gboolean bench_subs_wait_ready (
    BenchSubs *subs, void (*warm) (gpointer user_data), gpointer user_data, GError **error);
/* Waits for every subscriber's DONE line, after the END control message */
gboolean bench_subs_wait_done (BenchSubs *subs, gint64 timeout_us, GError **error);
void bench_subs_free (BenchSubs *subs);

/* the control message that ends an arm: "END records frames" */
gchar *bench_end_message (guint64 records, guint64 frames);

/* the subscriber process: `pulse-bench sub …` */
int bench_sub_main (int argc, char **argv);

/* ---- the two publishers: our pipeline, and bare libzmq ------------------------- */

/* `producer ! msgpack ! zmqpub` for data and `producer ! str ! zmqpub` for
 * control messages, both zmqpubs on one bind, so one socket: a control
 * message queued after data goes out after it */
typedef struct {
  gpointer pipeline; /* PulsePipeline */
  gpointer src;      /* PulseProducer of the data */
  gpointer ctl;      /* PulseProducer of the control messages */
  gpointer pub;      /* the data zmqpub */
  gchar *address;
} BenchPipe;

BenchPipe *bench_pipe_new (const gchar *extra_pub_props, GError **error);
void bench_pipe_ctl (BenchPipe *pipe, const gchar *text);
gboolean bench_pipe_finish (BenchPipe *pipe, GError **error);
void bench_pipe_free (BenchPipe *pipe);

/* a plain PUB socket (SNDHWM 0, as ours) on a context of its own */
typedef struct {
  void *ctx;
  void *sock;
  gchar *address;
} BenchRaw;

BenchRaw *bench_raw_new (GError **error);
/* one 4-frame message, frame 3 stamped now; the payload is given to
 * ZeroMQ without a copy, and @ffn frees it; with @ffn NULL it is copied */
gboolean bench_raw_send (BenchRaw *raw, const gchar *topic, gsize topic_len, guint8 flags,
    guint32 count, void *data, gsize size, void (*ffn) (void *data, void *hint), void *hint);
void bench_raw_ctl (BenchRaw *raw, const gchar *text);
void bench_raw_free (BenchRaw *raw);

/* ---- results ------------------------------------------------------------- */

gdouble bench_median (GArray *values);   /* of gdouble; sorts @values */
gsize bench_rss_kb (const gchar *field); /* "VmRSS", "VmHWM" from /proc/self/status */
const gchar *bench_self_exe (void);

/* ---- scenarios ------------------------------------------------------------- */

int bench_burst (const BenchOptions *opts);
int bench_latency (const BenchOptions *opts);
int bench_codecs (const BenchOptions *opts);
int bench_memory (const BenchOptions *opts);
int bench_memory_part (int argc, char **argv);

G_END_DECLS
