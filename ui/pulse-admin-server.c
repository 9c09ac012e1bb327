/* PulseMQ — the admin HTTP server
 *
 *   PulseAdminServer *admin = pulse_admin_server_new ("127.0.0.1:9090", pipeline);
 *   pulse_admin_server_start (admin, &error);
 *
 * The original's admin API (ADMIN-API.md: every path and field kept) and
 * what operators expect beyond it: the pipeline, authentication results,
 * Prometheus text at /metrics, the web UI compiled in as a GResource. It
 * is read-only: no request changes anything.
 *
 * It is a libsoup 3 SoupServer driven by the thread-default main context
 * of whoever calls pulse_admin_server_start(), with no thread of its own.
 * It reads the statistics (PulseStats: a short lock per read) and element
 * properties (atomic counters), so a request never waits on the data path
 * and the data path never waits on a request.
 *
 * Server-Sent Events: one timer builds the snapshot once per tick and
 * appends the same GBytes to every client's response, which is
 * close-delimited (no Content-Length, no chunking), as the original sent
 * it. A client whose unsent frames pile up (64 frames or 1 MiB) is cut
 * off: a stalled dashboard must not hold memory without bound (the
 * original kept such clients forever).
 *
 * With a token, every path but /healthz needs `Authorization: Bearer
 * TOKEN`, or `?token=TOKEN` for EventSource, which cannot send headers.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-admin"

#define DEFAULT_SSE_INTERVAL 1.0
#define DEFAULT_MAX_SSE_CLIENTS 1000
/* a GET carries no body: 16 KiB leaves room for cookies and proxies. Headers
 * beyond libsoup's own 64 KiB limit close the connection without a reply. */
#define DEFAULT_MAX_REQUEST_BYTES (16 * 1024)
/* a client this far behind is dropped */
#define SSE_MAX_PENDING_FRAMES 64
#define SSE_MAX_PENDING_BYTES (1024 * 1024)
/* GLib's default of 10 refuses a dashboard wall that reconnects at once */
#define LISTEN_BACKLOG 1024
/* how long pulse_admin_server_stop() waits for open event streams to close */
#define STOP_WAIT_US (2 * G_USEC_PER_SEC)
#define RESOURCE_PREFIX "/org/pulsemq/admin/"
#define JSON_TYPE "application/json; charset=utf-8"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define AUTH_KLASS "Filter/Auth"

typedef struct {
  PulseAdminServer *server;
  SoupServerMessage *msg;
  guint64 queued;  /* bytes appended */
  guint64 written; /* bytes written to the socket */
  GQueue ends;     /* the end offset of each frame not yet written, as guint64 in pointers */
  gulong finished_id, wrote_id;
  gboolean paused; /* by us, once everything appended was written */
  gboolean dropped;
} SseClient;

struct _PulseAdminServer {
  GObject parent_instance;

  gchar *address;
  gchar *token;
  gchar *description;
  PulsePipeline *pipeline;
  PulseStats *stats;
  gdouble sse_interval;
  guint max_sse_clients;
  guint64 max_request_bytes;

  SoupServer *server;
  GMainContext *context;
  GSource *sse_timer;
  GHashTable *clients; /* SoupServerMessage → SseClient */
  gchar *uri;
  guint64 sse_dropped;
};

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_TOKEN,
  PROP_DESCRIPTION,
  PROP_PIPELINE,
  PROP_STATS,
  PROP_SSE_INTERVAL,
  PROP_MAX_SSE_CLIENTS,
  PROP_MAX_REQUEST_BYTES,
  PROP_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE (PulseAdminServer, pulse_admin_server, G_TYPE_OBJECT)

/* ---- JSON, compact, written by hand -------------------------------------------
 * A separator goes before a key or value unless it opens its container: the
 * last character written tells (compact JSON never ends a value with a
 * blank, so "data: " before a snapshot needs none either). */

static void
j_sep (GString *s)
{
  if (s->len > 0 && strchr ("{[: ", s->str[s->len - 1]) == NULL)
    g_string_append_c (s, ',');
}

static void
j_key (GString *s, const gchar *key)
{
  j_sep (s);
  if (key != NULL) {
    _pulse_json_append_string (s, key, strlen (key));
    g_string_append_c (s, ':');
  }
}

static void
j_open (GString *s, const gchar *key, gchar bracket)
{
  j_key (s, key);
  g_string_append_c (s, bracket);
}

static void
j_str (GString *s, const gchar *key, const gchar *value)
{
  j_key (s, key);
  if (value == NULL)
    g_string_append (s, "null");
  else
    _pulse_json_append_string (s, value, strlen (value));
}

static void
j_int (GString *s, const gchar *key, gint64 value)
{
  j_key (s, key);
  g_string_append_printf (s, "%" G_GINT64_FORMAT, value);
}

static void
j_uint (GString *s, const gchar *key, guint64 value)
{
  j_key (s, key);
  g_string_append_printf (s, "%" G_GUINT64_FORMAT, value);
}

static void
j_double (GString *s, const gchar *key, gdouble value)
{
  j_key (s, key);
  _pulse_json_append_double (s, value);
}

static void
j_bool (GString *s, const gchar *key, gboolean value)
{
  j_key (s, key);
  g_string_append (s, value ? "true" : "false");
}

static void
j_null (GString *s, const gchar *key)
{
  j_key (s, key);
  g_string_append (s, "null");
}

static gdouble
round2 (gdouble v)
{
  return round (v * 100.0) / 100.0;
}

/* milliseconds, or null when nothing was measured */
static void
j_latency (GString *s, const gchar *key, guint64 count, gint64 ns)
{
  if (count == 0)
    j_null (s, key);
  else
    j_double (s, key, ns / 1e6);
}

/* ---- what the pipeline tells ---------------------------------------------------- */

static const gchar *
klass_of (PulseElement *element)
{
  const gchar *klass = pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (element));
  return klass != NULL ? klass : "";
}

static gboolean
has_readable (GObject *object, const gchar *name, GType type)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);

  return pspec != NULL && (pspec->flags & G_PARAM_READABLE) &&
      g_type_is_a (pspec->value_type, type);
}

/* topic → frames in its cache (the original's cache_sizes), in pipeline order */
static void
collect_caches (PulseAdminServer *self, GPtrArray *topics, GArray *sizes, guint *n_sources)
{
  g_autoptr (GList) elements = NULL;

  *n_sources = 0;
  if (self->pipeline == NULL)
    return;
  elements = pulse_pipeline_get_elements (self->pipeline);
  for (GList *l = elements; l != NULL; l = l->next) {
    GObject *object = l->data;
    g_autofree gchar *topic = NULL;
    guint frames = 0;

    if (g_str_has_prefix (klass_of (l->data), "Source"))
      (*n_sources)++;
    if (!has_readable (object, "topic", G_TYPE_STRING) ||
        !has_readable (object, "cache-frames", G_TYPE_UINT))
      continue;
    g_object_get (object, "topic", &topic, "cache-frames", &frames, NULL);
    if (topic == NULL)
      continue;
    for (guint i = 0; i < topics->len; i++)
      if (strcmp (g_ptr_array_index (topics, i), topic) == 0) {
        g_array_index (sizes, guint, i) += frames;
        g_clear_pointer (&topic, g_free);
        break;
      }
    if (topic != NULL) {
      g_ptr_array_add (topics, g_steal_pointer (&topic));
      g_array_append_val (sizes, frames);
    }
  }
}

