/* PulseMQ — PulseStats: traffic per topic and wall-clock minute
 *
 * What a publisher sends is counted per topic and per minute, as the
 * original does (the minute key is floor(unix_time / 60) * 60): messages,
 * records, payload bytes as sent (frame 4, compressed) and before
 * compression, drops, malformed buffers, and the send latency as a
 * histogram. Finished minutes go into an in-memory window per topic
 * (`retention-minutes`, idle minutes not stored) and, when a database is
 * open, to SQLite (pulse-stats-db.c).
 *
 * The hot path. A publisher looks its topic up once (pulse_stats_get_topic()
 * at READY) and then, per message, adds to that topic's counters with
 * relaxed atomic adds: no lock, no allocation, no string. Latency goes into
 * a fixed log-linear histogram (16 sub-buckets per power of two, as
 * HdrHistogram does), one atomic add per message.
 *
 * The roll. Once a minute, on the main loop, pulse_stats_roll() takes each
 * counter with an atomic exchange against 0 and archives what it took under
 * the minute that just ended. Every add lands either before or after that
 * exchange in the counter's modification order: before, and the roll takes
 * it; after, and it stays for the next roll. So across the roll no add is
 * lost and none is counted twice — the sum of all archived minutes plus the
 * current one is exactly the sum of all adds. What the exchange does not
 * give is a snapshot of all counters of one message at once: a message
 * added while the roll runs may have its bytes in one minute and its count
 * in the next, and a message sent in the few milliseconds between the
 * minute boundary and the timer is counted in the minute that ended. Both
 * are far below what a per-minute chart shows, and cost nothing per message.
 *
 * Everything else (topics, windows, totals, the database) is under one
 * mutex, taken by the roll and by readers, never by the data path.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <zstd.h>

#include "pulse-private.h"
#include "pulse-stats-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-stats"

#define DEFAULT_RETENTION PULSE_STATS_DEFAULT_RETENTION_MINUTES
/* minutes older than this are deleted from the database, once an hour */
#define DB_RETENTION_S (7 * 86400)
/* after a warning about the database, the next one comes after this long */
#define WARN_INTERVAL_US (600 * G_USEC_PER_SEC)
/* how long pulse_stats_flush() waits for the database */
#define FLUSH_TIMEOUT_US (10 * G_USEC_PER_SEC)

/* ---- the latency histogram --------------------------------------------------
 *
 * Values below 2 * SUB_COUNT have a bucket each; above, every power of two
 * [2^e, 2^(e+1)) is split in SUB_COUNT equal buckets, so a bucket is at
 * most 1/SUB_COUNT of the values in it wide. 976 buckets cover all of
 * guint64. */
#define SUB_BITS 4
#define SUB_COUNT (1u << SUB_BITS)
#define N_BUCKETS ((64 - SUB_BITS + 1) * SUB_COUNT)

static inline guint
bucket_index (guint64 v)
{
  guint e, shift;

  if (v < SUB_COUNT)
    return (guint) v;
  e = 63 - (guint) __builtin_clzll (v);
  shift = e - SUB_BITS;
  return (shift + 1) * SUB_COUNT + (guint) ((v >> shift) - SUB_COUNT);
}

static guint64
bucket_low (guint i)
{
  if (i < 2 * SUB_COUNT)
    return i;
  return (guint64) (i % SUB_COUNT + SUB_COUNT) << (i / SUB_COUNT - 1);
}

static guint64
bucket_high (guint i)
{
  if (i < 2 * SUB_COUNT)
    return i;
  return bucket_low (i) + ((guint64) 1 << (i / SUB_COUNT - 1)) - 1;
}

/* the value of rank ceil(@percent * n / 100): the middle of its bucket,
 * never above the largest value seen */
static gint64
percentile (const guint64 *buckets, guint64 n, gdouble percent, gint64 max)
{
  guint64 rank, seen = 0;

  if (n == 0)
    return 0;
  rank = (guint64) (percent / 100.0 * (gdouble) n + 0.999999);
  rank = CLAMP (rank, 1, n);
  for (guint i = 0; i < N_BUCKETS; i++) {
    seen += buckets[i];
    if (seen >= rank) {
      guint64 mid = bucket_low (i) + (bucket_high (i) - bucket_low (i)) / 2;
      return (gint64) MIN (mid, (guint64) max);
    }
  }
  return max;
}

static void
fill_latency (PulseStatsMinute *m, const guint64 *buckets, gint64 max)
{
  guint64 n = 0;

  for (guint i = 0; i < N_BUCKETS; i++) {
    n += buckets[i];
    /* a message whose maximum the roll split off into the next minute:
     * its bucket still bounds it from below */
    if (buckets[i] > 0 && (guint64) max < bucket_low (i))
      max = (gint64) MIN (bucket_low (i), (guint64) G_MAXINT64);
  }
  m->latency_count = n;
  /* kept even when n is 0: see archive_locked() */
  m->latency_max_ns = max;
  m->latency_p50_ns = percentile (buckets, n, 50, max);
  m->latency_p90_ns = percentile (buckets, n, 90, max);
  m->latency_p99_ns = percentile (buckets, n, 99, max);
}

/* ---- PulseStatsMinute --------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (
    PulseStatsMinute, pulse_stats_minute, pulse_stats_minute_copy, pulse_stats_minute_free)

/**
 * pulse_stats_minute_copy:
 * @minute: a #PulseStatsMinute
 *
 * Returns: (transfer full): a copy of @minute
 */
PulseStatsMinute *
pulse_stats_minute_copy (const PulseStatsMinute *minute)
{
  g_return_val_if_fail (minute != NULL, NULL);
  return g_memdup2 (minute, sizeof *minute);
}

/**
 * pulse_stats_minute_free:
 * @minute: (transfer full): a #PulseStatsMinute from pulse_stats_minute_copy()
 *
 * Frees @minute.
 */
void
pulse_stats_minute_free (PulseStatsMinute *minute)
{
  g_free (minute);
}

