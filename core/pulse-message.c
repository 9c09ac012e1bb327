/* PulseMQ — bus messages */
#include "config.h"

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

/* The source is held weakly: a pipeline posts messages about itself on a
 * bus it owns, and a strong reference there would keep an unreferenced
 * pipeline (and its threads) alive for as long as nobody popped them. */
struct _PulseMessage {
  gint ref_count;
  PulseMessageType type;
  GWeakRef src;
  gchar *src_path;
  gint64 timestamp;
  GError *error;
  gchar *debug;
  PulseState old_state;
  PulseState new_state;
  GVariant *details;
};

G_DEFINE_BOXED_TYPE (PulseMessage, pulse_message, pulse_message_ref, pulse_message_unref)

/**
 * pulse_state_get_name:
 * @state: a state
 *
 * Returns: (transfer none): `NULL`, `READY` or `PLAYING`
 */
const gchar *
pulse_state_get_name (PulseState state)
{
  switch (state) {
    case PULSE_STATE_NULL: return "NULL";
    case PULSE_STATE_READY: return "READY";
    case PULSE_STATE_PLAYING: return "PLAYING";
    default: return "UNKNOWN";
  }
}

static gchar *
path_of (GObject *src)
{
  if (src == NULL)
    return g_strdup ("(none)");
  if (PULSE_IS_ELEMENT (src))
    return pulse_element_get_path_string (PULSE_ELEMENT (src));
  if (PULSE_IS_PIPELINE (src))
    return g_strdup (pulse_pipeline_get_name (PULSE_PIPELINE (src)));
  return g_strdup (G_OBJECT_TYPE_NAME (src));
}

static PulseMessage *
message_new (PulseMessageType type, GObject *src)
{
  PulseMessage *m = g_new0 (PulseMessage, 1);

  m->ref_count = 1;
  m->type = type;
  g_weak_ref_init (&m->src, src);
  m->src_path = path_of (src);
  m->timestamp = g_get_monotonic_time ();
  return m;
}

static PulseMessage *
message_new_gerror (PulseMessageType type, GObject *src, const GError *error, const gchar *debug)
{
  PulseMessage *m = message_new (type, src);

  m->error = g_error_copy (error);
  m->debug = g_strdup (debug);
  return m;
}

/**
 * pulse_message_new_error:
 * @src: (nullable): the object that posts it
 * @error: the error, copied
 * @debug: (nullable): details for developers
 *
 * Returns: (transfer full): a new ERROR message
 */
PulseMessage *
pulse_message_new_error (GObject *src, const GError *error, const gchar *debug)
{
  g_return_val_if_fail (error != NULL, NULL);
  return message_new_gerror (PULSE_MESSAGE_ERROR, src, error, debug);
}

/**
 * pulse_message_new_warning:
 * @src: (nullable): the object that posts it
 * @error: what went wrong, copied
 * @debug: (nullable): details for developers
 *
 * Returns: (transfer full): a new WARNING message
 */
PulseMessage *
pulse_message_new_warning (GObject *src, const GError *error, const gchar *debug)
{
  g_return_val_if_fail (error != NULL, NULL);
  return message_new_gerror (PULSE_MESSAGE_WARNING, src, error, debug);
}

/**
 * pulse_message_new_info:
 * @src: (nullable): the object that posts it
 * @error: the information, as an error code and text, copied
 * @debug: (nullable): details for developers
 *
 * Returns: (transfer full): a new INFO message
 */
PulseMessage *
pulse_message_new_info (GObject *src, const GError *error, const gchar *debug)
{
  g_return_val_if_fail (error != NULL, NULL);
  return message_new_gerror (PULSE_MESSAGE_INFO, src, error, debug);
}

/**
 * pulse_message_new_eos:
 * @src: (nullable): the pipeline
 *
 * Returns: (transfer full): a new EOS message
 */
PulseMessage *
pulse_message_new_eos (GObject *src)
{
  return message_new (PULSE_MESSAGE_EOS, src);
}

/**
 * pulse_message_new_state_changed:
 * @src: (nullable): the element or pipeline
 * @old_state: the state before
 * @new_state: the state now
 *
 * Returns: (transfer full): a new STATE_CHANGED message
 */
PulseMessage *
pulse_message_new_state_changed (GObject *src, PulseState old_state, PulseState new_state)
{
  PulseMessage *m = message_new (PULSE_MESSAGE_STATE_CHANGED, src);

  m->old_state = old_state;
  m->new_state = new_state;
  return m;
}

/**
 * pulse_message_new_element:
 * @src: (nullable): the element
 * @details: a dictionary (`a{sv}`); a floating reference is sunk
 *
 * Returns: (transfer full): a new ELEMENT message
 */
