/* PulseMQ — traffic statistics per topic and minute */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PulseStatsEvent:
 * @PULSE_STATS_EVENT_CONNECTED: a subscriber connected (a connection was
 *   accepted)
 * @PULSE_STATS_EVENT_DISCONNECTED: a subscriber went away
 * @PULSE_STATS_EVENT_AUTH_SUCCEEDED: a subscriber passed authentication
 * @PULSE_STATS_EVENT_AUTH_FAILED: a subscriber was refused by
 *   authentication
 *
 * What happens to subscriber connections, for
 * pulse_stats_add_connection_event().
 */
typedef enum {
  PULSE_STATS_EVENT_CONNECTED,
  PULSE_STATS_EVENT_DISCONNECTED,
  PULSE_STATS_EVENT_AUTH_SUCCEEDED,
  PULSE_STATS_EVENT_AUTH_FAILED,
} PulseStatsEvent;

/**
 * PULSE_STATS_DEFAULT_RETENTION_MINUTES:
 *
 * How many finished minutes per topic a #PulseStats keeps in memory unless
 * told otherwise: 8 hours of busy minutes, as the original.
 */
#define PULSE_STATS_DEFAULT_RETENTION_MINUTES 480

/**
 * PulseStatsMinute:
 * @timestamp: the start of the minute, Unix seconds (a multiple of 60)
 * @msg_count: messages sent
 * @record_count: records in those messages
 * @bytes_total: payload bytes as sent, i.e. compressed (frame 4 only, as
 *   the original counts)
 * @raw_bytes: payload bytes before compression where the compressed frame
 *   says its size, else the same as @bytes_total
 * @drops: messages not sent for lack of room (zmqpub overflow=drop)
 * @malformed: buffers refused as not encodable
 * @latency_count: messages whose send latency was measured
 * @latency_p50_ns: median send latency (time from the buffer's creation to
 *   its send), nanoseconds, within 1/16 of the true value
 * @latency_p90_ns: 90th percentile of the send latency
 * @latency_p99_ns: 99th percentile of the send latency
 * @latency_max_ns: the largest send latency
 *
 * The figures of one topic for one minute: a history row, the current
 * (unfinished) minute, or totals.
 */
typedef struct {
  gint64 timestamp;
  guint64 msg_count;
  guint64 record_count;
  guint64 bytes_total;
  guint64 raw_bytes;
  guint64 drops;
  guint64 malformed;
  guint64 latency_count;
  gint64 latency_p50_ns;
  gint64 latency_p90_ns;
  gint64 latency_p99_ns;
  gint64 latency_max_ns;
} PulseStatsMinute;

#define PULSE_TYPE_STATS_MINUTE (pulse_stats_minute_get_type ())
GType pulse_stats_minute_get_type (void) G_GNUC_CONST;
PulseStatsMinute *pulse_stats_minute_copy (const PulseStatsMinute *minute);
void pulse_stats_minute_free (PulseStatsMinute *minute);
gdouble pulse_stats_minute_get_msg_rate (const PulseStatsMinute *minute);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulseStatsMinute, pulse_stats_minute_free)

/**
 * PulseStatsTopic:
 *
 * The counters of one topic: a handle a publisher looks up once, with
 * pulse_stats_get_topic(), and then adds to from any thread without a
 * lock. Refcounted; valid as long as a reference is held.
 */
typedef struct _PulseStatsTopic PulseStatsTopic;

#define PULSE_TYPE_STATS_TOPIC (pulse_stats_topic_get_type ())
GType pulse_stats_topic_get_type (void) G_GNUC_CONST;
PulseStatsTopic *pulse_stats_topic_ref (PulseStatsTopic *topic);
void pulse_stats_topic_unref (PulseStatsTopic *topic);
const gchar *pulse_stats_topic_get_name (PulseStatsTopic *topic);
void pulse_stats_topic_add_frame (
    PulseStatsTopic *topic, guint64 records, guint64 bytes, guint64 raw_bytes, gint64 latency_ns);
void pulse_stats_topic_add_drops (PulseStatsTopic *topic, guint64 n);
void pulse_stats_topic_add_malformed (PulseStatsTopic *topic, guint64 n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulseStatsTopic, pulse_stats_topic_unref)

/**
 * PulseStatsClockFunc:
 * @user_data: the data given to pulse_stats_set_clock()
 *
 * Tells a #PulseStats what time it is, so that tests can move minutes on
 * without waiting for them.
 *
 * Returns: the wall-clock time in microseconds since the Unix epoch
 */
typedef gint64 (*PulseStatsClockFunc) (gpointer user_data);

#define PULSE_TYPE_STATS (pulse_stats_get_type ())
G_DECLARE_FINAL_TYPE (PulseStats, pulse_stats, PULSE, STATS, GObject)

PulseStats *pulse_stats_new (void);
PulseStats *pulse_stats_get_default (void);
void pulse_stats_set_clock (
    PulseStats *stats, PulseStatsClockFunc func, gpointer user_data, GDestroyNotify notify);
void pulse_stats_attach (PulseStats *stats, GMainContext *context);
void pulse_stats_detach (PulseStats *stats);
gboolean pulse_stats_roll (PulseStats *stats);

guint pulse_stats_get_retention_minutes (PulseStats *stats);
void pulse_stats_set_retention_minutes (PulseStats *stats, guint minutes);

PulseStatsTopic *pulse_stats_get_topic (PulseStats *stats, const gchar *name);
gchar **pulse_stats_list_topics (PulseStats *stats);
gboolean pulse_stats_get_current (PulseStats *stats, const gchar *topic, PulseStatsMinute *minute);
gboolean pulse_stats_get_totals (PulseStats *stats, const gchar *topic, PulseStatsMinute *totals);
gdouble pulse_stats_get_msg_rate_1min (PulseStats *stats, const gchar *topic);
guint pulse_stats_get_history_length (PulseStats *stats, const gchar *topic);
GList *pulse_stats_get_history (PulseStats *stats, const gchar *topic, guint minutes);
gint64 pulse_stats_get_current_minute (PulseStats *stats);
gdouble pulse_stats_get_start_time (PulseStats *stats);
gdouble pulse_stats_get_uptime (PulseStats *stats);

void pulse_stats_add_connection_event (PulseStats *stats, PulseStatsEvent event);
guint64 pulse_stats_get_event_count (PulseStats *stats, PulseStatsEvent event);
guint64 pulse_stats_get_subscriber_count (PulseStats *stats);

gboolean pulse_stats_open_db (PulseStats *stats, const gchar *uri, GError **error);
const gchar *pulse_stats_get_db_uri (PulseStats *stats);
gchar *pulse_stats_dup_db_error (PulseStats *stats);
void pulse_stats_flush (PulseStats *stats);
void pulse_stats_close (PulseStats *stats);

G_END_DECLS
