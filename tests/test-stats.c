/* PulseStats: minutes, rolls, percentiles, SQLite persistence
 *
 * Minutes are moved on by an injected clock, never by waiting for them.
 * The database tests use a temporary directory and an independent SQLite
 * connection to look at (and lock) the file.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include <pulsemq/pulsemq.h>

/* a minute boundary: 2026-11-21, the original's sample rows */
#define T0 G_GINT64_CONSTANT (1795529640)
#define DEADLINE_US (30 * G_USEC_PER_SEC)

/* ---- helpers --------------------------------------------------------------------- */

typedef struct {
  gint64 now_us; /* atomic: read by the stats under its lock */
} FakeClock;

static gint64
fake_clock_func (gpointer user_data)
{
  FakeClock *clock = user_data;

  return __atomic_load_n (&clock->now_us, __ATOMIC_RELAXED);
}

static void
fake_clock_set (FakeClock *clock, gint64 seconds)
{
  __atomic_store_n (&clock->now_us, seconds * G_USEC_PER_SEC, __ATOMIC_RELAXED);
}

static PulseStats *
stats_new_at (FakeClock *clock, gint64 seconds)
{
  PulseStats *stats = pulse_stats_new ();

  fake_clock_set (clock, seconds);
  pulse_stats_set_clock (stats, fake_clock_func, clock, NULL);
  return stats;
}

/* warnings of the stats' log domain are expected in some tests: counted
 * and printed, not fatal; every other warning stays fatal */
static gint n_stats_warnings;

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if ((level & G_LOG_LEVEL_WARNING) != 0) {
    for (gsize i = 0; i < n_fields; i++) {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0 &&
          g_strcmp0 (fields[i].value, "pulse-stats") == 0) {
        g_atomic_int_inc (&n_stats_warnings);
        return g_log_writer_standard_streams (level, fields, n_fields, user_data);
      }
    }
  }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gchar *
make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  gchar *dir = g_dir_make_tmp ("pulse-stats-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tmpdir (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_chmod (path, 0644);
    g_unlink (path);
  }
  g_chmod (dir, 0755);
  g_rmdir (dir);
}

static gint64
sql_int (sqlite3 *db, const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static sqlite3 *
sql_open (const gchar *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static void
assert_minutes_equal (const PulseStatsMinute *a, const PulseStatsMinute *b)
{
  g_assert_cmpint (a->timestamp, ==, b->timestamp);
  g_assert_cmpuint (a->msg_count, ==, b->msg_count);
  g_assert_cmpuint (a->record_count, ==, b->record_count);
  g_assert_cmpuint (a->bytes_total, ==, b->bytes_total);
  g_assert_cmpuint (a->raw_bytes, ==, b->raw_bytes);
  g_assert_cmpuint (a->drops, ==, b->drops);
  g_assert_cmpuint (a->malformed, ==, b->malformed);
  g_assert_cmpuint (a->latency_count, ==, b->latency_count);
  g_assert_cmpint (a->latency_p50_ns, ==, b->latency_p50_ns);
  g_assert_cmpint (a->latency_p90_ns, ==, b->latency_p90_ns);
  g_assert_cmpint (a->latency_p99_ns, ==, b->latency_p99_ns);
  g_assert_cmpint (a->latency_max_ns, ==, b->latency_max_ns);
}

/* the history as an array, for indexing */
static GArray *
history_array (PulseStats *stats, const gchar *topic, guint minutes)
{
  GList *list = pulse_stats_get_history (stats, topic, minutes);
  GArray *array;

  if (list == NULL)
    return NULL;
  array = g_array_new (FALSE, FALSE, sizeof (PulseStatsMinute));
  for (GList *l = list; l != NULL; l = l->next)
    g_array_append_vals (array, l->data, 1);
  g_list_free_full (list, (GDestroyNotify) pulse_stats_minute_free);
  return array;
}

/* @n frames in the current minute: frame i has i % 5 + 1 records, 100 + i
 * bytes, 3 × as many raw bytes and (i + 1) µs of latency */
static void
add_frames (PulseStatsTopic *topic, guint n)
{
  for (guint i = 0; i < n; i++)
    pulse_stats_topic_add_frame (topic, i % 5 + 1, 100 + i, 3 * (100 + i), (i + 1) * 1000);
}

/* ---- rolling ---------------------------------------------------------------------- */

static void
test_roll_basic (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0 + 5);
  g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, "sh_market");
  g_autoptr (GArray) history = NULL;
  g_auto (GStrv) topics = NULL;
  PulseStatsMinute m;

  g_assert_cmpint (pulse_stats_get_current_minute (stats), ==, T0);
  g_assert_cmpstr (pulse_stats_topic_get_name (topic), ==, "sh_market");
  pulse_stats_topic_add_frame (topic, 10, 610, 1000, 2000);
  pulse_stats_topic_add_frame (topic, 5, 100, 100, -1);
  pulse_stats_topic_add_drops (topic, 2);
  pulse_stats_topic_add_malformed (topic, 1);

  /* the minute goes on: nothing to roll */
  fake_clock_set (&clock, T0 + 59);
  g_assert_false (pulse_stats_roll (stats));
  g_assert_true (pulse_stats_get_current (stats, "sh_market", &m));
  g_assert_cmpint (m.timestamp, ==, T0);
  g_assert_cmpuint (m.msg_count, ==, 2);
  g_assert_cmpuint (m.record_count, ==, 15);
  g_assert_cmpuint (m.bytes_total, ==, 710);
  g_assert_cmpuint (m.raw_bytes, ==, 1100);
  g_assert_cmpuint (m.drops, ==, 2);
  g_assert_cmpuint (m.malformed, ==, 1);
  g_assert_cmpuint (m.latency_count, ==, 1);
  g_assert_cmpint (m.latency_max_ns, ==, 2000);
  g_assert_cmpfloat (pulse_stats_get_msg_rate_1min (stats, "sh_market"), ==, 0.0);
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "sh_market"), ==, 0);
  g_assert_cmpfloat (pulse_stats_get_uptime (stats), ==, 54.0);
  g_assert_cmpfloat (pulse_stats_get_start_time (stats), ==, (gdouble) (T0 + 5));

  /* the next minute: archived under the one that ended */
  fake_clock_set (&clock, T0 + 61);
  g_assert_true (pulse_stats_roll (stats));
  g_assert_cmpint (pulse_stats_get_current_minute (stats), ==, T0 + 60);
  g_assert_true (pulse_stats_get_current (stats, "sh_market", &m));
  g_assert_cmpint (m.timestamp, ==, T0 + 60);
  g_assert_cmpuint (m.msg_count, ==, 0);
  g_assert_cmpuint (m.bytes_total, ==, 0);
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "sh_market"), ==, 1);
  history = history_array (stats, "sh_market", 60);
  g_assert_cmpuint (history->len, ==, 1);
  m = *&g_array_index (history, PulseStatsMinute, 0);
  g_assert_cmpint (m.timestamp, ==, T0);
  g_assert_cmpuint (m.msg_count, ==, 2);
  g_assert_cmpuint (m.record_count, ==, 15);
  g_assert_cmpuint (m.bytes_total, ==, 710);
  g_assert_cmpuint (m.drops, ==, 2);
  /* 2 / 60 = 0.0333 */
  g_assert_cmpfloat (pulse_stats_get_msg_rate_1min (stats, "sh_market"), ==, 0.03);
  g_assert_cmpfloat (pulse_stats_minute_get_msg_rate (&m), ==, 0.03);

  topics = pulse_stats_list_topics (stats);
  g_assert_cmpuint (g_strv_length (topics), ==, 1);
  g_assert_cmpstr (topics[0], ==, "sh_market");

  /* unknown topics */
  g_assert_false (pulse_stats_get_current (stats, "nope", &m));
  g_assert_cmpuint (m.msg_count, ==, 0);
  g_assert_null (history_array (stats, "nope", 60));
  g_assert_cmpfloat (pulse_stats_get_msg_rate_1min (stats, "nope"), ==, 0.0);

  /* the same topic twice is the same counters */
  {
    g_autoptr (PulseStatsTopic) again = pulse_stats_get_topic (stats, "sh_market");
    g_assert_true (again == topic);
  }
}

