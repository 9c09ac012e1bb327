/* PulseMQ — the publishing endpoint: one PUB socket per bind address
 *
 * Every zmqpub of a process that names the same bind shares one endpoint.
 * A ZeroMQ socket is not thread-safe, so the endpoint's socket is created,
 * used and closed by one thread of its own; streaming threads hand it
 * frames through a queue and return at once. Payloads are GBytes that go
 * to zmq_msg_init_data() without a copy: ZeroMQ's I/O thread drops the
 * reference when it has sent them.
 *
 * A frame is owned by whoever holds it last: the queue, then ZeroMQ, whose
 * free callback releases it once the payload is written to every peer's
 * socket (or the peer is gone). The frame carries the byte charge of its
 * zmqpub's PulseSendBudget, so a budget knows how many payload bytes of its
 * topic the process still holds: that bounds the memory a stalled
 * subscriber can cost (max-queue-bytes), and tells a draining publisher
 * when everything it accepted has reached the kernel.
 *
 * The owner thread is woken only when it sleeps on an empty queue, and
 * then sends everything queued in one go, so a busy publisher costs one
 * wake-up per burst, not one per frame. Better still, a PUB socket whose
 * owner sleeps on an empty queue is lent to the sender: the streaming
 * thread sends its frame itself, under the endpoint's lock, with no
 * wake-up and no thread hop at all (an XPUB with per-topic access is not:
 * its owner waits in zmq_poll on the socket itself). The timestamp frame is written by
 * the owner thread just before the send, as late as possible, so that a
 * subscriber's now − timestamp is the end-to-end latency.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <zmq.h>

#include "pulse-private.h"

typedef struct {
  gchar *topic;
  gsize topic_len;
  guint8 msg_type;
  guint8 flags;
  guint32 record_count;
  GBytes *payload;
  PulseSendBudget *budget; /* nullable */
  gsize charge;            /* bytes charged to the budget */
  gint64 timestamp_ns;     /* stamped just before the send, kept by the topic cache */
} Frame;

struct _PulseSendBudget {
  gint ref_count;
  gint waiters;      /* threads in _pulse_send_budget_wait(): atomic */
  gint64 held;       /* bytes charged and not yet released: atomic */
  guint64 max_bytes; /* 0: no bound */
  GMutex lock;
  GCond cond; /* held went down */
};

/* what ZeroMQ keeps per message besides the payload: four zmq_msg_t and
 * their pipe slots, roughly; charged so that tiny payloads count too */
#define FRAME_OVERHEAD 256

typedef struct {
  gchar *topic;
  gint64 interval_us;
  gint64 last_us; /* monotonic time of the last message on the topic */
  guint users;
} Heartbeat;

struct _PulseEndpoint {
  gint ref_count; /* under endpoints_lock */
  gchar *bind;
  gchar *last_endpoint;
  gint sndhwm;
  gint linger;
  PulseAuth *auth;     /* nullable */
  gchar *curve_secret; /* nullable */
  gchar *zap_domain;   /* set when auth or curve is */
  GThread *monitor;    /* counts handshakes refused before ZAP is asked */
  /* per-topic access: an XPUB socket with manual subscriptions */
  GHashTable *access; /* topic → GStrv of readers, or NULL for any user; under lock */
  gint wake_fds[2];   /* the owner polls the socket and this pipe */
  gint monitor_stop;  /* atomic: the socket is gone */

  GMutex lock;
  GCond cond;        /* queue or state changed */
  GQueue queue;      /* of Frame */
  gboolean sleeping; /* the owner waits for frames */
  gboolean stopping;
  void *direct_socket; /* a PUB socket while its owner sleeps: see _pulse_endpoint_send() */
  guint flush_waiters; /* threads in _pulse_endpoint_flush() */
  guint64 queued;      /* frames accepted */
  guint64 sent;        /* frames handed to ZeroMQ */
  guint64 send_errors;
  GArray *heartbeats; /* of Heartbeat */

  /* bind result, reported by the owner thread at start */
  gboolean started;
  GError *start_error;
  GThread *thread;

  /* the last frames of cached topics, filled by the owner thread after
   * each send (pulse-topic-cache.c), and the snapshot ROUTER serving them;
   * snapshot and snapshot_bind under endpoints_lock */
  PulseTopicCacheSet *caches;
  PulseSnapshotService *snapshot;
  gchar *snapshot_bind;
};

static GMutex endpoints_lock;
static GHashTable *endpoints; /* bind → PulseEndpoint, not owning */

static void
frame_free (Frame *frame)
{
  if (frame->budget != NULL) {
    _pulse_send_budget_release (frame->budget, frame->charge);
    _pulse_send_budget_unref (frame->budget);
  }
  g_free (frame->topic);
  g_clear_pointer (&frame->payload, g_bytes_unref);
  g_free (frame);
}

static void
release_payload (void *data, void *hint)
{
  /* called by ZeroMQ's I/O thread once the payload is on the wire */
  frame_free (hint);
}

/* Sends @frame and gives it away: to ZeroMQ, which frees it once sent,
 * or back to frame_free() when it could not be sent. */