static gdouble
rate_of (guint64 msg_count)
{
  /* messages per second over a minute, rounded to 2 decimals as the original */
  return round ((gdouble) msg_count / 60.0 * 100.0) / 100.0;
}

/**
 * pulse_stats_minute_get_msg_rate:
 * @minute: a #PulseStatsMinute
 *
 * The original's `msg_rate` of a history row.
 *
 * Returns: messages per second over the minute, rounded to 2 decimals
 */
gdouble
pulse_stats_minute_get_msg_rate (const PulseStatsMinute *minute)
{
  g_return_val_if_fail (minute != NULL, 0.0);
  return rate_of (minute->msg_count);
}

/* ---- PulseStatsTopic ----------------------------------------------------------- */

struct _PulseStatsTopic {
  /* the hot part, first and on its own cache lines: atomics only */
  guint64 msgs;
  guint64 records;
  guint64 bytes;
  guint64 raw_bytes;
  guint64 drops;
  guint64 malformed;
  gint64 latency_max;
  guint64 buckets[N_BUCKETS];

  /* the cold part: the stats' lock guards all but ref_count and name */
  gint ref_count;
  gchar *name;
  GQueue window;           /* of PulseStatsMinute *, oldest first */
  PulseStatsMinute totals; /* of the minutes archived by this process */
  gboolean live;           /* looked up by a publisher, not only loaded from the database */
};

G_DEFINE_BOXED_TYPE (
    PulseStatsTopic, pulse_stats_topic, pulse_stats_topic_ref, pulse_stats_topic_unref)

static PulseStatsTopic *
topic_new (const gchar *name)
{
  PulseStatsTopic *topic = g_aligned_alloc0 (1, sizeof (PulseStatsTopic), 64);

  topic->ref_count = 1;
  topic->name = g_strdup (name);
  g_queue_init (&topic->window);
  return topic;
}

/**
 * pulse_stats_topic_ref:
 * @topic: a #PulseStatsTopic
 *
 * Returns: (transfer full): @topic
 */
PulseStatsTopic *
pulse_stats_topic_ref (PulseStatsTopic *topic)
{
  g_return_val_if_fail (topic != NULL, NULL);
  g_atomic_int_inc (&topic->ref_count);
  return topic;
}

/**
 * pulse_stats_topic_unref:
 * @topic: (transfer full): a #PulseStatsTopic
 *
 * Drops a reference.
 */
void
pulse_stats_topic_unref (PulseStatsTopic *topic)
{
  g_return_if_fail (topic != NULL);
  if (!g_atomic_int_dec_and_test (&topic->ref_count))
    return;
  g_queue_clear_full (&topic->window, g_free);
  g_free (topic->name);
  g_aligned_free (topic);
}

/**
 * pulse_stats_topic_get_name:
 * @topic: a #PulseStatsTopic
 *
 * Returns: the topic's name
 */
const gchar *
pulse_stats_topic_get_name (PulseStatsTopic *topic)
{
  g_return_val_if_fail (topic != NULL, NULL);
  return topic->name;
}

