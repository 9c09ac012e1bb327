/* PulseMQ — pipelines */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-bus.h"
#include "pulse-element.h"

G_BEGIN_DECLS

#define PULSE_TYPE_PIPELINE (pulse_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (PulsePipeline, pulse_pipeline, PULSE, PIPELINE, GObject)

PulsePipeline *pulse_pipeline_new (const gchar *name);
const gchar *pulse_pipeline_get_name (PulsePipeline *pipeline);
gboolean pulse_pipeline_add (PulsePipeline *pipeline, PulseElement *element, GError **error);
PulseElement *pulse_pipeline_get_by_name (PulsePipeline *pipeline, const gchar *name);
GList *pulse_pipeline_get_elements (PulsePipeline *pipeline);
PulseBus *pulse_pipeline_get_bus (PulsePipeline *pipeline);
gboolean pulse_pipeline_set_state (PulsePipeline *pipeline, PulseState state, GError **error);
PulseState pulse_pipeline_get_state (PulsePipeline *pipeline);
void pulse_pipeline_send_eos (PulsePipeline *pipeline);
gboolean pulse_pipeline_is_eos (PulsePipeline *pipeline);
gchar *pulse_pipeline_describe (PulsePipeline *pipeline);

G_END_DECLS
