/* PulseMQ — private API shared inside the library */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL void _pulse_i18n_init (void);
G_GNUC_INTERNAL void _pulse_elements_register (PulseRegistry *registry);
G_GNUC_INTERNAL PulseElementFactory *_pulse_registry_factory_for_type (GType type);

G_GNUC_INTERNAL void _pulse_record_batch_seal (PulseRecordBatch *batch);
G_GNUC_INTERNAL void _pulse_json_append_string (GString *out, const gchar *s, gsize len);
G_GNUC_INTERNAL void _pulse_json_append_double (GString *out, gdouble v);
G_GNUC_INTERNAL void _pulse_json_append_variant (GString *out, GVariant *value);
G_GNUC_INTERNAL void _pulse_buffer_seal (PulseBuffer *buffer);

G_GNUC_INTERNAL void _pulse_pad_set_parent (PulsePad *pad, PulseElement *parent);
G_GNUC_INTERNAL void _pulse_pad_set_formats (PulsePad *pad, PulseFormat formats);
G_GNUC_INTERNAL void _pulse_pad_narrow (PulsePad *pad, PulseFormat formats);
G_GNUC_INTERNAL void _pulse_pad_reset (PulsePad *pad, gboolean flushing);
G_GNUC_INTERNAL gboolean _pulse_pad_link_full (
    PulsePad *srcpad, PulsePad *sinkpad, gchar **hint, GError **error);

G_GNUC_INTERNAL void _pulse_element_set_pipeline (PulseElement *element, PulsePipeline *pipeline);
G_GNUC_INTERNAL void _pulse_element_add_pad (PulseElement *element, PulsePad *pad);
G_GNUC_INTERNAL gboolean _pulse_element_change_state (
    PulseElement *element, PulseStateChange transition, GError **error);
G_GNUC_INTERNAL gboolean _pulse_element_link_pads_full (PulseElement *src, const gchar *srcpadname,
    PulseElement *sink, const gchar *sinkpadname, gchar **hint, GError **error);

/* pulse-payload-pool.c: warm, reused buffers for serialized and
 * compressed payloads */
G_GNUC_INTERNAL gpointer _pulse_pool_realloc (
    gpointer data, gsize used, gsize size, gsize *capacity);
G_GNUC_INTERNAL gpointer _pulse_pool_try_realloc (
    gpointer data, gsize used, gsize size, gsize *capacity);
G_GNUC_INTERNAL GBytes *_pulse_pool_bytes (gpointer data, gsize size);
G_GNUC_INTERNAL void _pulse_pool_free (gpointer data);

/* pulse-zmq.c: the process-wide ZeroMQ context, created once, never destroyed */
G_GNUC_INTERNAL void *_pulse_zmq_context_get (void);
G_GNUC_INTERNAL void *_pulse_zmq_monitor_handshakes (void *socket, GError **error);
G_GNUC_INTERNAL gboolean _pulse_zmq_check_handshakes (
    void *monitor, const gchar *endpoint, GError **error);

G_GNUC_INTERNAL gboolean _pulse_pad_is_flushing (PulsePad *pad);
G_GNUC_INTERNAL void _pulse_pad_set_flushing (PulsePad *pad);
G_GNUC_INTERNAL void _pulse_pipeline_sink_eos (PulsePipeline *pipeline, PulseElement *sink);
G_GNUC_INTERNAL gboolean _pulse_pipeline_validate (
    PulsePipeline *pipeline, PulseElement **culprit, GError **error);

/* pulse-auth.c, pulse-zap.c: subscriber authentication */
G_GNUC_INTERNAL gboolean _pulse_auth_check_handshake (PulseAuth *auth, const gchar *user,
    const gchar *password, gsize password_len, const gchar *address);
G_GNUC_INTERNAL void _pulse_auth_count_refused (PulseAuth *auth, const gchar *address);
G_GNUC_INTERNAL void _pulse_auth_count_curve (PulseAuth *auth, const gchar *address);
G_GNUC_INTERNAL void _pulse_auth_merge (PulseAuth *dst, PulseAuth *src);
G_GNUC_INTERNAL gboolean _pulse_zap_register (
    const gchar *domain, PulseAuth *auth, gboolean curve, GError **error);
G_GNUC_INTERNAL void _pulse_zap_unregister (const gchar *domain);

