/* PulseMQ — the plainauth element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_PLAIN_AUTH (pulse_plain_auth_get_type ())
G_DECLARE_FINAL_TYPE (PulsePlainAuth, pulse_plain_auth, PULSE, PLAIN_AUTH, PulseElement)

G_GNUC_INTERNAL gboolean _pulse_plain_auth_load_keys (
    PulsePlainAuth *self, PulseAuth *store, GError **error);
G_GNUC_INTERNAL const gchar *_pulse_plain_auth_get_curve_secret (PulsePlainAuth *self);
G_GNUC_INTERNAL gchar **_pulse_plain_auth_dup_allow (PulsePlainAuth *self);
G_GNUC_INTERNAL void _pulse_plain_auth_attach (PulsePlainAuth *self, PulseAuth *store);

G_END_DECLS