static guint
cache_size_of (GPtrArray *topics, GArray *sizes, const gchar *topic)
{
  for (guint i = 0; i < topics->len; i++)
    if (strcmp (g_ptr_array_index (topics, i), topic) == 0)
      return g_array_index (sizes, guint, i);
  return 0;
}

/* the key stores of the pipeline's authenticators, each once */
static GPtrArray *
collect_auth (PulseAdminServer *self, gboolean *enabled)
{
  GPtrArray *stores = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GList) elements = NULL;

  *enabled = FALSE;
  if (self->pipeline == NULL)
    return stores;
  elements = pulse_pipeline_get_elements (self->pipeline);
  for (GList *l = elements; l != NULL; l = l->next) {
    GObject *object = l->data;

    if (strstr (klass_of (l->data), AUTH_KLASS) != NULL)
      *enabled = TRUE;
    if (has_readable (object, "users", G_TYPE_STRV)) {
      g_auto (GStrv) users = NULL;
      g_object_get (object, "users", &users, NULL);
      if (users != NULL)
        *enabled = TRUE;
    }
    if (has_readable (object, "auth", PULSE_TYPE_AUTH)) {
      PulseAuth *auth = NULL;

      g_object_get (object, "auth", &auth, NULL);
      if (auth == NULL)
        continue;
      if (g_ptr_array_find (stores, auth, NULL))
        g_object_unref (auth);
      else
        g_ptr_array_add (stores, auth);
    }
  }
  return stores;
}

/* ---- the snapshot ------------------------------------------------------------------ */

static void
append_snapshot (PulseAdminServer *self, GString *s)
{
  g_auto (GStrv) names = pulse_stats_list_topics (self->stats);
  g_autoptr (GPtrArray) cache_topics = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) cache_sizes = g_array_new (FALSE, TRUE, sizeof (guint));
  guint n_sources = 0;

  collect_caches (self, cache_topics, cache_sizes, &n_sources);

  j_open (s, NULL, '{');
  j_open (s, "topics", '{');
  for (guint i = 0; names[i] != NULL; i++) {
    PulseStatsMinute current, totals;
    GList *last = pulse_stats_get_history (self->stats, names[i], 1);
    const PulseStatsMinute *prev = last != NULL ? last->data : NULL;

    pulse_stats_get_current (self->stats, names[i], &current);
    pulse_stats_get_totals (self->stats, names[i], &totals);
    j_open (s, names[i], '{');
    j_uint (s, "msg_count_current", current.msg_count);
    j_uint (s, "record_count_current", current.record_count);
    j_uint (s, "bytes_total_current", current.bytes_total);
    j_double (s, "msg_rate_1min", pulse_stats_get_msg_rate_1min (self->stats, names[i]));
    j_uint (s, "history_minutes", pulse_stats_get_history_length (self->stats, names[i]));
    j_double (s, "record_rate_1min", prev != NULL ? round2 (prev->record_count / 60.0) : 0.0);
    j_double (s, "bytes_rate_1min", prev != NULL ? round2 (prev->bytes_total / 60.0) : 0.0);
    j_uint (s, "raw_bytes_current", current.raw_bytes);
    j_uint (s, "drops_current", current.drops);
    j_uint (s, "malformed_current", current.malformed);
    j_latency (s, "latency_p50_ms", current.latency_count, current.latency_p50_ns);
    j_latency (s, "latency_p99_ms", current.latency_count, current.latency_p99_ns);
    j_uint (s, "drops_total", totals.drops);
    j_uint (s, "malformed_total", totals.malformed);
    g_string_append_c (s, '}');
    g_list_free_full (last, (GDestroyNotify) pulse_stats_minute_free);
  }
  g_string_append_c (s, '}');
  j_open (s, "cache_sizes", '{');
  for (guint i = 0; i < cache_topics->len; i++)
    j_uint (s, g_ptr_array_index (cache_topics, i), g_array_index (cache_sizes, guint, i));
  g_string_append_c (s, '}');
  j_double (s, "start_time", pulse_stats_get_start_time (self->stats));
  j_uint (s, "producer_count", n_sources);
  j_double (s, "server_time", g_get_real_time () / (gdouble) G_USEC_PER_SEC);
  j_double (s, "uptime_seconds", round2 (pulse_stats_get_uptime (self->stats)));
  j_str (s, "version", pulse_get_version ());
  j_open (s, "subscribers", '{');
  j_uint (s, "connected", pulse_stats_get_subscriber_count (self->stats));
  j_uint (
      s, "accepted", pulse_stats_get_event_count (self->stats, PULSE_STATS_EVENT_AUTH_SUCCEEDED));
  j_uint (s, "rejected", pulse_stats_get_event_count (self->stats, PULSE_STATS_EVENT_AUTH_FAILED));
  g_string_append (s, "}}");
}

/**
 * pulse_admin_server_build_snapshot:
 * @self: a #PulseAdminServer
 *
 * The realtime snapshot, as `/api/v1/stats/realtime` returns it and each
 * SSE frame carries it: the original's keys in the original's order, then
 * ours (see ADMIN-API.md).
 *
 * Returns: (transfer full): the snapshot, one line of JSON
 */
gchar *
pulse_admin_server_build_snapshot (PulseAdminServer *self)
{
  GString *s;

  g_return_val_if_fail (PULSE_IS_ADMIN_SERVER (self), NULL);
  s = g_string_sized_new (1024);
  append_snapshot (self, s);
  return g_string_free (s, FALSE);
}

/* ---- responses ------------------------------------------------------------------- */

static void
respond (SoupServerMessage *msg, guint status, const gchar *type, GString *body)
{
  gsize len = body->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_TAKE, g_string_free (body, FALSE), len);
}

static void
respond_json (SoupServerMessage *msg, guint status, GString *body)
{
  g_string_append_c (body, '\n');
  respond (msg, status, JSON_TYPE, body);
}

static void
respond_error (SoupServerMessage *msg, guint status, const gchar *text)
{
  GString *s = g_string_new (NULL);

  j_open (s, NULL, '{');
  j_str (s, "error", text);
  g_string_append_c (s, '}');
  respond_json (msg, status, s);
}

/* ---- the endpoints --------------------------------------------------------------- */

static void
handle_topics (PulseAdminServer *self, SoupServerMessage *msg)
{
  g_auto (GStrv) names = pulse_stats_list_topics (self->stats);
  g_autoptr (GPtrArray) cache_topics = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) cache_sizes = g_array_new (FALSE, TRUE, sizeof (guint));
  GString *s = g_string_new (NULL);
  guint n_sources;

  collect_caches (self, cache_topics, cache_sizes, &n_sources);
  j_open (s, NULL, '{');
  j_uint (s, "topic_count", g_strv_length (names));
  j_open (s, "topics", '[');
  for (guint i = 0; names[i] != NULL; i++) {
    PulseStatsMinute current;

    pulse_stats_get_current (self->stats, names[i], &current);
    j_open (s, NULL, '{');
    j_str (s, "topic", names[i]);
    j_double (s, "msg_rate_1min", pulse_stats_get_msg_rate_1min (self->stats, names[i]));
    j_uint (s, "msg_count_current", current.msg_count);
    j_uint (s, "record_count_current", current.record_count);
    j_uint (s, "bytes_total_current", current.bytes_total);
    j_uint (s, "cache_size", cache_size_of (cache_topics, cache_sizes, names[i]));
    g_string_append_c (s, '}');
  }
  g_string_append (s, "]}");
  respond_json (msg, SOUP_STATUS_OK, s);
}

