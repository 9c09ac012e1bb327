/* PulseMQ — the admin HTTP server: statistics, pipeline and web UI */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-pipeline.h"
#include "pulse-stats.h"

G_BEGIN_DECLS

/**
 * PULSE_ADMIN_SERVER_DEFAULT_ADDRESS:
 *
 * Where a #PulseAdminServer listens unless told otherwise: loopback only.
 * pulse-launch binds `0.0.0.0:9090` by default, as the original did.
 */
#define PULSE_ADMIN_SERVER_DEFAULT_ADDRESS "127.0.0.1:9090"

#define PULSE_TYPE_ADMIN_SERVER (pulse_admin_server_get_type ())
G_DECLARE_FINAL_TYPE (PulseAdminServer, pulse_admin_server, PULSE, ADMIN_SERVER, GObject)

PulseAdminServer *pulse_admin_server_new (const gchar *address, PulsePipeline *pipeline);
gboolean pulse_admin_server_start (PulseAdminServer *self, GError **error);
void pulse_admin_server_stop (PulseAdminServer *self);
gchar *pulse_admin_server_get_uri (PulseAdminServer *self);
guint pulse_admin_server_get_n_sse_clients (PulseAdminServer *self);
gchar *pulse_admin_server_build_snapshot (PulseAdminServer *self);

G_END_DECLS