static inline void
raise_max (PulseStatsTopic *topic, gint64 value)
{
  gint64 max = __atomic_load_n (&topic->latency_max, __ATOMIC_RELAXED);

  while (value > max &&
      !__atomic_compare_exchange_n (
          &topic->latency_max, &max, value, TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    /* another thread raised it: compare again */
  }
}

/**
 * pulse_stats_topic_add_frame:
 * @topic: a #PulseStatsTopic
 * @records: the records in the message
 * @bytes: the payload size as sent (compressed)
 * @raw_bytes: the payload size before compression (@bytes when not known)
 * @latency_ns: nanoseconds from the buffer's creation to its send, or
 *   negative when not known
 *
 * Counts one message sent, in the current minute. Callable from any
 * thread, without a lock: a few atomic adds.
 */
void
pulse_stats_topic_add_frame (
    PulseStatsTopic *topic, guint64 records, guint64 bytes, guint64 raw_bytes, gint64 latency_ns)
{
  g_return_if_fail (topic != NULL);

  __atomic_fetch_add (&topic->msgs, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add (&topic->records, records, __ATOMIC_RELAXED);
  __atomic_fetch_add (&topic->bytes, bytes, __ATOMIC_RELAXED);
  __atomic_fetch_add (&topic->raw_bytes, raw_bytes, __ATOMIC_RELAXED);
  if (latency_ns >= 0) {
    __atomic_fetch_add (&topic->buckets[bucket_index ((guint64) latency_ns)], 1, __ATOMIC_RELAXED);
    raise_max (topic, latency_ns);
  }
}

/**
 * pulse_stats_topic_add_drops:
 * @topic: a #PulseStatsTopic
 * @n: how many messages were dropped
 *
 * Counts messages not sent for lack of room. Any thread, no lock.
 */
void
pulse_stats_topic_add_drops (PulseStatsTopic *topic, guint64 n)
{
  g_return_if_fail (topic != NULL);
  __atomic_fetch_add (&topic->drops, n, __ATOMIC_RELAXED);
}

/**
 * pulse_stats_topic_add_malformed:
 * @topic: a #PulseStatsTopic
 * @n: how many buffers were refused
 *
 * Counts buffers refused because they cannot be encoded or framed. Any
 * thread, no lock.
 */
void
pulse_stats_topic_add_malformed (PulseStatsTopic *topic, guint64 n)
{
  g_return_if_fail (topic != NULL);
  __atomic_fetch_add (&topic->malformed, n, __ATOMIC_RELAXED);
}

/* takes the current minute's counters (exchange), or only reads them
 * (@take FALSE); @buckets receives the histogram */
static void
topic_read_counters (PulseStatsTopic *topic, gboolean take, PulseStatsMinute *m, guint64 *buckets)
{
  gint64 max;

#define READ(field)                                                                                \
  (take ? __atomic_exchange_n (&(field), 0, __ATOMIC_RELAXED)                                      \
        : __atomic_load_n (&(field), __ATOMIC_RELAXED))
  m->msg_count = READ (topic->msgs);
  m->record_count = READ (topic->records);
  m->bytes_total = READ (topic->bytes);
  m->raw_bytes = READ (topic->raw_bytes);
  m->drops = READ (topic->drops);
  m->malformed = READ (topic->malformed);
  max = READ (topic->latency_max);
  for (guint i = 0; i < N_BUCKETS; i++)
    buckets[i] = READ (topic->buckets[i]);
#undef READ
  fill_latency (m, buckets, max);
}

/* the maximum is left out: a message's maximum may land after the roll
 * took its count (see archive_locked()) */
static gboolean
minute_is_idle (const PulseStatsMinute *m)
{
  return m->msg_count == 0 && m->drops == 0 && m->malformed == 0 && m->latency_count == 0 &&
      m->bytes_total == 0 && m->record_count == 0 && m->raw_bytes == 0;
}

/* adds @part to @into, both of the same minute; percentiles cannot be
 * added, so the part with more samples gives them */
static void
minute_merge (PulseStatsMinute *into, const PulseStatsMinute *part)
{
  if (part->latency_count > into->latency_count) {
    into->latency_p50_ns = part->latency_p50_ns;
    into->latency_p90_ns = part->latency_p90_ns;
    into->latency_p99_ns = part->latency_p99_ns;
  }
  into->latency_max_ns = MAX (into->latency_max_ns, part->latency_max_ns);
  into->latency_count += part->latency_count;
  into->msg_count += part->msg_count;
  into->record_count += part->record_count;
  into->bytes_total += part->bytes_total;
  into->raw_bytes += part->raw_bytes;
  into->drops += part->drops;
  into->malformed += part->malformed;
}

/* ---- PulseStats ------------------------------------------------------------------ */

struct _PulseStats {
  GObject parent_instance;

  GMutex lock;
  GHashTable *topics; /* name → PulseStatsTopic (a reference) */
  GPtrArray *order;   /* the same topics, in the order they appeared */
  guint retention;
  gint64 current_minute; /* Unix seconds */
  gint64 start_time_us;
  gint64 last_cleanup_hour;

  PulseStatsClockFunc clock;
  gpointer clock_data;
  GDestroyNotify clock_notify;

  GMainContext *context;
  GSource *timer;

  guint64 events[PULSE_STATS_EVENT_AUTH_FAILED + 1]; /* atomics */

  PulseStatsDb *db;
  gchar *db_uri;
  gchar *db_error;
  gint64 db_warned_at;
};

enum { PROP_0, PROP_RETENTION_MINUTES, PROP_DB_URI, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PulseStats, pulse_stats, G_TYPE_OBJECT)

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time ();
}

static gint64
minute_of (gint64 now_us)
{
  gint64 s = now_us / G_USEC_PER_SEC;

  if (now_us < 0 && now_us % G_USEC_PER_SEC != 0)
    s--;
  return s - ((s % 60) + 60) % 60;
}

static void
trim_window (PulseStatsTopic *topic, guint retention)
{
  while (topic->window.length > retention)
    g_free (g_queue_pop_head (&topic->window));
}

/* archives the counters of every topic under @minute; appends what to
 * write to @rows. Under the lock. */
static void
archive_locked (PulseStats *stats, gint64 minute, GArray *rows)
{
  g_autofree guint64 *buckets = g_new (guint64, N_BUCKETS);

  for (guint i = 0; i < stats->order->len; i++) {
    PulseStatsTopic *topic = g_ptr_array_index (stats->order, i);
    PulseStatsMinute m = { 0 };
    PulseStatsMinute *last;

    topic_read_counters (topic, TRUE, &m, buckets);
    if (minute_is_idle (&m)) {
      /* idle minutes are not stored, as the original; a maximum alone is
       * of a message counted in the minute before, which the exchange
       * split: it goes on into the next minute, not lost */
      if (m.latency_max_ns > 0)
        raise_max (topic, m.latency_max_ns);
      continue;
    }
    m.timestamp = minute;

    minute_merge (&topic->totals, &m);
    last = g_queue_peek_tail (&topic->window);
    if (last != NULL && last->timestamp == minute) {
      /* a minute flushed before, and going on */
      minute_merge (last, &m);
    } else {
      g_queue_push_tail (&topic->window, pulse_stats_minute_copy (&m));
      trim_window (topic, stats->retention);
    }
    if (rows != NULL) {
      PulseStatsRow row = { g_strdup (topic->name), m };
      g_array_append_val (rows, row);
    }
  }
}

static void
clear_row (gpointer data)
{
  PulseStatsRow *row = data;

  g_free (row->topic);
}

static GArray *
rows_new (void)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (PulseStatsRow));

  g_array_set_clear_func (rows, clear_row);
  return rows;
}

/* archives the current minute's counters under it and hands them to the
 * database; @rolling moves the current minute on to @now's */
static gboolean
archive (PulseStats *stats, gboolean rolling)
{
  g_autoptr (GArray) rows = NULL;
  gint64 now, minute, cleanup_before = 0;

  g_mutex_lock (&stats->lock);
  now = stats->clock (stats->clock_data);
  minute = minute_of (now);
  if (rolling && minute == stats->current_minute) {
    /* as the original: nothing to do while the minute goes on */
    g_mutex_unlock (&stats->lock);
    return FALSE;
  }
  rows = stats->db != NULL ? rows_new () : NULL;
  archive_locked (stats, stats->current_minute, rows);
  if (rolling)
    stats->current_minute = minute;
  if (stats->db != NULL && minute / 3600 != stats->last_cleanup_hour) {
    stats->last_cleanup_hour = minute / 3600;
    cleanup_before = minute - DB_RETENTION_S;
  }
  if (stats->db != NULL && (rows->len > 0 || cleanup_before > 0))
    _pulse_stats_db_push (stats->db, g_steal_pointer (&rows), cleanup_before);
  g_mutex_unlock (&stats->lock);
  return TRUE;
}