static void
handle_history (
    PulseAdminServer *self, SoupServerMessage *msg, const gchar *topic, GHashTable *query)
{
  g_auto (GStrv) names = pulse_stats_list_topics (self->stats);
  const gchar *text = query != NULL ? g_hash_table_lookup (query, "minutes") : NULL;
  guint retention = pulse_stats_get_retention_minutes (self->stats);
  guint64 minutes = 60;
  GList *history;
  GString *s;

  if (!g_strv_contains ((const gchar *const *) names, topic)) {
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "unknown topic");
    return;
  }
  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 0, retention, &minutes, NULL)) {
    g_autofree gchar *error = g_strdup_printf (
        "bad minutes: \"%s\" is not an integer from 0 to %u", text, retention);
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
    return;
  }

  /* 0: every minute kept, as the original's [-0:] slice did */
  history = pulse_stats_get_history (self->stats, topic, (guint) minutes);
  s = g_string_new (NULL);
  j_open (s, NULL, '{');
  j_str (s, "topic", topic);
  j_uint (s, "minutes", minutes);
  j_open (s, "history", '[');
  for (GList *l = history; l != NULL; l = l->next) {
    const PulseStatsMinute *m = l->data;

    j_open (s, NULL, '{');
    j_int (s, "timestamp", m->timestamp);
    j_uint (s, "msg_count", m->msg_count);
    j_uint (s, "record_count", m->record_count);
    j_uint (s, "bytes_total", m->bytes_total);
    j_double (s, "msg_rate", pulse_stats_minute_get_msg_rate (m));
    j_uint (s, "raw_bytes", m->raw_bytes);
    j_uint (s, "drops", m->drops);
    j_uint (s, "malformed", m->malformed);
    j_latency (s, "latency_p50_ms", m->latency_count, m->latency_p50_ns);
    j_latency (s, "latency_p99_ms", m->latency_count, m->latency_p99_ns);
    g_string_append_c (s, '}');
  }
  g_string_append (s, "]}");
  g_list_free_full (history, (GDestroyNotify) pulse_stats_minute_free);
  respond_json (msg, SOUP_STATUS_OK, s);
}

static void
handle_status (PulseAdminServer *self, SoupServerMessage *msg)
{
  GString *s = g_string_new (NULL);

  j_open (s, NULL, '{');
  j_str (s, "version", pulse_get_version ());
  j_double (s, "start_time", pulse_stats_get_start_time (self->stats));
  j_double (s, "uptime_seconds", round2 (pulse_stats_get_uptime (self->stats)));
  g_string_append_c (s, '}');
  respond_json (msg, SOUP_STATUS_OK, s);
}

static void
handle_healthz (PulseAdminServer *self, SoupServerMessage *msg)
{
  GString *s = g_string_new (NULL);
  PulseState state;

  j_open (s, NULL, '{');
  if (self->pipeline != NULL &&
      (state = pulse_pipeline_get_state (self->pipeline)) != PULSE_STATE_PLAYING) {
    g_autofree gchar *reason = g_strdup_printf (
        "the pipeline is %s, not PLAYING", pulse_state_get_name (state));

    j_str (s, "status", "unavailable");
    j_str (s, "reason", reason);
    g_string_append_c (s, '}');
    respond_json (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, s);
    return;
  }
  j_str (s, "status", "ok");
  g_string_append_c (s, '}');
  respond_json (msg, SOUP_STATUS_OK, s);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar *const *) a, *(const gchar *const *) b);
}

static void
handle_auth (PulseAdminServer *self, SoupServerMessage *msg)
{
  gboolean enabled;
  g_autoptr (GPtrArray) stores = collect_auth (self, &enabled);
  g_autoptr (GHashTable) accepted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) users = g_ptr_array_new ();
  guint64 unknown = 0;
  GString *s = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < stores->len; i++) {
    PulseAuth *auth = g_ptr_array_index (stores, i);
    g_autoptr (GVariant) counters = pulse_auth_get_counters (auth);
    g_auto (GStrv) names = pulse_auth_get_users (auth);
    GVariantIter it;
    const gchar *user;
    guint64 ok, refused;

    for (guint j = 0; names[j] != NULL; j++)
      if (!g_hash_table_contains (accepted, names[j])) {
        g_hash_table_insert (accepted, g_strdup (names[j]), GSIZE_TO_POINTER (0));
        g_hash_table_insert (rejected, g_strdup (names[j]), GSIZE_TO_POINTER (0));
      }
    g_variant_iter_init (&it, counters);
    while (g_variant_iter_next (&it, "{&s(tt)}", &user, &ok, &refused)) {
      if (*user == '\0') {
        unknown += refused;
        continue;
      }
      g_hash_table_insert (accepted, g_strdup (user),
          GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (accepted, user)) + ok));
      g_hash_table_insert (rejected, g_strdup (user),
          GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (rejected, user)) + refused));
    }
  }
  g_hash_table_iter_init (&iter, accepted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (users, key);
  g_ptr_array_sort (users, compare_names);

  j_open (s, NULL, '{');
  j_bool (s, "enabled", enabled);
  j_open (s, "users", '[');
  for (guint i = 0; i < users->len; i++) {
    const gchar *user = g_ptr_array_index (users, i);

    j_open (s, NULL, '{');
    j_str (s, "user", user);
    j_uint (s, "accepted", GPOINTER_TO_SIZE (g_hash_table_lookup (accepted, user)));
    j_uint (s, "rejected", GPOINTER_TO_SIZE (g_hash_table_lookup (rejected, user)));
    g_string_append_c (s, '}');
  }
  g_string_append_c (s, ']');
  j_uint (s, "rejected_unknown", unknown);
  g_string_append_c (s, '}');
  respond_json (msg, SOUP_STATUS_OK, s);
}

static void
append_property (GString *s, GObject *object, GParamSpec *pspec)
{
  g_auto (GValue) value = G_VALUE_INIT;
  const gchar *name = g_param_spec_get_name (pspec);

  g_value_init (&value, pspec->value_type);
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type)) {
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
    case G_TYPE_STRING:
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS: break;
    case G_TYPE_BOXED:
      if (pspec->value_type == G_TYPE_STRV)
        break;
      return;
    default: return; /* objects (a key store) and the like are no scalars */
  }
  g_object_get_property (object, name, &value);
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type)) {
    case G_TYPE_BOOLEAN: j_bool (s, name, g_value_get_boolean (&value)); break;
    case G_TYPE_INT: j_int (s, name, g_value_get_int (&value)); break;
    case G_TYPE_UINT: j_uint (s, name, g_value_get_uint (&value)); break;
    case G_TYPE_LONG: j_int (s, name, g_value_get_long (&value)); break;
    case G_TYPE_ULONG: j_uint (s, name, g_value_get_ulong (&value)); break;
    case G_TYPE_INT64: j_int (s, name, g_value_get_int64 (&value)); break;
    case G_TYPE_UINT64: j_uint (s, name, g_value_get_uint64 (&value)); break;
    case G_TYPE_FLOAT: j_double (s, name, g_value_get_float (&value)); break;
    case G_TYPE_DOUBLE: j_double (s, name, g_value_get_double (&value)); break;
    case G_TYPE_STRING: j_str (s, name, g_value_get_string (&value)); break;
    case G_TYPE_ENUM: {
      g_autoptr (GEnumClass) klass = g_type_class_ref (pspec->value_type);
      GEnumValue *v = g_enum_get_value (klass, g_value_get_enum (&value));

      if (v != NULL)
        j_str (s, name, v->value_nick);
      else
        j_int (s, name, g_value_get_enum (&value));
      break;
    }
    case G_TYPE_FLAGS: {
      g_autofree gchar *text = g_flags_to_string (pspec->value_type, g_value_get_flags (&value));
      j_str (s, name, text);
      break;
    }
    default: {
      const gchar *const *strv = g_value_get_boxed (&value);
      g_autofree gchar *text = strv != NULL ? g_strjoinv (",", (gchar **) strv) : NULL;
      j_str (s, name, text);
      break;
    }
  }
}

