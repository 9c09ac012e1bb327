/* PulseMQ — PulseSubscriber: receive from a publisher without a pipeline
 *
 * The C and GObject-Introspection counterpart of the original's
 * `PulseSubscriber`: connect a SUB socket, subscribe to topic prefixes,
 * and either pull messages with pulse_subscriber_receive() or have them
 * delivered as #PulseSubscriber::message signals on a main loop.
 *
 * Threads: a ZeroMQ socket is not thread-safe, so a #PulseSubscriber is
 * used from one thread at a time. Before pulse_subscriber_start() that is
 * whichever thread calls it; after, it is the thread that runs the
 * #GMainContext given to start, and receive() is refused until stop().
 *
 * Unlike the original, nothing hangs silently: a socket monitor watches
 * the handshake, and a rejected or mismatched authentication is an error
 * from receive() (or an #PulseSubscriber::error signal); a malformed
 * message is counted and skipped; a payload that does not decode is an
 * error for that message, and the next receive() goes on.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <zmq.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

/* ---- PulseDataMessage ----------------------------------------------------- */

struct _PulseDataMessage {
  gint refcount;
  gchar *topic;
  PulseBuffer *payload;
  GBytes *raw_payload;
  guint32 record_count;
  gint64 timestamp_ns;
  PulseSerializer serializer;
  PulseCompression compression;
};

G_DEFINE_BOXED_TYPE (
    PulseDataMessage, pulse_data_message, pulse_data_message_ref, pulse_data_message_unref)

/**
 * pulse_data_message_ref:
 * @message: a #PulseDataMessage
 *
 * Returns: (transfer full): @message
 */
PulseDataMessage *
pulse_data_message_ref (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_atomic_int_inc (&message->refcount);
  return message;
}

/**
 * pulse_data_message_unref:
 * @message: (transfer full): a #PulseDataMessage
 *
 * Drops a reference; the last one frees the message.
 */
void
pulse_data_message_unref (PulseDataMessage *message)
{
  g_return_if_fail (message != NULL);
  if (!g_atomic_int_dec_and_test (&message->refcount))
    return;
  g_free (message->topic);
  pulse_buffer_unref (message->payload);
  g_bytes_unref (message->raw_payload);
  g_free (message);
}

/**
 * pulse_data_message_get_topic:
 * @message: a #PulseDataMessage
 *
 * Returns: (transfer none): the full topic (not the subscribed prefix)
 */
const gchar *
pulse_data_message_get_topic (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->topic;
}

/**
 * pulse_data_message_get_payload:
 * @message: a #PulseDataMessage
 *
 * Returns: (transfer none): the decoded records: a batch or a value
 */
PulseBuffer *
pulse_data_message_get_payload (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->payload;
}

/**
 * pulse_data_message_get_payload_json:
 * @message: a #PulseDataMessage
 *
 * The decoded records as JSON text, for languages where that is the
 * handiest way in (`json.loads (message.get_payload_json ())`).
 *
 * Returns: (transfer full): JSON text
 */
gchar *
pulse_data_message_get_payload_json (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return pulse_buffer_to_json (message->payload);
}

/**
 * pulse_data_message_get_raw_payload:
 * @message: a #PulseDataMessage
 *
 * Returns: (transfer none): frame 4 as received, still compressed
 */
GBytes *
pulse_data_message_get_raw_payload (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->raw_payload;
}

/**
 * pulse_data_message_get_record_count:
 * @message: a #PulseDataMessage
 *
 * Returns: the record count the publisher wrote in the header
 */
guint32
pulse_data_message_get_record_count (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);
  return message->record_count;
}

/**
 * pulse_data_message_get_timestamp_ns:
 * @message: a #PulseDataMessage
 *
 * Returns: the publisher's send time, nanoseconds since the Unix epoch
 */
gint64
pulse_data_message_get_timestamp_ns (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);
  return message->timestamp_ns;
}

/**
 * pulse_data_message_get_serializer:
 * @message: a #PulseDataMessage
 *
 * Returns: (transfer none): the serializer's name as the original gives
 *   it: `msgpack`, `json`, `str`, `bytes` or `pyarrow`
 */
