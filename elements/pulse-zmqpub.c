/* PulseMQ — zmqpub: publishes on a ZeroMQ PUB socket
 *
 *   pulse-launch "timer interval=0.5 ! msgpack ! lz4 ! zmqpub topic=sh_market"
 *   pulse-launch "timer ! zmqpub topic=x"          (records go out as msgpack)
 *
 * Sends each buffer as the original's 4-frame message: topic, meta
 * (DATA, flags from the buffer's serializer and compression, record
 * count), timestamp, payload. Every zmqpub of the process with the same
 * `bind` shares one socket, owned by one thread (see pulse-endpoint.c);
 * this element only queues frames to it, without copying payloads.
 *
 * Slow subscribers. With SNDHWM 0 (the original's default, kept) ZeroMQ
 * queues without limit for a subscriber that does not read, and the
 * publisher's memory grows with it. `max-queue-bytes` bounds the payload
 * bytes of this topic that the process holds (queued to the endpoint or
 * inside ZeroMQ, until written to every peer's socket); when the next
 * frame would pass it, `overflow` decides: `block` waits for ZeroMQ to
 * write frames out (the pipeline slows to the slowest subscriber, nothing
 * is lost), `drop` drops the frame for every subscriber, counts it and
 * warns on the bus. A per-subscriber bound is `sndhwm`, in messages.
 *
 * Draining. At end-of-stream the element waits until ZeroMQ has written
 * out every payload it accepted, so a publisher that exits after EOS has
 * lost nothing; it gives up after `linger` milliseconds without progress
 * (a subscriber that stopped reading), as ZMQ_LINGER would.
 *
 * With cache-size > 0 the endpoint keeps the last frames of the topic
 * (bounded in frames and in bytes), and with `snapshot` set it serves them
 * to late joiners on a ROUTER socket: see pulse-topic-cache.c and the
 * README section "Late joiners: the topic snapshot".
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pulse-plainauth.h"
#include "pulse-private.h"
#include "pulse-stats-private.h"
#include "pulse-zmqpub.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-zmqpub"

#define DEFAULT_TOPIC NULL
#define DEFAULT_BIND "tcp://*:5555"
#define DEFAULT_SNDHWM 0
#define DEFAULT_LINGER 1000
#define DEFAULT_HEARTBEAT 0.0
/* the original kept 100,000 frames per topic with no byte bound, which
 * can hold gigabytes of payload; 100 frames and 16 MiB are enough for a
 * late joiner to see the recent state */
#define DEFAULT_CACHE_SIZE 100
#define DEFAULT_CACHE_MAX_BYTES (16 * 1024 * 1024)
#define DEFAULT_SNAPSHOT NULL
/* on EOS, wait this long for queued frames to reach ZeroMQ */
#define FLUSH_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define DEFAULT_MAX_QUEUE_BYTES 0
#define DEFAULT_OVERFLOW PULSE_ZMQ_PUB_OVERFLOW_DROP
#define WARN_FIRST 10
#define WARN_EVERY 1000
/* a blocked chain or a draining EOS looks at its pad this often */
#define POLL_US (100 * 1000)

struct _PulseZmqPub {
  PulseElement parent_instance;

  gchar *topic;
  gchar *bind;
  gint sndhwm;
  gint linger;
  gdouble heartbeat;
  guint64 max_queue_bytes;
  PulseZmqPubOverflow overflow;

  PulsePad *sinkpad;
  gsize topic_len;
  PulseEndpoint *endpoint;
  PulseSendBudget *budget;
  guint64 sent; /* atomic, like the two below */
  guint64 records;
  guint64 bytes;
  guint64 dropped;
  guint64 overflowed; /* of dropped: by overflow=drop */

  guint cache_size;
  guint64 cache_max_bytes;
  gchar *snapshot;
  PulseTopicCache *cache; /* READY and later, when cache_size > 0 */
  PulseStatsTopic *stats; /* this topic in pulse_stats_get_default (), from READY */
};

