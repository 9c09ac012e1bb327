/* PulseMQ — bus messages */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PulseMessageType:
 * @PULSE_MESSAGE_UNKNOWN: no type
 * @PULSE_MESSAGE_ERROR: a fatal error; the pipeline should stop
 * @PULSE_MESSAGE_WARNING: something went wrong but data keeps flowing
 * @PULSE_MESSAGE_INFO: information for the operator
 * @PULSE_MESSAGE_EOS: every sink has received end-of-stream
 * @PULSE_MESSAGE_STATE_CHANGED: an element or the pipeline changed state
 * @PULSE_MESSAGE_ELEMENT: an element-specific message with details
 * @PULSE_MESSAGE_ANY: every type, for filters
 *
 * The kind of a #PulseMessage.
 */
typedef enum /*< flags >*/ {
  PULSE_MESSAGE_UNKNOWN = 0,
  PULSE_MESSAGE_ERROR = 1 << 0,
  PULSE_MESSAGE_WARNING = 1 << 1,
  PULSE_MESSAGE_INFO = 1 << 2,
  PULSE_MESSAGE_EOS = 1 << 3,
  PULSE_MESSAGE_STATE_CHANGED = 1 << 4,
  PULSE_MESSAGE_ELEMENT = 1 << 5,
  PULSE_MESSAGE_ANY = 0x3f,
} PulseMessageType;

/**
 * PulseState:
 * @PULSE_STATE_NULL: the initial state: no resources
 * @PULSE_STATE_READY: resources allocated (sockets bound, files open), no data flows
 * @PULSE_STATE_PLAYING: data flows
 *
 * The states of elements and pipelines.
 */
typedef enum {
  PULSE_STATE_NULL,
  PULSE_STATE_READY,
  PULSE_STATE_PLAYING,
} PulseState;

const gchar *pulse_state_get_name (PulseState state);

/**
 * PulseMessage:
 *
 * A refcounted, immutable notice from an element or a pipeline to the
 * application, delivered through a #PulseBus.
 */
typedef struct _PulseMessage PulseMessage;

#define PULSE_TYPE_MESSAGE (pulse_message_get_type ())
GType pulse_message_get_type (void) G_GNUC_CONST;

PulseMessage *pulse_message_new_error (GObject *src, const GError *error, const gchar *debug);
PulseMessage *pulse_message_new_warning (GObject *src, const GError *error, const gchar *debug);
PulseMessage *pulse_message_new_info (GObject *src, const GError *error, const gchar *debug);
PulseMessage *pulse_message_new_eos (GObject *src);
PulseMessage *
pulse_message_new_state_changed (GObject *src, PulseState old_state, PulseState new_state);
PulseMessage *pulse_message_new_element (GObject *src, GVariant *details);
PulseMessage *pulse_message_ref (PulseMessage *message);
void pulse_message_unref (PulseMessage *message);

PulseMessageType pulse_message_get_message_type (PulseMessage *message);
GObject *pulse_message_get_src (PulseMessage *message);
const gchar *pulse_message_get_src_path (PulseMessage *message);
gint64 pulse_message_get_timestamp (PulseMessage *message);
void pulse_message_parse_error (PulseMessage *message, GError **error, gchar **debug);
void pulse_message_parse_warning (PulseMessage *message, GError **error, gchar **debug);
void pulse_message_parse_info (PulseMessage *message, GError **error, gchar **debug);
void pulse_message_parse_state_changed (
    PulseMessage *message, PulseState *old_state, PulseState *new_state);
GVariant *pulse_message_get_details (PulseMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulseMessage, pulse_message_unref)

G_END_DECLS
