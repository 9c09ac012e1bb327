/* PulseMQ — pulse-bench: the pipeline beside bare libzmq, in one run
 *
 *   pulse-bench burst   [--records N] [--runs N] [--quick]
 *   pulse-bench latency [--rate R]... [--seconds S] [--runs N] [--quick]
 *   pulse-bench codecs  [--seconds S] [--quick]
 *   pulse-bench memory  [--quick]
 *
 * Every scenario measures our pipeline and, in the same run, a bare C
 * program doing the same work with no pipeline (msgpack-c, libzmq, the
 * compression libraries called directly), and reports the ratio: on a busy
 * or noisy machine absolute figures move by a third from one run to the
 * next, the ratio much less. Each scenario ends with a machine-readable
 * `RESULT scenario=NAME key=value …` line (scripts/bench-report reads it).
 *
 * Subscribers run in processes of their own (`pulse-bench sub …`, the same
 * program started again), with the same code in every arm; they report
 * what they received on their stdout, one line. See issue 7.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib-unix.h>
#include <zmq.h>

#include "pulse-bench.h"

G_DEFINE_QUARK (pulse - bench - error - quark, bench_error)

/* ---- clocks ---------------------------------------------------------------- */

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

gint64
bench_mono_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bench_sleep_until (gint64 realtime_ns)
{
  struct timespec ts = { realtime_ns / 1000000000, realtime_ns % 1000000000 };

  while (clock_nanosleep (CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

/* ---- histogram ------------------------------------------------------------- */

void
bench_hist_init (BenchHist *h)
{
  memset (h, 0, sizeof *h);
  h->min = G_MAXINT64;
}

#define HALF (1 << (BENCH_HIST_SUB_BITS - 1))

/* Values below 2^SUB_BITS have a bucket each; above, each power of two is
 * split into HALF buckets of equal width, so the relative error is fixed */
static guint
hist_index (guint64 v)
{
  guint shift;

  if (v < (1u << BENCH_HIST_SUB_BITS))
    return (guint) v;
  shift = (guint) (63 - __builtin_clzll (v)) - BENCH_HIST_SUB_BITS + 1;
  return (shift + 1) * HALF + (guint) ((v >> shift) - HALF);
}

/* the highest value that falls in bucket @i, as HdrHistogram reports */
static gint64
hist_value (guint i)
{
  guint shift;
  guint64 sub;

  if (i < (1u << BENCH_HIST_SUB_BITS))
    return i;
  shift = i / HALF - 1;
  sub = i % HALF + HALF;
  return (gint64) (((sub + 1) << shift) - 1);
}

void
bench_hist_record (BenchHist *h, gint64 value)
{
  if (value < 0)
    value = 0; /* clocks of two processes: a few ns either way */
  h->counts[hist_index ((guint64) value)]++;
  h->total++;
  h->max = MAX (h->max, value);
  h->min = MIN (h->min, value);
}

gint64
bench_hist_percentile (const BenchHist *h, gdouble q)
{
  guint64 rank, seen = 0;

  if (h->total == 0)
    return 0;
  if (q >= 1.0)
    return h->max;
  rank = (guint64) (q * (gdouble) h->total);
  if (rank >= h->total)
    rank = h->total - 1;
  for (guint i = 0; i < BENCH_HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen > rank)
      return MIN (hist_value (i), h->max);
  }
  return h->max;
}

void
bench_hist_merge (BenchHist *into, const BenchHist *h)
{
  for (guint i = 0; i < BENCH_HIST_BUCKETS; i++)
    into->counts[i] += h->counts[i];
  into->total += h->total;
  into->max = MAX (into->max, h->max);
  into->min = MIN (into->min, h->min);
}

gchar *
bench_hist_to_string (const BenchHist *h)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < BENCH_HIST_BUCKETS; i++)
    if (h->counts[i] > 0)
      g_string_append_printf (
          out, "%s%u:%" G_GUINT64_FORMAT, out->len > 0 ? "," : "", i, h->counts[i]);
  return g_string_free (out, FALSE);
}

