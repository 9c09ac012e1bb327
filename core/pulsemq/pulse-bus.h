/* PulseMQ — the bus: messages from streaming threads to the main loop */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-message.h"

G_BEGIN_DECLS

#define PULSE_TYPE_BUS (pulse_bus_get_type ())
G_DECLARE_FINAL_TYPE (PulseBus, pulse_bus, PULSE, BUS, GObject)

/**
 * PulseBusFunc:
 * @bus: the bus
 * @message: the message, valid during the call
 * @user_data: the data given to pulse_bus_add_watch()
 *
 * Receives bus messages on the main loop.
 *
 * Returns: %FALSE to remove the watch
 */
typedef gboolean (*PulseBusFunc) (PulseBus *bus, PulseMessage *message, gpointer user_data);

PulseBus *pulse_bus_new (void);
void pulse_bus_post (PulseBus *bus, PulseMessage *message);
gboolean pulse_bus_have_pending (PulseBus *bus);
PulseMessage *pulse_bus_pop (PulseBus *bus);
PulseMessage *
pulse_bus_timed_pop_filtered (PulseBus *bus, gint64 timeout_us, PulseMessageType types);
guint
pulse_bus_add_watch (PulseBus *bus, PulseBusFunc func, gpointer user_data, GDestroyNotify notify);
gboolean pulse_bus_remove_watch (PulseBus *bus);
void pulse_bus_add_signal_watch (PulseBus *bus);
void pulse_bus_remove_signal_watch (PulseBus *bus);

G_END_DECLS
