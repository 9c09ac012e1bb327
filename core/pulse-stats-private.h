/* PulseMQ — private parts of the statistics: the SQLite writer */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

/* pulse-stats.c: the size a compressed payload says it had before
 * compression, read from its header; the payload size when it does not say */
G_GNUC_INTERNAL guint64 _pulse_stats_raw_size (PulseCompression compression, GBytes *payload);

/* pulse-stats-db.c: persistence of finished minutes, off the data path */
typedef struct _PulseStatsDb PulseStatsDb;

typedef struct {
  gchar *topic;
  PulseStatsMinute minute;
} PulseStatsRow;

/* called from the writer thread: @message is NULL once a write succeeds
 * again, else why it failed */
typedef void (*PulseStatsDbReportFunc) (const gchar *message, gpointer user_data);
typedef void (*PulseStatsDbLoadFunc) (
    const gchar *topic, const PulseStatsMinute *minute, gpointer user_data);

G_GNUC_INTERNAL PulseStatsDb *_pulse_stats_db_open (
    const gchar *uri, PulseStatsDbReportFunc report, gpointer report_data, GError **error);
G_GNUC_INTERNAL gboolean _pulse_stats_db_is_readonly (PulseStatsDb *db);
G_GNUC_INTERNAL gboolean _pulse_stats_db_load (PulseStatsDb *db, gint64 since, guint per_topic,
    PulseStatsDbLoadFunc func, gpointer user_data, GError **error);
/* takes @rows (of PulseStatsRow, with a clear func); @cleanup_before > 0
 * also deletes the minutes older than it */
G_GNUC_INTERNAL void _pulse_stats_db_push (PulseStatsDb *db, GArray *rows, gint64 cleanup_before);
G_GNUC_INTERNAL void _pulse_stats_db_flush (PulseStatsDb *db, gint64 timeout_us);
G_GNUC_INTERNAL void _pulse_stats_db_close (PulseStatsDb *db);

G_END_DECLS
