/* PulseMQ — zmqsub: receive messages from a PulseMQ publisher
 *
 *   pulse-launch "zmqsub endpoint=tcp://127.0.0.1:5555 topics=sh_market ! decode ! print"
 *
 * A ZeroMQ SUB socket connects to a publisher (ours or the original
 * Python one) and every 4-frame message becomes a `frame` buffer: the
 * payload still serialized and compressed, the topic, record count,
 * timestamp, serializer and compression taken from frames 1–3. `decode`
 * turns it into records.
 *
 * Threads: a ZeroMQ socket is not thread-safe, so the SUB socket is used
 * by one thread at a time: it is made and connected by the thread that
 * sets the element to PLAYING, handed to the streaming thread (thread
 * creation is a full memory barrier, which is what ZeroMQ asks for when a
 * socket changes threads), and closed by the thread that joins it. The
 * streaming thread waits in zmq_poll() on the socket and on a pipe, so a
 * state change or end-of-stream wakes it at once.
 *
 * Unlike the original, a message that breaks the wire format does not end
 * the stream: it is counted (per topic and in `malformed`), reported on the
 * bus as a warning for the first few and then every thousandth, and
 * skipped. Heartbeats (PING) are not pushed; they only refresh the time
 * the topic was last heard from.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <zmq.h>

#include "pulse-private.h"
#include "pulse-zmqsub.h"

/* one log domain per element: PULSE_DEBUG=zmqsub shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-zmqsub"

#define DEFAULT_ENDPOINT "tcp://127.0.0.1:5555"
#define DEFAULT_TOPICS NULL
#define DEFAULT_USERNAME NULL
#define DEFAULT_PASSWORD NULL
#define DEFAULT_EXACT_TOPICS FALSE
#define DEFAULT_RCVHWM 0

/* warn about the first malformed messages of a topic, then every
 * WARN_EVERY-th: a broken publisher must be visible without flooding */
#define WARN_FIRST 10
#define WARN_EVERY 1000

/* messages received in one go before the wake-up pipe is looked at again,
 * so that a flood cannot delay a stop */
#define MAX_BURST 1024

/* what a byte written to the wake-up pipe asks of the streaming thread */
#define WAKE_STOP 's'
#define WAKE_EOS 'e'

typedef struct {
  guint64 received;
  guint64 malformed;
  gint64 last_seen_us; /* monotonic: DATA or PING, for telling quiet from dead */
} TopicStats;

struct _PulseZmqSub {
  PulseElement parent_instance;

  PulsePad *srcpad;

  /* properties */
  gchar *endpoint;
  gchar *topics;
  gchar *username;
  gchar *password;
  gboolean exact_topics;
  gint rcvhwm;

  /* counters, read from any thread */
  guint64 received;  /* atomic */
  guint64 malformed; /* atomic */

  /* the topics list, split once at PLAYING; read by the streaming thread */
  GStrv topic_list;

  GMutex lock;       /* protects the fields below and stats */
  GHashTable *stats; /* topic (gchar *) → TopicStats */
  GThread *thread;
  void *socket;        /* owned by the streaming thread while it runs */
  void *monitor;       /* the socket's handshake events, with the same owner */
  gint wake[2];        /* pipe: state-change or send_eos → streaming thread */
  gboolean running;    /* the streaming thread has not decided to exit yet */
  gboolean eos_wanted; /* send_eos came while it ran */
  gint eos_sent;       /* atomic */
};

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_TOPICS,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_EXACT_TOPICS,
  PROP_RCVHWM,
  PROP_RECEIVED,
  PROP_MALFORMED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PulseZmqSub, pulse_zmq_sub, PULSE_TYPE_ELEMENT)
#define parent_class pulse_zmq_sub_parent_class

/* Splits `topics` into ZeroMQ subscriptions. NULL and "" both mean every
 * topic: the original subscribes to nothing without topics, which only
 * ever confused its users. Empty items in a list ("a,,b") are ignored. */
