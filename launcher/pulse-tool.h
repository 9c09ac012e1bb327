/* PulseMQ — what pulse-launch and pulse-inspect share */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

void pulse_tool_init_i18n (void);
void pulse_tool_load_plugins (const gchar *prgname, const gchar *plugin_path);
void pulse_tool_open_stats_db (const gchar *prgname, const gchar *uri);
void pulse_tool_print_parse_error (
    const gchar *prgname, PulseParseContext *context, const GError *error);

G_END_DECLS