/**
 * pulse_stats_roll:
 * @stats: a #PulseStats
 *
 * Ends the current minute if the clock says it is over: archives each
 * topic's counters under it (a topic with nothing counted stores nothing),
 * hands them to the database, and starts counting the minute it is now.
 * The timer of pulse_stats_attach() calls it at each minute boundary; tests
 * with their own clock call it themselves.
 *
 * Returns: %TRUE if a minute was rolled, %FALSE if it is still the same
 *   minute
 */
gboolean
pulse_stats_roll (PulseStats *stats)
{
  g_return_val_if_fail (PULSE_IS_STATS (stats), FALSE);
  return archive (stats, TRUE);
}

/* ---- the minute timer ------------------------------------------------------------- */

static void schedule_timer (PulseStats *stats);

static gboolean
on_timer (gpointer user_data)
{
  PulseStats *stats = user_data;

  pulse_stats_roll (stats);
  schedule_timer (stats);
  return G_SOURCE_REMOVE;
}

/* one-shot timeouts, each aimed just past the next minute boundary by the
 * clock, so that the rolls do not drift */
static void
schedule_timer (PulseStats *stats)
{
  gint64 now, next;
  GSource *source;

  g_mutex_lock (&stats->lock);
  if (stats->timer != NULL) {
    g_source_destroy (stats->timer);
    g_clear_pointer (&stats->timer, g_source_unref);
  }
  if (stats->context == NULL) {
    g_mutex_unlock (&stats->lock);
    return;
  }
  now = stats->clock (stats->clock_data);
  next = (minute_of (now) + 60) * G_USEC_PER_SEC;
  source = g_timeout_source_new ((guint) ((next - now) / 1000 + 1));
  g_source_set_static_name (source, "PulseStats minute roll");
  g_source_set_callback (source, on_timer, stats, NULL);
  g_source_attach (source, stats->context);
  stats->timer = source;
  g_mutex_unlock (&stats->lock);
}

/**
 * pulse_stats_attach:
 * @stats: a #PulseStats
 * @context: (nullable): the #GMainContext to roll minutes on, or %NULL for
 *   the thread-default one
 *
 * Rolls minutes on @context at every minute boundary, from now on. The
 * default instance is attached at its creation to the thread-default
 * context of its creator; attaching again moves the timer.
 */
void
pulse_stats_attach (PulseStats *stats, GMainContext *context)
{
  g_return_if_fail (PULSE_IS_STATS (stats));

  g_mutex_lock (&stats->lock);
  g_clear_pointer (&stats->context, g_main_context_unref);
  stats->context = context != NULL ? g_main_context_ref (context)
                                   : g_main_context_ref_thread_default ();
  g_mutex_unlock (&stats->lock);
  schedule_timer (stats);
}

/**
 * pulse_stats_detach:
 * @stats: a #PulseStats
 *
 * Stops the minute timer of pulse_stats_attach(); minutes then roll only
 * when pulse_stats_roll() is called.
 */
void
pulse_stats_detach (PulseStats *stats)
{
  g_return_if_fail (PULSE_IS_STATS (stats));

  g_mutex_lock (&stats->lock);
  g_clear_pointer (&stats->context, g_main_context_unref);
  g_mutex_unlock (&stats->lock);
  schedule_timer (stats);
}

/* ---- construction --------------------------------------------------------------- */

/**
 * pulse_stats_new:
 *
 * A new, empty #PulseStats: no timer (see pulse_stats_attach()), no
 * database (see pulse_stats_open_db()). Applications that run pipelines
 * use pulse_stats_get_default(), where `zmqpub` counts.
 *
 * Returns: (transfer full): a new #PulseStats
 */
PulseStats *
pulse_stats_new (void)
{
  return g_object_new (PULSE_TYPE_STATS, NULL);
}

/**
 * pulse_stats_get_default:
 *
 * The process-wide instance every `zmqpub` counts in, created at the first
 * call and attached to the thread-default main context of that caller.
 * It lives until the process exits; call pulse_stats_close() before that
 * to write the unfinished minute to the database.
 *
 * Returns: (transfer none): the default #PulseStats
 */
PulseStats *
pulse_stats_get_default (void)
{
  static gsize default_stats;

  if (g_once_init_enter (&default_stats)) {
    PulseStats *stats = pulse_stats_new ();

    pulse_stats_attach (stats, NULL);
    g_once_init_leave (&default_stats, (gsize) stats);
  }
  return (PulseStats *) default_stats;
}

/**
 * pulse_stats_set_clock:
 * @stats: a #PulseStats
 * @func: (nullable) (scope notified) (closure user_data) (destroy notify):
 *   what time it is, or %NULL for the real time
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Replaces the wall clock, for tests: minutes are then decided by @func.
 * The current minute and the start time are taken from the new clock.
 */
void
pulse_stats_set_clock (
    PulseStats *stats, PulseStatsClockFunc func, gpointer user_data, GDestroyNotify notify)
{
  gpointer old_data;
  GDestroyNotify old_notify;

  g_return_if_fail (PULSE_IS_STATS (stats));

  g_mutex_lock (&stats->lock);
  old_data = stats->clock_data;
  old_notify = stats->clock_notify;
  stats->clock = func != NULL ? func : real_clock;
  stats->clock_data = func != NULL ? user_data : NULL;
  stats->clock_notify = func != NULL ? notify : NULL;
  stats->start_time_us = stats->clock (stats->clock_data);
  stats->current_minute = minute_of (stats->start_time_us);
  g_mutex_unlock (&stats->lock);
  if (old_notify != NULL)
    old_notify (old_data);
  schedule_timer (stats);
}

/* ---- reading ------------------------------------------------------------------ */

/**
 * pulse_stats_get_retention_minutes:
 * @stats: a #PulseStats
 *
 * Returns: how many finished minutes per topic are kept in memory
 */