enum {
  PROP_0,
  PROP_TOPIC,
  PROP_BIND,
  PROP_SNDHWM,
  PROP_LINGER,
  PROP_HEARTBEAT,
  PROP_ENDPOINT,
  PROP_SENT,
  PROP_RECORDS,
  PROP_BYTES,
  PROP_DROPPED,
  PROP_MAX_QUEUE_BYTES,
  PROP_OVERFLOW,
  PROP_QUEUED_BYTES,
  PROP_USERS,
  PROP_CACHE_SIZE,
  PROP_CACHE_MAX_BYTES,
  PROP_SNAPSHOT,
  PROP_CACHE_FRAMES,
  PROP_CACHE_BYTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (PulseZmqPubOverflow, pulse_zmq_pub_overflow,
    G_DEFINE_ENUM_VALUE (PULSE_ZMQ_PUB_OVERFLOW_BLOCK, "block"),
    G_DEFINE_ENUM_VALUE (PULSE_ZMQ_PUB_OVERFLOW_DROP, "drop"))

G_DEFINE_FINAL_TYPE (PulseZmqPub, pulse_zmq_pub, PULSE_TYPE_ELEMENT)
#define parent_class pulse_zmq_pub_parent_class

static gboolean
should_warn (guint64 n)
{
  return n <= WARN_FIRST || n % WARN_EVERY == 0;
}

static void
drop (PulseZmqPub *self, const GError *error)
{
  guint64 n = __atomic_add_fetch (&self->dropped, 1, __ATOMIC_RELAXED);

  pulse_stats_topic_add_malformed (self->stats, 1);
  if (should_warn (n))
    PULSE_ELEMENT_WARNING (self, STREAM, ENCODE,
        (_ ("%s did not send a buffer on topic \"%s\" (%llu so far): %s"),
            pulse_element_get_name (PULSE_ELEMENT (self)), self->topic, (unsigned long long) n,
            error->message),
        (NULL));
}

static void
drop_overflow (PulseZmqPub *self)
{
  guint64 n = __atomic_add_fetch (&self->dropped, 1, __ATOMIC_RELAXED);
  guint64 o = __atomic_add_fetch (&self->overflowed, 1, __ATOMIC_RELAXED);

  pulse_stats_topic_add_drops (self->stats, 1);

  if (should_warn (o))
    PULSE_ELEMENT_WARNING (self, RESOURCE, WRITE,
        (_ ("%s dropped a frame on topic \"%s\": more than max-queue-bytes=%llu are waiting for a "
            "slow subscriber (%llu dropped so far)"),
            pulse_element_get_name (PULSE_ELEMENT (self)), self->topic,
            (unsigned long long) self->max_queue_bytes, (unsigned long long) n),
        ("held %" G_GUINT64_FORMAT " bytes", _pulse_send_budget_get_held (self->budget)));
}

/* overflow=block: waits until the frame fits, or the pipeline stops */
static gboolean
wait_for_room (PulseZmqPub *self, gsize charge)
{
  guint64 target = charge < self->max_queue_bytes ? self->max_queue_bytes - charge : 0;

  while (_pulse_send_budget_would_exceed (self->budget, charge)) {
    if (_pulse_pad_is_flushing (self->sinkpad))
      return FALSE;
    _pulse_send_budget_wait (self->budget, target, g_get_monotonic_time () + POLL_US);
  }
  return TRUE;
}

static PulseFlowReturn
pulse_zmq_pub_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulseZmqPub *self = PULSE_ZMQ_PUB (element);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) payload = NULL;
  PulseSerializer serializer = pulse_buffer_get_serializer (buffer);
  PulseCompression compression = pulse_buffer_get_compression (buffer);
  guint32 count = pulse_buffer_get_record_count (buffer);
  gsize charge;
  gint64 created = pulse_buffer_get_timestamp_ns (buffer);

  if (!pulse_protocol_check_record_count (count, &error))
    goto refused;
  if (pulse_buffer_get_format (buffer) == PULSE_FORMAT_RECORDS) {
    /* the original's defaults: msgpack, no compression */
    serializer = PULSE_SERIALIZER_MSGPACK;
    compression = PULSE_COMPRESSION_NONE;
    payload = pulse_serialize (serializer, buffer, &error);
    if (payload == NULL)
      goto refused;
  } else {
    payload = g_bytes_ref (pulse_buffer_get_bytes (buffer));
  }

  charge = _pulse_send_budget_charge_for (self->budget, self->topic_len, payload);
  if (G_UNLIKELY (_pulse_send_budget_would_exceed (self->budget, charge))) {
    if (self->overflow == PULSE_ZMQ_PUB_OVERFLOW_DROP) {
      drop_overflow (self);
      pulse_buffer_unref (buffer);
      return PULSE_FLOW_OK;
    }
    if (!wait_for_room (self, charge)) {
      pulse_buffer_unref (buffer);
      return PULSE_FLOW_FLUSHING;
    }
  }

  _pulse_endpoint_send (self->endpoint, self->topic, PULSE_MSG_TYPE_DATA,
      pulse_protocol_make_flags (serializer, compression), count, payload, self->budget);
  __atomic_fetch_add (&self->sent, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add (&self->records, count, __ATOMIC_RELAXED);
  __atomic_fetch_add (&self->bytes, g_bytes_get_size (payload), __ATOMIC_RELAXED);
  /* latency: from the buffer's creation (the source's timestamp) to now */
  pulse_stats_topic_add_frame (self->stats, count, g_bytes_get_size (payload),
      _pulse_stats_raw_size (compression, payload),
      created > 0 ? pulse_util_get_real_time_ns () - created : -1);
  pulse_buffer_unref (buffer);
  return PULSE_FLOW_OK;

refused:
  drop (self, error);
  pulse_buffer_unref (buffer);
  return PULSE_FLOW_OK;
}