static void
append_pad_ref (GString *s, const gchar *key, PulsePad *pad)
{
  g_autofree gchar *ref = NULL;

  if (pad == NULL) {
    j_null (s, key);
    return;
  }
  ref = g_strdup_printf ("%s.%s", pulse_element_get_name (pulse_pad_get_parent_element (pad)),
      pulse_pad_get_name (pad));
  j_str (s, key, ref);
}

static void
handle_pipeline (PulseAdminServer *self, SoupServerMessage *msg)
{
  g_autoptr (GList) elements = NULL;
  g_autofree gchar *description = NULL;
  GString *s = g_string_new (NULL);

  if (self->pipeline != NULL)
    elements = pulse_pipeline_get_elements (self->pipeline);
  if (self->description != NULL)
    description = pulse_parse_redact (self->description);
  else if (self->pipeline != NULL)
    description = pulse_pipeline_describe (self->pipeline);

  j_open (s, NULL, '{');
  j_str (s, "description", description != NULL ? g_strchomp (description) : "");
  j_str (s, "state",
      self->pipeline != NULL ? pulse_state_get_name (pulse_pipeline_get_state (self->pipeline))
                             : "NULL");
  j_open (s, "elements", '[');
  for (GList *l = elements; l != NULL; l = l->next) {
    PulseElement *element = l->data;
    PulseElementFactory *factory = pulse_element_get_factory (element);
    g_autoptr (GList) pads = pulse_element_get_pads (element);
    guint n_pspecs;
    g_autofree GParamSpec **pspecs = g_object_class_list_properties (
        G_OBJECT_GET_CLASS (element), &n_pspecs);

    j_open (s, NULL, '{');
    j_str (s, "name", pulse_element_get_name (element));
    j_str (s, "factory", factory != NULL ? pulse_element_factory_get_name (factory) : NULL);
    j_str (s, "klass", klass_of (element));
    j_str (s, "state", pulse_state_get_name (pulse_element_get_state (element)));
    j_open (s, "properties", '{');
    for (guint i = 0; i < n_pspecs; i++)
      if (pspecs[i]->flags & G_PARAM_READABLE)
        append_property (s, G_OBJECT (element), pspecs[i]);
    g_string_append_c (s, '}');
    j_open (s, "pads", '[');
    for (GList *p = pads; p != NULL; p = p->next) {
      g_autofree gchar *format = pulse_format_to_string (pulse_pad_get_formats (p->data));

      j_open (s, NULL, '{');
      j_str (s, "name", pulse_pad_get_name (p->data));
      j_str (s, "direction", pulse_pad_get_direction (p->data) == PULSE_PAD_SRC ? "src" : "sink");
      j_str (s, "format", format);
      append_pad_ref (s, "peer", pulse_pad_get_peer (p->data));
      g_string_append_c (s, '}');
    }
    g_string_append (s, "]}");
  }
  g_string_append_c (s, ']');
  j_open (s, "links", '[');
  for (GList *l = elements; l != NULL; l = l->next) {
    g_autoptr (GList) pads = pulse_element_get_pads (l->data);

    for (GList *p = pads; p != NULL; p = p->next) {
      PulsePad *peer = pulse_pad_get_peer (p->data);

      if (pulse_pad_get_direction (p->data) != PULSE_PAD_SRC || peer == NULL)
        continue;
      j_open (s, NULL, '{');
      append_pad_ref (s, "from", p->data);
      append_pad_ref (s, "to", peer);
      g_string_append_c (s, '}');
    }
  }
  g_string_append (s, "]}");
  respond_json (msg, SOUP_STATUS_OK, s);
}

/* ---- /metrics: Prometheus text exposition 0.0.4 ------------------------------------ */

static void
prom_label (GString *s, const gchar *value)
{
  g_string_append_c (s, '"');
  for (const gchar *p = value; *p != '\0'; p++) {
    if (*p == '\\')
      g_string_append (s, "\\\\");
    else if (*p == '"')
      g_string_append (s, "\\\"");
    else if (*p == '\n')
      g_string_append (s, "\\n");
    else
      g_string_append_c (s, *p);
  }
  g_string_append_c (s, '"');
}

