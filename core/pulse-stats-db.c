/* PulseMQ — statistics persisted to SQLite, off the data path
 *
 * The original's table, `minute_stats` (same columns, WAL), plus
 * `minute_stats_ext` with what the original did not count, keyed the same
 * way. Finished minutes reach this file as batches from the roll on the
 * main loop; a writer thread of its own writes them, one transaction with
 * prepared statements for all batches waiting, so neither the data path
 * nor the main loop ever waits for SQLite.
 *
 * Rows are added to, not replaced (an upsert that sums): a minute written
 * in parts — flushed at shutdown and continued after a restart in the same
 * minute, or flushed and then rolled — adds up instead of losing the
 * first part. Percentiles cannot be summed: the part with more samples
 * gives them.
 *
 * Failures. A batch that fails (the database is locked by another
 * process, full, read-only) stays queued and is retried with the next
 * batch or after RETRY_US; the queue is bounded (MAX_BATCHES, the oldest
 * go first). Each failure is reported to PulseStats, which warns, rate
 * limited. A database opened read-only is written nothing at all.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "pulse-private.h"
#include "pulse-stats-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-stats"

#define URI_SCHEME "sqlite://"
/* how long the open on the main loop may wait for another writer */
#define OPEN_BUSY_MS 250
/* how long the writer thread waits for a lock before it reports */
#define WRITE_BUSY_MS 1000
#define RETRY_US (5 * G_USEC_PER_SEC)
/* a day of rolls waiting for a database that does not take them */
#define MAX_BATCHES 1440

#define SCHEMA                                                                                     \
  "CREATE TABLE IF NOT EXISTS minute_stats ("                                                      \
  " topic TEXT NOT NULL,"                                                                          \
  " timestamp INTEGER NOT NULL,"                                                                   \
  " msg_count INTEGER DEFAULT 0,"                                                                  \
  " record_count INTEGER DEFAULT 0,"                                                               \
  " bytes_total INTEGER DEFAULT 0,"                                                                \
  " PRIMARY KEY (topic, timestamp));"                                                              \
  "CREATE TABLE IF NOT EXISTS minute_stats_ext ("                                                  \
  " topic TEXT NOT NULL,"                                                                          \
  " timestamp INTEGER NOT NULL,"                                                                   \
  " raw_bytes INTEGER DEFAULT 0,"                                                                  \
  " drops INTEGER DEFAULT 0,"                                                                      \
  " malformed INTEGER DEFAULT 0,"                                                                  \
  " latency_count INTEGER DEFAULT 0,"                                                              \
  " latency_p50_ns INTEGER DEFAULT 0,"                                                             \
  " latency_p90_ns INTEGER DEFAULT 0,"                                                             \
  " latency_p99_ns INTEGER DEFAULT 0,"                                                             \
  " latency_max_ns INTEGER DEFAULT 0,"                                                             \
  " PRIMARY KEY (topic, timestamp));"

#define INSERT_MAIN                                                                                \
  "INSERT INTO minute_stats (topic, timestamp, msg_count, record_count, bytes_total)"              \
  " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (topic, timestamp) DO UPDATE SET"                      \
  " msg_count = msg_count + excluded.msg_count,"                                                   \
  " record_count = record_count + excluded.record_count,"                                          \
  " bytes_total = bytes_total + excluded.bytes_total"

#define BIGGER(col)                                                                                \
  " " col " = CASE WHEN excluded.latency_count > latency_count THEN excluded." col " ELSE " col    \
  " END,"

#define INSERT_EXT                                                                                 \
  "INSERT INTO minute_stats_ext (topic, timestamp, raw_bytes, drops, malformed, latency_count,"    \
  " latency_p50_ns, latency_p90_ns, latency_p99_ns, latency_max_ns)"                               \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (topic, timestamp) DO UPDATE SET" \
  " raw_bytes = raw_bytes + excluded.raw_bytes,"                                                   \
  " drops = drops + excluded.drops,"                                                               \
  " malformed = malformed + excluded.malformed," BIGGER ("latency_p50_ns")                         \
      BIGGER ("latency_p90_ns") BIGGER (                                                           \
          "latency_p99_ns") " latency_max_ns = MAX (latency_max_ns, excluded.latency_max_ns),"     \
                            " latency_count = latency_count + excluded.latency_count"

