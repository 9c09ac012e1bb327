/* PulseMQ — the producer element: application code as a source
 *
 * Public because applications call it: from C, and from Python or
 * JavaScript through GObject Introspection. The element itself is built
 * from elements/pulse-producer.c.
 */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-buffer.h"
#include "pulse-element.h"

G_BEGIN_DECLS

#define PULSE_TYPE_PRODUCER (pulse_producer_get_type ())
G_DECLARE_FINAL_TYPE (PulseProducer, pulse_producer, PULSE, PRODUCER, PulseElement)

/**
 * PulseProducerFunc:
 * @producer: the #PulseProducer that calls
 * @user_data: the data given to pulse_producer_set_callback()
 * @error: return location for a #GError: set it, and return %NULL, when
 *   producing failed
 *
 * Makes the next value of a producer. The value is one of: a map `a{sv}`
 * (one record), a list of maps `aa{sv}` or `av` (one record each), a
 * table of columns (`a{sv}` of lists, or `a(sv)`: one record per row), a
 * string `s`, a byte string `ay`, a list of strings `as` or of byte
 * strings `aay`, or any other value msgpack and json can carry (`x`, `d`,
 * `b`, nested `av` and `a{sv}`). It is converted once, at the producer,
 * into a #PulseBuffer.
 *
 * Returns: (transfer full) (nullable): the value (a floating reference is
 *   sunk), or %NULL for nothing this time: in interval mode the tick is
 *   skipped, in burst mode the stream ends
 */
typedef GVariant *(*PulseProducerFunc) (
    PulseProducer *producer, gpointer user_data, GError **error);

void pulse_producer_set_callback (
    PulseProducer *self, PulseProducerFunc func, gpointer user_data, GDestroyNotify notify);

gboolean pulse_producer_push (PulseProducer *self, GVariant *value, GError **error);
gboolean pulse_producer_push_bytes (PulseProducer *self, GBytes *bytes, GError **error);
gboolean pulse_producer_push_buffer (PulseProducer *self, PulseBuffer *buffer, GError **error);
void pulse_producer_end_of_stream (PulseProducer *self);
void pulse_producer_report_error (PulseProducer *self, const gchar *message);

PulseBuffer *pulse_producer_make_buffer (PulseProducer *self, GVariant *value, GError **error);

G_END_DECLS