static gboolean
send_frame (void *socket, Frame *frame, GError **error)
{
  guint8 meta[PULSE_META_SIZE];
  guint8 ts[PULSE_TIMESTAMP_SIZE];
  zmq_msg_t payload;
  gsize size;
  gconstpointer data;
  gboolean owned_by_zmq = FALSE;

  pulse_protocol_write_meta (meta, frame->msg_type, frame->flags, frame->record_count);
  pulse_protocol_write_timestamp (ts, frame->timestamp_ns);

  data = g_bytes_get_data (frame->payload, &size);
  if (size == 0 || zmq_msg_init_data (&payload, (void *) data, size, release_payload, frame) != 0)
    zmq_msg_init (&payload); /* the frame stays ours */
  else
    owned_by_zmq = TRUE; /* from here ZeroMQ frees the frame, even on failure */

  if (zmq_send (socket, frame->topic, frame->topic_len, ZMQ_SNDMORE) < 0 ||
      zmq_send (socket, meta, sizeof meta, ZMQ_SNDMORE) < 0 ||
      zmq_send (socket, ts, sizeof ts, ZMQ_SNDMORE) < 0 || zmq_msg_send (&payload, socket, 0) < 0) {
    int err = zmq_errno ();
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_WRITE,
        _ ("could not send on topic \"%s\": %s"), frame->topic, zmq_strerror (err));
    zmq_msg_close (&payload);
    if (!owned_by_zmq)
      frame_free (frame);
    return FALSE;
  }
  if (!owned_by_zmq)
    frame_free (frame);
  return TRUE;
}

/* The next heartbeat due, on the monotonic clock, or G_MAXINT64. */
static gint64
next_heartbeat (PulseEndpoint *ep)
{
  gint64 next = G_MAXINT64;

  for (guint i = 0; i < ep->heartbeats->len; i++) {
    Heartbeat *hb = &g_array_index (ep->heartbeats, Heartbeat, i);
    next = MIN (next, hb->last_us + hb->interval_us);
  }
  return next;
}

static void
queue_pings (PulseEndpoint *ep, gint64 now)
{
  for (guint i = 0; i < ep->heartbeats->len; i++) {
    Heartbeat *hb = &g_array_index (ep->heartbeats, Heartbeat, i);
    Frame *ping;

    if (now < hb->last_us + hb->interval_us)
      continue;
    ping = g_new0 (Frame, 1);
    ping->topic = g_strdup (hb->topic);
    ping->topic_len = strlen (hb->topic);
    ping->msg_type = PULSE_MSG_TYPE_PING;
    ping->payload = g_bytes_new_static ("", 0);
    g_queue_push_tail (&ep->queue, ping);
    ep->queued++;
    hb->last_us = now;
  }
}

static void
note_activity (PulseEndpoint *ep, const gchar *topic, gint64 now)
{
  for (guint i = 0; i < ep->heartbeats->len; i++) {
    Heartbeat *hb = &g_array_index (ep->heartbeats, Heartbeat, i);
    if (strcmp (hb->topic, topic) == 0)
      hb->last_us = now;
  }
}

/* Stamps, caches and sends one frame, and gives it away. */
static void
send_one (PulseEndpoint *ep, void *socket, Frame *frame)
{
  g_autoptr (GError) error = NULL;

  /* stamped as late as possible, so that a subscriber's now − timestamp
   * is the end-to-end latency */
  frame->timestamp_ns = pulse_util_get_real_time_ns ();
  /* cached before the send gives the frame to ZeroMQ (which may free it
   * at once), and before `sent` moves, so a flush also means cached; a
   * send fails only when the process is going down */
  if (frame->msg_type == PULSE_MSG_TYPE_DATA)
    _pulse_topic_cache_set_push (ep->caches, frame->topic, frame->msg_type, frame->flags,
        frame->record_count, frame->timestamp_ns, frame->payload);
  if (!send_frame (socket, frame, &error)) {
    g_warning ("%s", error->message);
    __atomic_fetch_add (&ep->send_errors, 1, __ATOMIC_RELAXED);
  }
}

/* Reads the PUB socket's monitor, for the statistics: subscribers that
 * connect and go, and handshakes accepted or refused. ZeroMQ refuses a
 * subscriber without credentials (a NULL mechanism against PLAIN) before
 * it asks ZAP, so only the monitor sees it. Ends with the socket
 * (MONITOR_STOPPED). */
static gpointer
monitor_thread (gpointer data)
{
  PulseEndpoint *ep = data;
  void *pair = zmq_socket (_pulse_zmq_context_get (), ZMQ_PAIR);
  g_autofree gchar *address = g_strdup_printf ("inproc://pulse-endpoint-monitor-%p", (void *) ep);
  gboolean stopped = FALSE;
  const gint timeout_ms = 100;
  PulseStats *stats = pulse_stats_get_default ();

  if (pair == NULL || zmq_setsockopt (pair, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms) != 0 ||
      zmq_connect (pair, address) != 0) {
    if (pair != NULL)
      zmq_close (pair);
    return NULL;
  }
  while (!stopped) {
    zmq_msg_t event, where;
    guint16 id = 0;

    zmq_msg_init (&event);
    if (zmq_msg_recv (&event, pair, 0) < 0) {
      zmq_msg_close (&event);
      /* MONITOR_STOPPED is lost if the socket closed before we connected */
      if (zmq_errno () == EAGAIN && !g_atomic_int_get (&ep->monitor_stop))
        continue;
      break;
    }
    if (zmq_msg_size (&event) >= 2)
      memcpy (&id, zmq_msg_data (&event), 2);
    zmq_msg_init (&where);
    if (zmq_msg_more (&event))
      zmq_msg_recv (&where, pair, 0);
    switch (id) {
      case ZMQ_EVENT_ACCEPTED:
        pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_CONNECTED);
        break;
      case ZMQ_EVENT_DISCONNECTED:
        pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_DISCONNECTED);
        break;
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        if (ep->zap_domain != NULL)
          pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_AUTH_SUCCEEDED);
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        if (ep->auth != NULL) {
          g_autofree gchar *peer = g_strndup (zmq_msg_data (&where), zmq_msg_size (&where));
          _pulse_auth_count_refused (ep->auth, peer);
        }
        pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_AUTH_FAILED);
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: /* refused by ZAP, which counted it per user */
        pulse_stats_add_connection_event (stats, PULSE_STATS_EVENT_AUTH_FAILED);
        break;
      default: break;
    }
    stopped = id == ZMQ_EVENT_MONITOR_STOPPED;
    zmq_msg_close (&event);
    zmq_msg_close (&where);
  }
  zmq_close (pair);
  return NULL;
}

