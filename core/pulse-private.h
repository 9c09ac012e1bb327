/* PulseMQ — private API shared inside the library */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL void _pulse_i18n_init (void);
G_GNUC_INTERNAL void _pulse_elements_register (PulseRegistry *registry);
G_GNUC_INTERNAL PulseElementFactory *_pulse_registry_factory_for_type (GType type);

G_GNUC_INTERNAL void _pulse_record_batch_seal (PulseRecordBatch *batch);
G_GNUC_INTERNAL void _pulse_json_append_string (GString *out, const gchar *s, gsize len);
G_GNUC_INTERNAL void _pulse_json_append_double (GString *out, gdouble v);
G_GNUC_INTERNAL void _pulse_json_append_variant (GString *out, GVariant *value);
G_GNUC_INTERNAL void _pulse_buffer_seal (PulseBuffer *buffer);

G_GNUC_INTERNAL void _pulse_pad_set_parent (PulsePad *pad, PulseElement *parent);
G_GNUC_INTERNAL void _pulse_pad_set_formats (PulsePad *pad, PulseFormat formats);
G_GNUC_INTERNAL void _pulse_pad_narrow (PulsePad *pad, PulseFormat formats);
G_GNUC_INTERNAL void _pulse_pad_reset (PulsePad *pad, gboolean flushing);
G_GNUC_INTERNAL gboolean _pulse_pad_link_full (
    PulsePad *srcpad, PulsePad *sinkpad, gchar **hint, GError **error);

G_GNUC_INTERNAL void _pulse_element_set_pipeline (PulseElement *element, PulsePipeline *pipeline);
G_GNUC_INTERNAL void _pulse_element_add_pad (PulseElement *element, PulsePad *pad);
G_GNUC_INTERNAL gboolean _pulse_element_change_state (
    PulseElement *element, PulseStateChange transition, GError **error);
G_GNUC_INTERNAL gboolean _pulse_element_link_pads_full (PulseElement *src, const gchar *srcpadname,
    PulseElement *sink, const gchar *sinkpadname, gchar **hint, GError **error);

G_GNUC_INTERNAL void _pulse_pipeline_sink_eos (PulsePipeline *pipeline, PulseElement *sink);
G_GNUC_INTERNAL gboolean _pulse_pipeline_validate (
    PulsePipeline *pipeline, PulseElement **culprit, GError **error);

G_END_DECLS