const gchar *
pulse_data_message_get_serializer (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  if (message->serializer == PULSE_SERIALIZER_ARROW)
    return "pyarrow";
  return pulse_serializer_get_nick (message->serializer);
}

/**
 * pulse_data_message_get_compression:
 * @message: a #PulseDataMessage
 *
 * Returns: (transfer none): `none`, `snappy`, `lz4` or `zstd`
 */
const gchar *
pulse_data_message_get_compression (PulseDataMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return pulse_compression_get_nick (message->compression);
}

/* ---- PulseSubscriber ------------------------------------------------------ */

/* messages handled per main-loop dispatch, so one busy subscriber cannot
 * starve the rest of the loop */
#define MAX_BURST 256

struct _PulseSubscriber {
  GObject parent_instance;

  gchar *endpoint;
  gchar *username;
  gchar *password;
  GPtrArray *topics; /* subscribed prefixes, re-applied at open */
  void *socket;
  void *monitor; /* PAIR reading the socket's handshake events */
  guint64 received;
  guint64 malformed;
  GSource *source; /* signal mode */
};

enum { PROP_0, PROP_ENDPOINT, N_PROPS };
enum { SIGNAL_MESSAGE, SIGNAL_ERROR, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PulseSubscriber, pulse_subscriber, G_TYPE_OBJECT)

static void
close_zmq (void **socket)
{
  if (*socket != NULL) {
    gint linger = 0;

    zmq_setsockopt (*socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (*socket);
    *socket = NULL;
  }
}

/* A failed handshake is an error, since ZeroMQ itself would just retry
 * quietly forever. */
static gboolean
check_monitor (PulseSubscriber *self, GError **error)
{
  return self->monitor == NULL ||
      _pulse_zmq_check_handshakes (self->monitor, self->endpoint, error);
}

/* Reads one multipart message. Returns a message, or NULL with @error set
 * for a payload that does not decode, or NULL without an error when there
 * was nothing to read or the message was skipped (malformed, a heartbeat,
 * an unknown type). */
static PulseDataMessage *
read_message (PulseSubscriber *self, GError **error)
{
  zmq_msg_t parts[4];
  guint n = 0;
  gboolean more = TRUE;
  PulseFrameHeader header;
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) plain = NULL;
  PulseDataMessage *message = NULL;
  PulseBuffer *payload;

  while (more) {
    zmq_msg_t extra;
    zmq_msg_t *part = n < 4 ? &parts[n] : &extra;

    zmq_msg_init (part);
    if (zmq_msg_recv (part, self->socket, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close (part);
      break;
    }
    more = zmq_msg_more (part);
    if (n >= 4)
      zmq_msg_close (part);
    n++;
  }
  if (n == 0)
    return NULL;

  if (n != 4 || !g_utf8_validate_len (zmq_msg_data (&parts[0]), zmq_msg_size (&parts[0]), NULL) ||
      !pulse_protocol_parse_header (zmq_msg_data (&parts[1]), zmq_msg_size (&parts[1]),
          zmq_msg_data (&parts[2]), zmq_msg_size (&parts[2]), &header, &local)) {
    self->malformed++;
    g_debug ("%s: skipped a malformed message (%u frames)%s%s", self->endpoint, n,
        local != NULL ? ": " : "", local != NULL ? local->message : "");
    goto out;
  }
  if (header.msg_type != PULSE_MSG_TYPE_DATA)
    goto out; /* heartbeats and later message types are not data */

  message = g_new0 (PulseDataMessage, 1);
  message->refcount = 1;
  message->topic = g_strndup (zmq_msg_data (&parts[0]), zmq_msg_size (&parts[0]));
  message->raw_payload = g_bytes_new (zmq_msg_data (&parts[3]), zmq_msg_size (&parts[3]));
  message->record_count = header.record_count;
  message->timestamp_ns = header.timestamp_ns;
  message->serializer = header.serializer;
  message->compression = header.compression;

  plain = pulse_decompress (
      header.compression, message->raw_payload, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE, &local);
  payload = plain != NULL ? pulse_deserialize (header.serializer, plain, &local) : NULL;
  if (payload == NULL) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("a %s/%s message on topic \"%s\" does not decode: %s"),
        pulse_data_message_get_serializer (message), pulse_data_message_get_compression (message),
        message->topic, local->message);
    g_clear_pointer (&message, pulse_data_message_unref);
    goto out;
  }
  pulse_buffer_set_topic (payload, message->topic);
  pulse_buffer_set_record_count (payload, header.record_count);
  pulse_buffer_set_timestamp_ns (payload, header.timestamp_ns);
  pulse_buffer_set_serializer (payload, header.serializer);
  pulse_buffer_set_compression (payload, header.compression);
  message->payload = payload;
  self->received++;