/* Called with ep->lock held: wakes the owner wherever it waits. */
static void
wake_owner (PulseEndpoint *ep)
{
  g_cond_broadcast (&ep->cond);
  if (ep->wake_fds[1] >= 0 && write (ep->wake_fds[1], "w", 1) < 0) {
    /* a full pipe already holds a wake-up */
  }
}

/* Called with ep->lock held. */
static gboolean
may_read (PulseEndpoint *ep, const gchar *user, const gchar *topic)
{
  const gchar *const *readers;

  if (!g_hash_table_lookup_extended (ep->access, topic, NULL, (gpointer *) &readers))
    return FALSE;
  return readers == NULL || (user != NULL && g_strv_contains (readers, user));
}

/* Per-topic access. The socket is an XPUB with manual subscriptions: a
 * subscriber's SUBSCRIBE reaches us instead of taking effect, with the ZAP
 * user id of its connection, and we subscribe that connection — the one
 * the last message came from — to each topic of ours that matches the
 * prefix and that the user may read. A user who asks for "" gets exactly
 * its topics. Unsubscribing undoes the same set. */
static void
handle_subscriptions (PulseEndpoint *ep, void *socket)
{
  for (;;) {
    zmq_msg_t msg;
    const guint8 *data;
    gsize size;
    const gchar *user;
    gboolean subscribe;
    g_autoptr (GPtrArray) topics = g_ptr_array_new_with_free_func (g_free);
    GHashTableIter iter;
    gpointer topic;

    zmq_msg_init (&msg);
    if (zmq_msg_recv (&msg, socket, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close (&msg);
      return;
    }
    data = zmq_msg_data (&msg);
    size = zmq_msg_size (&msg);
    if (size == 0 || data[0] > 1) {
      zmq_msg_close (&msg);
      continue;
    }
    subscribe = data[0] == 1;
    user = zmq_msg_gets (&msg, "User-Id");

    g_mutex_lock (&ep->lock);
    g_hash_table_iter_init (&iter, ep->access);
    while (g_hash_table_iter_next (&iter, &topic, NULL)) {
      gsize len = strlen (topic);
      if (len >= size - 1 && memcmp (topic, data + 1, size - 1) == 0 && may_read (ep, user, topic))
        g_ptr_array_add (topics, g_strdup (topic));
    }
    g_mutex_unlock (&ep->lock);

    for (guint i = 0; i < topics->len; i++) {
      const gchar *t = topics->pdata[i];
      zmq_setsockopt (socket, subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, t, strlen (t));
    }
    g_debug ("%s: %s of \"%s\" to \"%.*s\": %u topics", ep->bind,
        subscribe ? "subscription" : "unsubscription", user != NULL ? user : "",
        (int) MIN (size - 1, 64), (const gchar *) data + 1, topics->len);
    zmq_msg_close (&msg);
  }
}

/* Before the bind: the monitor of the socket's connections, and, when
 * subscribers must log in, the ZAP domain their handshakes go under. */
static gboolean
set_security (PulseEndpoint *ep, void *socket)
{
  const gint on = 1;

  g_autofree gchar *address = g_strdup_printf ("inproc://pulse-endpoint-monitor-%p", (void *) ep);

  if (zmq_socket_monitor (socket, address,
          ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
              ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
              ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0)
    return FALSE;
  ep->monitor = g_thread_new ("pulse-monitor", monitor_thread, ep);
  if (ep->zap_domain == NULL)
    return TRUE;
  if (zmq_setsockopt (socket, ZMQ_ZAP_DOMAIN, ep->zap_domain, strlen (ep->zap_domain)) != 0)
    return FALSE;
  if (ep->curve_secret != NULL)
    return zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &on, sizeof on) == 0 &&
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, ep->curve_secret, 40) == 0;
  return zmq_setsockopt (socket, ZMQ_PLAIN_SERVER, &on, sizeof on) == 0;
}