/* pulse-endpoint.c: one PUB socket per bind address, owned by one thread */
typedef struct _PulseEndpoint PulseEndpoint;
G_GNUC_INTERNAL PulseEndpoint *
_pulse_endpoint_acquire (const gchar *bind, gint sndhwm, gint linger, GError **error);
/* how subscribers of an endpoint are let in */
typedef struct {
  PulseAuth *auth;           /* PLAIN users (or, with CURVE, only counted); NULL: no auth */
  const gchar *curve_secret; /* Z85 secret key: CURVE instead of PLAIN */
  gboolean access_control;   /* an XPUB deciding per topic who may read */
} PulseEndpointSecurity;
G_GNUC_INTERNAL PulseEndpoint *_pulse_endpoint_acquire_full (const gchar *bind, gint sndhwm,
    gint linger, const PulseEndpointSecurity *security, GError **error);
G_GNUC_INTERNAL PulseAuth *_pulse_endpoint_get_auth (PulseEndpoint *ep);
G_GNUC_INTERNAL gboolean _pulse_endpoint_has_access_control (PulseEndpoint *ep);
G_GNUC_INTERNAL gboolean _pulse_endpoint_set_access (
    PulseEndpoint *ep, const gchar *topic, const gchar *const *readers, GError **error);
G_GNUC_INTERNAL void _pulse_endpoint_release (PulseEndpoint *ep);
G_GNUC_INTERNAL const gchar *_pulse_endpoint_get_address (PulseEndpoint *ep);
/* the payload bytes of one publisher still held by the endpoint or ZeroMQ */
typedef struct _PulseSendBudget PulseSendBudget;
G_GNUC_INTERNAL PulseSendBudget *_pulse_send_budget_new (guint64 max_bytes);
G_GNUC_INTERNAL PulseSendBudget *_pulse_send_budget_ref (PulseSendBudget *budget);
G_GNUC_INTERNAL void _pulse_send_budget_unref (PulseSendBudget *budget);
G_GNUC_INTERNAL gsize _pulse_send_budget_charge_for (
    PulseSendBudget *budget, gsize topic_len, GBytes *payload);
G_GNUC_INTERNAL guint64 _pulse_send_budget_get_held (PulseSendBudget *budget);
G_GNUC_INTERNAL gboolean _pulse_send_budget_would_exceed (PulseSendBudget *budget, gsize charge);
G_GNUC_INTERNAL void _pulse_send_budget_release (PulseSendBudget *budget, gsize charge);
G_GNUC_INTERNAL gboolean _pulse_send_budget_wait (
    PulseSendBudget *budget, guint64 target, gint64 until_us);
G_GNUC_INTERNAL void _pulse_endpoint_send (PulseEndpoint *ep, const gchar *topic, guint8 msg_type,
    guint8 flags, guint32 record_count, GBytes *payload, PulseSendBudget *budget);
G_GNUC_INTERNAL gboolean _pulse_endpoint_flush (PulseEndpoint *ep, gint64 timeout_us);
G_GNUC_INTERNAL void
_pulse_endpoint_add_heartbeat (PulseEndpoint *ep, const gchar *topic, gdouble interval);
G_GNUC_INTERNAL void _pulse_endpoint_remove_heartbeat (PulseEndpoint *ep, const gchar *topic);

/* the arrays of a column in the Arrow layout, for the Arrow codec */
typedef struct {
  const guint8 *data; /* values (bool: one byte each), or string bytes */
  gsize data_len;
  const guint32 *offsets; /* utf8/binary: n_rows + 1 entries, else NULL */
  const guint8 *validity; /* LSB-first bitmap, NULL when no value is null */
} PulseColumnArrays;

G_GNUC_INTERNAL void
_pulse_record_batch_peek_arrays (PulseRecordBatch *batch, guint column, PulseColumnArrays *arrays);
G_GNUC_INTERNAL gint _pulse_record_batch_take_column (PulseRecordBatch *batch, const gchar *name,
    PulseColumnType type, guint length, guint8 *data, gsize data_len, guint32 *offsets,
    guint8 *validity, gsize validity_len);
G_GNUC_INTERNAL void _pulse_record_batch_set_n_rows (PulseRecordBatch *batch, guint n_rows);

