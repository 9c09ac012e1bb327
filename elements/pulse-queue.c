/* PulseMQ — queue: a bounded thread boundary
 *
 *   pulse-launch "timer interval=10ms ! queue max-buffers=100 leaky=downstream ! print"
 *
 * Upstream pushes into a bounded FIFO and returns; a streaming thread of
 * the queue's own pushes downstream. The bound is in buffers and in bytes
 * so a slow consumer cannot grow memory without limit: when full, the
 * queue blocks upstream (leaky=no), drops the new buffer (upstream) or
 * drops the oldest (downstream), and counts every drop. End-of-stream
 * travels through the FIFO behind the buffers, so a drain loses nothing.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pulse-queue.h"

/* one log domain per element: PULSE_DEBUG=queue shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-queue"

#define DEFAULT_MAX_BUFFERS 200
#define DEFAULT_MAX_BYTES (16 * 1024 * 1024)
#define DEFAULT_LEAKY PULSE_QUEUE_LEAKY_NO

/* stands for end-of-stream in the FIFO */
#define EOS_ITEM ((gpointer) &eos_marker)
static const gchar eos_marker;

struct _PulseQueue {
  PulseElement parent_instance;

  PulsePad *srcpad;
  guint max_buffers;
  guint64 max_bytes;
  PulseQueueLeaky leaky;

  GMutex lock;
  GCond cond;  /* FIFO changed or flushing */
  GQueue fifo; /* of PulseBuffer, or EOS_ITEM */
  guint n_buffers;
  guint64 n_bytes;
  guint64 dropped;
  gboolean flushing;
  gboolean warned;
  PulseFlowReturn srcresult; /* what downstream last said */
  /* who sleeps on the condition: the FIFO only signals when someone does,
   * so a busy queue costs no wake-up per buffer */
  gboolean consumer_waiting;
  guint producers_waiting;
  GThread *thread;
};

enum {
  PROP_0,
  PROP_MAX_BUFFERS,
  PROP_MAX_BYTES,
  PROP_LEAKY,
  PROP_CURRENT_LEVEL_BUFFERS,
  PROP_CURRENT_LEVEL_BYTES,
  PROP_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (PulseQueueLeaky, pulse_queue_leaky,
    G_DEFINE_ENUM_VALUE (PULSE_QUEUE_LEAKY_NO, "no"),
    G_DEFINE_ENUM_VALUE (PULSE_QUEUE_LEAKY_UPSTREAM, "upstream"),
    G_DEFINE_ENUM_VALUE (PULSE_QUEUE_LEAKY_DOWNSTREAM, "downstream"))

G_DEFINE_FINAL_TYPE (PulseQueue, pulse_queue, PULSE_TYPE_ELEMENT)
#define parent_class pulse_queue_parent_class

static gboolean
is_full (PulseQueue *self)
{
  return (self->max_buffers > 0 && self->n_buffers >= self->max_buffers) ||
      (self->max_bytes > 0 && self->n_bytes >= self->max_bytes);
}

static void
drop (PulseQueue *self, PulseBuffer *buffer)
{
  self->dropped++;
  g_debug ("%s: full, dropped buffer %" G_GUINT64_FORMAT,
      pulse_element_get_name (PULSE_ELEMENT (self)), self->dropped);
  pulse_buffer_unref (buffer);
  if (!self->warned) {
    self->warned = TRUE;
    PULSE_ELEMENT_WARNING (self, STREAM, TOO_LARGE,
        (_ ("%s is full and drops buffers (leaky=%s); the dropped property counts them"),
            pulse_element_get_name (PULSE_ELEMENT (self)),
            self->leaky == PULSE_QUEUE_LEAKY_UPSTREAM ? "upstream" : "downstream"),
        ("max-buffers=%u max-bytes=%" G_GUINT64_FORMAT, self->max_buffers, self->max_bytes));
  }
}

static PulseFlowReturn
pulse_queue_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulseQueue *self = PULSE_QUEUE (element);
  PulseFlowReturn ret;