static void
endpoint_free (PulseEndpoint *ep)
{
  /* the socket is closed: its monitor has said MONITOR_STOPPED */
  g_atomic_int_set (&ep->monitor_stop, TRUE);
  if (ep->monitor != NULL)
    g_thread_join (ep->monitor);
  if (ep->zap_domain != NULL)
    _pulse_zap_unregister (ep->zap_domain);
  g_free (ep->zap_domain);
  _pulse_topic_cache_set_free (ep->caches);
  g_clear_pointer (&ep->access, g_hash_table_unref);
  for (guint i = 0; i < 2; i++)
    if (ep->wake_fds[i] >= 0)
      close (ep->wake_fds[i]);
  g_clear_object (&ep->auth);
  if (ep->curve_secret != NULL)
    memset (ep->curve_secret, 0, strlen (ep->curve_secret));
  g_free (ep->curve_secret);
  for (guint i = 0; i < ep->heartbeats->len; i++)
    g_free (g_array_index (ep->heartbeats, Heartbeat, i).topic);
  g_array_unref (ep->heartbeats);
  g_queue_clear_full (&ep->queue, (GDestroyNotify) frame_free);
  g_mutex_clear (&ep->lock);
  g_cond_clear (&ep->cond);
  g_clear_error (&ep->start_error);
  g_free (ep->bind);
  g_free (ep->last_endpoint);
  g_free (ep);
}

/* An endpoint already bound serves another zmqpub only if that one asks
 * for nothing it lacks: authentication is never silently off. */
static gboolean
check_same_security (PulseEndpoint *ep, const PulseEndpointSecurity *security, GError **error)
{
  gboolean want_curve = security != NULL && security->curve_secret != NULL;
  gboolean want_auth = security != NULL && security->auth != NULL;

  if ((want_auth || want_curve) && ep->zap_domain == NULL) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CONFLICT,
        _ ("\"%s\" is already bound without authentication: give every zmqpub of this bind "
           "the same plainauth"),
        ep->bind);
    return FALSE;
  }
  if (want_curve != (ep->curve_secret != NULL) ||
      (want_curve && strcmp (security->curve_secret, ep->curve_secret) != 0)) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CONFLICT,
        _ ("\"%s\" is already bound with other CURVE settings"), ep->bind);
    return FALSE;
  }
  if (security != NULL && security->access_control && ep->access == NULL) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CONFLICT,
        _ ("\"%s\" is already bound without per-topic access: give the plainauth with allow= to "
           "every zmqpub of this bind in one pipeline"),
        ep->bind);
    return FALSE;
  }
  if (want_auth && ep->auth != NULL && security->auth != ep->auth)
    _pulse_auth_merge (ep->auth, security->auth);
  return TRUE;
}

static gpointer
owner_thread (gpointer user_data)
{
  PulseEndpoint *ep = user_data;
  void *socket = zmq_socket (_pulse_zmq_context_get (), ep->access != NULL ? ZMQ_XPUB : ZMQ_PUB);
  gchar last[256] = "";
  size_t last_len = sizeof last;
  const gint on = 1;

  if (socket == NULL || zmq_setsockopt (socket, ZMQ_SNDHWM, &ep->sndhwm, sizeof ep->sndhwm) != 0 ||
      (ep->access != NULL && zmq_setsockopt (socket, ZMQ_XPUB_MANUAL, &on, sizeof on) != 0) ||
      zmq_setsockopt (socket, ZMQ_LINGER, &ep->linger, sizeof ep->linger) != 0 ||
      !set_security (ep, socket) || zmq_bind (socket, ep->bind) != 0) {
    int err = zmq_errno ();
    g_mutex_lock (&ep->lock);
    g_set_error (&ep->start_error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_BIND,
        _ ("could not bind \"%s\": %s"), ep->bind, zmq_strerror (err));
    ep->started = TRUE;
    g_cond_broadcast (&ep->cond);
    g_mutex_unlock (&ep->lock);
    if (socket != NULL)
      zmq_close (socket);
    return NULL;
  }
  zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, last, &last_len);

  g_mutex_lock (&ep->lock);
  ep->last_endpoint = g_strdup (last);
  ep->started = TRUE;
  g_cond_broadcast (&ep->cond);

  for (;;) {
    GQueue batch = G_QUEUE_INIT;
    gint64 now;

    if (ep->access != NULL) {
      /* subscriptions that came while we were sending */
      g_mutex_unlock (&ep->lock);
      handle_subscriptions (ep, socket);
      g_mutex_lock (&ep->lock);
    }
    while (g_queue_is_empty (&ep->queue) && !ep->stopping) {
      gint64 due = next_heartbeat (ep);
      ep->sleeping = TRUE;
      if (ep->access != NULL) {
        /* wait on the socket (subscriptions) and the wake-up pipe */
        zmq_pollitem_t items[2] = { { socket, 0, ZMQ_POLLIN, 0 },
          { NULL, ep->wake_fds[0], ZMQ_POLLIN, 0 } };
        long timeout_ms = due == G_MAXINT64
            ? -1
            : (long) MAX (0, (due - g_get_monotonic_time () + 999) / 1000);
        gchar drain[64];
        gint rc;

        g_mutex_unlock (&ep->lock);
        rc = zmq_poll (items, 2, timeout_ms);
        if (rc > 0 && (items[0].revents & ZMQ_POLLIN))
          handle_subscriptions (ep, socket);
        while (read (ep->wake_fds[0], drain, sizeof drain) > 0) {
        }
        g_mutex_lock (&ep->lock);
        if (due != G_MAXINT64 && g_get_monotonic_time () >= due)
          queue_pings (ep, g_get_monotonic_time ());
      } else {
        /* asleep on the condition, the owner does not touch the socket:
         * senders may use it meanwhile, under the lock */
        ep->direct_socket = socket;
        if (due == G_MAXINT64)
          g_cond_wait (&ep->cond, &ep->lock);
        else if (!g_cond_wait_until (&ep->cond, &ep->lock, due))
          queue_pings (ep, g_get_monotonic_time ());
        ep->direct_socket = NULL;
      }
      ep->sleeping = FALSE;
    }
    if (g_queue_is_empty (&ep->queue) && ep->stopping)
      break;

    /* take everything queued, send it without the lock; once sent, a
     * frame belongs to ZeroMQ, so the heartbeats note it first */
    batch = ep->queue;
    g_queue_init (&ep->queue);
    now = g_get_monotonic_time ();
    if (ep->heartbeats->len > 0)
      for (GList *l = batch.head; l != NULL; l = l->next)
        note_activity (ep, ((Frame *) l->data)->topic, now);
    g_mutex_unlock (&ep->lock);

    for (GList *l = batch.head; l != NULL; l = l->next)
      send_one (ep, socket, l->data);

    g_mutex_lock (&ep->lock);
    ep->sent += batch.length;
    g_queue_clear (&batch);
    g_cond_broadcast (&ep->cond); /* for flush() */
  }
  g_mutex_unlock (&ep->lock);

  /* frames already handed over go out within the linger period */
  zmq_close (socket);
  return NULL;
}