static GStrv
split_topics (const gchar *topics)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) items = NULL;

  if (topics == NULL || *topics == '\0') {
    g_strv_builder_add (builder, "");
    return g_strv_builder_end (builder);
  }
  items = g_strsplit (topics, ",", -1);
  for (guint i = 0; items[i] != NULL; i++) {
    g_strstrip (items[i]);
    if (*items[i] != '\0')
      g_strv_builder_add (builder, items[i]);
  }
  return g_strv_builder_end (builder);
}

static gboolean
topic_wanted (PulseZmqSub *self, const gchar *topic)
{
  if (!self->exact_topics)
    return TRUE;
  for (guint i = 0; self->topic_list[i] != NULL; i++)
    if (*self->topic_list[i] == '\0' || strcmp (self->topic_list[i], topic) == 0)
      return TRUE;
  return FALSE;
}

/* called with the lock held */
static TopicStats *
stats_for (PulseZmqSub *self, const gchar *topic)
{
  TopicStats *stats = g_hash_table_lookup (self->stats, topic);

  if (stats == NULL) {
    stats = g_new0 (TopicStats, 1);
    g_hash_table_insert (self->stats, g_strdup (topic), stats);
  }
  return stats;
}

static void
note_seen (PulseZmqSub *self, const gchar *topic, gboolean data)
{
  TopicStats *stats;

  g_mutex_lock (&self->lock);
  stats = stats_for (self, topic);
  stats->last_seen_us = g_get_monotonic_time ();
  if (data)
    stats->received++;
  g_mutex_unlock (&self->lock);
}

/* Counts a malformed message against its topic and warns about it, rate
 * limited per topic. @topic may be NULL (a message with no frames). */
static void
report_malformed (PulseZmqSub *self, const gchar *topic, const gchar *what)
{
  g_autofree gchar *shown = topic != NULL ? g_strdup (topic) : g_strdup ("");
  guint64 n;

  __atomic_add_fetch (&self->malformed, 1, __ATOMIC_RELAXED);
  g_mutex_lock (&self->lock);
  n = ++stats_for (self, shown)->malformed;
  g_mutex_unlock (&self->lock);

  if (n <= WARN_FIRST || n % WARN_EVERY == 0)
    PULSE_ELEMENT_WARNING (self, STREAM, MALFORMED,
        (_ ("%s skipped a malformed message on topic \"%s\" (%llu so far on this topic): %s"),
            pulse_element_get_name (PULSE_ELEMENT (self)), shown, (unsigned long long) n, what),
        ("endpoint %s", self->endpoint));
}

static void
free_zmq_msg (gpointer data)
{
  zmq_msg_t *msg = data;

  zmq_msg_close (msg);
  g_free (msg);
}

/* The payload frame as GBytes without a copy: the zmq_msg_t moves to the
 * heap and lives as long as the GBytes. */
static GBytes *
bytes_from_msg (zmq_msg_t *part)
{
  zmq_msg_t *msg = g_new (zmq_msg_t, 1);

  zmq_msg_init (msg);
  zmq_msg_move (msg, part);
  return g_bytes_new_with_free_func (zmq_msg_data (msg), zmq_msg_size (msg), free_zmq_msg, msg);
}

typedef enum {
  HANDLED,
  STOP, /* downstream is done or failed */
} Outcome;

/* Reads one whole multipart message (all its parts, even past the fourth,
 * so that the next message starts at a message boundary) and pushes it. */