static void
prom_head (GString *s, const gchar *name, const gchar *type, const gchar *help)
{
  g_string_append_printf (s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
prom_value (GString *s, gdouble v)
{
  g_string_append_c (s, ' ');
  _pulse_json_append_double (s, v);
  g_string_append_c (s, '\n');
}

static void
handle_metrics (PulseAdminServer *self, SoupServerMessage *msg)
{
  static const struct {
    const gchar *name, *help;
    gsize offset;
  } counters[] = {
    { "pulsemq_messages_total", "Messages sent per topic.",
        G_STRUCT_OFFSET (PulseStatsMinute, msg_count) },
    { "pulsemq_records_total", "Records sent per topic.",
        G_STRUCT_OFFSET (PulseStatsMinute, record_count) },
    { "pulsemq_bytes_total", "Payload bytes sent per topic, as compressed on the wire.",
        G_STRUCT_OFFSET (PulseStatsMinute, bytes_total) },
    { "pulsemq_raw_bytes_total", "Payload bytes sent per topic, before compression.",
        G_STRUCT_OFFSET (PulseStatsMinute, raw_bytes) },
    { "pulsemq_drops_total", "Frames dropped per topic.",
        G_STRUCT_OFFSET (PulseStatsMinute, drops) },
    { "pulsemq_malformed_total", "Malformed buffers per topic.",
        G_STRUCT_OFFSET (PulseStatsMinute, malformed) },
  };
  g_auto (GStrv) names = pulse_stats_list_topics (self->stats);
  guint n = g_strv_length (names);
  g_autofree PulseStatsMinute *totals = g_new0 (PulseStatsMinute, n + 1);
  g_autofree PulseStatsMinute *current = g_new0 (PulseStatsMinute, n + 1);
  g_autoptr (GPtrArray) cache_topics = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) cache_sizes = g_array_new (FALSE, TRUE, sizeof (guint));
  gboolean auth_enabled;
  g_autoptr (GPtrArray) stores = collect_auth (self, &auth_enabled);
  GString *s = g_string_sized_new (4096);
  guint n_sources;
  static const gchar *quantiles[] = { "0.5", "0.9", "0.99" };

  collect_caches (self, cache_topics, cache_sizes, &n_sources);
  for (guint i = 0; i < n; i++) {
    pulse_stats_get_totals (self->stats, names[i], &totals[i]);
    pulse_stats_get_current (self->stats, names[i], &current[i]);
  }

  for (guint c = 0; c < G_N_ELEMENTS (counters); c++) {
    prom_head (s, counters[c].name, "counter", counters[c].help);
    for (guint i = 0; i < n; i++) {
      g_string_append_printf (s, "%s{topic=", counters[c].name);
      prom_label (s, names[i]);
      g_string_append_printf (s, "} %" G_GUINT64_FORMAT "\n",
          G_STRUCT_MEMBER (guint64, &totals[i], counters[c].offset));
    }
  }

  /* percentiles of the current minute; the count covers every minute */
  prom_head (s, "pulsemq_send_latency_seconds", "summary",
      "Time from a buffer's creation to its send, in the current minute.");
  for (guint i = 0; i < n; i++) {
    const gint64 values[] = { current[i].latency_p50_ns, current[i].latency_p90_ns,
      current[i].latency_p99_ns };

    for (guint q = 0; q < G_N_ELEMENTS (quantiles) && current[i].latency_count > 0; q++) {
      g_string_append (s, "pulsemq_send_latency_seconds{topic=");
      prom_label (s, names[i]);
      g_string_append_printf (s, ",quantile=\"%s\"}", quantiles[q]);
      prom_value (s, values[q] / 1e9);
    }
    g_string_append (s, "pulsemq_send_latency_seconds_count{topic=");
    prom_label (s, names[i]);
    g_string_append_printf (s, "} %" G_GUINT64_FORMAT "\n", totals[i].latency_count);
  }

  prom_head (s, "pulsemq_cache_frames", "gauge", "Frames in each topic's cache for late joiners.");
  for (guint i = 0; i < cache_topics->len; i++) {
    g_string_append (s, "pulsemq_cache_frames{topic=");
    prom_label (s, g_ptr_array_index (cache_topics, i));
    g_string_append_printf (s, "} %u\n", g_array_index (cache_sizes, guint, i));
  }

  prom_head (s, "pulsemq_subscribers", "gauge", "Subscribers connected now.");
  g_string_append_printf (s, "pulsemq_subscribers %" G_GUINT64_FORMAT "\n",
      pulse_stats_get_subscriber_count (self->stats));
  prom_head (s, "pulsemq_subscriber_events_total", "counter",
      "Subscriber connection and authentication events.");
  {
    static const struct {
      PulseStatsEvent event;
      const gchar *name;
    } events[] = {
      { PULSE_STATS_EVENT_CONNECTED, "connected" },
      { PULSE_STATS_EVENT_DISCONNECTED, "disconnected" },
      { PULSE_STATS_EVENT_AUTH_SUCCEEDED, "auth_succeeded" },
      { PULSE_STATS_EVENT_AUTH_FAILED, "auth_failed" },
    };
    for (guint e = 0; e < G_N_ELEMENTS (events); e++)
      g_string_append_printf (s,
          "pulsemq_subscriber_events_total{event=\"%s\"} %" G_GUINT64_FORMAT "\n", events[e].name,
          pulse_stats_get_event_count (self->stats, events[e].event));
  }

  prom_head (s, "pulsemq_auth_handshakes_total", "counter",
      "Authentication handshakes per user and result (user=\"\": no known user).");
  for (guint i = 0; i < stores->len; i++) {
    g_autoptr (GVariant) counts = pulse_auth_get_counters (g_ptr_array_index (stores, i));
    GVariantIter it;
    const gchar *user;
    guint64 ok, refused;

    g_variant_iter_init (&it, counts);
    while (g_variant_iter_next (&it, "{&s(tt)}", &user, &ok, &refused)) {
      g_string_append (s, "pulsemq_auth_handshakes_total{user=");
      prom_label (s, user);
      g_string_append_printf (s, ",result=\"accepted\"} %" G_GUINT64_FORMAT "\n", ok);
      g_string_append (s, "pulsemq_auth_handshakes_total{user=");
      prom_label (s, user);
      g_string_append_printf (s, ",result=\"rejected\"} %" G_GUINT64_FORMAT "\n", refused);
    }
  }

  prom_head (s, "pulsemq_sse_clients", "gauge", "Admin UI clients on the event stream.");
  g_string_append_printf (s, "pulsemq_sse_clients %u\n", g_hash_table_size (self->clients));
  prom_head (s, "pulsemq_producers", "gauge", "Source elements of the pipeline.");
  g_string_append_printf (s, "pulsemq_producers %u\n", n_sources);
  prom_head (s, "pulsemq_start_time_seconds", "gauge", "When the publisher started, Unix seconds.");
  g_string_append (s, "pulsemq_start_time_seconds");
  prom_value (s, pulse_stats_get_start_time (self->stats));
  prom_head (s, "pulsemq_uptime_seconds", "gauge", "Seconds since the publisher started.");
  g_string_append (s, "pulsemq_uptime_seconds");
  prom_value (s, pulse_stats_get_uptime (self->stats));
  prom_head (s, "pulsemq_info", "gauge", "The version of PulseMQ.");
  g_string_append (s, "pulsemq_info{version=");
  prom_label (s, pulse_get_version ());
  g_string_append (s, "} 1\n");
  respond (msg, SOUP_STATUS_OK, METRICS_TYPE, s);
}

/* ---- the web UI -------------------------------------------------------------------- */

static const gchar *
content_type_of (const gchar *path)
{
  if (g_str_has_suffix (path, ".html"))
    return "text/html; charset=utf-8";
  if (g_str_has_suffix (path, ".js"))
    return "text/javascript; charset=utf-8";
  if (g_str_has_suffix (path, ".css"))
    return "text/css; charset=utf-8";
  if (g_str_has_suffix (path, ".svg"))
    return "image/svg+xml";
  if (g_str_has_suffix (path, ".png"))
    return "image/png";
  if (g_str_has_suffix (path, ".json"))
    return JSON_TYPE;
  return "application/octet-stream";
}

static void
serve_resource (SoupServerMessage *msg, const gchar *rel, gboolean cache)
{
  g_autofree gchar *path = g_strconcat (RESOURCE_PREFIX, rel, NULL);
  g_autoptr (GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize len;
  gconstpointer data;

  if (bytes == NULL) {
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "not found");
    return;
  }
  data = g_bytes_get_data (bytes, &len);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (cache)
    soup_message_headers_replace (
        soup_server_message_get_response_headers (msg), "Cache-Control", "public, max-age=3600");
  /* the resource's bytes live as long as the library: no copy */
  soup_server_message_set_response (msg, content_type_of (rel), SOUP_MEMORY_STATIC, data, len);
}

/* /static/{rel}: the original's rules, checked on the decoded segments: a
 * `..` segment, a leading `/` or a backslash is a bad path. libsoup has
 * already removed dot segments from the path (RFC 3986), so `/static/../x`
 * arrives as `/x`, a 404: nothing ever leaves the resource tree. */
static void
handle_static (SoupServerMessage *msg, const gchar *raw)
{
  g_autofree gchar *rel = g_uri_unescape_string (raw, NULL);
  g_auto (GStrv) segments = NULL;

  if (rel == NULL || *rel == '\0' || *rel == '/' || strchr (rel, '\\') != NULL) {
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, "bad path");
    return;
  }
  segments = g_strsplit (rel, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    if (strcmp (segments[i], "..") == 0) {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "bad path");
      return;
    }
  serve_resource (msg, rel, TRUE);
}

/* ---- Server-Sent Events ------------------------------------------------------------ */