  g_mutex_lock (&self->lock);
  while (!self->flushing && self->srcresult == PULSE_FLOW_OK && is_full (self)) {
    if (self->leaky == PULSE_QUEUE_LEAKY_UPSTREAM) {
      drop (self, buffer);
      g_mutex_unlock (&self->lock);
      return PULSE_FLOW_OK;
    }
    if (self->leaky == PULSE_QUEUE_LEAKY_DOWNSTREAM) {
      gpointer oldest = g_queue_peek_head (&self->fifo);
      if (oldest != EOS_ITEM && oldest != NULL) {
        g_queue_pop_head (&self->fifo);
        self->n_buffers--;
        self->n_bytes -= pulse_buffer_get_size (oldest);
        drop (self, oldest);
        continue;
      }
    }
    self->producers_waiting++;
    g_cond_wait (&self->cond, &self->lock);
    self->producers_waiting--;
  }
  if (self->flushing || self->srcresult != PULSE_FLOW_OK) {
    ret = self->flushing ? PULSE_FLOW_FLUSHING : self->srcresult;
    g_mutex_unlock (&self->lock);
    pulse_buffer_unref (buffer);
    return ret;
  }
  self->n_buffers++;
  self->n_bytes += pulse_buffer_get_size (buffer);
  g_queue_push_tail (&self->fifo, buffer);
  if (self->consumer_waiting)
    g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return PULSE_FLOW_OK;
}

static void
pulse_queue_sink_eos (PulseElement *element, PulsePad *pad)
{
  PulseQueue *self = PULSE_QUEUE (element);

  g_mutex_lock (&self->lock);
  if (!self->flushing) {
    g_queue_push_tail (&self->fifo, EOS_ITEM);
    g_cond_broadcast (&self->cond);
  }
  g_mutex_unlock (&self->lock);
}