/* Waits until ZeroMQ has written out every payload of this topic, so that
 * a process exiting after EOS loses nothing. Subscribers that keep
 * reading are waited for however long it takes; one that stopped reading
 * is given up on after `linger` ms without progress. */
static void
drain (PulseZmqPub *self)
{
  gint64 linger_us = self->linger < 0 ? G_MAXINT64 : self->linger * (gint64) 1000;
  guint64 last = _pulse_send_budget_get_held (self->budget);
  gint64 deadline = g_get_monotonic_time () + MIN (linger_us, G_MAXINT64 / 2);

  while (!_pulse_send_budget_wait (
      self->budget, 0, MIN (deadline, g_get_monotonic_time () + POLL_US))) {
    guint64 held = _pulse_send_budget_get_held (self->budget);
    gint64 now = g_get_monotonic_time ();

    if (_pulse_pad_is_flushing (self->sinkpad))
      return;
    if (held < last) {
      last = held;
      deadline = now + MIN (linger_us, G_MAXINT64 / 2);
    } else if (now >= deadline) {
      PULSE_ELEMENT_WARNING (self, RESOURCE, WRITE,
          (_ ("%s: %llu bytes on topic \"%s\" not sent: no subscriber read for linger=%d ms"),
              pulse_element_get_name (PULSE_ELEMENT (self)), (unsigned long long) held, self->topic,
              self->linger),
          (NULL));
      return;
    }
  }
}

static void
pulse_zmq_pub_sink_eos (PulseElement *element, PulsePad *pad)
{
  PulseZmqPub *self = PULSE_ZMQ_PUB (element);

  /* everything accepted reaches ZeroMQ before the pipeline says EOS */
  if (self->endpoint != NULL && !_pulse_endpoint_flush (self->endpoint, FLUSH_TIMEOUT_US))
    PULSE_ELEMENT_WARNING (self, RESOURCE, WRITE,
        (_ ("%s: frames still queued after 30 s"), pulse_element_get_name (element)), (NULL));
  if (self->budget != NULL)
    drain (self);
  PULSE_ELEMENT_CLASS (parent_class)->sink_eos (element, pad);
}

static PulsePlainAuth *
upstream_auth (PulseZmqPub *pub)
{
  PulsePad *peer = pulse_pad_get_peer (pub->sinkpad);
  PulseElement *prev = peer != NULL ? pulse_pad_get_parent_element (peer) : NULL;

  return prev != NULL && PULSE_IS_PLAIN_AUTH (prev) ? PULSE_PLAIN_AUTH (prev) : NULL;
}

/* Who may subscribe to this zmqpub's endpoint: the keys of every plainauth
 * that feeds a zmqpub of the same bind in this pipeline (one endpoint, one
 * key store), else those of PULSEMQ_API_KEYS, else anyone. Decided before
 * the bind, by whichever zmqpub of the bind gets there first. */