/* the last @2 minutes of each topic since @1, oldest first */
#define LOAD_FULL                                                                                  \
  "SELECT topic, timestamp, msg_count, record_count, bytes_total, raw_bytes, drops, malformed,"    \
  " latency_count, latency_p50_ns, latency_p90_ns, latency_p99_ns, latency_max_ns FROM ("          \
  " SELECT m.topic, m.timestamp, m.msg_count, m.record_count, m.bytes_total,"                      \
  " COALESCE (e.raw_bytes, m.bytes_total) AS raw_bytes, COALESCE (e.drops, 0) AS drops,"           \
  " COALESCE (e.malformed, 0) AS malformed, COALESCE (e.latency_count, 0) AS latency_count,"       \
  " COALESCE (e.latency_p50_ns, 0) AS latency_p50_ns,"                                             \
  " COALESCE (e.latency_p90_ns, 0) AS latency_p90_ns,"                                             \
  " COALESCE (e.latency_p99_ns, 0) AS latency_p99_ns,"                                             \
  " COALESCE (e.latency_max_ns, 0) AS latency_max_ns,"                                             \
  " ROW_NUMBER () OVER (PARTITION BY m.topic ORDER BY m.timestamp DESC) AS n"                      \
  " FROM minute_stats AS m LEFT JOIN minute_stats_ext AS e"                                        \
  " ON e.topic = m.topic AND e.timestamp = m.timestamp WHERE m.timestamp >= ?1)"                   \
  " WHERE n <= ?2 ORDER BY topic, timestamp"

/* the same from a database the original wrote */
#define LOAD_ORIGINAL                                                                              \
  "SELECT topic, timestamp, msg_count, record_count, bytes_total, bytes_total, 0, 0,"              \
  " 0, 0, 0, 0, 0 FROM (SELECT *,"                                                                 \
  " ROW_NUMBER () OVER (PARTITION BY topic ORDER BY timestamp DESC) AS n"                          \
  " FROM minute_stats WHERE timestamp >= ?1) WHERE n <= ?2 ORDER BY topic, timestamp"

typedef struct {
  GArray *rows; /* of PulseStatsRow */
  gint64 cleanup_before;
} Batch;

struct _PulseStatsDb {
  sqlite3 *db;
  gboolean readonly;
  PulseStatsDbReportFunc report;
  gpointer report_data;
  sqlite3_stmt *insert_main;
  sqlite3_stmt *insert_ext;
  sqlite3_stmt *delete_main;
  sqlite3_stmt *delete_ext;

  GThread *thread;
  GMutex lock; /* guards what follows */
  GCond cond;
  GQueue queue; /* of Batch */
  gboolean writing;
  gboolean stopping;
  gboolean kick;    /* retry now, do not wait for retry_at */
  gint64 retry_at;  /* monotonic; 0 = at once */
  guint64 attempts; /* transactions tried */
  guint64 lost;     /* rows given up on */
};

static void
batch_free (gpointer data)
{
  Batch *batch = data;

  g_array_unref (batch->rows);
  g_free (batch);
}

static void
set_sqlite_error (GError **error, sqlite3 *db, gboolean reading, const gchar *uri)
{
  if (reading)
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_READ,
        _ ("cannot read statistics from %s: %s"), uri, sqlite3_errmsg (db));
  else
    g_set_error (error, PULSE_RESOURCE_ERROR,
        sqlite3_errcode (db) == SQLITE_FULL ? PULSE_RESOURCE_ERROR_NO_SPACE
                                            : PULSE_RESOURCE_ERROR_FAILED,
        /* TRANSLATORS: "cannot open statistics database sqlite://x.db: file is not a database" */
        _ ("cannot open statistics database %s: %s"), uri, sqlite3_errmsg (db));
}