guint
pulse_stats_get_retention_minutes (PulseStats *stats)
{
  guint n;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0);
  g_mutex_lock (&stats->lock);
  n = stats->retention;
  g_mutex_unlock (&stats->lock);
  return n;
}

/**
 * pulse_stats_set_retention_minutes:
 * @stats: a #PulseStats
 * @minutes: how many finished minutes per topic to keep in memory, at
 *   least 1
 *
 * Sets #PulseStats:retention-minutes; a smaller window forgets the oldest
 * minutes at once.
 */
void
pulse_stats_set_retention_minutes (PulseStats *stats, guint minutes)
{
  g_return_if_fail (PULSE_IS_STATS (stats));
  g_return_if_fail (minutes >= 1 && minutes <= G_MAXINT);
  g_object_set (stats, "retention-minutes", minutes, NULL);
}

/**
 * pulse_stats_get_topic:
 * @stats: a #PulseStats
 * @name: a topic
 *
 * The counters of @name, created at the first call. A publisher calls this
 * once, when it gets ready, and keeps the handle for the per-message adds.
 *
 * Returns: (transfer full): the topic's counters
 */
PulseStatsTopic *
pulse_stats_get_topic (PulseStats *stats, const gchar *name)
{
  PulseStatsTopic *topic;

  g_return_val_if_fail (PULSE_IS_STATS (stats), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_mutex_lock (&stats->lock);
  topic = g_hash_table_lookup (stats->topics, name);
  if (topic == NULL) {
    topic = topic_new (name);
    g_hash_table_insert (stats->topics, topic->name, topic);
    g_ptr_array_add (stats->order, topic);
  }
  topic->live = TRUE;
  pulse_stats_topic_ref (topic);
  g_mutex_unlock (&stats->lock);
  return topic;
}

/**
 * pulse_stats_list_topics:
 * @stats: a #PulseStats
 *
 * Every topic a publisher has counted in, and every topic with history
 * (also history loaded from the database), in the order they appeared.
 *
 * Returns: (transfer full) (array zero-terminated=1): the topic names
 */
gchar **
pulse_stats_list_topics (PulseStats *stats)
{
  GStrvBuilder *builder;
  gchar **names;

  g_return_val_if_fail (PULSE_IS_STATS (stats), NULL);

  builder = g_strv_builder_new ();
  g_mutex_lock (&stats->lock);
  for (guint i = 0; i < stats->order->len; i++) {
    PulseStatsTopic *topic = g_ptr_array_index (stats->order, i);

    g_strv_builder_add (builder, topic->name);
  }
  g_mutex_unlock (&stats->lock);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

/**
 * pulse_stats_get_current:
 * @stats: a #PulseStats
 * @topic: a topic name
 * @minute: (out caller-allocates): the figures of the current minute
 *
 * What has been counted so far in the current, unfinished minute (the
 * original's `*_current`), its latency percentiles included.
 *
 * Returns: %FALSE if @stats knows no such topic (@minute is then zeroed,
 *   with the current minute's timestamp)
 */
gboolean
pulse_stats_get_current (PulseStats *stats, const gchar *topic, PulseStatsMinute *minute)
{
  PulseStatsTopic *t;
  g_autofree guint64 *buckets = NULL;

  g_return_val_if_fail (PULSE_IS_STATS (stats), FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (minute != NULL, FALSE);

  memset (minute, 0, sizeof *minute);
  g_mutex_lock (&stats->lock);
  minute->timestamp = stats->current_minute;
  t = g_hash_table_lookup (stats->topics, topic);
  if (t != NULL) {
    buckets = g_new (guint64, N_BUCKETS);
    topic_read_counters (t, FALSE, minute, buckets);
    minute->timestamp = stats->current_minute;
  }
  g_mutex_unlock (&stats->lock);
  return t != NULL;
}

/**
 * pulse_stats_get_totals:
 * @stats: a #PulseStats
 * @topic: a topic name
 * @totals: (out caller-allocates): the sums
 *
 * What this #PulseStats has counted for @topic since it was created:
 * every minute archived plus the current one (history loaded from a
 * database is not included). The timestamp is the start time's minute,
 * the latency count and maximum cover all minutes; the percentiles are 0,
 * as they cannot be summed.
 *
 * Returns: %FALSE if @stats knows no such topic (@totals is then zeroed)
 */
gboolean
pulse_stats_get_totals (PulseStats *stats, const gchar *topic, PulseStatsMinute *totals)
{
  PulseStatsTopic *t;

  g_return_val_if_fail (PULSE_IS_STATS (stats), FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (totals != NULL, FALSE);

  memset (totals, 0, sizeof *totals);
  g_mutex_lock (&stats->lock);
  t = g_hash_table_lookup (stats->topics, topic);
  if (t != NULL) {
    g_autofree guint64 *buckets = g_new (guint64, N_BUCKETS);
    PulseStatsMinute current;

    topic_read_counters (t, FALSE, &current, buckets);
    *totals = t->totals;
    minute_merge (totals, &current);
  }
  totals->timestamp = minute_of (stats->start_time_us);
  totals->latency_p50_ns = totals->latency_p90_ns = totals->latency_p99_ns = 0;
  g_mutex_unlock (&stats->lock);
  return t != NULL;
}

/**
 * pulse_stats_get_msg_rate_1min:
 * @stats: a #PulseStats
 * @topic: a topic name
 *
 * The original's `msg_rate_1min`: the message count of the last archived
 * minute of @topic divided by 60, rounded to 2 decimals. Idle minutes are
 * not archived, so that minute may be older than the last one.
 *
 * Returns: messages per second, 0 before the first archived minute
 */
gdouble
pulse_stats_get_msg_rate_1min (PulseStats *stats, const gchar *topic)
{
  PulseStatsTopic *t;
  gdouble rate = 0.0;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0.0);
  g_return_val_if_fail (topic != NULL, 0.0);

  g_mutex_lock (&stats->lock);
  t = g_hash_table_lookup (stats->topics, topic);
  if (t != NULL && t->window.length > 0)
    rate = rate_of (((PulseStatsMinute *) g_queue_peek_tail (&t->window))->msg_count);
  g_mutex_unlock (&stats->lock);
  return rate;
}

/**
 * pulse_stats_get_history_length:
 * @stats: a #PulseStats
 * @topic: a topic name
 *
 * The original's `history_minutes`.
 *
 * Returns: how many finished minutes of @topic are kept in memory
 */
guint
pulse_stats_get_history_length (PulseStats *stats, const gchar *topic)
{
  PulseStatsTopic *t;
  guint n = 0;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0);
  g_return_val_if_fail (topic != NULL, 0);

  g_mutex_lock (&stats->lock);
  t = g_hash_table_lookup (stats->topics, topic);
  if (t != NULL)
    n = t->window.length;
  g_mutex_unlock (&stats->lock);
  return n;
}

/**
 * pulse_stats_get_history:
 * @stats: a #PulseStats
 * @topic: a topic name
 * @minutes: how many of the latest finished minutes, 0 for all kept
 *
 * The finished minutes of @topic kept in memory (idle minutes are not
 * kept), oldest first: the last @minutes of them. History loaded from the
 * database at pulse_stats_open_db() is included.
 *
 * Free the list with `g_list_free_full (history, (GDestroyNotify)
 * pulse_stats_minute_free)`.
 *
 * Returns: (transfer full) (element-type PulseStatsMinute): the minutes;
 *   empty (%NULL) when there are none or @stats knows no such topic (see
 *   pulse_stats_list_topics())
 */
GList *
pulse_stats_get_history (PulseStats *stats, const gchar *topic, guint minutes)
{
  PulseStatsTopic *t;
  GList *history = NULL;

  g_return_val_if_fail (PULSE_IS_STATS (stats), NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  g_mutex_lock (&stats->lock);
  t = g_hash_table_lookup (stats->topics, topic);
  if (t != NULL) {
    guint n = minutes == 0 ? t->window.length : MIN (minutes, t->window.length);
    GList *l = t->window.tail;

    /* newest first, prepended: the list comes out oldest first */
    for (guint i = 0; i < n; i++, l = l->prev)
      history = g_list_prepend (history, pulse_stats_minute_copy (l->data));
  }
  g_mutex_unlock (&stats->lock);
  return history;
}

/**
 * pulse_stats_get_current_minute:
 * @stats: a #PulseStats
 *
 * Returns: the start of the minute being counted, Unix seconds
 */
gint64
pulse_stats_get_current_minute (PulseStats *stats)
{
  gint64 minute;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0);
  g_mutex_lock (&stats->lock);
  minute = stats->current_minute;
  g_mutex_unlock (&stats->lock);
  return minute;
}

/**
 * pulse_stats_get_start_time:
 * @stats: a #PulseStats
 *
 * The original's `start_time`.
 *
 * Returns: when @stats was created, Unix seconds
 */
gdouble
pulse_stats_get_start_time (PulseStats *stats)
{
  gdouble t;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0.0);
  g_mutex_lock (&stats->lock);
  t = stats->start_time_us / (gdouble) G_USEC_PER_SEC;
  g_mutex_unlock (&stats->lock);
  return t;
}

/**
 * pulse_stats_get_uptime:
 * @stats: a #PulseStats
 *
 * The original's `uptime_seconds`, by the clock of @stats.
 *
 * Returns: seconds since @stats was created
 */
gdouble
pulse_stats_get_uptime (PulseStats *stats)
{
  gdouble t;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0.0);
  g_mutex_lock (&stats->lock);
  t = (stats->clock (stats->clock_data) - stats->start_time_us) / (gdouble) G_USEC_PER_SEC;
  g_mutex_unlock (&stats->lock);
  return t;
}