static void
test_roll_rate_rounding (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, "t");

  /* the original's sample: 77 messages → 1.28 msg/s */
  for (guint i = 0; i < 77; i++)
    pulse_stats_topic_add_frame (topic, 1, 40, 40, -1);
  fake_clock_set (&clock, T0 + 60);
  g_assert_true (pulse_stats_roll (stats));
  g_assert_cmpfloat (pulse_stats_get_msg_rate_1min (stats, "t"), ==, 1.28);
}

static void
test_roll_idle_minutes_skipped (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) busy = pulse_stats_get_topic (stats, "busy");
  g_autoptr (PulseStatsTopic) idle = pulse_stats_get_topic (stats, "idle");
  g_autoptr (GArray) history = NULL;

  add_frames (busy, 3);
  fake_clock_set (&clock, T0 + 60);
  g_assert_true (pulse_stats_roll (stats));
  /* three idle minutes, rolled one by one, then a jump of an hour */
  for (gint i = 2; i <= 4; i++) {
    fake_clock_set (&clock, T0 + 60 * i);
    g_assert_true (pulse_stats_roll (stats));
  }
  add_frames (busy, 7);
  fake_clock_set (&clock, T0 + 3600 + 30);
  g_assert_true (pulse_stats_roll (stats));

  history = history_array (stats, "busy", 0);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpint ((&g_array_index (history, PulseStatsMinute, 0))->timestamp, ==, T0);
  g_assert_cmpuint ((&g_array_index (history, PulseStatsMinute, 0))->msg_count, ==, 3);
  g_assert_cmpint ((&g_array_index (history, PulseStatsMinute, 1))->timestamp, ==, T0 + 240);
  g_assert_cmpuint ((&g_array_index (history, PulseStatsMinute, 1))->msg_count, ==, 7);
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "idle"), ==, 0);
  /* the last archived minute, however old, gives the rate (as the original) */
  g_assert_cmpfloat (pulse_stats_get_msg_rate_1min (stats, "busy"), ==, 0.12);
  g_assert_cmpint (pulse_stats_get_current_minute (stats), ==, T0 + 3600);
}

