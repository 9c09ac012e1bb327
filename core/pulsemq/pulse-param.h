/* PulseMQ — property values from text */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>

G_BEGIN_DECLS

GParamSpec *pulse_param_spec_duration (const gchar *name, const gchar *nick, const gchar *blurb,
    gdouble minimum, gdouble maximum, gdouble default_value, GParamFlags flags);
gboolean pulse_param_spec_is_duration (GParamSpec *pspec);
gboolean pulse_parse_duration (const gchar *text, gdouble *seconds, GError **error);
gboolean
pulse_value_from_string (GParamSpec *pspec, const gchar *text, GValue *value, GError **error);
gchar *pulse_value_to_string (const GValue *value);
gchar *pulse_param_spec_describe_range (GParamSpec *pspec);

G_END_DECLS
