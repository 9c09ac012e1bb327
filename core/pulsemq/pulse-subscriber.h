/* PulseMQ — the subscriber API */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-buffer.h"

G_BEGIN_DECLS

/**
 * PulseDataMessage:
 *
 * One message received by a #PulseSubscriber, with the fields of the
 * original's `PulseMessage`. Refcounted and immutable.
 */
typedef struct _PulseDataMessage PulseDataMessage;

#define PULSE_TYPE_DATA_MESSAGE (pulse_data_message_get_type ())
GType pulse_data_message_get_type (void) G_GNUC_CONST;

PulseDataMessage *pulse_data_message_ref (PulseDataMessage *message);
void pulse_data_message_unref (PulseDataMessage *message);
const gchar *pulse_data_message_get_topic (PulseDataMessage *message);
PulseBuffer *pulse_data_message_get_payload (PulseDataMessage *message);
gchar *pulse_data_message_get_payload_json (PulseDataMessage *message);
GBytes *pulse_data_message_get_raw_payload (PulseDataMessage *message);
guint32 pulse_data_message_get_record_count (PulseDataMessage *message);
gint64 pulse_data_message_get_timestamp_ns (PulseDataMessage *message);
const gchar *pulse_data_message_get_serializer (PulseDataMessage *message);
const gchar *pulse_data_message_get_compression (PulseDataMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulseDataMessage, pulse_data_message_unref)

#define PULSE_TYPE_SUBSCRIBER (pulse_subscriber_get_type ())
G_DECLARE_FINAL_TYPE (PulseSubscriber, pulse_subscriber, PULSE, SUBSCRIBER, GObject)

PulseSubscriber *pulse_subscriber_new (const gchar *endpoint);
const gchar *pulse_subscriber_get_endpoint (PulseSubscriber *subscriber);
void pulse_subscriber_set_credentials (
    PulseSubscriber *subscriber, const gchar *username, const gchar *password);
void pulse_subscriber_subscribe (PulseSubscriber *subscriber, const gchar *topic);
void pulse_subscriber_unsubscribe (PulseSubscriber *subscriber, const gchar *topic);
gboolean pulse_subscriber_open (PulseSubscriber *subscriber, GError **error);
PulseDataMessage *
pulse_subscriber_receive (PulseSubscriber *subscriber, gint timeout_ms, GError **error);
gboolean
pulse_subscriber_start (PulseSubscriber *subscriber, GMainContext *context, GError **error);
void pulse_subscriber_stop (PulseSubscriber *subscriber);
void pulse_subscriber_close (PulseSubscriber *subscriber);
guint64 pulse_subscriber_get_received (PulseSubscriber *subscriber);
guint64 pulse_subscriber_get_malformed (PulseSubscriber *subscriber);

G_END_DECLS