static void
test_retention (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, "t");
  g_autoptr (GArray) all = NULL;
  g_autoptr (GArray) last2 = NULL;
  g_autoptr (GArray) shrunk = NULL;
  guint retention = 0;

  g_assert_cmpuint (pulse_stats_get_retention_minutes (stats), ==, 480);
  g_object_set (stats, "retention-minutes", 3, NULL);
  g_object_get (stats, "retention-minutes", &retention, NULL);
  g_assert_cmpuint (retention, ==, 3);

  for (guint i = 0; i < 5; i++) {
    add_frames (topic, i + 1);
    fake_clock_set (&clock, T0 + 60 * (i + 1));
    g_assert_true (pulse_stats_roll (stats));
  }
  /* capped at 3: minutes 2, 3, 4 are kept, oldest first */
  all = history_array (stats, "t", 0);
  g_assert_cmpuint (all->len, ==, 3);
  for (guint i = 0; i < 3; i++) {
    PulseStatsMinute *m = &g_array_index (all, PulseStatsMinute, i);
    g_assert_cmpint (m->timestamp, ==, T0 + 60 * (i + 2));
    g_assert_cmpuint (m->msg_count, ==, i + 3);
  }
  last2 = history_array (stats, "t", 2);
  g_assert_cmpuint (last2->len, ==, 2);
  g_assert_cmpint ((&g_array_index (last2, PulseStatsMinute, 0))->timestamp, ==, T0 + 180);
  g_assert_cmpint ((&g_array_index (last2, PulseStatsMinute, 1))->timestamp, ==, T0 + 240);

  /* shrinking forgets the oldest at once */
  pulse_stats_set_retention_minutes (stats, 1);
  shrunk = history_array (stats, "t", 100);
  g_assert_cmpuint (shrunk->len, ==, 1);
  g_assert_cmpint ((&g_array_index (shrunk, PulseStatsMinute, 0))->timestamp, ==, T0 + 240);

  /* the totals keep everything */
  {
    PulseStatsMinute totals;
    g_assert_true (pulse_stats_get_totals (stats, "t", &totals));
    g_assert_cmpuint (totals.msg_count, ==, 1 + 2 + 3 + 4 + 5);
  }
}

/* two threads add while the main thread rolls: nothing lost, nothing twice */
typedef struct {
  PulseStatsTopic *topic;
  guint n;
  gint *running;
} Adder;

static gpointer
adder_main (gpointer data)
{
  Adder *adder = data;

  add_frames (adder->topic, adder->n);
  g_atomic_int_dec_and_test (adder->running);
  return NULL;
}

static void
test_roll_concurrent (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, "t");
  g_autoptr (GArray) history = NULL;
  const guint n = 400000;
  gint running = 2;
  Adder adders[2] = { { topic, n, &running }, { topic, n, &running } };
  GThread *threads[2];
  PulseStatsMinute sum = { 0 }, totals;
  guint64 expect_records = 0, expect_bytes = 0;
  gint64 minute = T0;
  guint rolls = 0;

  pulse_stats_set_retention_minutes (stats, 1000000);
  for (guint i = 0; i < n; i++) {
    expect_records += 2 * (i % 5 + 1);
    expect_bytes += 2 * (100 + i);
  }
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("adder", adder_main, &adders[i]);
  /* roll as fast as possible until both are done, then once more */
  do {
    minute += 60;
    fake_clock_set (&clock, minute);
    g_assert_true (pulse_stats_roll (stats));
    rolls++;
  } while (g_atomic_int_get (&running) > 0);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  fake_clock_set (&clock, minute + 60);
  g_assert_true (pulse_stats_roll (stats));
  g_test_message ("%u rolls while adding", rolls);

  history = history_array (stats, "t", 0);
  for (guint i = 0; i < history->len; i++) {
    PulseStatsMinute *m = &g_array_index (history, PulseStatsMinute, i);
    sum.msg_count += m->msg_count;
    sum.record_count += m->record_count;
    sum.bytes_total += m->bytes_total;
    sum.raw_bytes += m->raw_bytes;
    sum.latency_count += m->latency_count;
  }
  g_assert_cmpuint (sum.msg_count, ==, 2 * n);
  g_assert_cmpuint (sum.record_count, ==, expect_records);
  g_assert_cmpuint (sum.bytes_total, ==, expect_bytes);
  g_assert_cmpuint (sum.raw_bytes, ==, 3 * expect_bytes);
  g_assert_cmpuint (sum.latency_count, ==, 2 * n);

  g_assert_true (pulse_stats_get_totals (stats, "t", &totals));
  g_assert_cmpuint (totals.msg_count, ==, 2 * n);
  g_assert_cmpuint (totals.record_count, ==, expect_records);
  g_assert_cmpuint (totals.bytes_total, ==, expect_bytes);
  g_assert_cmpuint (totals.latency_count, ==, 2 * n);
  g_assert_cmpint (totals.latency_max_ns, ==, (gint64) n * 1000);
}

/* ---- percentiles ------------------------------------------------------------------- */

static PulseStatsMinute
roll_latencies (const gint64 *values, guint n)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, "lat");
  g_autoptr (GArray) history = NULL;

  for (guint i = 0; i < n; i++)
    pulse_stats_topic_add_frame (topic, 1, 1, 1, values[i]);
  fake_clock_set (&clock, T0 + 60);
  g_assert_true (pulse_stats_roll (stats));
  history = history_array (stats, "lat", 1);
  g_assert_cmpuint (history->len, ==, 1);
  return *&g_array_index (history, PulseStatsMinute, 0);
}