/**
 * _pulse_endpoint_acquire:
 * @bind: a ZeroMQ address to bind, e.g. `tcp://127.0.0.1:5555`; a `*` port picks a free one
 * @sndhwm: ZMQ_SNDHWM of the socket (0: no limit, as the original)
 * @linger: ZMQ_LINGER in milliseconds
 * @error: return location for a #GError (%PULSE_RESOURCE_ERROR_BIND)
 *
 * Returns the endpoint bound to @bind, binding it on first use. Socket
 * options come from the first user.
 *
 * Returns: (transfer full): the endpoint, or %NULL
 */
PulseEndpoint *
_pulse_endpoint_acquire (const gchar *bind, gint sndhwm, gint linger, GError **error)
{
  return _pulse_endpoint_acquire_full (bind, sndhwm, linger, NULL, error);
}

/**
 * _pulse_endpoint_acquire_full:
 * @bind: a ZeroMQ address to bind
 * @sndhwm: ZMQ_SNDHWM of the socket
 * @linger: ZMQ_LINGER in milliseconds
 * @security: (nullable): how subscribers are let in; %NULL for anyone
 * @error: return location for a #GError
 *
 * As _pulse_endpoint_acquire(), with authentication set up before the
 * bind. An endpoint bound already must have the same security (its key
 * store takes the keys of @security's).
 *
 * Returns: (transfer full): the endpoint, or %NULL
 */
