/* PulseMQ — pipeline descriptions */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-pipeline.h"

G_BEGIN_DECLS

#define PULSE_TYPE_PARSE_CONTEXT (pulse_parse_context_get_type ())
G_DECLARE_FINAL_TYPE (PulseParseContext, pulse_parse_context, PULSE, PARSE_CONTEXT, GObject)

PulseParseContext *pulse_parse_context_new (void);
const gchar *pulse_parse_context_get_description (PulseParseContext *context);
gssize pulse_parse_context_get_error_offset (PulseParseContext *context);
gsize pulse_parse_context_get_error_length (PulseParseContext *context);
const gchar *pulse_parse_context_get_error_text (PulseParseContext *context);
const gchar *pulse_parse_context_get_hint (PulseParseContext *context);
gchar *pulse_parse_context_format_error (PulseParseContext *context);

PulsePipeline *pulse_parse_launch (const gchar *description, GError **error);
PulsePipeline *
pulse_parse_launch_full (const gchar *description, PulseParseContext *context, GError **error);
PulsePipeline *
pulse_parse_launchv (const gchar *const *argv, PulseParseContext *context, GError **error);
gchar *pulse_parse_redact (const gchar *description);

G_END_DECLS