/* the counts only: max and min come with the report's max_ns */
gboolean
bench_hist_add_string (BenchHist *h, const gchar *text)
{
  g_auto (GStrv) pairs = g_strsplit (text, ",", -1);

  for (guint i = 0; pairs[i] != NULL && pairs[i][0] != '\0'; i++) {
    gchar *end;
    guint64 bucket = g_ascii_strtoull (pairs[i], &end, 10), count;

    if (*end != ':' || bucket >= BENCH_HIST_BUCKETS)
      return FALSE;
    count = g_ascii_strtoull (end + 1, &end, 10);
    if (*end != '\0')
      return FALSE;
    h->counts[bucket] += count;
    h->total += count;
  }
  return TRUE;
}

/* ---- records ---------------------------------------------------------------- */

#define N_DATA 256

/* 256 different 64-character hex strings, as the original's token_hex(32),
 * made once: a record picks one by its seq, so making a record costs the
 * same in every arm and nothing in random numbers */
const gchar *
bench_record_data (guint64 seq)
{
  static gchar table[N_DATA][BENCH_DATA_LEN];
  static gsize made = 0;

  if (g_once_init_enter (&made)) {
    guint64 x = 0x9e3779b97f4a7c15ull;

    for (guint i = 0; i < N_DATA; i++)
      for (guint j = 0; j < BENCH_DATA_LEN; j++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        table[i][j] = "0123456789abcdef"[x & 15];
      }
    g_once_init_leave (&made, 1);
  }
  return table[seq % N_DATA];
}