PulseEndpoint *
_pulse_endpoint_acquire_full (const gchar *bind, gint sndhwm, gint linger,
    const PulseEndpointSecurity *security, GError **error)
{
  PulseEndpoint *ep;

  g_mutex_lock (&endpoints_lock);
  if (endpoints == NULL)
    endpoints = g_hash_table_new (g_str_hash, g_str_equal);
  ep = g_hash_table_lookup (endpoints, bind);
  if (ep != NULL) {
    if (!check_same_security (ep, security, error)) {
      g_mutex_unlock (&endpoints_lock);
      return NULL;
    }
    ep->ref_count++;
    g_mutex_unlock (&endpoints_lock);
    return ep;
  }

  ep = g_new0 (PulseEndpoint, 1);
  ep->ref_count = 1;
  ep->bind = g_strdup (bind);
  ep->sndhwm = sndhwm;
  ep->linger = linger;
  ep->heartbeats = g_array_new (FALSE, TRUE, sizeof (Heartbeat));
  g_mutex_init (&ep->lock);
  g_cond_init (&ep->cond);
  g_queue_init (&ep->queue);
  ep->caches = _pulse_topic_cache_set_new ();
  ep->wake_fds[0] = ep->wake_fds[1] = -1;
  if (security != NULL && security->access_control) {
    ep->access = g_hash_table_new_full (
        g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
    if (!g_unix_open_pipe (ep->wake_fds, FD_CLOEXEC, error)) {
      g_mutex_unlock (&endpoints_lock);
      endpoint_free (ep);
      return NULL;
    }
    g_unix_set_fd_nonblocking (ep->wake_fds[0], TRUE, NULL);
    g_unix_set_fd_nonblocking (ep->wake_fds[1], TRUE, NULL);
  }
  if (security != NULL && (security->auth != NULL || security->curve_secret != NULL)) {
    ep->auth = security->auth != NULL ? g_object_ref (security->auth) : NULL;
    ep->curve_secret = g_strdup (security->curve_secret);
    ep->zap_domain = g_strdup_printf ("pulsemq %s", bind);
    if (!_pulse_zap_register (ep->zap_domain, ep->auth, ep->curve_secret != NULL, error)) {
      g_clear_pointer (&ep->zap_domain, g_free);
      g_mutex_unlock (&endpoints_lock);
      endpoint_free (ep);
      return NULL;
    }
  }

  ep->thread = g_thread_try_new ("pulse-endpoint", owner_thread, ep, error);
  if (ep->thread != NULL) {
    g_mutex_lock (&ep->lock);
    while (!ep->started)
      g_cond_wait (&ep->cond, &ep->lock);
    g_mutex_unlock (&ep->lock);
  }
  if (ep->thread == NULL || ep->start_error != NULL) {
    if (ep->thread != NULL) {
      g_thread_join (ep->thread);
      g_propagate_error (error, g_steal_pointer (&ep->start_error));
    }
    g_mutex_unlock (&endpoints_lock);
    endpoint_free (ep);
    return NULL;
  }
  g_hash_table_insert (endpoints, ep->bind, ep);
  g_mutex_unlock (&endpoints_lock);
  return ep;
}

/**
 * _pulse_endpoint_release:
 * @ep: (transfer full): an endpoint
 *
 * Drops a user. The last one sends what is queued, closes the socket
 * (ZeroMQ keeps sending for the linger period) and frees the endpoint.
 */
void
_pulse_endpoint_release (PulseEndpoint *ep)
{
  g_mutex_lock (&endpoints_lock);
  if (--ep->ref_count > 0) {
    g_mutex_unlock (&endpoints_lock);
    return;
  }
  g_hash_table_remove (endpoints, ep->bind);
  g_mutex_unlock (&endpoints_lock);

  g_mutex_lock (&ep->lock);
  ep->stopping = TRUE;
  wake_owner (ep);
  g_mutex_unlock (&ep->lock);
  g_thread_join (ep->thread);
  if (ep->snapshot != NULL)
    _pulse_snapshot_service_stop (ep->snapshot);
  g_free (ep->snapshot_bind);
  endpoint_free (ep);
}

/**
 * _pulse_endpoint_get_auth:
 * @ep: an endpoint
 *
 * Returns: (transfer none) (nullable): the key store of its subscribers
 */
PulseAuth *
_pulse_endpoint_get_auth (PulseEndpoint *ep)
{
  return ep->auth;
}

/**
 * _pulse_endpoint_get_address:
 * @ep: an endpoint
 *
 * Returns: (transfer none): the address actually bound, with the port
 * ZeroMQ picked for a `*` port
 */
const gchar *
_pulse_endpoint_get_address (PulseEndpoint *ep)
{
  return ep->last_endpoint;
}

/**
 * _pulse_endpoint_send:
 * @ep: an endpoint
 * @topic: the topic (frame 1)
 * @msg_type: DATA or PING
 * @flags: the flags byte
 * @record_count: the record count
 * @payload: the payload (frame 4); the endpoint takes a reference, no copy
 * @budget: (nullable): the budget to charge until ZeroMQ has sent it
 *
 * Queues a message for the owner thread and returns at once. Thread-safe.
 */
void
_pulse_endpoint_send (PulseEndpoint *ep, const gchar *topic, guint8 msg_type, guint8 flags,
    guint32 record_count, GBytes *payload, PulseSendBudget *budget)
{
  Frame *frame = g_new (Frame, 1);
  gboolean wake;

  frame->topic = g_strdup (topic);
  frame->topic_len = strlen (topic);
  frame->msg_type = msg_type;
  frame->flags = flags;
  frame->record_count = record_count;
  frame->payload = g_bytes_ref (payload);
  frame->budget = NULL;
  frame->charge = 0;
  if (budget != NULL) {
    frame->budget = _pulse_send_budget_ref (budget);
    frame->charge = _pulse_send_budget_charge_for (budget, frame->topic_len, payload);
    __atomic_fetch_add (&budget->held, (gint64) frame->charge, __ATOMIC_SEQ_CST);
  }

  g_mutex_lock (&ep->lock);
  ep->queued++;
  if (ep->direct_socket != NULL && g_queue_is_empty (&ep->queue) && !ep->stopping) {
    /* The owner sleeps with nothing queued: send from here, under the
     * lock (the memory barrier ZeroMQ asks for when another thread uses a
     * socket), instead of waking it. Order holds: nothing is queued
     * before this frame, and the owner takes the lock before it sends. */
    if (ep->heartbeats->len > 0)
      note_activity (ep, frame->topic, g_get_monotonic_time ());
    send_one (ep, ep->direct_socket, frame);
    ep->sent++;
    if (ep->flush_waiters > 0)
      g_cond_broadcast (&ep->cond);
    g_mutex_unlock (&ep->lock);
    return;
  }
  g_queue_push_tail (&ep->queue, frame);
  wake = ep->sleeping;
  if (wake)
    wake_owner (ep);
  g_mutex_unlock (&ep->lock);
}

/**
 * _pulse_endpoint_flush:
 * @ep: an endpoint
 * @timeout_us: how long to wait at most, or -1
 *
 * Waits until every frame queued so far is handed to ZeroMQ.
 *
 * Returns: %TRUE if it was, %FALSE on timeout
 */
gboolean
_pulse_endpoint_flush (PulseEndpoint *ep, gint64 timeout_us)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_us;
  guint64 target;
  gboolean done = TRUE;

  g_mutex_lock (&ep->lock);
  target = ep->queued;
  g_cond_broadcast (&ep->cond);
  ep->flush_waiters++;
  while (ep->sent < target) {
    if (deadline == G_MAXINT64) {
      g_cond_wait (&ep->cond, &ep->lock);
    } else if (!g_cond_wait_until (&ep->cond, &ep->lock, deadline)) {
      done = ep->sent >= target;
      break;
    }
  }
  ep->flush_waiters--;
  g_mutex_unlock (&ep->lock);
  return done;
}

/**
 * _pulse_endpoint_add_heartbeat:
 * @ep: an endpoint
 * @topic: a topic
 * @interval: seconds of quiet after which a PING goes out on @topic
 *
 * Sends PING messages on a quiet topic, as PROTOCOL.md describes. Off by
 * default: the original's subscribers cannot decode them.
 */