static Outcome
handle_message (PulseZmqSub *self)
{
  zmq_msg_t parts[4];
  guint n = 0;
  gboolean more = TRUE;
  g_autofree gchar *topic = NULL;
  g_autofree gchar *what = NULL;
  g_autoptr (GError) error = NULL;
  PulseFrameHeader header;
  PulseBuffer *buffer;
  g_autoptr (GBytes) payload = NULL;
  PulseFlowReturn ret;
  Outcome outcome = HANDLED;

  while (more) {
    zmq_msg_t extra;
    zmq_msg_t *part = n < 4 ? &parts[n] : &extra;

    zmq_msg_init (part);
    if (zmq_msg_recv (part, self->socket, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close (part);
      break; /* EAGAIN before any part, or a closed context: nothing to do */
    }
    more = zmq_msg_more (part);
    if (n == 0)
      topic = g_strndup (zmq_msg_data (part), zmq_msg_size (part));
    if (n >= 4)
      zmq_msg_close (part);
    n++;
  }
  if (n == 0)
    return HANDLED;

  if (!g_utf8_validate_len (zmq_msg_data (&parts[0]), zmq_msg_size (&parts[0]), NULL)) {
    g_autofree gchar *valid = g_utf8_make_valid (
        zmq_msg_data (&parts[0]), (gssize) zmq_msg_size (&parts[0]));
    g_free (topic);
    topic = g_steal_pointer (&valid);
    what = g_strdup (_ ("the topic is not valid UTF-8"));
    goto malformed;
  }
  if (memchr (zmq_msg_data (&parts[0]), '\0', zmq_msg_size (&parts[0])) != NULL) {
    what = g_strdup (_ ("the topic contains a NUL byte"));
    goto malformed;
  }
  if (n != 4) {
    what = g_strdup_printf (_ ("%u frames instead of 4"), n);
    goto malformed;
  }
  if (!pulse_protocol_parse_header (zmq_msg_data (&parts[1]), zmq_msg_size (&parts[1]),
          zmq_msg_data (&parts[2]), zmq_msg_size (&parts[2]), &header, &error)) {
    what = g_strdup (error->message);
    goto malformed;
  }

  if (!topic_wanted (self, topic))
    goto out;

  if (header.msg_type == PULSE_MSG_TYPE_PING) {
    note_seen (self, topic, FALSE);
    goto out;
  }
  if (header.msg_type != PULSE_MSG_TYPE_DATA) {
    /* a later protocol's message: not ours to judge */
    g_debug ("%s: ignored message type %u on \"%s\"", pulse_element_get_name (PULSE_ELEMENT (self)),
        header.msg_type, topic);
    goto out;
  }

  note_seen (self, topic, TRUE);
  __atomic_add_fetch (&self->received, 1, __ATOMIC_RELAXED);
  payload = bytes_from_msg (&parts[3]);
  buffer = pulse_buffer_new_bytes (PULSE_FORMAT_FRAME, payload);
  pulse_buffer_set_topic (buffer, topic);
  pulse_buffer_set_record_count (buffer, header.record_count);
  pulse_buffer_set_timestamp_ns (buffer, header.timestamp_ns);
  pulse_buffer_set_serializer (buffer, header.serializer);
  pulse_buffer_set_compression (buffer, header.compression);

  ret = pulse_pad_push (self->srcpad, buffer);
  if (ret != PULSE_FLOW_OK && ret != PULSE_FLOW_NOT_LINKED) {
    g_debug ("%s: downstream returned %s, stopping", pulse_element_get_name (PULSE_ELEMENT (self)),
        pulse_flow_get_name (ret));
    outcome = STOP;
  }
  goto out;

malformed:
  report_malformed (self, topic, what);
out:
  for (guint i = 0; i < MIN (n, 4); i++)
    zmq_msg_close (&parts[i]);
  return outcome;
}

static void
push_eos_once (PulseZmqSub *self)
{
  if (g_atomic_int_compare_and_exchange (&self->eos_sent, FALSE, TRUE))
    pulse_element_push_eos (PULSE_ELEMENT (self));
}

static gpointer
receive_thread (gpointer user_data)
{
  PulseZmqSub *self = PULSE_ZMQ_SUB (user_data);
  gboolean eos = FALSE;
  gboolean stop = FALSE;

  while (!stop) {
    zmq_pollitem_t items[3] = {
      { .socket = self->socket, .events = ZMQ_POLLIN },
      { .fd = self->wake[0], .events = ZMQ_POLLIN },
      { .socket = self->monitor, .events = ZMQ_POLLIN },
    };

    if (zmq_poll (items, 3, -1) < 0) {
      if (zmq_errno () == EINTR)
        continue;
      PULSE_ELEMENT_ERROR (self, RESOURCE, READ,
          (_ ("could not receive from \"%s\""), self->endpoint),
          ("zmq_poll: %s", zmq_strerror (zmq_errno ())));
      break;
    }
    if (items[1].revents & ZMQ_POLLIN) {
      gchar cmd;

      while (read (self->wake[0], &cmd, 1) == 1)
        if (cmd == WAKE_EOS)
          eos = TRUE;
      break; /* stop or end-of-stream: both end the loop */
    }
    if (items[2].revents & ZMQ_POLLIN) {
      g_autoptr (GError) refused = NULL;

      /* unlike the original, a refused login is an error, not a hang */
      if (!_pulse_zmq_check_handshakes (self->monitor, self->endpoint, &refused)) {
        PULSE_ELEMENT_ERROR (self, RESOURCE, CONNECT, ("%s", refused->message),
            ("user name \"%s\"", self->username != NULL ? self->username : ""));
        break;
      }
    }
    if (items[0].revents & ZMQ_POLLIN) {
      for (guint i = 0; i < MAX_BURST; i++) {
        gint events = 0;
        size_t len = sizeof events;

        if (handle_message (self) == STOP) {
          stop = TRUE;
          break;
        }
        /* ZMQ_EVENTS also resets the socket's edge-triggered fd state */
        if (zmq_getsockopt (self->socket, ZMQ_EVENTS, &events, &len) < 0 || !(events & ZMQ_POLLIN))
          break;
      }
    }
  }

  /* a send_eos that raced with a downstream stop must not be lost */
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  eos = eos || self->eos_wanted;
  g_mutex_unlock (&self->lock);
  if (eos)
    push_eos_once (self);
  return NULL;
}

static void
wake (PulseZmqSub *self, gchar cmd)
{
  /* the pipe is non-blocking: a full pipe already holds a wake-up */
  if (write (self->wake[1], &cmd, 1) < 0 && errno != EAGAIN)
    g_warning ("zmqsub: could not wake the streaming thread: %s", g_strerror (errno));
}

static void
close_wake_pipe (PulseZmqSub *self)
{
  for (guint i = 0; i < 2; i++)
    if (self->wake[i] >= 0) {
      close (self->wake[i]);
      self->wake[i] = -1;
    }
}

static void
close_socket (PulseZmqSub *self)
{
  if (self->monitor != NULL) {
    gint linger = 0;

    zmq_setsockopt (self->monitor, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (self->monitor);
    self->monitor = NULL;
  }
  if (self->socket != NULL) {
    gint linger = 0;

    zmq_setsockopt (self->socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (self->socket);
    self->socket = NULL;
  }
}

static gboolean
open_socket (PulseZmqSub *self, GError **error)
{
  gint hwm = self->rcvhwm;

  self->socket = zmq_socket (_pulse_zmq_context_get (), ZMQ_SUB);
  if (self->socket == NULL) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_FAILED,
        _ ("could not make a ZeroMQ socket: %s"), zmq_strerror (zmq_errno ()));
    return FALSE;
  }
  zmq_setsockopt (self->socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (self->username != NULL && *self->username != '\0') {
    const gchar *password = self->password != NULL ? self->password : "";

    if (zmq_setsockopt (self->socket, ZMQ_PLAIN_USERNAME, self->username, strlen (self->username)) <
            0 ||
        zmq_setsockopt (self->socket, ZMQ_PLAIN_PASSWORD, password, strlen (password)) < 0) {
      g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_SETTINGS,
          _ ("could not set PLAIN credentials: %s"), zmq_strerror (zmq_errno ()));
      goto fail;
    }
  }
  for (guint i = 0; self->topic_list[i] != NULL; i++)
    zmq_setsockopt (self->socket, ZMQ_SUBSCRIBE, self->topic_list[i], strlen (self->topic_list[i]));
  /* before connect, or the first handshake is missed */
  self->monitor = _pulse_zmq_monitor_handshakes (self->socket, error);
  if (self->monitor == NULL)
    goto fail;
  if (zmq_connect (self->socket, self->endpoint) < 0) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_CONNECT,
        _ ("could not connect to \"%s\": %s"), self->endpoint, zmq_strerror (zmq_errno ()));
    goto fail;
  }
  return TRUE;