PulseMessage *
pulse_message_new_element (GObject *src, GVariant *details)
{
  PulseMessage *m;

  g_return_val_if_fail (details != NULL, NULL);
  g_return_val_if_fail (g_variant_is_of_type (details, G_VARIANT_TYPE_VARDICT), NULL);
  m = message_new (PULSE_MESSAGE_ELEMENT, src);
  m->details = g_variant_ref_sink (details);
  return m;
}

/**
 * pulse_message_ref:
 * @message: a #PulseMessage
 *
 * Returns: (transfer full): @message
 */
PulseMessage *
pulse_message_ref (PulseMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_atomic_int_inc (&message->ref_count);
  return message;
}

/**
 * pulse_message_unref:
 * @message: (transfer full): a #PulseMessage
 *
 * Drops a reference.
 */
void
pulse_message_unref (PulseMessage *message)
{
  g_return_if_fail (message != NULL);
  if (!g_atomic_int_dec_and_test (&message->ref_count))
    return;
  g_weak_ref_clear (&message->src);
  g_free (message->src_path);
  g_clear_error (&message->error);
  g_free (message->debug);
  g_clear_pointer (&message->details, g_variant_unref);
  g_free (message);
}

/**
 * pulse_message_get_message_type:
 * @message: a #PulseMessage
 *
 * Returns: the message's type
 */
PulseMessageType
pulse_message_get_message_type (PulseMessage *message)
{
  g_return_val_if_fail (message != NULL, PULSE_MESSAGE_UNKNOWN);
  return message->type;
}

/**
 * pulse_message_get_src:
 * @message: a #PulseMessage
 *
 * The message does not keep its source alive; pulse_message_get_src_path()
 * names it even after it is gone.
 *
 * Returns: (transfer none) (nullable): the object that posted it, or %NULL
 * once that object has been destroyed
 */
GObject *
pulse_message_get_src (PulseMessage *message)
{
  GObject *src;

  g_return_val_if_fail (message != NULL, NULL);
  src = g_weak_ref_get (&message->src);
  if (src != NULL)
    g_object_unref (src); /* still owned elsewhere: the caller borrows it */
  return src;
}

/**
 * pulse_message_get_src_path:
 * @message: a #PulseMessage
 *
 * Returns: (transfer none): the path of the poster, such as `pipeline0/timer0`
 */
const gchar *
pulse_message_get_src_path (PulseMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->src_path;
}

/**
 * pulse_message_get_timestamp:
 * @message: a #PulseMessage
 *
 * Returns: when it was posted, on the monotonic clock (microseconds)
 */
gint64
pulse_message_get_timestamp (PulseMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);
  return message->timestamp;
}

static void
parse_gerror (PulseMessage *message, PulseMessageType type, GError **error, gchar **debug)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (message->type == type);
  if (error != NULL)
    *error = g_error_copy (message->error);
  if (debug != NULL)
    *debug = g_strdup (message->debug);
}

/**
 * pulse_message_parse_error:
 * @message: an ERROR message
 * @error: (out) (optional) (transfer full): the error
 * @debug: (out) (optional) (transfer full) (nullable): details for developers
 *
 * Reads an ERROR message.
 */
void
pulse_message_parse_error (PulseMessage *message, GError **error, gchar **debug)
{
  parse_gerror (message, PULSE_MESSAGE_ERROR, error, debug);
}

/**
 * pulse_message_parse_warning:
 * @message: a WARNING message
 * @error: (out) (optional) (transfer full): what went wrong
 * @debug: (out) (optional) (transfer full) (nullable): details for developers
 *
 * Reads a WARNING message.
 */
void
pulse_message_parse_warning (PulseMessage *message, GError **error, gchar **debug)
{
  parse_gerror (message, PULSE_MESSAGE_WARNING, error, debug);
}

/**
 * pulse_message_parse_info:
 * @message: an INFO message
 * @error: (out) (optional) (transfer full): the information
 * @debug: (out) (optional) (transfer full) (nullable): details for developers
 *
 * Reads an INFO message.
 */
void
pulse_message_parse_info (PulseMessage *message, GError **error, gchar **debug)
{
  parse_gerror (message, PULSE_MESSAGE_INFO, error, debug);
}

/**
 * pulse_message_parse_state_changed:
 * @message: a STATE_CHANGED message
 * @old_state: (out) (optional): the state before
 * @new_state: (out) (optional): the state now
 *
 * Reads a STATE_CHANGED message.
 */
void
pulse_message_parse_state_changed (
    PulseMessage *message, PulseState *old_state, PulseState *new_state)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (message->type == PULSE_MESSAGE_STATE_CHANGED);
  if (old_state != NULL)
    *old_state = message->old_state;
  if (new_state != NULL)
    *new_state = message->new_state;
}

/**
 * pulse_message_get_details:
 * @message: a #PulseMessage
 *
 * Returns: (transfer none) (nullable): the details of an ELEMENT message
 */
GVariant *
pulse_message_get_details (PulseMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->details;
}