static void
assert_within_bucket (gint64 got, gint64 want)
{
  /* a bucket is at most 1/16 of its values wide */
  g_assert_cmpfloat (ABS ((gdouble) got - (gdouble) want), <=, want / 16.0 + 1);
}

static void
test_percentiles (void)
{
  g_autofree gint64 *values = g_new (gint64, 100000);
  PulseStatsMinute m;

  /* uniform 1 µs .. 100 ms */
  for (guint i = 0; i < 100000; i++)
    values[i] = (gint64) (i + 1) * 1000;
  m = roll_latencies (values, 100000);
  g_assert_cmpuint (m.latency_count, ==, 100000);
  assert_within_bucket (m.latency_p50_ns, 50000 * 1000);
  assert_within_bucket (m.latency_p90_ns, 90000 * 1000);
  assert_within_bucket (m.latency_p99_ns, 99000 * 1000);
  g_assert_cmpint (m.latency_max_ns, ==, 100000 * 1000);

  /* one value: every percentile is it, within the bucket, never above the max */
  for (guint i = 0; i < 1000; i++)
    values[i] = 123456789;
  m = roll_latencies (values, 1000);
  assert_within_bucket (m.latency_p50_ns, 123456789);
  g_assert_cmpint (m.latency_p99_ns, <=, 123456789);
  g_assert_cmpint (m.latency_max_ns, ==, 123456789);

  /* small values are exact */
  for (guint i = 0; i < 100; i++)
    values[i] = i % 10;
  m = roll_latencies (values, 100);
  g_assert_cmpint (m.latency_p50_ns, ==, 4);
  g_assert_cmpint (m.latency_p90_ns, ==, 8);
  g_assert_cmpint (m.latency_p99_ns, ==, 9);
  g_assert_cmpint (m.latency_max_ns, ==, 9);

  /* a long tail: 99 fast, 1 slow; p99 is still fast, the max is not */
  for (guint i = 0; i < 99; i++)
    values[i] = 1000;
  values[99] = 2 * G_GINT64_CONSTANT (1000000000);
  m = roll_latencies (values, 100);
  assert_within_bucket (m.latency_p50_ns, 1000);
  assert_within_bucket (m.latency_p99_ns, 1000);
  g_assert_cmpint (m.latency_max_ns, ==, values[99]);

  /* bimodal: half at 1 ms, half at 10 ms */
  for (guint i = 0; i < 1000; i++)
    values[i] = i % 2 == 0 ? 1000000 : 10000000;
  m = roll_latencies (values, 1000);
  assert_within_bucket (m.latency_p50_ns, 1000000);
  assert_within_bucket (m.latency_p90_ns, 10000000);

  /* very large values do not overflow */
  values[0] = G_MAXINT64;
  values[1] = 0;
  m = roll_latencies (values, 2);
  g_assert_cmpint (m.latency_max_ns, ==, G_MAXINT64);
  g_assert_cmpint (m.latency_p50_ns, ==, 0);
  g_assert_cmpint (m.latency_p99_ns, >, G_MAXINT64 / 16 * 15);
}

/* ---- connections -------------------------------------------------------------------- */

static void
test_connection_events (void)
{
  g_autoptr (PulseStats) stats = pulse_stats_new ();

  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_CONNECTED);
  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_CONNECTED);
  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_AUTH_SUCCEEDED);
  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_AUTH_FAILED);
  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_DISCONNECTED);
  g_assert_cmpuint (pulse_stats_get_event_count (stats, PULSE_STATS_EVENT_CONNECTED), ==, 2);
  g_assert_cmpuint (pulse_stats_get_event_count (stats, PULSE_STATS_EVENT_DISCONNECTED), ==, 1);
  g_assert_cmpuint (pulse_stats_get_event_count (stats, PULSE_STATS_EVENT_AUTH_SUCCEEDED), ==, 1);
  g_assert_cmpuint (pulse_stats_get_event_count (stats, PULSE_STATS_EVENT_AUTH_FAILED), ==, 1);
  g_assert_cmpuint (pulse_stats_get_subscriber_count (stats), ==, 1);
  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_DISCONNECTED);
  pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_DISCONNECTED);
  g_assert_cmpuint (pulse_stats_get_subscriber_count (stats), ==, 0);
}

/* ---- the minute timer ---------------------------------------------------------------- */

static void
test_timer_attach (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0 + 59);
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (PulseStatsTopic) topic = pulse_stats_get_topic (stats, "t");
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  add_frames (topic, 4);
  /* one second before the boundary by the fake clock: the timer fires
   * about a second later by the real one; the clock has moved on by then */
  pulse_stats_attach (stats, context);
  fake_clock_set (&clock, T0 + 60);
  while (pulse_stats_get_history_length (stats, "t") == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "t"), ==, 1);
  g_assert_cmpint (pulse_stats_get_current_minute (stats), ==, T0 + 60);
  pulse_stats_detach (stats);
}

/* ---- the zmqpub hook --------------------------------------------------------------------- */

