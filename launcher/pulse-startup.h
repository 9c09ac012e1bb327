/* PulseMQ — the startup table pulse-launch prints for a publisher */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

/* the klass of elements that authenticate subscribers (plainauth) */
#define PULSE_STARTUP_AUTH_KLASS "Filter/Auth"
/* at most this many user names are listed; more are summed up */
#define PULSE_STARTUP_MAX_USERS 10

gchar *pulse_startup_format_auth (const gchar *const *users);
gchar *pulse_startup_format_table (
    const gchar *title, const gchar *const *labels, const gchar *const *values);
gchar *pulse_startup_table_new (PulsePipeline *pipeline, const gchar *description);
gchar *pulse_startup_table_new_full (
    PulsePipeline *pipeline, const gchar *description, const gchar *admin_uri);
gboolean pulse_startup_is_publisher (PulsePipeline *pipeline);
gchar **pulse_startup_get_endpoints (PulsePipeline *pipeline);

G_END_DECLS