/* sqlite://PATH, sqlite://PATH?PARAMS (a SQLite URI filename), sqlite://:memory: */
static gchar *
filename_from_uri (const gchar *uri, gboolean *is_uri, GError **error)
{
  const gchar *rest, *query;
  g_autofree gchar *path = NULL;
  g_autofree gchar *escaped = NULL;

  *is_uri = FALSE;
  if (!g_str_has_prefix (uri, URI_SCHEME) || uri[strlen (URI_SCHEME)] == '\0') {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
        _ ("statistics database \"%s\" is not sqlite://PATH or sqlite://:memory:"), uri);
    return NULL;
  }
  rest = uri + strlen (URI_SCHEME);
  query = strchr (rest, '?');
  if (query == NULL)
    return g_strdup (rest);
  *is_uri = TRUE;
  path = g_strndup (rest, query - rest);
  escaped = g_uri_escape_string (path, "/", FALSE);
  return g_strconcat ("file:", escaped, query, NULL);
}

static gboolean
prepare (PulseStatsDb *db, const gchar *sql, sqlite3_stmt **stmt, const gchar *uri, GError **error)
{
  if (sqlite3_prepare_v3 (db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK) {
    set_sqlite_error (error, db->db, FALSE, uri);
    return FALSE;
  }
  return TRUE;
}

static gpointer writer_main (gpointer data);

PulseStatsDb *
_pulse_stats_db_open (
    const gchar *uri, PulseStatsDbReportFunc report, gpointer report_data, GError **error)
{
  g_autofree gchar *filename = NULL;
  PulseStatsDb *db;
  gboolean is_uri;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

  filename = filename_from_uri (uri, &is_uri, error);
  if (filename == NULL)
    return NULL;
  if (is_uri)
    flags |= SQLITE_OPEN_URI;

  db = g_new0 (PulseStatsDb, 1);
  db->report = report;
  db->report_data = report_data;
  g_mutex_init (&db->lock);
  g_cond_init (&db->cond);
  g_queue_init (&db->queue);

  if (sqlite3_open_v2 (filename, &db->db, flags, NULL) != SQLITE_OK) {
    set_sqlite_error (error, db->db, FALSE, uri);
    goto failed;
  }
  sqlite3_extended_result_codes (db->db, FALSE);
  sqlite3_busy_timeout (db->db, OPEN_BUSY_MS);
  db->readonly = sqlite3_db_readonly (db->db, "main") == 1;
  if (!db->readonly) {
    /* a file that is not a database fails here, at the first read */
    if (sqlite3_exec (db->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec (db->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
      set_sqlite_error (error, db->db, FALSE, uri);
      goto failed;
    }
    if (!prepare (db, INSERT_MAIN, &db->insert_main, uri, error) ||
        !prepare (db, INSERT_EXT, &db->insert_ext, uri, error) ||
        !prepare (
            db, "DELETE FROM minute_stats WHERE timestamp < ?1", &db->delete_main, uri, error) ||
        !prepare (
            db, "DELETE FROM minute_stats_ext WHERE timestamp < ?1", &db->delete_ext, uri, error))
      goto failed;
  }
  return db;

failed:
  _pulse_stats_db_close (db);
  return NULL;
}

gboolean
_pulse_stats_db_is_readonly (PulseStatsDb *db)
{
  return db->readonly;
}

gboolean
_pulse_stats_db_load (PulseStatsDb *db, gint64 since, guint per_topic, PulseStatsDbLoadFunc func,
    gpointer user_data, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db->db, LOAD_FULL, -1, &stmt, NULL) != SQLITE_OK &&
      sqlite3_prepare_v2 (db->db, LOAD_ORIGINAL, -1, &stmt, NULL) != SQLITE_OK) {
    /* a read-only database without our tables has no history */
    if (db->readonly && sqlite3_errcode (db->db) == SQLITE_ERROR &&
        strstr (sqlite3_errmsg (db->db), "no such table") != NULL)
      return TRUE;
    set_sqlite_error (error, db->db, TRUE, sqlite3_db_filename (db->db, "main"));
    return FALSE;
  }
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int64 (stmt, 2, per_topic);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    PulseStatsMinute m = {
      .timestamp = sqlite3_column_int64 (stmt, 1),
      .msg_count = sqlite3_column_int64 (stmt, 2),
      .record_count = sqlite3_column_int64 (stmt, 3),
      .bytes_total = sqlite3_column_int64 (stmt, 4),
      .raw_bytes = sqlite3_column_int64 (stmt, 5),
      .drops = sqlite3_column_int64 (stmt, 6),
      .malformed = sqlite3_column_int64 (stmt, 7),
      .latency_count = sqlite3_column_int64 (stmt, 8),
      .latency_p50_ns = sqlite3_column_int64 (stmt, 9),
      .latency_p90_ns = sqlite3_column_int64 (stmt, 10),
      .latency_p99_ns = sqlite3_column_int64 (stmt, 11),
      .latency_max_ns = sqlite3_column_int64 (stmt, 12),
    };
    const gchar *topic = (const gchar *) sqlite3_column_text (stmt, 0);

    if (topic != NULL)
      func (topic, &m, user_data);
  }
  if (rc != SQLITE_DONE) {
    set_sqlite_error (error, db->db, TRUE, sqlite3_db_filename (db->db, "main"));
    sqlite3_finalize (stmt);
    return FALSE;
  }
  sqlite3_finalize (stmt);

  if (!db->readonly) {
    sqlite3_busy_timeout (db->db, WRITE_BUSY_MS);
    /* the connection belongs to the writer thread from here on */
    db->thread = g_thread_new ("pulse-stats-db", writer_main, db);
  }
  return TRUE;
}