static void
sse_client_free (SseClient *client)
{
  g_signal_handler_disconnect (client->msg, client->finished_id);
  g_signal_handler_disconnect (client->msg, client->wrote_id);
  g_queue_clear (&client->ends);
  g_object_unref (client->msg);
  g_free (client);
}

static void
on_sse_finished (SoupServerMessage *msg, gpointer user_data)
{
  SseClient *client = user_data;

  g_debug ("event stream client gone after %" G_GUINT64_FORMAT " bytes", client->written);
  g_hash_table_remove (client->server->clients, msg);
}

static void
on_sse_wrote (SoupServerMessage *msg, guint size, gpointer user_data)
{
  SseClient *client = user_data;

  client->written += size;
  while (!g_queue_is_empty (&client->ends) &&
      (guint64) GPOINTER_TO_SIZE (g_queue_peek_head (&client->ends)) <= client->written)
    g_queue_pop_head (&client->ends);
  /* nothing more to write until the next tick: wait paused. Unpausing a
   * message that is not paused would start a second writer on it. */
  if (client->written == client->queued && !client->paused && !client->dropped) {
    client->paused = TRUE;
    soup_server_message_pause (msg);
  }
}

static void
sse_append (SseClient *client, GBytes *frame)
{
  SoupMessageBody *body = soup_server_message_get_response_body (client->msg);

  client->queued += g_bytes_get_size (frame);
  g_queue_push_tail (&client->ends, GSIZE_TO_POINTER ((gsize) client->queued));
  soup_message_body_append_bytes (body, frame);
  if (client->paused) {
    client->paused = FALSE;
    soup_server_message_unpause (client->msg);
  }
}

/* Cut the connection: the next write fails and libsoup finishes the
 * message, which removes the client. */
static void
sse_drop (SseClient *client)
{
  GSocket *socket = soup_server_message_get_socket (client->msg);

  client->dropped = TRUE;
  client->server->sse_dropped++;
  g_info ("dropping a slow event stream client: %u frames, %" G_GUINT64_FORMAT " bytes unsent",
      g_queue_get_length (&client->ends), client->queued - client->written);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  soup_message_body_complete (soup_server_message_get_response_body (client->msg));
  if (client->paused) {
    client->paused = FALSE;
    soup_server_message_unpause (client->msg);
  }
}

static gboolean
on_sse_tick (gpointer user_data)
{
  PulseAdminServer *self = user_data;
  g_autoptr (GBytes) frame = NULL;
  g_autoptr (GPtrArray) slow = NULL;
  GString *s;
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (self->clients) == 0)
    return G_SOURCE_CONTINUE;

  /* built once, shared by every client */
  s = g_string_sized_new (1024);
  g_string_append (s, "data: ");
  append_snapshot (self, s);
  g_string_append (s, "\n\n");
  frame = g_string_free_to_bytes (s);

  slow = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->clients);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    SseClient *client = value;

    if (client->dropped)
      continue;
    if (g_queue_get_length (&client->ends) >= SSE_MAX_PENDING_FRAMES ||
        client->queued - client->written >= SSE_MAX_PENDING_BYTES) {
      g_ptr_array_add (slow, client);
      continue;
    }
    sse_append (client, frame);
  }
  /* after the walk: dropping may finish a message and remove its client */
  for (guint i = 0; i < slow->len; i++)
    sse_drop (g_ptr_array_index (slow, i));
  return G_SOURCE_CONTINUE;
}

static void
handle_stream (PulseAdminServer *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SseClient *client;
  static const gchar connected[] = ": connected\n\n";

  if (g_hash_table_size (self->clients) >= self->max_sse_clients) {
    respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "too many event stream clients");
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream; charset=utf-8", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  /* close-delimited, as the original: no Content-Length, no chunking */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_EOF);
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD) {
    soup_message_body_complete (soup_server_message_get_response_body (msg));
    return;
  }
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  client = g_new0 (SseClient, 1);
  client->server = self;
  client->msg = g_object_ref (msg);
  g_queue_init (&client->ends);
  client->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_sse_finished), client);
  client->wrote_id = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_sse_wrote), client);
  g_hash_table_insert (self->clients, msg, client);
  {
    g_autoptr (GBytes) hello = g_bytes_new_static (connected, sizeof connected - 1);
    sse_append (client, hello);
  }
}

/* ---- routing ---------------------------------------------------------------------- */

static gboolean
token_equal (const gchar *given, const gchar *token)
{
  gsize a = strlen (given), b = strlen (token);
  guchar diff = a != b;

  /* time independent of where they differ */
  for (gsize i = 0; i < b; i++)
    diff |= (guchar) given[i % MAX (a, 1)] ^ (guchar) token[i];
  return diff == 0;
}

static gboolean
authorized (PulseAdminServer *self, SoupServerMessage *msg, GHashTable *query)
{
  const gchar *header, *given;

  if (self->token == NULL || *self->token == '\0')
    return TRUE;
  header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Authorization");
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0 &&
      token_equal (header + 7, self->token))
    return TRUE;
  given = query != NULL ? g_hash_table_lookup (query, "token") : NULL;
  return given != NULL && token_equal (given, self->token);
}

static gboolean
too_large (PulseAdminServer *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeadersIter iter;
  const gchar *name, *value;
  guint64 size = strlen (g_uri_get_path (uri));

  if (g_uri_get_query (uri) != NULL)
    size += strlen (g_uri_get_query (uri));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    size += strlen (name) + strlen (value) + 4;
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    size += soup_message_headers_get_content_length (headers);
  return size > self->max_request_bytes;
}

/* before the body is read: an oversized request is refused unread */
static void
on_early_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
    gpointer user_data)
{
  PulseAdminServer *self = user_data;

  if (too_large (self, msg))
    respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "request too large");
}

static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
    gpointer user_data)
{
  PulseAdminServer *self = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  const gchar *raw = g_uri_get_path (soup_server_message_get_uri (msg));
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);

  if (soup_server_message_get_status (msg) != SOUP_STATUS_NONE)
    return; /* answered early */
  if (too_large (self, msg) ||
      (request_body != NULL && request_body->length > 0 &&
          (guint64) request_body->length > self->max_request_bytes)) {
    respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "request too large");
    return;
  }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    soup_message_headers_replace (
        soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
    respond_error (
        msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed: the admin API is read-only");
    return;
  }
  if (strcmp (raw, "/healthz") == 0) {
    handle_healthz (self, msg);
    return;
  }
  if (!authorized (self, msg, query)) {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "WWW-Authenticate", "Bearer realm=\"pulsemq\"");
    respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
    return;
  }

  if (strcmp (raw, "/") == 0 || strcmp (raw, "/index.html") == 0)
    serve_resource (msg, "index.html", FALSE);
  else if (g_str_has_prefix (raw, "/static/"))
    handle_static (msg, raw + strlen ("/static/"));
  else if (strcmp (raw, "/api/v1/stats/realtime") == 0) {
    GString *s = g_string_sized_new (1024);
    append_snapshot (self, s);
    respond_json (msg, SOUP_STATUS_OK, s);
  } else if (strcmp (raw, "/api/v1/stats/stream") == 0)
    handle_stream (self, msg);
  else if (strcmp (raw, "/api/v1/topics") == 0)
    handle_topics (self, msg);
  else if (strcmp (raw, "/api/v1/system/status") == 0)
    handle_status (self, msg);
  else if (strcmp (raw, "/api/v1/pipeline") == 0)
    handle_pipeline (self, msg);
  else if (strcmp (raw, "/api/v1/auth") == 0)
    handle_auth (self, msg);
  else if (strcmp (raw, "/metrics") == 0)
    handle_metrics (self, msg);
  else if (g_str_has_prefix (raw, "/api/v1/topics/") && g_str_has_suffix (raw, "/history") &&
      strlen (raw) > strlen ("/api/v1/topics//history")) {
    /* everything between the prefix and /history, percent-decoded: libsoup
     * may already have decoded "a%2Fb", and a topic may hold a "/" */
    const gchar *start = raw + strlen ("/api/v1/topics/");
    g_autofree gchar *segment = g_strndup (start, strlen (start) - strlen ("/history"));
    g_autofree gchar *topic = g_uri_unescape_string (segment, NULL);

    if (topic == NULL || !g_utf8_validate (topic, -1, NULL))
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "bad topic");
    else
      handle_history (self, msg, topic, query);
  } else
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "not found");
}