/* ---- subscriber connections ------------------------------------------------------ */

/**
 * pulse_stats_add_connection_event:
 * @stats: a #PulseStats
 * @event: what happened
 *
 * Counts a subscriber connection event, e.g. from a socket monitor or an
 * authentication handler. Any thread, no lock.
 */
void
pulse_stats_add_connection_event (PulseStats *stats, PulseStatsEvent event)
{
  g_return_if_fail (PULSE_IS_STATS (stats));
  g_return_if_fail (event <= PULSE_STATS_EVENT_AUTH_FAILED);
  __atomic_fetch_add (&stats->events[event], 1, __ATOMIC_RELAXED);
}

/**
 * pulse_stats_get_event_count:
 * @stats: a #PulseStats
 * @event: an event
 *
 * Returns: how many times @event was counted
 */
guint64
pulse_stats_get_event_count (PulseStats *stats, PulseStatsEvent event)
{
  g_return_val_if_fail (PULSE_IS_STATS (stats), 0);
  g_return_val_if_fail (event <= PULSE_STATS_EVENT_AUTH_FAILED, 0);
  return __atomic_load_n (&stats->events[event], __ATOMIC_RELAXED);
}

/**
 * pulse_stats_get_subscriber_count:
 * @stats: a #PulseStats
 *
 * Returns: subscribers connected now: connections less disconnections
 */
guint64
pulse_stats_get_subscriber_count (PulseStats *stats)
{
  guint64 in, out;

  g_return_val_if_fail (PULSE_IS_STATS (stats), 0);
  out = __atomic_load_n (&stats->events[PULSE_STATS_EVENT_DISCONNECTED], __ATOMIC_RELAXED);
  in = __atomic_load_n (&stats->events[PULSE_STATS_EVENT_CONNECTED], __ATOMIC_RELAXED);
  return in > out ? in - out : 0;
}

/* ---- the database ------------------------------------------------------------------ */

/* from the writer thread: one warning per failure, then at most one per
 * WARN_INTERVAL_US while it goes on */
