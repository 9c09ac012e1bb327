/* PulseMQ — the bus
 *
 * Streaming threads post; the application reads on its main loop. Posting
 * never blocks on the reader: messages queue under a mutex and a GSource
 * attached to the reader's GMainContext is made ready. Lock order is bus
 * mutex, then GMainContext lock; the source's dispatch runs without the
 * context lock, so the two never invert.
 */
#include "config.h"

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

struct _PulseBus {
  GObject parent_instance;

  GMutex lock;
  GCond cond;
  GQueue queue;
  GSource *watch;
  guint n_signal_watchers;
};

enum { SIGNAL_MESSAGE, N_SIGNALS };

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PulseBus, pulse_bus, G_TYPE_OBJECT)

typedef struct {
  GSource source;
  PulseBus *bus; /* not a reference: the bus destroys the source first */
} BusSource;

static gboolean
bus_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  BusSource *bsource = (BusSource *) source;
  PulseBusFunc func = (PulseBusFunc) callback;
  PulseBus *bus = bsource->bus;

  g_source_set_ready_time (source, -1);
  if (func == NULL)
    return G_SOURCE_REMOVE;

  for (;;) {
    g_autoptr (PulseMessage) message = pulse_bus_pop (bus);
    if (message == NULL)
      break;
    if (!func (bus, message, user_data))
      return G_SOURCE_REMOVE;
    if (g_source_is_destroyed (source))
      return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs bus_source_funcs = {
  .dispatch = bus_source_dispatch,
};

static void
pulse_bus_finalize (GObject *object)
{
  PulseBus *bus = PULSE_BUS (object);

  if (bus->watch != NULL) {
    g_source_destroy (bus->watch);
    g_source_unref (bus->watch);
  }
  g_queue_clear_full (&bus->queue, (GDestroyNotify) pulse_message_unref);
  g_mutex_clear (&bus->lock);
  g_cond_clear (&bus->cond);
  G_OBJECT_CLASS (pulse_bus_parent_class)->finalize (object);
}

static void
pulse_bus_class_init (PulseBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pulse_bus_finalize;

  /**
   * PulseBus::message:
   * @bus: the bus
   * @message: the message
   *
   * Emitted on the main loop for every message once
   * pulse_bus_add_signal_watch() was called. The detail is the message
   * type's nick (`error`, `warning`, `eos`, `state-changed`, …).
   */
  signals[SIGNAL_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      PULSE_TYPE_MESSAGE);
}

static void
pulse_bus_init (PulseBus *bus)
{
  g_mutex_init (&bus->lock);
  g_cond_init (&bus->cond);
  g_queue_init (&bus->queue);
}

/**
 * pulse_bus_new:
 *
 * Creates a bus. A pipeline has one; you rarely need another.
 *
 * Returns: (transfer full): a new #PulseBus
 */
PulseBus *
pulse_bus_new (void)
{
  return g_object_new (PULSE_TYPE_BUS, NULL);
}

/**
 * pulse_bus_post:
 * @bus: a #PulseBus
 * @message: (transfer full): the message
 *
 * Queues @message for the reader. Safe from any thread; never blocks on
 * the reader.
 */
void
pulse_bus_post (PulseBus *bus, PulseMessage *message)
{
  g_return_if_fail (PULSE_IS_BUS (bus));
  g_return_if_fail (message != NULL);

  g_mutex_lock (&bus->lock);
  g_queue_push_tail (&bus->queue, message);
  g_cond_broadcast (&bus->cond);
  if (bus->watch != NULL)
    g_source_set_ready_time (bus->watch, 0);
  g_mutex_unlock (&bus->lock);
}

/**
 * pulse_bus_have_pending:
 * @bus: a #PulseBus
 *
 * Returns: %TRUE if messages are waiting
 */
gboolean
pulse_bus_have_pending (PulseBus *bus)
{
  gboolean pending;

  g_return_val_if_fail (PULSE_IS_BUS (bus), FALSE);
  g_mutex_lock (&bus->lock);
  pending = !g_queue_is_empty (&bus->queue);
  g_mutex_unlock (&bus->lock);
  return pending;
}

/**
 * pulse_bus_pop:
 * @bus: a #PulseBus
 *
 * Takes the oldest message without waiting.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL if none is waiting
 */
PulseMessage *
pulse_bus_pop (PulseBus *bus)
{
  PulseMessage *message;

  g_return_val_if_fail (PULSE_IS_BUS (bus), NULL);
  g_mutex_lock (&bus->lock);
  message = g_queue_pop_head (&bus->queue);
  g_mutex_unlock (&bus->lock);
  return message;
}

/**
 * pulse_bus_timed_pop_filtered:
 * @bus: a #PulseBus
 * @timeout_us: how long to wait in microseconds, or -1 for ever
 * @types: the message types wanted; others are dropped
 *
 * Waits for a message of one of @types, for code that runs no main loop.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on timeout
 */
PulseMessage *
pulse_bus_timed_pop_filtered (PulseBus *bus, gint64 timeout_us, PulseMessageType types)
{
  gint64 deadline;
  PulseMessage *found = NULL;

  g_return_val_if_fail (PULSE_IS_BUS (bus), NULL);

  deadline = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_us;
  g_mutex_lock (&bus->lock);
  while (found == NULL) {
    PulseMessage *m = g_queue_pop_head (&bus->queue);

    if (m != NULL) {
      if (pulse_message_get_message_type (m) & types)
        found = m;
      else
        pulse_message_unref (m);
      continue;
    }
    if (deadline == G_MAXINT64)
      g_cond_wait (&bus->cond, &bus->lock);
    else if (!g_cond_wait_until (&bus->cond, &bus->lock, deadline))
      break;
  }
  g_mutex_unlock (&bus->lock);
  return found;
}

/**
 * pulse_bus_add_watch:
 * @bus: a #PulseBus
 * @func: (scope notified) (closure user_data) (destroy notify): called for each message
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Delivers messages to @func on the thread-default main context of the
 * caller. A bus has at most one watch.
 *
 * Returns: the source id, or 0 if the bus already has a watch
 */
guint
pulse_bus_add_watch (PulseBus *bus, PulseBusFunc func, gpointer user_data, GDestroyNotify notify)
{
  GSource *source;
  guint id;

  g_return_val_if_fail (PULSE_IS_BUS (bus), 0);
  g_return_val_if_fail (func != NULL, 0);

  g_mutex_lock (&bus->lock);
  if (bus->watch != NULL && !g_source_is_destroyed (bus->watch)) {
    g_mutex_unlock (&bus->lock);
    g_critical ("the bus already has a watch");
    return 0;
  }
  g_clear_pointer (&bus->watch, g_source_unref);
  source = g_source_new (&bus_source_funcs, sizeof (BusSource));
  g_source_set_static_name (source, "PulseBus watch");
  ((BusSource *) source)->bus = bus;
  g_source_set_callback (source, (GSourceFunc) func, user_data, notify);
  g_source_set_ready_time (source, g_queue_is_empty (&bus->queue) ? -1 : 0);
  id = g_source_attach (source, g_main_context_get_thread_default ());
  bus->watch = source;
  g_mutex_unlock (&bus->lock);
  return id;
}

/**
 * pulse_bus_remove_watch:
 * @bus: a #PulseBus
 *
 * Removes the watch added by pulse_bus_add_watch().
 *
 * Returns: %TRUE if there was one
 */
gboolean
pulse_bus_remove_watch (PulseBus *bus)
{
  GSource *watch;

  g_return_val_if_fail (PULSE_IS_BUS (bus), FALSE);
  g_mutex_lock (&bus->lock);
  watch = g_steal_pointer (&bus->watch);
  if (watch != NULL)
    g_source_destroy (watch);
  g_mutex_unlock (&bus->lock);
  if (watch == NULL)
    return FALSE;
  g_source_unref (watch);
  return TRUE;
}

static gboolean
signal_watch_func (PulseBus *bus, PulseMessage *message, gpointer user_data)
{
  GFlagsValue *v;
  GQuark detail = 0;

  v = g_flags_get_first_value (
      g_type_class_peek (PULSE_TYPE_MESSAGE_TYPE), pulse_message_get_message_type (message));
  if (v != NULL)
    detail = g_quark_from_static_string (v->value_nick);
  g_signal_emit (bus, signals[SIGNAL_MESSAGE], detail, message);
  return G_SOURCE_CONTINUE;
}

/**
 * pulse_bus_add_signal_watch:
 * @bus: a #PulseBus
 *
 * Emits #PulseBus::message for each message on the thread-default main
 * context of the caller. Calls nest: each needs a
 * pulse_bus_remove_signal_watch().
 */
void
pulse_bus_add_signal_watch (PulseBus *bus)
{
  g_return_if_fail (PULSE_IS_BUS (bus));

  g_type_class_ref (PULSE_TYPE_MESSAGE_TYPE);
  if (bus->n_signal_watchers++ == 0)
    pulse_bus_add_watch (bus, signal_watch_func, NULL, NULL);
}

/**
 * pulse_bus_remove_signal_watch:
 * @bus: a #PulseBus
 *
 * Undoes one pulse_bus_add_signal_watch().
 */
void
pulse_bus_remove_signal_watch (PulseBus *bus)
{
  g_return_if_fail (PULSE_IS_BUS (bus));
  g_return_if_fail (bus->n_signal_watchers > 0);

  if (--bus->n_signal_watchers == 0)
    pulse_bus_remove_watch (bus);
}