fail:
  close_socket (self);
  return FALSE;
}

static gboolean
start (PulseZmqSub *self, GError **error)
{
  g_autofree gchar *thread_name = NULL;

  g_clear_pointer (&self->topic_list, g_strfreev);
  self->topic_list = split_topics (self->topics);
  if (!open_socket (self, error))
    return FALSE;
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error) ||
      !g_unix_set_fd_nonblocking (self->wake[0], TRUE, error) ||
      !g_unix_set_fd_nonblocking (self->wake[1], TRUE, error))
    goto fail;

  g_atomic_int_set (&self->eos_sent, FALSE);
  g_mutex_lock (&self->lock);
  self->running = TRUE;
  self->eos_wanted = FALSE;
  g_mutex_unlock (&self->lock);
  thread_name = g_strdup_printf ("sub:%s", pulse_element_get_name (PULSE_ELEMENT (self)));
  self->thread = g_thread_try_new (thread_name, receive_thread, self, error);
  if (self->thread == NULL) {
    self->running = FALSE;
    goto fail;
  }
  return TRUE;

fail:
  close_wake_pipe (self);
  close_socket (self);
  return FALSE;
}

static void
stop (PulseZmqSub *self)
{
  if (self->thread != NULL) {
    wake (self, WAKE_STOP);
    g_thread_join (g_steal_pointer (&self->thread));
  }
  /* joined: the socket is this thread's again */
  close_socket (self);
  close_wake_pipe (self);
}