void
_pulse_stats_db_push (PulseStatsDb *db, GArray *rows, gint64 cleanup_before)
{
  Batch *batch;
  guint64 lost = 0;

  if (db->readonly || db->thread == NULL) {
    g_array_unref (rows);
    return;
  }
  batch = g_new0 (Batch, 1);
  batch->rows = rows;
  batch->cleanup_before = cleanup_before;

  g_mutex_lock (&db->lock);
  g_queue_push_tail (&db->queue, batch);
  while (db->queue.length > MAX_BATCHES) {
    Batch *old = g_queue_pop_head (&db->queue);

    db->lost += old->rows->len;
    lost = db->lost;
    batch_free (old);
  }
  g_cond_signal (&db->cond);
  g_mutex_unlock (&db->lock);
  if (lost > 0)
    g_warning (_ ("statistics database: %llu minutes could not be written and were given up"),
        (unsigned long long) lost);
}

static gboolean
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
write_row (PulseStatsDb *db, const PulseStatsRow *row)
{
  const PulseStatsMinute *m = &row->minute;
  sqlite3_stmt *s = db->insert_main;

  sqlite3_bind_text (s, 1, row->topic, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 2, m->timestamp);
  sqlite3_bind_int64 (s, 3, (sqlite3_int64) m->msg_count);
  sqlite3_bind_int64 (s, 4, (sqlite3_int64) m->record_count);
  sqlite3_bind_int64 (s, 5, (sqlite3_int64) m->bytes_total);
  if (!step_done (s))
    return FALSE;

  s = db->insert_ext;
  sqlite3_bind_text (s, 1, row->topic, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 2, m->timestamp);
  sqlite3_bind_int64 (s, 3, (sqlite3_int64) m->raw_bytes);
  sqlite3_bind_int64 (s, 4, (sqlite3_int64) m->drops);
  sqlite3_bind_int64 (s, 5, (sqlite3_int64) m->malformed);
  sqlite3_bind_int64 (s, 6, (sqlite3_int64) m->latency_count);
  sqlite3_bind_int64 (s, 7, m->latency_p50_ns);
  sqlite3_bind_int64 (s, 8, m->latency_p90_ns);
  sqlite3_bind_int64 (s, 9, m->latency_p99_ns);
  sqlite3_bind_int64 (s, 10, m->latency_max_ns);
  return step_done (s);
}