static void
test_zmqpub_counts (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulsePipeline) pipeline = pulse_parse_launch (
      "ticksrc rate=0 batch=100 count=1000 ! msgpack ! lz4 ! zmqpub name=pub "
      "topic=stats_test_lz4 bind=tcp://127.0.0.1:*",
      &error);
  PulseStats *stats = pulse_stats_get_default ();
  PulseMessage *eos;
  PulseStatsMinute m, totals;
  guint64 sent = 0, bytes = 0;

  g_assert_no_error (error);
  g_assert_true (pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error));
  g_assert_no_error (error);
  eos = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (pipeline), DEADLINE_US, PULSE_MESSAGE_EOS);
  g_assert_nonnull (eos);
  pulse_message_unref (eos);
  g_object_get (pulse_pipeline_get_by_name (pipeline, "pub"), "sent", &sent, "bytes", &bytes, NULL);
  pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);

  g_assert_cmpuint (sent, ==, 10);
  /* the minute may have rolled while it ran: the totals cover both */
  g_assert_true (pulse_stats_get_totals (stats, "stats_test_lz4", &totals));
  g_assert_cmpuint (totals.msg_count, ==, 10);
  g_assert_cmpuint (totals.record_count, ==, 1000);
  g_assert_cmpuint (totals.bytes_total, ==, bytes);
  /* lz4 frames say their size: the msgpack payload is bigger */
  g_assert_cmpuint (totals.raw_bytes, >, totals.bytes_total);
  g_assert_cmpuint (totals.latency_count, ==, 10);
  g_assert_cmpint (totals.latency_max_ns, >, 0);
  g_assert_true (pulse_stats_get_current (stats, "stats_test_lz4", &m));
}

static void
test_zmqpub_counts_drops (void)
{
  g_autoptr (GError) error = NULL;
  /* frames bigger than the bound: those that come while one is held are
   * dropped; how many depends on ZeroMQ's pace, the sum does not */
  g_autoptr (PulsePipeline) pipeline = pulse_parse_launch (
      "ticksrc rate=0 batch=100 count=50000 ! msgpack ! zmqpub name=pub topic=stats_test_drop "
      "bind=tcp://127.0.0.1:* max-queue-bytes=10 overflow=drop",
      &error);
  PulseMessage *eos;
  PulseStatsMinute totals;
  guint64 sent = 0, dropped = 0;

  g_assert_no_error (error);
  g_assert_true (pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error));
  eos = pulse_bus_timed_pop_filtered (
      pulse_pipeline_get_bus (pipeline), DEADLINE_US, PULSE_MESSAGE_EOS);
  g_assert_nonnull (eos);
  pulse_message_unref (eos);
  g_object_get (
      pulse_pipeline_get_by_name (pipeline, "pub"), "sent", &sent, "dropped", &dropped, NULL);
  pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);

  g_assert_true (pulse_stats_get_totals (pulse_stats_get_default (), "stats_test_drop", &totals));
  g_test_message ("%" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " dropped", sent, dropped);
  g_assert_cmpuint (totals.msg_count, ==, sent);
  g_assert_cmpuint (totals.drops, ==, dropped);
  g_assert_cmpuint (totals.msg_count + totals.drops, ==, 500);
}

/* ---- SQLite ---------------------------------------------------------------------------- */

static gchar *
db_uri (const gchar *path)
{
  return g_strconcat ("sqlite://", path, NULL);
}

/* three busy minutes of two topics, then the stats are closed */
static GArray *
write_three_minutes (const gchar *uri, FakeClock *clock)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseStats) stats = stats_new_at (clock, T0);
  g_autoptr (PulseStatsTopic) a = pulse_stats_get_topic (stats, "a");
  g_autoptr (PulseStatsTopic) b = pulse_stats_get_topic (stats, "b");

  g_assert_true (pulse_stats_open_db (stats, uri, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pulse_stats_get_db_uri (stats), ==, uri);
  for (guint i = 0; i < 3; i++) {
    add_frames (a, 10 * (i + 1));
    add_frames (b, 1);
    pulse_stats_topic_add_drops (b, i);
    fake_clock_set (clock, T0 + 60 * (i + 1));
    g_assert_true (pulse_stats_roll (stats));
  }
  pulse_stats_close (stats);
  g_assert_null (pulse_stats_get_db_uri (stats));
  g_assert_null (pulse_stats_dup_db_error (stats));
  return history_array (stats, "a", 0);
}