static gboolean
collect_security (
    PulseZmqPub *self, PulseAuth **auth, gchar **curve, gboolean *access, GError **error)
{
  PulsePipeline *pipeline = pulse_element_get_pipeline (PULSE_ELEMENT (self));
  g_autoptr (GList) elements = NULL;
  g_autoptr (GPtrArray) feeders = g_ptr_array_new ();
  const gchar *env = g_getenv ("PULSEMQ_API_KEYS");

  if (pipeline != NULL)
    elements = pulse_pipeline_get_elements (pipeline);
  else
    elements = g_list_prepend (NULL, self);
  for (GList *l = elements; l != NULL; l = l->next) {
    PulsePlainAuth *pa;
    if (!PULSE_IS_ZMQ_PUB (l->data) || g_strcmp0 (PULSE_ZMQ_PUB (l->data)->bind, self->bind) != 0)
      continue;
    pa = upstream_auth (l->data);
    if (pa != NULL && !g_ptr_array_find (feeders, pa, NULL))
      g_ptr_array_add (feeders, pa);
  }

  *auth = NULL;
  *curve = NULL;
  *access = FALSE;
  for (guint i = 0; i < feeders->len; i++) {
    g_auto (GStrv) allow = _pulse_plain_auth_dup_allow (feeders->pdata[i]);
    *access = *access || allow != NULL;
  }
  if (feeders->len == 0) {
    if (env == NULL || *env == '\0')
      return TRUE;
    *auth = pulse_auth_new ();
    if (!pulse_auth_add_keys (*auth, env, error)) {
      g_prefix_error (error, "PULSEMQ_API_KEYS: ");
      g_clear_object (auth);
      return FALSE;
    }
    return TRUE;
  }

  *auth = pulse_auth_new ();
  for (guint i = 0; i < feeders->len; i++) {
    const gchar *secret;

    if (!_pulse_plain_auth_load_keys (feeders->pdata[i], *auth, error))
      goto failed;
    secret = _pulse_plain_auth_get_curve_secret (feeders->pdata[i]);
    if (i > 0 && g_strcmp0 (secret, *curve) != 0) {
      g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CONFLICT,
          _ ("the plainauth elements feeding %s disagree on curve-secret-key"), self->bind);
      goto failed;
    }
    g_free (*curve);
    *curve = g_strdup (secret);
  }
  return TRUE;

failed:
  g_clear_object (auth);
  g_clear_pointer (curve, g_free);
  return FALSE;
}

static gboolean
acquire_endpoint (PulseZmqPub *self, GError **error)
{
  g_autoptr (PulseAuth) auth = NULL;
  g_autofree gchar *curve = NULL;
  PulseEndpointSecurity security = { 0 };
  PulsePlainAuth *mine;

  if (!collect_security (self, &auth, &curve, &security.access_control, error))
    return FALSE;
  security.auth = auth;
  security.curve_secret = curve;
  self->endpoint = _pulse_endpoint_acquire_full (
      self->bind, self->sndhwm, self->linger, &security, error);
  if (curve != NULL)
    memset (curve, 0, strlen (curve));
  if (self->endpoint == NULL)
    return FALSE;
  mine = upstream_auth (self);
  if (_pulse_endpoint_has_access_control (self->endpoint)) {
    g_auto (GStrv) readers = mine != NULL ? _pulse_plain_auth_dup_allow (mine) : NULL;
    if (!_pulse_endpoint_set_access (
            self->endpoint, self->topic, (const gchar *const *) readers, error)) {
      _pulse_endpoint_release (g_steal_pointer (&self->endpoint));
      return FALSE;
    }
  }
  if (mine != NULL)
    _pulse_plain_auth_attach (mine, _pulse_endpoint_get_auth (self->endpoint));
  return TRUE;
}

static void
stop_cache (PulseZmqPub *self)
{
  if (self->cache == NULL)
    return;
  _pulse_endpoint_remove_cache (self->endpoint, self->topic);
  g_clear_pointer (&self->cache, _pulse_topic_cache_unref);
}

/* The topic cache and, if asked, the snapshot socket: startup errors of
 * the element, like a bind that fails. */
static gboolean
start_cache (PulseZmqPub *self, GError **error)
{
  PulseElement *element = PULSE_ELEMENT (self);

  if (self->cache_size > 0)
    self->cache = _pulse_endpoint_add_cache (
        self->endpoint, self->topic, self->cache_size, self->cache_max_bytes);
  if (self->snapshot == NULL || *self->snapshot == '\0')
    return TRUE;
  if (!_pulse_endpoint_serve_snapshots (self->endpoint, self->snapshot, error)) {
    stop_cache (self);
    return FALSE;
  }
  /* tools and tests read the port ZeroMQ picked from this message */
  pulse_element_message_full (element, PULSE_MESSAGE_INFO, PULSE_RESOURCE_ERROR,
      PULSE_RESOURCE_ERROR_BIND,
      g_strdup_printf (_ ("serving snapshots of topic \"%s\" on %s"), self->topic,
          _pulse_endpoint_get_snapshot_address (self->endpoint)),
      NULL, __FILE__, G_STRFUNC, __LINE__);
  return TRUE;
}

