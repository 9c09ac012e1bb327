/* PulseMQ — element factories and the registry */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-element.h"

G_BEGIN_DECLS

#define PULSE_TYPE_ELEMENT_FACTORY (pulse_element_factory_get_type ())
G_DECLARE_FINAL_TYPE (PulseElementFactory, pulse_element_factory, PULSE, ELEMENT_FACTORY, GObject)

#define PULSE_TYPE_REGISTRY (pulse_registry_get_type ())
G_DECLARE_FINAL_TYPE (PulseRegistry, pulse_registry, PULSE, REGISTRY, GObject)

/**
 * PulsePluginInitFunc:
 * @registry: the registry to add elements to
 * @error: return location for a #GError
 *
 * The entry point an external element module exports as
 * `pulse_plugin_init`. It registers its elements with
 * pulse_registry_register_element().
 *
 * Returns: %TRUE on success
 */
typedef gboolean (*PulsePluginInitFunc) (PulseRegistry *registry, GError **error);

PulseElement *pulse_element_factory_make (const gchar *factory_name, GError **error);
PulseElementFactory *pulse_element_factory_find (const gchar *name);
PulseElement *pulse_element_factory_create (PulseElementFactory *factory, GError **error);
const gchar *pulse_element_factory_get_name (PulseElementFactory *factory);
GType pulse_element_factory_get_element_type (PulseElementFactory *factory);
const gchar *pulse_element_factory_get_plugin_name (PulseElementFactory *factory);
const gchar *pulse_element_factory_get_long_name (PulseElementFactory *factory);
const gchar *pulse_element_factory_get_classification (PulseElementFactory *factory);
const gchar *pulse_element_factory_get_description (PulseElementFactory *factory);
const gchar *pulse_element_factory_get_usage (PulseElementFactory *factory);
GList *pulse_element_factory_get_pad_templates (PulseElementFactory *factory);
gboolean pulse_element_factory_is_passthrough (PulseElementFactory *factory);
GList *pulse_element_factory_list (void);

PulseRegistry *pulse_registry_get_default (void);
gboolean pulse_registry_register_element (PulseRegistry *registry, const gchar *name, GType type,
    const gchar *plugin_name, GError **error);
PulseElementFactory *pulse_registry_find_factory (PulseRegistry *registry, const gchar *name);
GList *pulse_registry_get_factories (PulseRegistry *registry);
gboolean pulse_registry_load_module (PulseRegistry *registry, const gchar *path, GError **error);
guint pulse_registry_scan_path (PulseRegistry *registry, const gchar *path);
gchar **pulse_registry_get_load_errors (PulseRegistry *registry);
gchar *pulse_registry_suggest (PulseRegistry *registry, const gchar *name);

gchar *pulse_util_suggest (const gchar *word, const gchar *const *candidates);

G_END_DECLS