void
_pulse_endpoint_add_heartbeat (PulseEndpoint *ep, const gchar *topic, gdouble interval)
{
  Heartbeat hb = { 0 };

  g_mutex_lock (&ep->lock);
  for (guint i = 0; i < ep->heartbeats->len; i++) {
    Heartbeat *old = &g_array_index (ep->heartbeats, Heartbeat, i);
    if (strcmp (old->topic, topic) == 0) {
      old->users++;
      old->interval_us = MIN (old->interval_us, (gint64) (interval * G_USEC_PER_SEC));
      g_mutex_unlock (&ep->lock);
      return;
    }
  }
  hb.topic = g_strdup (topic);
  hb.interval_us = MAX (1000, (gint64) (interval * G_USEC_PER_SEC));
  hb.last_us = g_get_monotonic_time ();
  hb.users = 1;
  g_array_append_val (ep->heartbeats, hb);
  wake_owner (ep); /* the owner recomputes its deadline */
  g_mutex_unlock (&ep->lock);
}

/**
 * _pulse_endpoint_remove_heartbeat:
 * @ep: an endpoint
 * @topic: a topic given to _pulse_endpoint_add_heartbeat()
 *
 * Stops the heartbeat of @topic once its last user removes it.
 */
void
_pulse_endpoint_remove_heartbeat (PulseEndpoint *ep, const gchar *topic)
{
  g_mutex_lock (&ep->lock);
  for (guint i = 0; i < ep->heartbeats->len; i++) {
    Heartbeat *hb = &g_array_index (ep->heartbeats, Heartbeat, i);
    if (strcmp (hb->topic, topic) == 0 && --hb->users == 0) {
      g_free (hb->topic);
      g_array_remove_index (ep->heartbeats, i);
      break;
    }
  }
  g_mutex_unlock (&ep->lock);
}

/**
 * _pulse_send_budget_new:
 * @max_bytes: the bound of _pulse_send_budget_wait() and
 *   _pulse_send_budget_would_exceed(), 0 for none
 *
 * A count of the payload bytes one publisher has handed to the endpoint
 * and ZeroMQ has not yet written out. Thread-safe: charged by streaming
 * threads, released by ZeroMQ's I/O thread.
 *
 * Returns: (transfer full): a new budget
 */
PulseSendBudget *
_pulse_send_budget_new (guint64 max_bytes)
{
  PulseSendBudget *budget = g_new0 (PulseSendBudget, 1);

  budget->ref_count = 1;
  budget->max_bytes = max_bytes;
  g_mutex_init (&budget->lock);
  g_cond_init (&budget->cond);
  return budget;
}

PulseSendBudget *
_pulse_send_budget_ref (PulseSendBudget *budget)
{
  g_atomic_int_inc (&budget->ref_count);
  return budget;
}

void
_pulse_send_budget_unref (PulseSendBudget *budget)
{
  if (!g_atomic_int_dec_and_test (&budget->ref_count))
    return;
  g_mutex_clear (&budget->lock);
  g_cond_clear (&budget->cond);
  g_free (budget);
}

/* The bytes a frame of @payload on a topic of @topic_len bytes costs. */
gsize
_pulse_send_budget_charge_for (PulseSendBudget *budget, gsize topic_len, GBytes *payload)
{
  return g_bytes_get_size (payload) + topic_len + FRAME_OVERHEAD;
}

/**
 * _pulse_send_budget_get_held:
 * @budget: a budget
 *
 * Returns: the bytes charged and not yet released
 */
guint64
_pulse_send_budget_get_held (PulseSendBudget *budget)
{
  return (guint64) MAX (0, __atomic_load_n (&budget->held, __ATOMIC_SEQ_CST));
}

/**
 * _pulse_send_budget_would_exceed:
 * @budget: a budget
 * @charge: the charge of the next frame
 *
 * Returns: %TRUE if charging @charge now would pass the bound. A frame
 * larger than the bound fits an empty budget, so that it is never refused
 * for good.
 */
gboolean
_pulse_send_budget_would_exceed (PulseSendBudget *budget, gsize charge)
{
  guint64 held = _pulse_send_budget_get_held (budget);

  return budget->max_bytes > 0 && held > 0 && held + charge > budget->max_bytes;
}

void
_pulse_send_budget_release (PulseSendBudget *budget, gsize charge)
{
  __atomic_fetch_sub (&budget->held, (gint64) charge, __ATOMIC_SEQ_CST);
  /* the waiter counts itself before it reads held, so either it sees the
   * release or it is counted here and woken */
  if (__atomic_load_n (&budget->waiters, __ATOMIC_SEQ_CST) > 0) {
    g_mutex_lock (&budget->lock);
    g_cond_broadcast (&budget->cond);
    g_mutex_unlock (&budget->lock);
  }
}

/**
 * _pulse_send_budget_wait:
 * @budget: a budget
 * @target: wait until at most this many bytes are held
 * @until_us: the monotonic time to give up at, or G_MAXINT64
 *
 * Waits for ZeroMQ to write out frames until no more than @target bytes
 * are held.
 *
 * Returns: %TRUE once @target is reached, %FALSE at @until_us
 */