out:
  for (guint i = 0; i < MIN (n, 4); i++)
    zmq_msg_close (&parts[i]);
  return message;
}

/**
 * pulse_subscriber_new:
 * @endpoint: the publisher's endpoint, e.g. `tcp://127.0.0.1:5555`
 *
 * Makes a subscriber; nothing connects until pulse_subscriber_open().
 *
 * Returns: (transfer full): a new #PulseSubscriber
 */
PulseSubscriber *
pulse_subscriber_new (const gchar *endpoint)
{
  g_return_val_if_fail (endpoint != NULL, NULL);
  return g_object_new (PULSE_TYPE_SUBSCRIBER, "endpoint", endpoint, NULL);
}

/**
 * pulse_subscriber_get_endpoint:
 * @subscriber: a #PulseSubscriber
 *
 * Returns: (transfer none): the publisher's endpoint
 */
const gchar *
pulse_subscriber_get_endpoint (PulseSubscriber *subscriber)
{
  g_return_val_if_fail (PULSE_IS_SUBSCRIBER (subscriber), NULL);
  return subscriber->endpoint;
}

/**
 * pulse_subscriber_set_credentials:
 * @subscriber: a #PulseSubscriber, not yet open
 * @username: (nullable): the ZeroMQ PLAIN user name, or %NULL (or empty)
 *   for no authentication
 * @password: (nullable): the password
 *
 * Sets the PLAIN credentials used by pulse_subscriber_open().
 */
void
pulse_subscriber_set_credentials (
    PulseSubscriber *subscriber, const gchar *username, const gchar *password)
{
  g_return_if_fail (PULSE_IS_SUBSCRIBER (subscriber));
  g_return_if_fail (subscriber->socket == NULL);
  g_free (subscriber->username);
  g_free (subscriber->password);
  subscriber->username = g_strdup (username);
  subscriber->password = g_strdup (password);
}

/**
 * pulse_subscriber_subscribe:
 * @subscriber: a #PulseSubscriber
 * @topic: a topic prefix; "" receives every topic
 *
 * Adds a subscription: every topic that starts with @topic, as ZeroMQ
 * matches. Before or after pulse_subscriber_open().
 */
void
pulse_subscriber_subscribe (PulseSubscriber *subscriber, const gchar *topic)
{
  g_return_if_fail (PULSE_IS_SUBSCRIBER (subscriber));
  g_return_if_fail (topic != NULL);
  g_ptr_array_add (subscriber->topics, g_strdup (topic));
  if (subscriber->socket != NULL)
    zmq_setsockopt (subscriber->socket, ZMQ_SUBSCRIBE, topic, strlen (topic));
}

/**
 * pulse_subscriber_unsubscribe:
 * @subscriber: a #PulseSubscriber
 * @topic: a prefix given to pulse_subscriber_subscribe()
 *
 * Removes one subscription to @topic.
 */
