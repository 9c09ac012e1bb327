/* PulseMQ — subscriber authentication: the key store */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define PULSE_TYPE_AUTH (pulse_auth_get_type ())
G_DECLARE_FINAL_TYPE (PulseAuth, pulse_auth, PULSE, AUTH, GObject)

PulseAuth *pulse_auth_new (void);
gboolean
pulse_auth_add_key (PulseAuth *auth, const gchar *user, const gchar *password, GError **error);
gboolean pulse_auth_remove_key (PulseAuth *auth, const gchar *user);
gboolean pulse_auth_add_keys (PulseAuth *auth, const gchar *keys, GError **error);
gboolean pulse_auth_load_keys_file (PulseAuth *auth, const gchar *path, GError **error);
gboolean pulse_auth_has_user (PulseAuth *auth, const gchar *user);
guint pulse_auth_get_n_users (PulseAuth *auth);
gchar **pulse_auth_get_users (PulseAuth *auth);
gboolean pulse_auth_check_plain (PulseAuth *auth, const gchar *user, const gchar *password);
guint64 pulse_auth_get_accepted (PulseAuth *auth, const gchar *user);
guint64 pulse_auth_get_rejected (PulseAuth *auth, const gchar *user);
GVariant *pulse_auth_get_counters (PulseAuth *auth);
gboolean pulse_auth_generate_curve_keys (gchar **public_key, gchar **secret_key, GError **error);

G_END_DECLS