/* rows [first_row, first_row + n_rows) of a batch, for _pulse_record_batch_append_slice() */
typedef struct {
  PulseRecordBatch *batch;
  guint first_row;
  guint n_rows;
} PulseBatchSlice;

G_GNUC_INTERNAL gboolean _pulse_record_batch_same_schema (PulseRecordBatch *a, PulseRecordBatch *b);
G_GNUC_INTERNAL gsize _pulse_record_batch_slice_data_len (
    PulseRecordBatch *batch, guint column, guint first, guint n);
G_GNUC_INTERNAL void _pulse_record_batch_append_slice (
    PulseRecordBatch *dest, const PulseBatchSlice *slice, guint reserve);
/* pulse-topic-cache.c: the last frames of each topic, and the snapshot
 * ROUTER socket that serves them to late joiners */
typedef struct {
  guint8 msg_type;
  guint8 flags;
  guint32 record_count;
  gint64 timestamp_ns; /* as it went out in frame 3 */
  GBytes *payload;     /* the reference ZeroMQ sent: no copy */
} PulseCachedFrame;

typedef struct _PulseTopicCache PulseTopicCache;
typedef struct _PulseTopicCacheSet PulseTopicCacheSet;
typedef struct _PulseSnapshotService PulseSnapshotService;

G_GNUC_INTERNAL PulseTopicCache *
_pulse_topic_cache_new (const gchar *topic, guint max_frames, guint64 max_bytes);
G_GNUC_INTERNAL PulseTopicCache *_pulse_topic_cache_ref (PulseTopicCache *cache);
G_GNUC_INTERNAL void _pulse_topic_cache_unref (PulseTopicCache *cache);
G_GNUC_INTERNAL const gchar *_pulse_topic_cache_get_topic (PulseTopicCache *cache);
G_GNUC_INTERNAL void _pulse_topic_cache_push (PulseTopicCache *cache, guint8 msg_type, guint8 flags,
    guint32 record_count, gint64 timestamp_ns, GBytes *payload);
G_GNUC_INTERNAL guint _pulse_topic_cache_get_n_frames (PulseTopicCache *cache);
G_GNUC_INTERNAL guint64 _pulse_topic_cache_get_n_bytes (PulseTopicCache *cache);
G_GNUC_INTERNAL GArray *_pulse_topic_cache_snapshot (PulseTopicCache *cache);

G_GNUC_INTERNAL PulseTopicCacheSet *_pulse_topic_cache_set_new (void);
G_GNUC_INTERNAL void _pulse_topic_cache_set_free (PulseTopicCacheSet *set);
G_GNUC_INTERNAL PulseTopicCache *_pulse_topic_cache_set_add (
    PulseTopicCacheSet *set, const gchar *topic, guint max_frames, guint64 max_bytes);
G_GNUC_INTERNAL void _pulse_topic_cache_set_remove (PulseTopicCacheSet *set, const gchar *topic);
G_GNUC_INTERNAL void _pulse_topic_cache_set_push (PulseTopicCacheSet *set, const gchar *topic,
    guint8 msg_type, guint8 flags, guint32 record_count, gint64 timestamp_ns, GBytes *payload);
G_GNUC_INTERNAL GPtrArray *
_pulse_topic_cache_set_match (PulseTopicCacheSet *set, const gchar *prefix, gsize prefix_len);

G_GNUC_INTERNAL PulseSnapshotService *
_pulse_snapshot_service_start (PulseTopicCacheSet *set, const gchar *bind, GError **error);
G_GNUC_INTERNAL const gchar *_pulse_snapshot_service_get_address (PulseSnapshotService *svc);
G_GNUC_INTERNAL void _pulse_snapshot_service_stop (PulseSnapshotService *svc);

/* pulse-endpoint.c: the topic caches and snapshot service of an endpoint */
G_GNUC_INTERNAL PulseTopicCache *_pulse_endpoint_add_cache (
    PulseEndpoint *ep, const gchar *topic, guint max_frames, guint64 max_bytes);
G_GNUC_INTERNAL void _pulse_endpoint_remove_cache (PulseEndpoint *ep, const gchar *topic);
G_GNUC_INTERNAL gboolean _pulse_endpoint_serve_snapshots (
    PulseEndpoint *ep, const gchar *bind, GError **error);
G_GNUC_INTERNAL const gchar *_pulse_endpoint_get_snapshot_address (PulseEndpoint *ep);

G_END_DECLS