static void
test_db_round_trip (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "stats.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) before = NULL;
  g_autoptr (GArray) after = NULL;
  g_autoptr (GArray) after_b = NULL;
  g_autoptr (PulseStats) restarted = NULL;
  g_auto (GStrv) topics = NULL;
  FakeClock clock;
  sqlite3 *db;

  before = write_three_minutes (uri, &clock);
  g_assert_cmpuint (before->len, ==, 3);

  /* the original's table and columns, WAL */
  db = sql_open (path);
  g_assert_cmpint (sql_int (db, "SELECT COUNT(*) FROM minute_stats"), ==, 6);
  g_assert_cmpint (sql_int (db,
                       "SELECT msg_count FROM minute_stats WHERE topic = 'a' AND "
                       "timestamp = 1795529700"),
      ==, 20);
  g_assert_cmpint (
      sql_int (db, "SELECT SUM(record_count) + SUM(bytes_total) FROM minute_stats"), >, 0);
  g_assert_cmpint (
      sql_int (db, "SELECT SUM(drops) FROM minute_stats_ext WHERE topic = 'b'"), ==, 0 + 1 + 2);
  g_assert_cmpint (sql_int (db,
                       "SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = "
                       "'wal'"),
      ==, 1);
  sqlite3_close (db);

  /* a restart: the history is back, the same to the last field */
  restarted = stats_new_at (&clock, T0 + 60 * 3 + 10);
  g_assert_true (pulse_stats_open_db (restarted, uri, &error));
  g_assert_no_error (error);
  topics = pulse_stats_list_topics (restarted);
  g_assert_cmpuint (g_strv_length (topics), ==, 2);
  after = history_array (restarted, "a", 0);
  g_assert_cmpuint (after->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    assert_minutes_equal (
        &g_array_index (before, PulseStatsMinute, i), &g_array_index (after, PulseStatsMinute, i));
  g_assert_cmpfloat (pulse_stats_get_msg_rate_1min (restarted, "a"), ==, 0.5);
  after_b = history_array (restarted, "b", 0);
  g_assert_cmpuint (after_b->len, ==, 3);
  pulse_stats_close (restarted);
  g_clear_object (&restarted);

  /* a smaller window loads only the latest minutes */
  restarted = stats_new_at (&clock, T0 + 60 * 3 + 10);
  pulse_stats_set_retention_minutes (restarted, 2);
  g_assert_true (pulse_stats_open_db (restarted, uri, &error));
  g_clear_pointer (&after, g_array_unref);
  after = history_array (restarted, "a", 0);
  g_assert_cmpuint (after->len, ==, 2);
  assert_minutes_equal (
      &g_array_index (before, PulseStatsMinute, 1), &g_array_index (after, PulseStatsMinute, 0));
  assert_minutes_equal (
      &g_array_index (before, PulseStatsMinute, 2), &g_array_index (after, PulseStatsMinute, 1));
  g_clear_object (&restarted);

  remove_tmpdir (dir);
}

static void
test_db_partial_minute (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "partial.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) history = NULL;
  FakeClock clock;
  sqlite3 *db;

  /* 5 frames, no roll, then the process ends: the original loses them */
  {
    g_autoptr (PulseStats) stats = stats_new_at (&clock, T0 + 10);
    g_autoptr (PulseStatsTopic) t = pulse_stats_get_topic (stats, "t");
    g_assert_true (pulse_stats_open_db (stats, uri, &error));
    add_frames (t, 5);
    pulse_stats_close (stats);
  }
  db = sql_open (path);
  g_assert_cmpint (
      sql_int (db, "SELECT msg_count FROM minute_stats WHERE timestamp = 1795529640"), ==, 5);
  sqlite3_close (db);

  /* restarted in the same minute: 7 more, then the roll; the row adds up */
  {
    g_autoptr (PulseStats) stats = stats_new_at (&clock, T0 + 30);
    g_autoptr (PulseStatsTopic) t = pulse_stats_get_topic (stats, "t");
    PulseStatsMinute totals;

    g_assert_true (pulse_stats_open_db (stats, uri, &error));
    g_assert_cmpuint (pulse_stats_get_history_length (stats, "t"), ==, 1);
    add_frames (t, 7);
    /* a flush mid-minute, then more, then the roll: nothing twice */
    pulse_stats_flush (stats);
    add_frames (t, 1);
    fake_clock_set (&clock, T0 + 60);
    g_assert_true (pulse_stats_roll (stats));
    history = history_array (stats, "t", 0);
    g_assert_cmpuint (history->len, ==, 1);
    g_assert_cmpuint ((&g_array_index (history, PulseStatsMinute, 0))->msg_count, ==, 5 + 7 + 1);
    g_assert_true (pulse_stats_get_totals (stats, "t", &totals));
    g_assert_cmpuint (totals.msg_count, ==, 7 + 1);
    pulse_stats_close (stats);
  }
  db = sql_open (path);
  g_assert_cmpint (sql_int (db, "SELECT msg_count FROM minute_stats WHERE timestamp = 1795529640"),
      ==, 5 + 7 + 1);
  g_assert_cmpint (sql_int (db, "SELECT COUNT(*) FROM minute_stats"), ==, 1);
  g_assert_cmpint (sql_int (db, "SELECT latency_count FROM minute_stats_ext"), ==, 13);
  sqlite3_close (db);
  remove_tmpdir (dir);
}

static void
test_db_memory (void)
{
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) t = pulse_stats_get_topic (stats, "t");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *uri = NULL;

  g_assert_true (pulse_stats_open_db (stats, "sqlite://:memory:", &error));
  g_assert_no_error (error);
  g_object_get (stats, "db-uri", &uri, NULL);
  g_assert_cmpstr (uri, ==, "sqlite://:memory:");
  /* one database at a time */
  g_assert_false (pulse_stats_open_db (stats, "sqlite://:memory:", &error));
  g_assert_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS);
  add_frames (t, 3);
  fake_clock_set (&clock, T0 + 60);
  g_assert_true (pulse_stats_roll (stats));
  pulse_stats_flush (stats);
  g_assert_null (pulse_stats_dup_db_error (stats));
  pulse_stats_close (stats);
}

static void
test_db_bad_uri (void)
{
  g_autoptr (PulseStats) stats = pulse_stats_new ();
  const gchar *bad[] = { "mysql://x", "sqlite://", "stats.sqlite", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_false (pulse_stats_open_db (stats, bad[i], &error));
    g_assert_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS);
  }
  g_assert_null (pulse_stats_get_db_uri (stats));
}