gchar *
bench_end_message (guint64 records, guint64 frames)
{
  return g_strdup_printf ("END %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, records, frames);
}

/* ---- results ------------------------------------------------------------------ */

static gint
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

gdouble
bench_median (GArray *values)
{
  guint n = values->len;

  if (n == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (values, gdouble, n / 2);
  return (g_array_index (values, gdouble, n / 2 - 1) + g_array_index (values, gdouble, n / 2)) / 2;
}

gsize
bench_rss_kb (const gchar *field)
{
  g_autofree gchar *text = NULL;
  gsize len = strlen (field);

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return 0;
  for (gchar *line = text; line != NULL && *line != '\0';) {
    gchar *next = strchr (line, '\n');

    if (strncmp (line, field, len) == 0 && line[len] == ':')
      return (gsize) g_ascii_strtoull (line + len + 1, NULL, 10);
    line = next != NULL ? next + 1 : NULL;
  }
  return 0;
}

const gchar *
bench_self_exe (void)
{
  static gchar *path = NULL;

  if (path == NULL)
    path = g_file_read_link ("/proc/self/exe", NULL);
  return path;
}

/* ---- subscribers, seen from the publisher -------------------------------------- */

static BenchSubs *
subs_spawn (guint n, const gchar *address, const gchar *bare_address, BenchLatencyFrom from,
    guint64 seq_wrap, gboolean stall, GError **error)
{
  BenchSubs *subs = g_new0 (BenchSubs, 1);
  g_autofree gchar *wrap = g_strdup_printf ("%" G_GUINT64_FORMAT, seq_wrap);

  subs->subs = g_new0 (BenchSub, n);
  for (guint i = 0; i < n; i++) {
    BenchSub *s = &subs->subs[i];
    g_autoptr (GPtrArray) args = g_ptr_array_new ();
    const gchar *fixed[] = { bench_self_exe (), "sub", "--connect", address, "--latency-from",
      from == BENCH_LATENCY_FROM_FRAME ? "frame" : "scheduled", "--seq-wrap", wrap };

    for (guint a = 0; a < G_N_ELEMENTS (fixed); a++)
      g_ptr_array_add (args, (gpointer) fixed[a]);
    if (stall)
      g_ptr_array_add (args, "--stall");
    if (bare_address != NULL) {
      g_ptr_array_add (args, "--connect-bare");
      g_ptr_array_add (args, (gpointer) bare_address);
    }
    g_ptr_array_add (args, NULL);
    /* stdin stays open on our side: the subscriber ends when it closes,
     * so that it never outlives a publisher that died */
    if (!g_spawn_async_with_pipes (NULL, (gchar **) args->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
            NULL, NULL, &s->pid, &s->in_fd, &s->out_fd, NULL, error)) {
      bench_subs_free (subs);
      return NULL;
    }
    s->line = g_string_new (NULL);
    g_unix_set_fd_nonblocking (s->out_fd, TRUE, NULL);
    subs->n++;
  }
  return subs;
}

BenchSubs *
bench_subs_spawn (guint n, const gchar *address, BenchLatencyFrom from, guint64 seq_wrap,
    gboolean stall, GError **error)
{
  return subs_spawn (n, address, NULL, from, seq_wrap, stall, error);
}

BenchSubs *
bench_subs_spawn_paired (const gchar *address, const gchar *bare_address, GError **error)
{
  return subs_spawn (1, address, bare_address, BENCH_LATENCY_FROM_SCHEDULED, 0, FALSE, error);
}

static void
parse_done (BenchSub *s, const gchar *line)
{
  g_auto (GStrv) fields = g_strsplit (line, " ", -1);
  gint64 b_max = 0;

  for (guint i = 1; fields[i] != NULL; i++) {
    gchar *eq = strchr (fields[i], '=');
    gint64 v;

    if (eq == NULL)
      continue;
    *eq = '\0';
    v = g_ascii_strtoll (eq + 1, NULL, 10);
    if (strcmp (fields[i], "frames") == 0)
      s->frames = (guint64) v;
    else if (strcmp (fields[i], "records") == 0)
      s->records = (guint64) v;
    else if (strcmp (fields[i], "lost") == 0)
      s->lost = (guint64) v;
    else if (strcmp (fields[i], "malformed") == 0)
      s->malformed = (guint64) v;
    else if (strcmp (fields[i], "first_ns") == 0)
      s->first_ns = v;
    else if (strcmp (fields[i], "last_ns") == 0)
      s->last_ns = v;
    else if (strcmp (fields[i], "p50_ns") == 0)
      s->p50_ns = v;
    else if (strcmp (fields[i], "p90_ns") == 0)
      s->p90_ns = v;
    else if (strcmp (fields[i], "p99_ns") == 0)
      s->p99_ns = v;
    else if (strcmp (fields[i], "p999_ns") == 0)
      s->p999_ns = v;
    else if (strcmp (fields[i], "max_ns") == 0)
      s->max_ns = v;
    else if (strcmp (fields[i], "hist") == 0 || strcmp (fields[i], "b_hist") == 0) {
      BenchHist **h = fields[i][0] == 'b' ? &s->b_hist : &s->hist;

      g_free (*h);
      *h = g_new (BenchHist, 1);
      bench_hist_init (*h);
      if (!bench_hist_add_string (*h, eq + 1))
        g_clear_pointer (h, g_free);
    } else if (strcmp (fields[i], "b_records") == 0)
      s->b_records = (guint64) v;
    else if (strcmp (fields[i], "b_lost") == 0)
      s->b_lost = (guint64) v;
    else if (strcmp (fields[i], "b_malformed") == 0)
      s->b_malformed = (guint64) v;
    else if (strcmp (fields[i], "b_max_ns") == 0)
      b_max = v;
  }
  if (s->hist != NULL) {
    s->hist->max = s->max_ns;
    s->hist->min = 0;
  }
  if (s->b_hist != NULL) {
    s->b_hist->max = b_max;
    s->b_hist->min = 0;
  }
  s->done = TRUE;
}

/* Reads what subscriber @s wrote; FALSE when it ended without DONE */
static gboolean
read_sub (BenchSub *s, GError **error)
{
  gchar buf[4096];

  for (;;) {
    gssize n = read (s->out_fd, buf, sizeof buf);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return TRUE;
    if (n <= 0) {
      if (s->done)
        return TRUE;
      g_set_error (error, BENCH_ERROR, 0, "subscriber %d ended before reporting", (gint) s->pid);
      return FALSE;
    }
    g_string_append_len (s->line, buf, n);
    for (gchar *nl; (nl = strchr (s->line->str, '\n')) != NULL;) {
      *nl = '\0';
      if (strcmp (s->line->str, "READY") == 0)
        s->ready = TRUE;
      else if (g_str_has_prefix (s->line->str, "DONE "))
        parse_done (s, s->line->str);
      else if (s->line->str[0] != '\0')
        g_printerr ("subscriber %d: %s\n", (gint) s->pid, s->line->str);
      g_string_erase (s->line, 0, nl - s->line->str + 1);
    }
  }
}

static gboolean
all_subs (BenchSubs *subs, gboolean done)
{
  for (guint i = 0; i < subs->n; i++)
    if (!(done ? subs->subs[i].done : subs->subs[i].ready))
      return FALSE;
  return TRUE;
}

/* polls the subscribers' stdout for up to @timeout_ms */
static gboolean
poll_subs (BenchSubs *subs, gint timeout_ms, GError **error)
{
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, subs->n);

  for (guint i = 0; i < subs->n; i++) {
    fds[i].fd = subs->subs[i].out_fd;
    fds[i].events = POLLIN;
  }
  if (poll (fds, subs->n, timeout_ms) < 0 && errno != EINTR) {
    g_set_error (error, BENCH_ERROR, 0, "poll: %s", g_strerror (errno));
    return FALSE;
  }
  for (guint i = 0; i < subs->n; i++)
    if (fds[i].revents != 0 && !read_sub (&subs->subs[i], error))
      return FALSE;
  return TRUE;
}

gboolean
bench_subs_wait_ready (
    BenchSubs *subs, void (*warm) (gpointer user_data), gpointer user_data, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* a control message every 2 ms until each has seen one: ZeroMQ drops
   * what a PUB sends before a subscription arrives, so the first ones
   * may go nowhere */
  while (!all_subs (subs, FALSE)) {
    if (g_get_monotonic_time () > deadline) {
      g_set_error (error, BENCH_ERROR, 0, "subscribers not ready after 30 s");
      return FALSE;
    }
    warm (user_data);
    if (!poll_subs (subs, 2, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
bench_subs_wait_done (BenchSubs *subs, gint64 timeout_us, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (!all_subs (subs, TRUE)) {
    gint64 left = deadline - g_get_monotonic_time ();

    if (left <= 0) {
      g_set_error (error, BENCH_ERROR, 0, "subscribers did not finish in %d s",
          (gint) (timeout_us / G_USEC_PER_SEC));
      return FALSE;
    }
    if (!poll_subs (subs, (gint) MIN (left / 1000 + 1, 100), error))
      return FALSE;
  }
  return TRUE;
}

void
bench_subs_free (BenchSubs *subs)
{
  for (guint i = 0; i < subs->n; i++) {
    BenchSub *s = &subs->subs[i];

    /* closing its stdin ends a subscriber still waiting */
    close (s->in_fd);
    close (s->out_fd);
    waitpid (s->pid, NULL, 0);
    g_spawn_close_pid (s->pid);
    g_string_free (s->line, TRUE);
    g_free (s->hist);
    g_free (s->b_hist);
  }
  g_free (subs->subs);
  g_free (subs);
}

/* ---- options and main ---------------------------------------------------------- */

static void
usage (void)
{
  g_printerr (
      "usage: pulse-bench SCENARIO [OPTION…]\n"
      "scenarios:\n"
      "  burst     1,000-record msgpack frames to 2 subscriber processes, as the original's\n"
      "            bench_burst.py: producer ! msgpack ! zmqpub beside a bare C publisher\n"
      "            and pre-built frames\n"
      "  latency   one-record frames at fixed rates, latency from the scheduled send time,\n"
      "            beside a bare libzmq PUB\n"
      "  codecs    each serializer and compressor beside the bare library call\n"
      "  memory    publisher RSS: idle, 100 topics with a full stats window, a stalled\n"
      "            subscriber under max-queue-bytes\n"
      "options:\n"
      "  --records N      burst: records per arm (default 10000000; 100000 is the original's run)\n"
      "  --batch N        burst: records per frame (default 1000)\n"
      "  --subscribers N  burst: subscriber processes (default 2)\n"
      "  --rate R         latency: messages/s, may be repeated (default 1000, 10000, 100000)\n"
      "  --seconds S      latency: seconds per rate and arm (default 5);\n"
      "                   codecs: seconds per arm and case (default 1.5)\n"
      "  --runs N         repeat, and report medians (default 1)\n"
      "  --quick          small counts, for smoke tests and meson benchmark targets\n"
      "  --rounds N       burst: the arms take turns N times per run, a slice\n"
      "                   of the records each (default 8)\n"
      "  --arm ARM        burst, latency: run only pipeline, bare or (burst) pre-built\n"
      "                   (for profiling; no ratio)\n"
      "  --verbose        more detail\n");
}

int
main (int argc, char **argv)
{
  BenchOptions opts = { 0 };
  GArray *rates = g_array_new (TRUE, TRUE, sizeof (gdouble));
  gboolean records_set = FALSE, seconds_set = FALSE;
  int ret;

  /* a subscriber that went away must not kill the publisher with SIGPIPE */
  signal (SIGPIPE, SIG_IGN);
  /* sleeps in the latency schedule wake within a microsecond, not 50 */
  prctl (PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
    usage ();
    return argc < 2 ? 2 : 0;
  }
  if (strcmp (argv[1], "sub") == 0)
    return bench_sub_main (argc - 1, argv + 1);
  if (strcmp (argv[1], "memory-part") == 0)
    return bench_memory_part (argc - 1, argv + 1);

  opts.scenario = argv[1];
  opts.records = 10000000;
  opts.batch = 1000;
  opts.subscribers = 2;
  opts.runs = 1;
  opts.rounds = 8;
  opts.seconds = 5;
  for (gint i = 2; i < argc; i++) {
    const gchar *a = argv[i];
    const gchar *v = i + 1 < argc ? argv[i + 1] : NULL;

    if (strcmp (a, "--quick") == 0)
      opts.quick = TRUE;
    else if (strcmp (a, "--verbose") == 0 || strcmp (a, "-v") == 0)
      opts.verbose = TRUE;
    else if (v == NULL)
      goto bad;
    else if (strcmp (a, "--records") == 0) {
      opts.records = g_ascii_strtoull (v, NULL, 10);
      records_set = TRUE;
      i++;
    } else if (strcmp (a, "--batch") == 0) {
      opts.batch = (guint) g_ascii_strtoull (v, NULL, 10);
      i++;
    } else if (strcmp (a, "--subscribers") == 0) {
      opts.subscribers = (guint) g_ascii_strtoull (v, NULL, 10);
      i++;
    } else if (strcmp (a, "--runs") == 0) {
      opts.runs = (guint) g_ascii_strtoull (v, NULL, 10);
      i++;
    } else if (strcmp (a, "--seconds") == 0) {
      opts.seconds = g_ascii_strtod (v, NULL);
      seconds_set = TRUE;
      i++;
    } else if (strcmp (a, "--rounds") == 0) {
      opts.rounds = (guint) g_ascii_strtoull (v, NULL, 10);
      i++;
    } else if (strcmp (a, "--arm") == 0) {
      opts.arm = v;
      i++;
    } else if (strcmp (a, "--rate") == 0) {
      gdouble r = g_ascii_strtod (v, NULL);
      g_array_append_val (rates, r);
      i++;
    } else
      goto bad;
  }
  if (opts.records == 0 || opts.batch == 0 || opts.batch > 1000000 || opts.subscribers == 0 ||
      opts.subscribers > BENCH_MAX_SUBSCRIBERS || opts.runs == 0 || opts.seconds <= 0 ||
      opts.rounds == 0 || opts.rounds > 64 || opts.rounds > opts.records)
    goto bad;
  if (opts.arm != NULL && strcmp (opts.arm, "pipeline") != 0 && strcmp (opts.arm, "bare") != 0 &&
      strcmp (opts.arm, "pre-built") != 0)
    goto bad;
  for (guint i = 0; i < rates->len; i++)
    if (g_array_index (rates, gdouble, i) <= 0)
      goto bad;
  if (opts.quick) {
    if (!records_set)
      opts.records = 200000;
    if (!seconds_set)
      opts.seconds = 0.5;
  }
  if (strcmp (opts.scenario, "codecs") == 0 && !seconds_set)
    opts.seconds = opts.quick ? 0.15 : 1.5;
  if (rates->len == 0) {
    static const gdouble all[] = { 1000, 10000, 100000 };
    /* --quick: the rate of the target only */
    if (opts.quick)
      g_array_append_val (rates, all[1]);
    else
      g_array_append_vals (rates, all, G_N_ELEMENTS (all));
  }
  opts.rates = (gdouble *) rates->data;

  if (strcmp (opts.scenario, "burst") == 0)
    ret = bench_burst (&opts);
  else if (strcmp (opts.scenario, "latency") == 0)
    ret = bench_latency (&opts);
  else if (strcmp (opts.scenario, "codecs") == 0)
    ret = bench_codecs (&opts);
  else if (strcmp (opts.scenario, "memory") == 0)
    ret = bench_memory (&opts);
  else
    goto bad;
  g_array_free (rates, TRUE);
  return ret;

bad:
  usage ();
  g_array_free (rates, TRUE);
  return 2;
}