/* ---- the object ------------------------------------------------------------------ */

static gboolean
parse_address (const gchar *address, GSocketAddress **out, GError **error)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autofree gchar *host = NULL;
  const gchar *colon;
  guint64 port;

  colon = address != NULL ? strrchr (address, ':') : NULL;
  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &port, NULL)) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
        _ ("bad admin address \"%s\": expected HOST:PORT, e.g. 127.0.0.1:9090"),
        address != NULL ? address : "");
    return FALSE;
  }
  host = g_strndup (address, colon - address);
  /* [::1]:9090 */
  if (host[0] == '[' && host[strlen (host) - 1] == ']') {
    memmove (host, host + 1, strlen (host));
    host[strlen (host) - 1] = '\0';
  }
  if (*host == '\0' || strcmp (host, "*") == 0)
    inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  else if (strcmp (host, "localhost") == 0)
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (host);
  if (inet == NULL) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
        _ ("bad admin address \"%s\": the host must be an IP address or localhost"), address);
    return FALSE;
  }
  *out = g_inet_socket_address_new (inet, (guint16) port);
  return TRUE;
}

/**
 * pulse_admin_server_start:
 * @self: a #PulseAdminServer
 * @error: return location for a #GError (%PULSE_RESOURCE_ERROR_SETTINGS
 *   for a bad #PulseAdminServer:address, %PULSE_RESOURCE_ERROR_BIND when
 *   it cannot be bound)
 *
 * Listens on #PulseAdminServer:address and serves requests from the
 * thread-default main context of the caller, which must run a main loop.
 * Starting a running server does nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_admin_server_start (PulseAdminServer *self, GError **error)
{
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (PULSE_IS_ADMIN_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->server != NULL)
    return TRUE;
  if (!parse_address (self->address, &address, error))
    return FALSE;

  self->server = soup_server_new ("server-header", "pulsemq-admin", NULL);
  soup_server_add_early_handler (self->server, NULL, on_early_request, self, NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  socket = g_socket_new (
      g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &local);
  if (socket != NULL) {
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
    if (!g_socket_bind (socket, address, TRUE, &local) || !g_socket_listen (socket, &local))
      g_clear_object (&socket);
  }
  if (socket == NULL || !soup_server_listen_socket (self->server, socket, 0, &local)) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_BIND,
        _ ("the admin server could not listen on %s: %s"), self->address, local->message);
    g_clear_object (&self->server);
    return FALSE;
  }
  /* from our socket, not soup_server_get_uris(), which leaks an address
   * in libsoup 3.2 */
  bound = g_socket_get_local_address (socket, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (bound)) {
    GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (bound);
    g_autofree gchar *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
    guint port = g_inet_socket_address_get_port (inet);

    self->uri = strchr (host, ':') != NULL ? g_strdup_printf ("http://[%s]:%u/", host, port)
                                           : g_strdup_printf ("http://%s:%u/", host, port);
  }

  self->context = g_main_context_ref_thread_default ();
  self->sse_timer = g_timeout_source_new ((guint) (self->sse_interval * 1000.0));
  g_source_set_callback (self->sse_timer, on_sse_tick, self, NULL);
  g_source_set_static_name (self->sse_timer, "pulse-admin-sse");
  g_source_attach (self->sse_timer, self->context);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
  return TRUE;
}

/**
 * pulse_admin_server_stop:
 * @self: a #PulseAdminServer
 *
 * Stops listening and closes every connection, the event streams
 * included. Stopping a stopped server does nothing.
 */
void
pulse_admin_server_stop (PulseAdminServer *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (PULSE_IS_ADMIN_SERVER (self));

  if (self->server == NULL)
    return;
  if (self->sse_timer != NULL) {
    g_source_destroy (self->sse_timer);
    g_clear_pointer (&self->sse_timer, g_source_unref);
  }
  /* end every event stream; the clients forget their messages before the
   * connections go */
  g_hash_table_iter_init (&iter, self->clients);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    SseClient *client = value;
    GSocket *socket = soup_server_message_get_socket (client->msg);

    client->dropped = TRUE;
    if (socket != NULL)
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
    soup_message_body_complete (soup_server_message_get_response_body (client->msg));
    if (client->paused) {
      client->paused = FALSE;
      soup_server_message_unpause (client->msg);
    }
  }
  /* libsoup finishes the streams and lets go of their connections from
   * the main loop: give it the turns it needs, if the loop is ours, so that
   * nothing outlives the server (a process that exits next would leak
   * them). Bounded: a stuck peer cannot hold up a shutdown. */
  if (g_main_context_acquire (self->context)) {
    gint64 deadline = g_get_monotonic_time () + STOP_WAIT_US;

    while (g_hash_table_size (self->clients) > 0 && g_get_monotonic_time () < deadline)
      if (!g_main_context_iteration (self->context, FALSE))
        g_usleep (1000);
    g_hash_table_remove_all (self->clients);
    soup_server_disconnect (self->server);
    for (guint i = 0; i < 1000 && g_main_context_pending (self->context); i++)
      g_main_context_iteration (self->context, FALSE);
    g_main_context_release (self->context);
  } else {
    g_hash_table_remove_all (self->clients);
    soup_server_disconnect (self->server);
  }
  g_clear_object (&self->server);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->uri, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
}

/**
 * pulse_admin_server_get_uri:
 * @self: a #PulseAdminServer
 *
 * The address the running server listens on, with the port it bound
 * (an address with port 0 picks a free one), e.g.
 * `http://127.0.0.1:9090/`.
 *
 * Returns: (transfer full) (nullable): the URL, or %NULL when not running
 */
gchar *
pulse_admin_server_get_uri (PulseAdminServer *self)
{
  g_return_val_if_fail (PULSE_IS_ADMIN_SERVER (self), NULL);
  return g_strdup (self->uri);
}

/**
 * pulse_admin_server_get_n_sse_clients:
 * @self: a #PulseAdminServer
 *
 * Returns: how many clients are on the event stream now
 */
guint
pulse_admin_server_get_n_sse_clients (PulseAdminServer *self)
{
  g_return_val_if_fail (PULSE_IS_ADMIN_SERVER (self), 0);
  return g_hash_table_size (self->clients);
}