/* whatever the database does, counting and rolling go on in memory */
static void
assert_counts_in_memory (PulseStats *stats, FakeClock *clock, gint64 minute)
{
  g_autoptr (PulseStatsTopic) t = pulse_stats_get_topic (stats, "mem");
  guint before = pulse_stats_get_history_length (stats, "mem");
  PulseStatsMinute m;

  add_frames (t, 4);
  g_assert_true (pulse_stats_get_current (stats, "mem", &m));
  g_assert_cmpuint (m.msg_count, ==, 4);
  fake_clock_set (clock, minute + 60);
  g_assert_true (pulse_stats_roll (stats));
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "mem"), ==, before + 1);
  pulse_stats_flush (stats);
}

static void
test_db_corrupt (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "corrupt.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) write_error = NULL;
  g_autofree gchar *garbage = g_malloc (8192);
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);

  for (guint i = 0; i < 8192; i++)
    garbage[i] = (gchar) (i * 7 + 3);
  g_file_set_contents (path, garbage, 8192, &write_error);
  g_assert_no_error (write_error);

  g_assert_false (pulse_stats_open_db (stats, uri, &error));
  g_assert_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_null (pulse_stats_get_db_uri (stats));
  assert_counts_in_memory (stats, &clock, T0);
  remove_tmpdir (dir);
}

static void
test_db_no_directory (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "missing", "sub", "stats.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autoptr (GError) error = NULL;
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);

  g_assert_false (pulse_stats_open_db (stats, uri, &error));
  g_assert_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_FAILED);
  assert_counts_in_memory (stats, &clock, T0);
  remove_tmpdir (dir);
}

/* A database that can be read but not written: its history is loaded, a
 * warning says new minutes stay in memory, and the file is left alone.
 * SQLite's mode=ro makes it read-only even for root; chmod 0444 is tried
 * too where it means something (not as root). */
static void
check_read_only (const gchar *uri, const gchar *path, FakeClock *clock)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseStats) stats = stats_new_at (clock, T0 + 600);
  g_autofree gchar *reason = NULL;
  gint warnings = g_atomic_int_get (&n_stats_warnings);
  sqlite3 *db;

  if (!pulse_stats_open_db (stats, uri, &error)) {
    /* SQLite may refuse a read-only WAL database outright: also fine */
    g_test_message ("read-only database refused: %s", error->message);
    assert_counts_in_memory (stats, clock, T0 + 600);
    return;
  }
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "a"), ==, 3);
  reason = pulse_stats_dup_db_error (stats);
  g_assert_nonnull (reason);
  g_assert_cmpint (g_atomic_int_get (&n_stats_warnings), ==, warnings + 1);
  assert_counts_in_memory (stats, clock, T0 + 600);
  pulse_stats_close (stats);

  db = sql_open (path);
  g_assert_cmpint (sql_int (db, "SELECT COUNT(*) FROM minute_stats WHERE topic = 'mem'"), ==, 0);
  sqlite3_close (db);
}

static void
test_db_read_only (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "ro.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autofree gchar *ro_uri = g_strconcat (uri, "?mode=ro", NULL);
  g_autoptr (GArray) written = NULL;
  FakeClock clock;

  written = write_three_minutes (uri, &clock);
  check_read_only (ro_uri, path, &clock);
  if (geteuid () != 0) {
    g_assert_cmpint (g_chmod (path, 0444), ==, 0);
    check_read_only (uri, path, &clock);
    g_chmod (path, 0644);
  } else {
    g_test_message ("running as root: chmod 0444 does not stop writes, mode=ro tested only");
  }
  remove_tmpdir (dir);
}

/* Another process holds the write lock: the writer thread waits and
 * fails, the data path and the roll do not; once the lock is gone the
 * minutes are written after all. */
static void
test_db_locked (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "locked.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autoptr (GError) error = NULL;
  FakeClock clock;
  g_autoptr (PulseStats) stats = stats_new_at (&clock, T0);
  g_autoptr (PulseStatsTopic) t = pulse_stats_get_topic (stats, "t");
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  gchar *reason = NULL;
  gint warnings = g_atomic_int_get (&n_stats_warnings);
  PulseStatsMinute m;
  sqlite3 *other;

  g_assert_true (pulse_stats_open_db (stats, uri, &error));
  other = sql_open (path);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  add_frames (t, 10);
  fake_clock_set (&clock, T0 + 60);
  g_assert_true (pulse_stats_roll (stats));
  /* the writer reports, in its own time */
  while (
      (reason = pulse_stats_dup_db_error (stats)) == NULL && g_get_monotonic_time () < deadline) {
    /* meanwhile the data path counts on */
    add_frames (t, 1);
    g_usleep (10000);
  }
  g_assert_nonnull (reason);
  g_test_message ("locked: %s", reason);
  g_free (reason);
  g_assert_cmpint (g_atomic_int_get (&n_stats_warnings), ==, warnings + 1);
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "t"), ==, 1);
  g_assert_true (pulse_stats_get_current (stats, "t", &m));
  g_assert_cmpuint (m.msg_count, >, 0);

  /* the lock goes: the next flush writes the minute that waited */
  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  pulse_stats_flush (stats);
  g_assert_null (pulse_stats_dup_db_error (stats));
  g_assert_cmpint (sql_int (other,
                       "SELECT msg_count FROM minute_stats WHERE timestamp = "
                       "1795529640"),
      ==, 10);
  /* the flush wrote the partial second minute too */
  g_assert_cmpint (sql_int (other,
                       "SELECT msg_count FROM minute_stats WHERE timestamp = "
                       "1795529700"),
      ==, (gint64) m.msg_count);
  sqlite3_close (other);
  pulse_stats_close (stats);
  remove_tmpdir (dir);
}