void
pulse_subscriber_unsubscribe (PulseSubscriber *subscriber, const gchar *topic)
{
  g_return_if_fail (PULSE_IS_SUBSCRIBER (subscriber));
  g_return_if_fail (topic != NULL);
  for (guint i = 0; i < subscriber->topics->len; i++)
    if (strcmp (g_ptr_array_index (subscriber->topics, i), topic) == 0) {
      g_ptr_array_remove_index (subscriber->topics, i);
      if (subscriber->socket != NULL)
        zmq_setsockopt (subscriber->socket, ZMQ_UNSUBSCRIBE, topic, strlen (topic));
      return;
    }
}

/**
 * pulse_subscriber_open:
 * @subscriber: a #PulseSubscriber
 * @error: return location for a #GError (%PULSE_RESOURCE_ERROR_CONNECT)
 *
 * Connects to the publisher. ZeroMQ connects in the background and
 * reconnects by itself, so this fails only for an unusable endpoint; a
 * refused handshake is reported by the next pulse_subscriber_receive().
 * Called `connect` in the original; renamed because `connect` is
 * GObject's signal connection in the language bindings.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_subscriber_open (PulseSubscriber *subscriber, GError **error)
{
  gint hwm = 0;

  g_return_val_if_fail (PULSE_IS_SUBSCRIBER (subscriber), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (subscriber->socket != NULL)
    return TRUE;

  subscriber->socket = zmq_socket (_pulse_zmq_context_get (), ZMQ_SUB);
  if (subscriber->socket == NULL)
    goto fail;
  zmq_setsockopt (subscriber->socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (subscriber->username != NULL && *subscriber->username != '\0') {
    const gchar *password = subscriber->password != NULL ? subscriber->password : "";

    if (zmq_setsockopt (subscriber->socket, ZMQ_PLAIN_USERNAME, subscriber->username,
            strlen (subscriber->username)) < 0 ||
        zmq_setsockopt (subscriber->socket, ZMQ_PLAIN_PASSWORD, password, strlen (password)) < 0)
      goto fail;
  }
  /* the monitor must exist before connect, or the first handshake is missed */
  subscriber->monitor = _pulse_zmq_monitor_handshakes (subscriber->socket, NULL);
  if (subscriber->monitor == NULL)
    goto fail;
  for (guint i = 0; i < subscriber->topics->len; i++) {
    const gchar *topic = g_ptr_array_index (subscriber->topics, i);
    zmq_setsockopt (subscriber->socket, ZMQ_SUBSCRIBE, topic, strlen (topic));
  }
  if (zmq_connect (subscriber->socket, subscriber->endpoint) < 0)
    goto fail;
  return TRUE;

fail:
  g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_CONNECT,
      _ ("could not connect to \"%s\": %s"), subscriber->endpoint, zmq_strerror (zmq_errno ()));
  close_zmq (&subscriber->monitor);
  close_zmq (&subscriber->socket);
  return FALSE;
}

/**
 * pulse_subscriber_receive:
 * @subscriber: an open #PulseSubscriber, not started
 * @timeout_ms: how long to wait: 0 to poll, -1 for ever
 * @error: return location for a #GError: %PULSE_RESOURCE_ERROR_CONNECT
 *   when the publisher refused the handshake, %PULSE_STREAM_ERROR_DECODE
 *   for a message whose payload does not decode (the next call goes on)
 *
 * Waits for the next data message. Malformed messages and heartbeats are
 * skipped (see pulse_subscriber_get_malformed()).
 *
 * Returns: (transfer full) (nullable): a message, or %NULL on a timeout
 *   (without an error) or an error
 */