/**
 * pulse_admin_server_new:
 * @address: (nullable): where to listen, `HOST:PORT` (port 0 picks a free
 *   one); %NULL for %PULSE_ADMIN_SERVER_DEFAULT_ADDRESS
 * @pipeline: (nullable): the pipeline to describe, or %NULL
 *
 * Creates an admin server for the default statistics
 * (pulse_stats_get_default()); it listens once started with
 * pulse_admin_server_start().
 *
 * Returns: (transfer full): a new #PulseAdminServer
 */
PulseAdminServer *
pulse_admin_server_new (const gchar *address, PulsePipeline *pipeline)
{
  g_return_val_if_fail (pipeline == NULL || PULSE_IS_PIPELINE (pipeline), NULL);
  return g_object_new (PULSE_TYPE_ADMIN_SERVER, "address",
      address != NULL ? address : PULSE_ADMIN_SERVER_DEFAULT_ADDRESS, "pipeline", pipeline, NULL);
}

static void
pulse_admin_server_init (PulseAdminServer *self)
{
  self->address = g_strdup (PULSE_ADMIN_SERVER_DEFAULT_ADDRESS);
  self->sse_interval = DEFAULT_SSE_INTERVAL;
  self->max_sse_clients = DEFAULT_MAX_SSE_CLIENTS;
  self->max_request_bytes = DEFAULT_MAX_REQUEST_BYTES;
  self->clients = g_hash_table_new_full (
      g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) sse_client_free);
}

static void
pulse_admin_server_constructed (GObject *object)
{
  PulseAdminServer *self = PULSE_ADMIN_SERVER (object);

  G_OBJECT_CLASS (pulse_admin_server_parent_class)->constructed (object);
  if (self->stats == NULL)
    self->stats = g_object_ref (pulse_stats_get_default ());
}

static void
pulse_admin_server_dispose (GObject *object)
{
  PulseAdminServer *self = PULSE_ADMIN_SERVER (object);

  pulse_admin_server_stop (self);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->stats);
  G_OBJECT_CLASS (pulse_admin_server_parent_class)->dispose (object);
}

static void
pulse_admin_server_finalize (GObject *object)
{
  PulseAdminServer *self = PULSE_ADMIN_SERVER (object);

  g_hash_table_unref (self->clients);
  g_free (self->address);
  g_free (self->token);
  g_free (self->description);
  G_OBJECT_CLASS (pulse_admin_server_parent_class)->finalize (object);
}

static void
pulse_admin_server_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseAdminServer *self = PULSE_ADMIN_SERVER (object);

  switch (prop_id) {
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      if (self->address == NULL)
        self->address = g_strdup (PULSE_ADMIN_SERVER_DEFAULT_ADDRESS);
      break;
    case PROP_TOKEN:
      g_free (self->token);
      self->token = g_value_dup_string (value);
      break;
    case PROP_DESCRIPTION:
      g_free (self->description);
      self->description = g_value_dup_string (value);
      break;
    case PROP_PIPELINE: g_set_object (&self->pipeline, g_value_get_object (value)); break;
    case PROP_STATS:
      if (g_value_get_object (value) != NULL)
        g_set_object (&self->stats, g_value_get_object (value));
      break;
    case PROP_SSE_INTERVAL: self->sse_interval = g_value_get_double (value); break;
    case PROP_MAX_SSE_CLIENTS: self->max_sse_clients = g_value_get_uint (value); break;
    case PROP_MAX_REQUEST_BYTES: self->max_request_bytes = g_value_get_uint64 (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
}

static void
pulse_admin_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseAdminServer *self = PULSE_ADMIN_SERVER (object);

  switch (prop_id) {
    case PROP_ADDRESS: g_value_set_string (value, self->address); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_PIPELINE: g_value_set_object (value, self->pipeline); break;
    case PROP_STATS: g_value_set_object (value, self->stats); break;
    case PROP_SSE_INTERVAL: g_value_set_double (value, self->sse_interval); break;
    case PROP_MAX_SSE_CLIENTS: g_value_set_uint (value, self->max_sse_clients); break;
    case PROP_MAX_REQUEST_BYTES: g_value_set_uint64 (value, self->max_request_bytes); break;
    case PROP_URI: g_value_set_string (value, self->uri); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
}

static void
pulse_admin_server_class_init (PulseAdminServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pulse_admin_server_constructed;
  object_class->dispose = pulse_admin_server_dispose;
  object_class->finalize = pulse_admin_server_finalize;
  object_class->set_property = pulse_admin_server_set_property;
  object_class->get_property = pulse_admin_server_get_property;

  /**
   * PulseAdminServer:address:
   *
   * Where to listen: `HOST:PORT`, the host an IP address, `localhost` or
   * `*`; port 0 picks a free one (see #PulseAdminServer:uri). Read at
   * pulse_admin_server_start().
   */
  properties[PROP_ADDRESS] = g_param_spec_string ("address", "Address",
      "Where to listen, HOST:PORT (port 0 picks a free one)", PULSE_ADMIN_SERVER_DEFAULT_ADDRESS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:token:
   *
   * When set, every path but `/healthz` needs `Authorization: Bearer
   * TOKEN` or `?token=TOKEN`. Write-only: it is never shown.
   */
  properties[PROP_TOKEN] = g_param_spec_string ("token", "Token",
      "The bearer token every request but /healthz must carry (write-only; unset: none)", NULL,
      G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:description:
   *
   * The pipeline description to show at `/api/v1/pipeline`, the values
   * of write-only properties replaced by `***`; unset, the graph's links
   * are described instead.
   */
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", "Description",
      "The pipeline description to show (secrets are redacted)", NULL,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:pipeline:
   *
   * The pipeline shown at `/api/v1/pipeline`, whose zmqpubs give the
   * cache sizes and whose authenticators the authentication results; may
   * be %NULL.
   */
  properties[PROP_PIPELINE] = g_param_spec_object ("pipeline", "Pipeline",
      "The pipeline to describe and read counters from", PULSE_TYPE_PIPELINE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:stats:
   *
   * The statistics served; the default instance unless set.
   */
  properties[PROP_STATS] = g_param_spec_object ("stats", "Stats",
      "The statistics to serve (default: the process's default statistics)", PULSE_TYPE_STATS,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:sse-interval:
   *
   * Seconds between two event stream frames. Read at
   * pulse_admin_server_start().
   */
  properties[PROP_SSE_INTERVAL] = g_param_spec_double ("sse-interval", "SSE interval",
      "Seconds between two frames of the event stream", 0.01, 3600.0, DEFAULT_SSE_INTERVAL,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:max-sse-clients:
   *
   * Event stream clients served at once; more get 503.
   */
  properties[PROP_MAX_SSE_CLIENTS] = g_param_spec_uint ("max-sse-clients", "Max SSE clients",
      "Event stream clients served at once; more are refused with 503", 0, G_MAXUINT,
      DEFAULT_MAX_SSE_CLIENTS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:max-request-bytes:
   *
   * Bound on a request's size (path, headers and body); larger ones get
   * 413.
   */
  properties[PROP_MAX_REQUEST_BYTES] = g_param_spec_uint64 ("max-request-bytes",
      "Max request bytes", "Largest request accepted (path, headers and body); larger get 413", 256,
      G_MAXUINT64, DEFAULT_MAX_REQUEST_BYTES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseAdminServer:uri:
   *
   * The URL the running server listens on, with the port bound, or
   * %NULL when it is not running.
   */
  properties[PROP_URI] = g_param_spec_string ("uri", "URI",
      "The URL the server listens on, with the port bound (while running)", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}