/* minutes older than 7 days are not loaded and are deleted */
static void
test_db_cleanup (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "old.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) written = NULL;
  FakeClock clock;
  g_autoptr (PulseStats) stats = NULL;
  sqlite3 *db;

  written = write_three_minutes (uri, &clock);
  stats = stats_new_at (&clock, T0 + 8 * 86400);
  g_assert_true (pulse_stats_open_db (stats, uri, &error));
  g_assert_cmpuint (pulse_stats_get_history_length (stats, "a"), ==, 0);
  fake_clock_set (&clock, T0 + 8 * 86400 + 60);
  g_assert_true (pulse_stats_roll (stats));
  pulse_stats_flush (stats);
  db = sql_open (path);
  g_assert_cmpint (sql_int (db, "SELECT COUNT(*) FROM minute_stats"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT COUNT(*) FROM minute_stats_ext"), ==, 0);
  sqlite3_close (db);
  pulse_stats_close (stats);
  remove_tmpdir (dir);
}

/* a database the original wrote (no minute_stats_ext) loads */
static void
test_db_original_file (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *path = g_build_filename (dir, "original.sqlite", NULL);
  g_autofree gchar *uri = db_uri (path);
  g_autofree gchar *ro_uri = g_strconcat (uri, "?mode=ro", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) history = NULL;
  FakeClock clock;
  g_autoptr (PulseStats) stats = NULL;
  sqlite3 *db = sql_open (path);

  g_assert_cmpint (sqlite3_exec (db,
                       "CREATE TABLE minute_stats (topic TEXT NOT NULL, timestamp INTEGER NOT NULL,"
                       " msg_count INTEGER DEFAULT 0, record_count INTEGER DEFAULT 0,"
                       " bytes_total INTEGER DEFAULT 0, PRIMARY KEY (topic, timestamp));"
                       "INSERT INTO minute_stats VALUES ('sh_market', 1795529640, 77, 77, 3080);"
                       "INSERT INTO minute_stats VALUES ('ticks', 1795529640, 39, 195, 1365);",
                       NULL, NULL, NULL),
      ==, SQLITE_OK);
  sqlite3_close (db);

  /* read-only first: no ext table to join */
  stats = stats_new_at (&clock, T0 + 120);
  g_assert_true (pulse_stats_open_db (stats, ro_uri, &error));
  g_assert_no_error (error);
  history = history_array (stats, "sh_market", 0);
  g_assert_cmpuint (history->len, ==, 1);
  g_assert_cmpuint ((&g_array_index (history, PulseStatsMinute, 0))->bytes_total, ==, 3080);
  g_assert_cmpuint ((&g_array_index (history, PulseStatsMinute, 0))->raw_bytes, ==, 3080);
  g_clear_object (&stats);
  g_clear_pointer (&history, g_array_unref);

  /* read-write adds our table next to the original's */
  stats = stats_new_at (&clock, T0 + 120);
  g_assert_true (pulse_stats_open_db (stats, uri, &error));
  g_assert_no_error (error);
  history = history_array (stats, "ticks", 0);
  g_assert_cmpuint (history->len, ==, 1);
  g_assert_cmpuint ((&g_array_index (history, PulseStatsMinute, 0))->record_count, ==, 195);
  g_clear_object (&stats);
  remove_tmpdir (dir);
}

int
main (int argc, char **argv)
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stats/roll/basic", test_roll_basic);
  g_test_add_func ("/stats/roll/rate-rounding", test_roll_rate_rounding);
  g_test_add_func ("/stats/roll/idle-minutes-skipped", test_roll_idle_minutes_skipped);
  g_test_add_func ("/stats/roll/concurrent", test_roll_concurrent);
  g_test_add_func ("/stats/retention", test_retention);
  g_test_add_func ("/stats/percentiles", test_percentiles);
  g_test_add_func ("/stats/connection-events", test_connection_events);
  g_test_add_func ("/stats/timer/attach", test_timer_attach);
  g_test_add_func ("/stats/zmqpub/counts", test_zmqpub_counts);
  g_test_add_func ("/stats/zmqpub/drops", test_zmqpub_counts_drops);
  g_test_add_func ("/stats/db/round-trip", test_db_round_trip);
  g_test_add_func ("/stats/db/partial-minute", test_db_partial_minute);
  g_test_add_func ("/stats/db/memory", test_db_memory);
  g_test_add_func ("/stats/db/bad-uri", test_db_bad_uri);
  g_test_add_func ("/stats/db/corrupt", test_db_corrupt);
  g_test_add_func ("/stats/db/no-directory", test_db_no_directory);
  g_test_add_func ("/stats/db/read-only", test_db_read_only);
  g_test_add_func ("/stats/db/locked", test_db_locked);
  g_test_add_func ("/stats/db/cleanup", test_db_cleanup);
  g_test_add_func ("/stats/db/original-file", test_db_original_file);

  return g_test_run ();
}