/* one transaction for every batch in @work; on failure nothing is written */
static gboolean
write_batches (PulseStatsDb *db, GQueue *work, gchar **message)
{
  if (sqlite3_exec (db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    goto failed;
  for (GList *l = work->head; l != NULL; l = l->next) {
    Batch *batch = l->data;

    for (guint i = 0; i < batch->rows->len; i++)
      if (!write_row (db, &g_array_index (batch->rows, PulseStatsRow, i)))
        goto rollback;
    if (batch->cleanup_before > 0) {
      sqlite3_bind_int64 (db->delete_main, 1, batch->cleanup_before);
      sqlite3_bind_int64 (db->delete_ext, 1, batch->cleanup_before);
      if (!step_done (db->delete_main) || !step_done (db->delete_ext))
        goto rollback;
    }
  }
  if (sqlite3_exec (db->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    goto rollback;
  return TRUE;

rollback:
  *message = g_strdup (sqlite3_errmsg (db->db));
  sqlite3_exec (db->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;

failed:
  *message = g_strdup (sqlite3_errmsg (db->db));
  return FALSE;
}

static gpointer
writer_main (gpointer data)
{
  PulseStatsDb *db = data;
  gboolean failing = FALSE;

  g_mutex_lock (&db->lock);
  for (;;) {
    GQueue work = G_QUEUE_INIT;
    g_autofree gchar *message = NULL;
    gboolean ok;

    while (!db->stopping &&
        (db->queue.length == 0 || (!db->kick && g_get_monotonic_time () < db->retry_at))) {
      if (db->queue.length > 0)
        g_cond_wait_until (&db->cond, &db->lock, db->retry_at);
      else
        g_cond_wait (&db->cond, &db->lock);
    }
    if (db->stopping)
      break;
    work = db->queue;
    g_queue_init (&db->queue);
    db->writing = TRUE;
    db->kick = FALSE;
    g_mutex_unlock (&db->lock);

    ok = write_batches (db, &work, &message);
    /* outside our lock: the report takes the stats' lock */
    if (!ok)
      db->report (message, db->report_data);
    else if (failing)
      db->report (NULL, db->report_data);
    failing = !ok;

    g_mutex_lock (&db->lock);
    db->writing = FALSE;
    db->attempts++;
    if (ok) {
      g_queue_clear_full (&work, batch_free);
      db->retry_at = 0;
    } else {
      /* back in front of what came meanwhile, in order */
      while (work.tail != NULL)
        g_queue_push_head (&db->queue, g_queue_pop_tail (&work));
      db->retry_at = g_get_monotonic_time () + RETRY_US;
    }
    g_cond_broadcast (&db->cond);
  }
  g_mutex_unlock (&db->lock);
  return NULL;
}

void
_pulse_stats_db_flush (PulseStatsDb *db, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  guint64 target;

  if (db->thread == NULL)
    return;
  g_mutex_lock (&db->lock);
  /* an attempt under way may have started before the last push */
  target = db->attempts + (db->writing ? 2 : 1);
  db->kick = TRUE;
  g_cond_broadcast (&db->cond);
  while ((db->queue.length > 0 || db->writing) && db->attempts < target)
    if (!g_cond_wait_until (&db->cond, &db->lock, deadline))
      break;
  g_mutex_unlock (&db->lock);
}

void
_pulse_stats_db_close (PulseStatsDb *db)
{
  guint64 lost = 0;

  if (db->thread != NULL) {
    g_mutex_lock (&db->lock);
    db->stopping = TRUE;
    g_cond_broadcast (&db->cond);
    g_mutex_unlock (&db->lock);
    g_thread_join (db->thread);
  }
  for (GList *l = db->queue.head; l != NULL; l = l->next)
    lost += ((Batch *) l->data)->rows->len;
  g_queue_clear_full (&db->queue, batch_free);
  if (lost > 0)
    g_warning (_ ("statistics database: %llu minutes could not be written before closing"),
        (unsigned long long) lost);

  sqlite3_finalize (db->insert_main);
  sqlite3_finalize (db->insert_ext);
  sqlite3_finalize (db->delete_main);
  sqlite3_finalize (db->delete_ext);
  sqlite3_close (db->db);
  g_cond_clear (&db->cond);
  g_mutex_clear (&db->lock);
  g_free (db);
}