static gboolean
pulse_zmq_sub_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseZmqSub *self = PULSE_ZMQ_SUB (element);

  switch (transition) {
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      if (!start (self, error))
        return FALSE;
      break;
    case PULSE_STATE_CHANGE_PLAYING_TO_READY: stop (self); break;
    default: break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

/* Stops receiving and ends the stream. The streaming thread pushes the
 * end-of-stream itself, so it never overtakes a buffer being pushed. */
static void
pulse_zmq_sub_send_eos (PulseElement *element)
{
  PulseZmqSub *self = PULSE_ZMQ_SUB (element);
  gboolean running;

  g_mutex_lock (&self->lock);
  running = self->running;
  if (running) {
    self->eos_wanted = TRUE;
    wake (self, WAKE_EOS);
  }
  g_mutex_unlock (&self->lock);
  if (!running)
    push_eos_once (self);
}

static void
pulse_zmq_sub_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseZmqSub *self = PULSE_ZMQ_SUB (object);

  /* read when the element starts: changes apply at the next PLAYING */
  switch (prop_id) {
    case PROP_ENDPOINT:
      g_free (self->endpoint);
      self->endpoint = g_value_dup_string (value);
      if (self->endpoint == NULL)
        self->endpoint = g_strdup (DEFAULT_ENDPOINT);
      break;
    case PROP_TOPICS:
      g_free (self->topics);
      self->topics = g_value_dup_string (value);
      break;
    case PROP_USERNAME:
      g_free (self->username);
      self->username = g_value_dup_string (value);
      break;
    case PROP_PASSWORD:
      g_free (self->password);
      self->password = g_value_dup_string (value);
      break;
    case PROP_EXACT_TOPICS: self->exact_topics = g_value_get_boolean (value); break;
    case PROP_RCVHWM: self->rcvhwm = g_value_get_int (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_zmq_sub_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseZmqSub *self = PULSE_ZMQ_SUB (object);

  switch (prop_id) {
    case PROP_ENDPOINT: g_value_set_string (value, self->endpoint); break;
    case PROP_TOPICS: g_value_set_string (value, self->topics); break;
    case PROP_USERNAME: g_value_set_string (value, self->username); break;
    case PROP_PASSWORD: g_value_set_string (value, self->password); break;
    case PROP_EXACT_TOPICS: g_value_set_boolean (value, self->exact_topics); break;
    case PROP_RCVHWM: g_value_set_int (value, self->rcvhwm); break;
    case PROP_RECEIVED:
      g_value_set_uint64 (value, __atomic_load_n (&self->received, __ATOMIC_RELAXED));
      break;
    case PROP_MALFORMED:
      g_value_set_uint64 (value, __atomic_load_n (&self->malformed, __ATOMIC_RELAXED));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_zmq_sub_finalize (GObject *object)
{
  PulseZmqSub *self = PULSE_ZMQ_SUB (object);

  stop (self);
  g_free (self->endpoint);
  g_free (self->topics);
  g_free (self->username);
  g_free (self->password);
  g_strfreev (self->topic_list);
  g_hash_table_unref (self->stats);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_zmq_sub_class_init (PulseZmqSubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_zmq_sub_set_property;
  object_class->get_property = pulse_zmq_sub_get_property;
  object_class->finalize = pulse_zmq_sub_finalize;
  element_class->change_state = pulse_zmq_sub_change_state;
  element_class->send_eos = pulse_zmq_sub_send_eos;

  /**
   * PulseZmqSub:endpoint:
   *
   * The publisher to connect to, a ZeroMQ endpoint such as
   * `tcp://127.0.0.1:5555`.
   */
  properties[PROP_ENDPOINT] = g_param_spec_string ("endpoint", "Endpoint",
      "The publisher's ZeroMQ endpoint to connect to", DEFAULT_ENDPOINT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:topics:
   *
   * Comma-separated topic prefixes to subscribe to. Unset or empty means
   * every topic (the original subscribes to nothing without topics).
   * ZeroMQ matches prefixes: `sh` also receives `sh_market`, unless
   * #PulseZmqSub:exact-topics is set.
   */
  properties[PROP_TOPICS] = g_param_spec_string ("topics", "Topics",
      "Comma-separated topic prefixes (unset or empty = every topic)", DEFAULT_TOPICS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:username:
   *
   * The ZeroMQ PLAIN user name; unset or empty for no authentication.
   */
  properties[PROP_USERNAME] = g_param_spec_string ("username", "User name",
      "ZeroMQ PLAIN user name (unset = no authentication)", DEFAULT_USERNAME,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:password:
   *
   * The ZeroMQ PLAIN password, used with #PulseZmqSub:username.
   */
  properties[PROP_PASSWORD] = g_param_spec_string ("password", "Password",
      "ZeroMQ PLAIN password, used with username", DEFAULT_PASSWORD,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:exact-topics:
   *
   * Drop messages whose topic is not exactly one of #PulseZmqSub:topics,
   * rather than every topic that starts with one of them.
   */
  properties[PROP_EXACT_TOPICS] = g_param_spec_boolean ("exact-topics", "Exact topics",
      "Only topics equal to one of topics, not every topic they prefix", DEFAULT_EXACT_TOPICS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:rcvhwm:
   *
   * ZMQ_RCVHWM: messages queued before ZeroMQ drops; 0 for no limit, as
   * the protocol asks (no silent drop).
   */
  properties[PROP_RCVHWM] = g_param_spec_int ("rcvhwm", "Receive high-water mark",
      "Messages queued before ZeroMQ drops (0 = no limit)", 0, G_MAXINT, DEFAULT_RCVHWM,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:received:
   *
   * DATA messages received and pushed since the element was made.
   */
  properties[PROP_RECEIVED] = g_param_spec_uint64 ("received", "Received", "Data messages received",
      0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseZmqSub:malformed:
   *
   * Messages skipped because they break the wire format: a frame count
   * other than 4, a meta not 6 bytes, a timestamp not 8, unknown flags, a
   * topic that is not UTF-8.
   */
  properties[PROP_MALFORMED] = g_param_spec_uint64 ("malformed", "Malformed",
      "Messages skipped because they break the wire format", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "ZeroMQ subscriber", "Source/Network",
      "Receives messages from a PulseMQ publisher as frames (decode them with decode)",
      "zmqsub endpoint=tcp://127.0.0.1:5555 topics=sh_market ! decode ! print");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_FRAME));
}

static void
pulse_zmq_sub_init (PulseZmqSub *self)
{
  self->endpoint = g_strdup (DEFAULT_ENDPOINT);
  self->rcvhwm = DEFAULT_RCVHWM;
  self->exact_topics = DEFAULT_EXACT_TOPICS;
  self->wake[0] = self->wake[1] = -1;
  self->topic_list = split_topics (NULL);
  self->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->lock);
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