static gboolean
pulse_zmq_pub_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseZmqPub *self = PULSE_ZMQ_PUB (element);

  switch (transition) {
    case PULSE_STATE_CHANGE_NULL_TO_READY:
      if (self->topic == NULL || *self->topic == '\0') {
        g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
            _ ("%s needs a topic, e.g. zmqpub topic=sh_market"), pulse_element_get_name (element));
        return FALSE;
      }
      if (!acquire_endpoint (self, error))
        return FALSE;
      self->topic_len = strlen (self->topic);
      self->budget = _pulse_send_budget_new (self->max_queue_bytes);
      if (!start_cache (self, error)) {
        _pulse_endpoint_release (g_steal_pointer (&self->endpoint));
        g_clear_pointer (&self->budget, _pulse_send_budget_unref);
        return FALSE;
      }
      self->stats = pulse_stats_get_topic (pulse_stats_get_default (), self->topic);
      if (self->heartbeat > 0)
        _pulse_endpoint_add_heartbeat (self->endpoint, self->topic, self->heartbeat);
      pulse_element_message_full (element, PULSE_MESSAGE_INFO, PULSE_RESOURCE_ERROR,
          PULSE_RESOURCE_ERROR_BIND,
          g_strdup_printf (_ ("publishing topic \"%s\" on %s"), self->topic,
              _pulse_endpoint_get_address (self->endpoint)),
          NULL, __FILE__, G_STRFUNC, __LINE__);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINT]);
      break;
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      __atomic_store_n (&self->dropped, 0, __ATOMIC_RELAXED);
      __atomic_store_n (&self->overflowed, 0, __ATOMIC_RELAXED);
      break;
    case PULSE_STATE_CHANGE_READY_TO_NULL:
      if (self->endpoint != NULL) {
        if (self->heartbeat > 0)
          _pulse_endpoint_remove_heartbeat (self->endpoint, self->topic);
        stop_cache (self);
        _pulse_endpoint_release (g_steal_pointer (&self->endpoint));
      }
      g_clear_pointer (&self->budget, _pulse_send_budget_unref);
      g_clear_pointer (&self->stats, pulse_stats_topic_unref);
      break;
    default: break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