static void
on_db_report (const gchar *message, gpointer user_data)
{
  PulseStats *stats = user_data;
  gboolean warn = FALSE;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&stats->lock);
  if (message == NULL) {
    g_clear_pointer (&stats->db_error, g_free);
    stats->db_warned_at = 0;
  } else {
    warn = stats->db_error == NULL || now - stats->db_warned_at >= WARN_INTERVAL_US;
    g_free (stats->db_error);
    stats->db_error = g_strdup (message);
    if (warn)
      stats->db_warned_at = now;
  }
  g_mutex_unlock (&stats->lock);
  if (warn)
    g_warning (
        _ ("statistics database %s: %s; statistics go on in memory"), stats->db_uri, message);
}

/* loaded rows come oldest first per topic, into a queue per topic */
static void
on_db_load (const gchar *name, const PulseStatsMinute *minute, gpointer user_data)
{
  GHashTable *loaded = user_data;
  GQueue *queue = g_hash_table_lookup (loaded, name);

  if (queue == NULL) {
    queue = g_queue_new ();
    g_hash_table_insert (loaded, g_strdup (name), queue);
  }
  g_queue_push_tail (queue, pulse_stats_minute_copy (minute));
}

/* puts loaded minutes in front of the minutes this process archived
 * already (normally none); under the lock */
static void
merge_loaded_locked (PulseStats *stats, const gchar *name, GQueue *queue)
{
  PulseStatsTopic *topic = g_hash_table_lookup (stats->topics, name);
  PulseStatsMinute *first, *m;

  if (topic == NULL) {
    topic = topic_new (name);
    g_hash_table_insert (stats->topics, topic->name, topic);
    g_ptr_array_add (stats->order, topic);
  }
  first = g_queue_peek_head (&topic->window);
  while ((m = g_queue_pop_tail (queue)) != NULL) {
    if (first != NULL && m->timestamp >= first->timestamp) {
      g_free (m);
      continue;
    }
    g_queue_push_head (&topic->window, m);
    first = m;
  }
  /* the oldest go first */
  while (topic->window.length > stats->retention)
    g_free (g_queue_pop_head (&topic->window));
}

static void
free_queue (gpointer data)
{
  g_queue_free_full (data, g_free);
}

/**
 * pulse_stats_open_db:
 * @stats: a #PulseStats
 * @uri: `sqlite://PATH` (a file, created if missing; `?mode=ro` and other
 *   SQLite URI parameters may follow) or `sqlite://:memory:`
 * @error: return location for a #GError, or %NULL
 *
 * Persists finished minutes to SQLite: the original's table `minute_stats`
 * (same columns, WAL) plus `minute_stats_ext` for raw bytes, drops,
 * malformed and latency, keyed the same way. The minutes of the last 7
 * days are loaded into the in-memory window, so history survives a
 * restart; minutes older than 7 days are deleted once an hour.
 *
 * Writing happens on a thread of its own, one transaction per roll: the
 * data path and the main loop never wait for SQLite. A database that
 * cannot be opened or read is an error here, and @stats goes on in memory;
 * one that fails later (locked, full, read-only) is a warning, rate
 * limited, and the minutes are retried; see pulse_stats_dup_db_error().
 *
 * Returns: %TRUE if the database is open
 */
gboolean
pulse_stats_open_db (PulseStats *stats, const gchar *uri, GError **error)
{
  PulseStatsDb *db;
  g_autoptr (GHashTable) loaded = NULL;
  GHashTableIter iter;
  gpointer name, queue;
  gint64 now;
  guint retention;

  g_return_val_if_fail (PULSE_IS_STATS (stats), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&stats->lock);
  if (stats->db != NULL) {
    g_mutex_unlock (&stats->lock);
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
        _ ("a statistics database is open already: %s"), stats->db_uri);
    return FALSE;
  }
  now = stats->clock (stats->clock_data);
  retention = stats->retention;
  g_mutex_unlock (&stats->lock);

  db = _pulse_stats_db_open (uri, on_db_report, stats, error);
  if (db == NULL)
    return FALSE;

  loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_queue);
  if (!_pulse_stats_db_load (
          db, minute_of (now) - DB_RETENTION_S, retention, on_db_load, loaded, error)) {
    _pulse_stats_db_close (db);
    return FALSE;
  }

  g_mutex_lock (&stats->lock);
  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &name, &queue))
    merge_loaded_locked (stats, name, queue);
  stats->db = db;
  g_free (stats->db_uri);
  stats->db_uri = g_strdup (uri);
  stats->last_cleanup_hour = -1;
  g_mutex_unlock (&stats->lock);
  g_object_notify_by_pspec (G_OBJECT (stats), properties[PROP_DB_URI]);

  if (_pulse_stats_db_is_readonly (db))
    on_db_report (_ ("the database is read-only"), stats);
  return TRUE;
}

/**
 * pulse_stats_get_db_uri:
 * @stats: a #PulseStats
 *
 * Returns: (nullable): the URI of the open database, or %NULL
 */
const gchar *
pulse_stats_get_db_uri (PulseStats *stats)
{
  g_return_val_if_fail (PULSE_IS_STATS (stats), NULL);
  return stats->db != NULL ? stats->db_uri : NULL;
}

/**
 * pulse_stats_dup_db_error:
 * @stats: a #PulseStats
 *
 * Why the last write to the database failed, while it keeps failing.
 *
 * Returns: (transfer full) (nullable): the reason, or %NULL when writes
 *   succeed (or no database is open)
 */
gchar *
pulse_stats_dup_db_error (PulseStats *stats)
{
  gchar *message;

  g_return_val_if_fail (PULSE_IS_STATS (stats), NULL);
  g_mutex_lock (&stats->lock);
  message = g_strdup (stats->db_error);
  g_mutex_unlock (&stats->lock);
  return message;
}