PulseDataMessage *
pulse_subscriber_receive (PulseSubscriber *subscriber, gint timeout_ms, GError **error)
{
  gint64 deadline;

  g_return_val_if_fail (PULSE_IS_SUBSCRIBER (subscriber), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (subscriber->source == NULL, NULL);

  if (subscriber->socket == NULL) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_CONNECT,
        _ ("the subscriber to \"%s\" is not open"), subscriber->endpoint);
    return NULL;
  }
  deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (;;) {
    zmq_pollitem_t items[2] = {
      { .socket = subscriber->socket, .events = ZMQ_POLLIN },
      { .socket = subscriber->monitor, .events = ZMQ_POLLIN },
    };
    glong wait_ms = -1;
    GError *local = NULL;
    PulseDataMessage *message;

    if (!check_monitor (subscriber, error))
      return NULL;
    message = read_message (subscriber, &local);
    if (message != NULL || local != NULL) {
      if (local != NULL)
        g_propagate_error (error, local);
      return message;
    }
    if (deadline >= 0) {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return NULL;
      wait_ms = (glong) ((left + 999) / 1000);
    }
    if (zmq_poll (items, 2, wait_ms) < 0 && zmq_errno () != EINTR) {
      g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_READ,
          _ ("could not receive from \"%s\": %s"), subscriber->endpoint,
          zmq_strerror (zmq_errno ()));
      return NULL;
    }
  }
}

/* signal mode: a GSource on the sockets' ZMQ_FDs, which are edge
 * triggered: prepare() asks ZMQ_EVENTS so no message is left unseen */
typedef struct {
  GSource source;
  PulseSubscriber *subscriber; /* not a reference: stop() or dispose removes us */
} SubscriberSource;

static gboolean
readable (void *socket)
{
  gint events = 0;
  size_t len = sizeof events;

  return zmq_getsockopt (socket, ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN);
}

static gboolean
source_prepare (GSource *source, gint *timeout)
{
  PulseSubscriber *self = ((SubscriberSource *) source)->subscriber;

  *timeout = -1;
  return readable (self->socket) || readable (self->monitor);
}

static gboolean
source_check (GSource *source)
{
  PulseSubscriber *self = ((SubscriberSource *) source)->subscriber;

  return readable (self->socket) || readable (self->monitor);
}

static gboolean
source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_autoptr (PulseSubscriber) self = g_object_ref (((SubscriberSource *) source)->subscriber);

  for (guint i = 0; i < MAX_BURST && self->source != NULL; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (PulseDataMessage) message = NULL;

    if (!check_monitor (self, &error)) {
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      continue;
    }
    message = read_message (self, &error);
    if (error != NULL)
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
    else if (message != NULL)
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
    else if (!readable (self->socket))
      break;
  }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs subscriber_source_funcs = {
  .prepare = source_prepare,
  .check = source_check,
  .dispatch = source_dispatch,
};

/**
 * pulse_subscriber_start:
 * @subscriber: an open #PulseSubscriber
 * @context: (nullable): the main context to deliver on, or %NULL for the
 *   global default one
 * @error: return location for a #GError
 *
 * Delivers messages as #PulseSubscriber::message signals, and failures as
 * #PulseSubscriber::error, on @context. From now until
 * pulse_subscriber_stop(), the subscriber belongs to the thread that runs
 * that context, and only that thread may use it; receive() is refused.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_subscriber_start (PulseSubscriber *subscriber, GMainContext *context, GError **error)
{
  gint fd;
  size_t len = sizeof fd;

  g_return_val_if_fail (PULSE_IS_SUBSCRIBER (subscriber), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (subscriber->source != NULL)
    return TRUE;
  if (!pulse_subscriber_open (subscriber, error))
    return FALSE;

  subscriber->source = g_source_new (&subscriber_source_funcs, sizeof (SubscriberSource));
  ((SubscriberSource *) subscriber->source)->subscriber = subscriber;
  g_source_set_static_name (subscriber->source, "PulseSubscriber");
  if (zmq_getsockopt (subscriber->socket, ZMQ_FD, &fd, &len) == 0)
    g_source_add_unix_fd (subscriber->source, fd, G_IO_IN);
  len = sizeof fd;
  if (zmq_getsockopt (subscriber->monitor, ZMQ_FD, &fd, &len) == 0)
    g_source_add_unix_fd (subscriber->source, fd, G_IO_IN);
  g_source_attach (subscriber->source, context);
  return TRUE;
}

/**
 * pulse_subscriber_stop:
 * @subscriber: a #PulseSubscriber
 *
 * Ends signal mode; call it from the thread running the main context
 * given to pulse_subscriber_start(). Messages that arrive meanwhile wait
 * for the next pulse_subscriber_receive() or start.
 */