static gpointer
queue_thread (gpointer user_data)
{
  PulseQueue *self = PULSE_QUEUE (user_data);

  g_mutex_lock (&self->lock);
  for (;;) {
    gpointer item;
    PulseFlowReturn ret;

    while (!self->flushing && g_queue_is_empty (&self->fifo)) {
      self->consumer_waiting = TRUE;
      g_cond_wait (&self->cond, &self->lock);
      self->consumer_waiting = FALSE;
    }
    if (self->flushing)
      break;
    item = g_queue_pop_head (&self->fifo);
    if (item != EOS_ITEM) {
      self->n_buffers--;
      self->n_bytes -= pulse_buffer_get_size (item);
    }
    if (self->producers_waiting > 0)
      g_cond_broadcast (&self->cond); /* room for a blocked upstream */
    g_mutex_unlock (&self->lock);

    if (item == EOS_ITEM) {
      pulse_pad_push_eos (self->srcpad);
      ret = PULSE_FLOW_EOS;
    } else {
      ret = pulse_pad_push (self->srcpad, item);
    }

    g_mutex_lock (&self->lock);
    if (ret != PULSE_FLOW_OK) {
      /* downstream is done (EOS) or failed (and posted why): tell
       * upstream on its next push, and wait to be flushed */
      self->srcresult = ret;
      g_cond_broadcast (&self->cond);
      while (!self->flushing)
        g_cond_wait (&self->cond, &self->lock);
      break;
    }
  }
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
flush_fifo (PulseQueue *self)
{
  gpointer item;

  while ((item = g_queue_pop_head (&self->fifo)) != NULL)
    if (item != EOS_ITEM)
      pulse_buffer_unref (item);
  self->n_buffers = 0;
  self->n_bytes = 0;
}

static gboolean
pulse_queue_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseQueue *self = PULSE_QUEUE (element);
  g_autofree gchar *thread_name = NULL;

  switch (transition) {
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      g_mutex_lock (&self->lock);
      self->flushing = FALSE;
      self->srcresult = PULSE_FLOW_OK;
      self->dropped = 0;
      self->warned = FALSE;
      g_mutex_unlock (&self->lock);
      thread_name = g_strdup_printf ("q:%s", pulse_element_get_name (element));
      self->thread = g_thread_try_new (thread_name, queue_thread, self, error);
      if (self->thread == NULL)
        return FALSE;
      break;
    case PULSE_STATE_CHANGE_PLAYING_TO_READY:
      g_mutex_lock (&self->lock);
      self->flushing = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      if (self->thread != NULL)
        g_thread_join (g_steal_pointer (&self->thread));
      g_mutex_lock (&self->lock);
      flush_fifo (self);
      g_mutex_unlock (&self->lock);
      break;
    default: break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

static void
pulse_queue_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseQueue *self = PULSE_QUEUE (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_MAX_BUFFERS: self->max_buffers = g_value_get_uint (value); break;
    case PROP_MAX_BYTES: self->max_bytes = g_value_get_uint64 (value); break;
    case PROP_LEAKY: self->leaky = g_value_get_enum (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
pulse_queue_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseQueue *self = PULSE_QUEUE (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_MAX_BUFFERS: g_value_set_uint (value, self->max_buffers); break;
    case PROP_MAX_BYTES: g_value_set_uint64 (value, self->max_bytes); break;
    case PROP_LEAKY: g_value_set_enum (value, self->leaky); break;
    case PROP_CURRENT_LEVEL_BUFFERS: g_value_set_uint (value, self->n_buffers); break;
    case PROP_CURRENT_LEVEL_BYTES: g_value_set_uint64 (value, self->n_bytes); break;
    case PROP_DROPPED: g_value_set_uint64 (value, self->dropped); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
pulse_queue_finalize (GObject *object)
{
  PulseQueue *self = PULSE_QUEUE (object);

  flush_fifo (self);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_queue_class_init (PulseQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_queue_set_property;
  object_class->get_property = pulse_queue_get_property;
  object_class->finalize = pulse_queue_finalize;
  element_class->chain = pulse_queue_chain;
  element_class->sink_eos = pulse_queue_sink_eos;
  element_class->change_state = pulse_queue_change_state;

  /**
   * PulseQueue:max-buffers:
   *
   * The most buffers held; 0 for no limit in buffers.
   */
  properties[PROP_MAX_BUFFERS] = g_param_spec_uint ("max-buffers", "Max buffers",
      "The most buffers held (0 = no limit in buffers)", 0, G_MAXUINT, DEFAULT_MAX_BUFFERS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseQueue:max-bytes:
   *
   * The most payload bytes held; 0 for no limit in bytes.
   */
  properties[PROP_MAX_BYTES] = g_param_spec_uint64 ("max-bytes", "Max bytes",
      "The most payload bytes held (0 = no limit in bytes)", 0, G_MAXUINT64, DEFAULT_MAX_BYTES,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseQueue:leaky:
   *
   * What a full queue does: block upstream, or drop new or old buffers.
   */
  properties[PROP_LEAKY] = g_param_spec_enum ("leaky", "Leaky",
      "What a full queue does: block upstream (no), drop the new buffer (upstream) or the oldest (downstream)",
      PULSE_TYPE_QUEUE_LEAKY, DEFAULT_LEAKY, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseQueue:current-level-buffers:
   *
   * Buffers held now.
   */
  properties[PROP_CURRENT_LEVEL_BUFFERS] = g_param_spec_uint ("current-level-buffers",
      "Current level (buffers)", "Buffers held now", 0, G_MAXUINT, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseQueue:current-level-bytes:
   *
   * Payload bytes held now.
   */
  properties[PROP_CURRENT_LEVEL_BYTES] = g_param_spec_uint64 ("current-level-bytes",
      "Current level (bytes)", "Payload bytes held now", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseQueue:dropped:
   *
   * Buffers dropped by a leaky queue since PLAYING.
   */
  properties[PROP_DROPPED] = g_param_spec_uint64 ("dropped", "Dropped",
      "Buffers dropped by a leaky queue since PLAYING", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "Queue", "Generic",
      "A bounded FIFO with a thread of its own: the boundary between streaming threads",
      "timer interval=10ms count=50 ! queue max-buffers=100 leaky=downstream ! print");
  pulse_element_class_set_passthrough (element_class, TRUE);
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
}

static void
pulse_queue_init (PulseQueue *self)
{
  self->max_buffers = DEFAULT_MAX_BUFFERS;
  self->max_bytes = DEFAULT_MAX_BYTES;
  self->leaky = DEFAULT_LEAKY;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->fifo);
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