static void
pulse_zmq_pub_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseZmqPub *self = PULSE_ZMQ_PUB (object);

  switch (prop_id) {
    case PROP_TOPIC:
      g_free (self->topic);
      self->topic = g_value_dup_string (value);
      break;
    case PROP_BIND:
      g_free (self->bind);
      self->bind = g_value_dup_string (value);
      if (self->bind == NULL)
        self->bind = g_strdup (DEFAULT_BIND);
      break;
    case PROP_SNDHWM: self->sndhwm = g_value_get_int (value); break;
    case PROP_LINGER: self->linger = g_value_get_int (value); break;
    case PROP_HEARTBEAT: self->heartbeat = g_value_get_double (value); break;
    case PROP_MAX_QUEUE_BYTES: self->max_queue_bytes = g_value_get_uint64 (value); break;
    case PROP_OVERFLOW: self->overflow = g_value_get_enum (value); break;
    case PROP_CACHE_SIZE: self->cache_size = g_value_get_uint (value); break;
    case PROP_CACHE_MAX_BYTES: self->cache_max_bytes = g_value_get_uint64 (value); break;
    case PROP_SNAPSHOT:
      g_free (self->snapshot);
      self->snapshot = g_value_dup_string (value);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_zmq_pub_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseZmqPub *self = PULSE_ZMQ_PUB (object);

  switch (prop_id) {
    case PROP_TOPIC: g_value_set_string (value, self->topic); break;
    case PROP_BIND: g_value_set_string (value, self->bind); break;
    case PROP_SNDHWM: g_value_set_int (value, self->sndhwm); break;
    case PROP_LINGER: g_value_set_int (value, self->linger); break;
    case PROP_HEARTBEAT: g_value_set_double (value, self->heartbeat); break;
    case PROP_ENDPOINT:
      g_value_set_string (
          value, self->endpoint != NULL ? _pulse_endpoint_get_address (self->endpoint) : NULL);
      break;
    case PROP_SENT:
      g_value_set_uint64 (value, __atomic_load_n (&self->sent, __ATOMIC_RELAXED));
      break;
    case PROP_RECORDS:
      g_value_set_uint64 (value, __atomic_load_n (&self->records, __ATOMIC_RELAXED));
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, __atomic_load_n (&self->bytes, __ATOMIC_RELAXED));
      break;
    case PROP_DROPPED:
      g_value_set_uint64 (value, __atomic_load_n (&self->dropped, __ATOMIC_RELAXED));
      break;
    case PROP_MAX_QUEUE_BYTES: g_value_set_uint64 (value, self->max_queue_bytes); break;
    case PROP_OVERFLOW: g_value_set_enum (value, self->overflow); break;
    case PROP_USERS: {
      PulseAuth *auth = self->endpoint != NULL ? _pulse_endpoint_get_auth (self->endpoint) : NULL;
      g_value_take_boxed (value, auth != NULL ? pulse_auth_get_users (auth) : NULL);
      break;
    }
    case PROP_QUEUED_BYTES:
      g_value_set_uint64 (
          value, self->budget != NULL ? _pulse_send_budget_get_held (self->budget) : 0);
      break;
    case PROP_CACHE_SIZE: g_value_set_uint (value, self->cache_size); break;
    case PROP_CACHE_MAX_BYTES: g_value_set_uint64 (value, self->cache_max_bytes); break;
    case PROP_SNAPSHOT: g_value_set_string (value, self->snapshot); break;
    case PROP_CACHE_FRAMES:
      g_value_set_uint (
          value, self->cache != NULL ? _pulse_topic_cache_get_n_frames (self->cache) : 0);
      break;
    case PROP_CACHE_BYTES:
      g_value_set_uint64 (
          value, self->cache != NULL ? _pulse_topic_cache_get_n_bytes (self->cache) : 0);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_zmq_pub_finalize (GObject *object)
{
  PulseZmqPub *self = PULSE_ZMQ_PUB (object);

  if (self->endpoint != NULL)
    _pulse_endpoint_release (self->endpoint);
  g_clear_pointer (&self->budget, _pulse_send_budget_unref);
  g_clear_pointer (&self->cache, _pulse_topic_cache_unref);
  g_clear_pointer (&self->stats, pulse_stats_topic_unref);
  g_free (self->topic);
  g_free (self->bind);
  g_free (self->snapshot);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_zmq_pub_class_init (PulseZmqPubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_zmq_pub_set_property;
  object_class->get_property = pulse_zmq_pub_get_property;
  object_class->finalize = pulse_zmq_pub_finalize;
  element_class->chain = pulse_zmq_pub_chain;
  element_class->sink_eos = pulse_zmq_pub_sink_eos;
  element_class->change_state = pulse_zmq_pub_change_state;

  properties[PROP_TOPIC] = g_param_spec_string ("topic", "Topic",
      "The topic (frame 1) of every message; subscribers match it by prefix", DEFAULT_TOPIC,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIND] = g_param_spec_string ("bind", "Bind",
      "ZeroMQ address to bind; zmqpubs with the same bind share one socket "
      "(default: $PULSEMQ_BIND, else tcp://*:5555; tcp://127.0.0.1:* picks a free port)",
      DEFAULT_BIND, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SNDHWM] = g_param_spec_int ("sndhwm", "Send high-water mark",
      "ZMQ_SNDHWM: messages queued per subscriber before ZeroMQ drops (0 = no limit)", 0, G_MAXINT,
      DEFAULT_SNDHWM, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINGER] = g_param_spec_int ("linger", "Linger",
      "ZMQ_LINGER: milliseconds to keep sending queued messages after close (-1 = until sent)", -1,
      G_MAXINT, DEFAULT_LINGER, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEARTBEAT] = pulse_param_spec_duration ("heartbeat", "Heartbeat",
      "Send a PING on the topic after this long without data (0 = off: the original's "
      "subscribers cannot decode PING)",
      0.0, 3600.0, DEFAULT_HEARTBEAT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINT] = g_param_spec_string ("endpoint", "Endpoint",
      "The address bound, with the port ZeroMQ picked (READY and later)", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SENT] = g_param_spec_uint64 ("sent", "Sent", "Messages sent", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDS] = g_param_spec_uint64 ("records", "Records",
      "Records sent (the sum of record counts)", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", "Bytes", "Payload bytes sent", 0,
      G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DROPPED] = g_param_spec_uint64 ("dropped", "Dropped",
      "Buffers not sent: too many records, records msgpack cannot represent, or dropped by "
      "overflow=drop",
      0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_QUEUE_BYTES] = g_param_spec_uint64 ("max-queue-bytes", "Max queue bytes",
      "Bound on the payload bytes of this topic waiting to be sent to slow subscribers; "
      "see overflow (0 = no bound, as the original)",
      0, G_MAXUINT64, DEFAULT_MAX_QUEUE_BYTES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERFLOW] = g_param_spec_enum ("overflow", "Overflow",
      "When max-queue-bytes is reached: block the pipeline until subscribers catch up, or drop "
      "the frame and count it",
      PULSE_TYPE_ZMQ_PUB_OVERFLOW, DEFAULT_OVERFLOW, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERS] = g_param_spec_boxed ("users", "Users",
      "The users that may subscribe, when the endpoint demands keys (plainauth or "
      "PULSEMQ_API_KEYS); none when anyone may (READY and later)",
      G_TYPE_STRV, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUEUED_BYTES] = g_param_spec_uint64 ("queued-bytes", "Queued bytes",
      "Payload bytes of this topic accepted and not yet written out by ZeroMQ", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqPub:cache-size:
   *
   * Frames of the topic kept for late joiners (the original's topic
   * buffer); 0 keeps none. The original kept 100,000 with no byte bound.
   */
  properties[PROP_CACHE_SIZE] = g_param_spec_uint ("cache-size", "Cache size",
      "Frames of the topic kept for late joiners, oldest evicted first (0 = no cache; the "
      "original's 100000 risks gigabytes, see cache-max-bytes)",
      0, G_MAXUINT, DEFAULT_CACHE_SIZE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqPub:cache-max-bytes:
   *
   * Payload bytes of the topic kept at most; 0 for no bound in bytes.
   */
  properties[PROP_CACHE_MAX_BYTES] = g_param_spec_uint64 ("cache-max-bytes", "Cache max bytes",
      "Payload bytes of the topic kept at most, oldest frames evicted first (0 = no bound in bytes)",
      0, G_MAXUINT64, DEFAULT_CACHE_MAX_BYTES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqPub:snapshot:
   *
   * ZeroMQ address of a ROUTER socket that serves the cached frames of
   * every topic of the bind to late joiners, or %NULL for none.
   */
  properties[PROP_SNAPSHOT] = g_param_spec_string ("snapshot", "Snapshot",
      "ZeroMQ address to bind a ROUTER socket that sends the cached frames to a client asking "
      "with a topic prefix (unset = off; zmqpubs with the same bind share it)",
      DEFAULT_SNAPSHOT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqPub:cache-frames:
   *
   * Frames in the topic cache now: the original's cache_size.
   */
  properties[PROP_CACHE_FRAMES] = g_param_spec_uint ("cache-frames", "Cache frames",
      "Frames in the topic cache now (the original's cache_size)", 0, G_MAXUINT, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqPub:cache-bytes:
   *
   * Payload bytes in the topic cache now.
   */
  properties[PROP_CACHE_BYTES] = g_param_spec_uint64 ("cache-bytes", "Cache bytes",
      "Payload bytes in the topic cache now", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "ZeroMQ publisher", "Sink/Network",
      "Publishes buffers as PulseMQ messages on a ZeroMQ PUB socket shared per bind address",
      "timer interval=0.5 count=4 ! msgpack ! lz4 ! zmqpub topic=sh_market bind=tcp://127.0.0.1:*");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS,
          PULSE_FORMAT_RECORDS | PULSE_FORMAT_SERIALIZED | PULSE_FORMAT_COMPRESSED));
}

static void
pulse_zmq_pub_init (PulseZmqPub *self)
{
  const gchar *bind = g_getenv ("PULSEMQ_BIND");

  self->bind = g_strdup (bind != NULL && *bind != '\0' ? bind : DEFAULT_BIND);
  self->sndhwm = DEFAULT_SNDHWM;
  self->linger = DEFAULT_LINGER;
  self->heartbeat = DEFAULT_HEARTBEAT;
  self->max_queue_bytes = DEFAULT_MAX_QUEUE_BYTES;
  self->overflow = DEFAULT_OVERFLOW;
  self->sinkpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
  self->cache_size = DEFAULT_CACHE_SIZE;
  self->cache_max_bytes = DEFAULT_CACHE_MAX_BYTES;
}