/**
 * pulse_stats_flush:
 * @stats: a #PulseStats
 *
 * Archives what the current, unfinished minute has counted so far (the
 * original loses it at shutdown) and waits, at most 10 seconds, for the
 * database to write every archived minute. Counting goes on: the rest of
 * the minute is added to the same row at the next roll, never counted
 * twice.
 */
void
pulse_stats_flush (PulseStats *stats)
{
  PulseStatsDb *db;

  g_return_if_fail (PULSE_IS_STATS (stats));

  archive (stats, FALSE);
  g_mutex_lock (&stats->lock);
  db = stats->db;
  g_mutex_unlock (&stats->lock);
  if (db != NULL)
    _pulse_stats_db_flush (db, FLUSH_TIMEOUT_US);
}

/**
 * pulse_stats_close:
 * @stats: a #PulseStats
 *
 * Flushes (see pulse_stats_flush()) and closes the database. @stats goes on
 * counting in memory. `pulse-launch` calls this on the default instance
 * before it exits.
 */
void
pulse_stats_close (PulseStats *stats)
{
  PulseStatsDb *db;

  g_return_if_fail (PULSE_IS_STATS (stats));

  pulse_stats_flush (stats);
  g_mutex_lock (&stats->lock);
  db = g_steal_pointer (&stats->db);
  g_mutex_unlock (&stats->lock);
  if (db != NULL) {
    _pulse_stats_db_close (db);
    g_object_notify_by_pspec (G_OBJECT (stats), properties[PROP_DB_URI]);
  }
}

/* ---- GObject ---------------------------------------------------------------------- */

static void
pulse_stats_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseStats *stats = PULSE_STATS (object);

  switch (prop_id) {
    case PROP_RETENTION_MINUTES:
      g_mutex_lock (&stats->lock);
      stats->retention = g_value_get_uint (value);
      for (guint i = 0; i < stats->order->len; i++)
        trim_window (g_ptr_array_index (stats->order, i), stats->retention);
      g_mutex_unlock (&stats->lock);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_stats_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseStats *stats = PULSE_STATS (object);

  switch (prop_id) {
    case PROP_RETENTION_MINUTES:
      g_value_set_uint (value, pulse_stats_get_retention_minutes (stats));
      break;
    case PROP_DB_URI:
      g_mutex_lock (&stats->lock);
      g_value_set_string (value, stats->db != NULL ? stats->db_uri : NULL);
      g_mutex_unlock (&stats->lock);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_stats_dispose (GObject *object)
{
  PulseStats *stats = PULSE_STATS (object);

  pulse_stats_close (stats);
  pulse_stats_detach (stats);
  G_OBJECT_CLASS (pulse_stats_parent_class)->dispose (object);
}

static void
pulse_stats_finalize (GObject *object)
{
  PulseStats *stats = PULSE_STATS (object);

  if (stats->clock_notify != NULL)
    stats->clock_notify (stats->clock_data);
  g_ptr_array_unref (stats->order);
  g_hash_table_unref (stats->topics);
  g_free (stats->db_uri);
  g_free (stats->db_error);
  g_mutex_clear (&stats->lock);
  G_OBJECT_CLASS (pulse_stats_parent_class)->finalize (object);
}

static void
pulse_stats_class_init (PulseStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = pulse_stats_set_property;
  object_class->get_property = pulse_stats_get_property;
  object_class->dispose = pulse_stats_dispose;
  object_class->finalize = pulse_stats_finalize;

  /**
   * PulseStats:retention-minutes:
   *
   * How many finished minutes per topic are kept in memory. Idle minutes
   * are not kept, so the window may span more time than this.
   */
  properties[PROP_RETENTION_MINUTES] = g_param_spec_uint ("retention-minutes", "Retention minutes",
      "Finished minutes per topic kept in memory (idle minutes not kept)", 1, G_MAXINT,
      DEFAULT_RETENTION,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PulseStats:db-uri:
   *
   * The URI of the open statistics database, or %NULL; see
   * pulse_stats_open_db().
   */
  properties[PROP_DB_URI] = g_param_spec_string ("db-uri", "Database URI",
      "The open statistics database (sqlite://PATH or sqlite://:memory:), or none", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pulse_stats_init (PulseStats *stats)
{
  g_mutex_init (&stats->lock);
  stats->topics = g_hash_table_new (g_str_hash, g_str_equal);
  stats->order = g_ptr_array_new_with_free_func ((GDestroyNotify) pulse_stats_topic_unref);
  stats->retention = DEFAULT_RETENTION;
  stats->clock = real_clock;
  stats->start_time_us = g_get_real_time ();
  stats->current_minute = minute_of (stats->start_time_us);
  stats->last_cleanup_hour = -1;
}

/* ---- the size before compression -------------------------------------------------- */

static guint64
read_le64 (const guint8 *p)
{
  guint64 v = 0;

  for (gint i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

guint64
_pulse_stats_raw_size (PulseCompression compression, GBytes *payload)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (payload, &len);

  switch (compression) {
    case PULSE_COMPRESSION_SNAPPY: {
      /* a raw snappy block starts with the size as a varint */
      guint64 v = 0;

      for (gsize i = 0; i < MIN (len, 10); i++) {
        v |= (guint64) (p[i] & 0x7f) << (7 * i);
        if ((p[i] & 0x80) == 0)
          return v;
      }
      break;
    }
    case PULSE_COMPRESSION_LZ4:
      /* frame magic, FLG with the content-size bit, BD, then the size */
      if (len >= 14 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18 &&
          (p[4] & 0x08) != 0)
        return read_le64 (p + 6);
      break;
    case PULSE_COMPRESSION_ZSTD: {
      /* our frames carry the content size, as the original's decoder needs */
      unsigned long long v = ZSTD_getFrameContentSize (p, len);

      if (v != ZSTD_CONTENTSIZE_UNKNOWN && v != ZSTD_CONTENTSIZE_ERROR)
        return v;
      break;
    }
    case PULSE_COMPRESSION_NONE:
    default: break;
  }
  return len;
}