gboolean
_pulse_send_budget_wait (PulseSendBudget *budget, guint64 target, gint64 until_us)
{
  gboolean reached;

  g_mutex_lock (&budget->lock);
  __atomic_add_fetch (&budget->waiters, 1, __ATOMIC_SEQ_CST);
  while (!(reached = _pulse_send_budget_get_held (budget) <= target))
    if (!g_cond_wait_until (&budget->cond, &budget->lock, until_us)) {
      reached = _pulse_send_budget_get_held (budget) <= target;
      break;
    }
  __atomic_sub_fetch (&budget->waiters, 1, __ATOMIC_SEQ_CST);
  g_mutex_unlock (&budget->lock);
  return reached;
}

/**
 * _pulse_endpoint_add_cache:
 * @ep: an endpoint
 * @topic: a topic published on @ep
 * @max_frames: the most frames kept, at least 1
 * @max_bytes: the most payload bytes kept, or 0 for no bound in bytes
 *
 * Keeps the last frames sent on @topic, for the snapshot service and the
 * cache counters. zmqpubs of one topic share a cache; the first sets its
 * bounds.
 *
 * Returns: (transfer full): the cache; drop it with
 * _pulse_topic_cache_unref() after _pulse_endpoint_remove_cache()
 */
PulseTopicCache *
_pulse_endpoint_add_cache (
    PulseEndpoint *ep, const gchar *topic, guint max_frames, guint64 max_bytes)
{
  return _pulse_topic_cache_set_add (ep->caches, topic, max_frames, max_bytes);
}

/**
 * _pulse_endpoint_remove_cache:
 * @ep: an endpoint
 * @topic: a topic given to _pulse_endpoint_add_cache()
 *
 * Stops caching @topic once its last user removes it.
 */
void
_pulse_endpoint_remove_cache (PulseEndpoint *ep, const gchar *topic)
{
  _pulse_topic_cache_set_remove (ep->caches, topic);
}

/**
 * _pulse_endpoint_serve_snapshots:
 * @ep: an endpoint
 * @bind: a ZeroMQ address for the snapshot ROUTER socket
 * @error: return location for a #GError
 *
 * Serves the caches of every topic of @ep on @bind, binding it on first
 * use: zmqpubs that share an endpoint share its snapshot socket. Asking
 * for another address than the one bound is an error.
 *
 * Returns: %TRUE if the snapshot socket is bound to @bind
 */
gboolean
_pulse_endpoint_serve_snapshots (PulseEndpoint *ep, const gchar *bind, GError **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&endpoints_lock);
  if (ep->snapshot == NULL) {
    ep->snapshot = _pulse_snapshot_service_start (ep->caches, bind, error);
    if (ep->snapshot != NULL)
      ep->snapshot_bind = g_strdup (bind);
    ok = ep->snapshot != NULL;
  } else if (strcmp (ep->snapshot_bind, bind) != 0) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
        _ ("%s already serves snapshots on \"%s\", not \"%s\""), ep->bind, ep->snapshot_bind, bind);
    ok = FALSE;
  }
  g_mutex_unlock (&endpoints_lock);
  return ok;
}

/**
 * _pulse_endpoint_get_snapshot_address:
 * @ep: an endpoint
 *
 * Returns: (transfer none) (nullable): the address the snapshot socket is
 * bound to, with the port ZeroMQ picked, or %NULL if it serves none
 */
const gchar *
_pulse_endpoint_get_snapshot_address (PulseEndpoint *ep)
{
  const gchar *address;

  g_mutex_lock (&endpoints_lock);
  address = ep->snapshot != NULL ? _pulse_snapshot_service_get_address (ep->snapshot) : NULL;
  g_mutex_unlock (&endpoints_lock);
  return address;
}

/**
 * _pulse_endpoint_has_access_control:
 * @ep: an endpoint
 *
 * Returns: whether @ep decides per topic who may read it
 */
gboolean
_pulse_endpoint_has_access_control (PulseEndpoint *ep)
{
  return ep->access != NULL;
}

/**
 * _pulse_endpoint_set_access:
 * @ep: an endpoint with access control
 * @topic: a topic published on @ep
 * @readers: (nullable): the users who may read @topic, or %NULL for any
 *   user the endpoint lets in
 * @error: return location for a #GError
 *
 * Says who may read @topic from the next subscription on. ZeroMQ matches
 * topics by prefix, so a topic that is a prefix of another with other
 * readers would leak the longer one: that is refused.
 *
 * Returns: %TRUE on success
 */
gboolean
_pulse_endpoint_set_access (
    PulseEndpoint *ep, const gchar *topic, const gchar *const *readers, GError **error)
{
  GHashTableIter iter;
  gpointer other, other_readers;

  g_mutex_lock (&ep->lock);
  g_hash_table_iter_init (&iter, ep->access);
  while (g_hash_table_iter_next (&iter, &other, &other_readers)) {
    gboolean same = (readers == NULL && other_readers == NULL) ||
        (readers != NULL && other_readers != NULL &&
            g_strv_equal ((const gchar *const *) readers, (const gchar *const *) other_readers));
    if (strcmp (other, topic) == 0 || same)
      continue;
    if (g_str_has_prefix (other, topic) || g_str_has_prefix (topic, other)) {
      g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CONFLICT,
          _ ("topics \"%s\" and \"%s\" have different readers, but subscribers match topics by "
             "prefix: rename one so that neither starts with the other"),
          topic, (const gchar *) other);
      g_mutex_unlock (&ep->lock);
      return FALSE;
    }
  }
  g_hash_table_replace (ep->access, g_strdup (topic), g_strdupv ((gchar **) readers));
  g_mutex_unlock (&ep->lock);
  return TRUE;
}