void
pulse_subscriber_stop (PulseSubscriber *subscriber)
{
  g_return_if_fail (PULSE_IS_SUBSCRIBER (subscriber));
  if (subscriber->source == NULL)
    return;
  g_source_destroy (subscriber->source);
  g_clear_pointer (&subscriber->source, g_source_unref);
}

/**
 * pulse_subscriber_close:
 * @subscriber: a #PulseSubscriber
 *
 * Stops, and closes the socket; pulse_subscriber_open() may open it again.
 */
void
pulse_subscriber_close (PulseSubscriber *subscriber)
{
  g_return_if_fail (PULSE_IS_SUBSCRIBER (subscriber));
  pulse_subscriber_stop (subscriber);
  if (subscriber->socket != NULL)
    zmq_socket_monitor (subscriber->socket, NULL, 0);
  close_zmq (&subscriber->monitor);
  close_zmq (&subscriber->socket);
}

/**
 * pulse_subscriber_get_received:
 * @subscriber: a #PulseSubscriber
 *
 * Returns: data messages received and decoded
 */
guint64
pulse_subscriber_get_received (PulseSubscriber *subscriber)
{
  g_return_val_if_fail (PULSE_IS_SUBSCRIBER (subscriber), 0);
  return subscriber->received;
}

/**
 * pulse_subscriber_get_malformed:
 * @subscriber: a #PulseSubscriber
 *
 * Returns: messages skipped because they break the wire format
 */
guint64
pulse_subscriber_get_malformed (PulseSubscriber *subscriber)
{
  g_return_val_if_fail (PULSE_IS_SUBSCRIBER (subscriber), 0);
  return subscriber->malformed;
}

static void
pulse_subscriber_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseSubscriber *self = PULSE_SUBSCRIBER (object);

  switch (prop_id) {
    case PROP_ENDPOINT:
      g_free (self->endpoint);
      self->endpoint = g_value_dup_string (value);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_subscriber_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseSubscriber *self = PULSE_SUBSCRIBER (object);

  switch (prop_id) {
    case PROP_ENDPOINT: g_value_set_string (value, self->endpoint); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_subscriber_dispose (GObject *object)
{
  pulse_subscriber_close (PULSE_SUBSCRIBER (object));
  G_OBJECT_CLASS (pulse_subscriber_parent_class)->dispose (object);
}

static void
pulse_subscriber_finalize (GObject *object)
{
  PulseSubscriber *self = PULSE_SUBSCRIBER (object);

  g_free (self->endpoint);
  g_free (self->username);
  g_free (self->password);
  g_ptr_array_unref (self->topics);
  G_OBJECT_CLASS (pulse_subscriber_parent_class)->finalize (object);
}

static void
pulse_subscriber_class_init (PulseSubscriberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = pulse_subscriber_set_property;
  object_class->get_property = pulse_subscriber_get_property;
  object_class->dispose = pulse_subscriber_dispose;
  object_class->finalize = pulse_subscriber_finalize;

  /**
   * PulseSubscriber:endpoint:
   *
   * The publisher's ZeroMQ endpoint.
   */
  properties[PROP_ENDPOINT] = g_param_spec_string ("endpoint", "Endpoint",
      "The publisher's ZeroMQ endpoint", "tcp://127.0.0.1:5555",
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PulseSubscriber::message:
   * @subscriber: the subscriber
   * @message: the message received
   *
   * A data message arrived (signal mode, see pulse_subscriber_start()).
   */
  signals[SIGNAL_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 1, PULSE_TYPE_DATA_MESSAGE);
  /**
   * PulseSubscriber::error:
   * @subscriber: the subscriber
   * @error: what went wrong: a refused handshake
   *   (%PULSE_RESOURCE_ERROR_CONNECT) or a message that does not decode
   *
   * Something failed in signal mode; delivery goes on.
   */
  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
pulse_subscriber_init (PulseSubscriber *self)
{
  self->topics = g_ptr_array_new_with_free_func (g_free);
}
