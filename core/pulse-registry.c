/* PulseMQ — element factories and the registry
 *
 * The elements of elements/ are compiled into the library and registered
 * in one place (pulse-elements.c) when the registry is first used, so
 * there is no cache to go stale. External modules are loaded from
 * PULSE_PLUGIN_PATH (directories, ':'-separated) or by
 * pulse_registry_load_module(); a module that fails to load is recorded
 * with the reason dlopen gave.
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

struct _PulseElementFactory {
  GObject parent_instance;
  gchar *name;
  GType type;
  gchar *plugin_name;
};

struct _PulseRegistry {
  GObject parent_instance;
  GMutex lock;
  GHashTable *factories;    /* name → PulseElementFactory, owned */
  GHashTable *loaded_paths; /* set of module paths already loaded */
  GPtrArray *load_errors;   /* of gchar* */
};

G_DEFINE_FINAL_TYPE (PulseElementFactory, pulse_element_factory, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (PulseRegistry, pulse_registry, G_TYPE_OBJECT)

static GQuark factory_quark;

void
_pulse_i18n_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done)) {
    const gchar *dir = g_getenv ("PULSEMQ_LOCALEDIR");
    bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : PULSE_LOCALEDIR);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    g_once_init_leave (&done, 1);
  }
}

/* ---- factory ------------------------------------------------------------ */

static void
pulse_element_factory_finalize (GObject *object)
{
  PulseElementFactory *f = PULSE_ELEMENT_FACTORY (object);

  g_free (f->name);
  g_free (f->plugin_name);
  G_OBJECT_CLASS (pulse_element_factory_parent_class)->finalize (object);
}

static void
pulse_element_factory_class_init (PulseElementFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pulse_element_factory_finalize;
}

static void
pulse_element_factory_init (PulseElementFactory *f)
{
}

/**
 * pulse_element_factory_find:
 * @name: a factory name such as `timer`
 *
 * Returns: (transfer none) (nullable): the factory, or %NULL
 */
PulseElementFactory *
pulse_element_factory_find (const gchar *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  return pulse_registry_find_factory (pulse_registry_get_default (), name);
}

/**
 * pulse_element_factory_make:
 * @factory_name: a factory name such as `timer`
 * @error: return location for a #GError
 *
 * Makes an element. Unlike gst_element_factory_make() it says why it
 * failed, with a suggestion for a misspelt name.
 *
 * Returns: (transfer full): a new element (not floating), or %NULL with
 * @error set
 */
PulseElement *
pulse_element_factory_make (const gchar *factory_name, GError **error)
{
  PulseRegistry *registry;
  PulseElementFactory *factory;

  g_return_val_if_fail (factory_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  registry = pulse_registry_get_default ();
  factory = pulse_registry_find_factory (registry, factory_name);
  if (factory == NULL) {
    g_autofree gchar *suggestion = pulse_registry_suggest (registry, factory_name);
    if (suggestion != NULL)
      g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_NO_ELEMENT,
          _ ("no element \"%s\"; did you mean \"%s\"?"), factory_name, suggestion);
    else
      g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_NO_ELEMENT,
          _ ("no element \"%s\"; pulse-inspect lists them all"), factory_name);
    return NULL;
  }
  return pulse_element_factory_create (factory, error);
}

/**
 * pulse_element_factory_create:
 * @factory: a #PulseElementFactory
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new element (not floating)
 */
PulseElement *
pulse_element_factory_create (PulseElementFactory *factory, GError **error)
{
  PulseElement *element;

  g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), NULL);
  element = g_object_new (factory->type, NULL);
  return g_object_ref_sink (element);
}

/**
 * pulse_element_factory_get_name:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none): the name used in pipeline descriptions
 */
const gchar *
pulse_element_factory_get_name (PulseElementFactory *factory)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), NULL);
  return factory->name;
}

/**
 * pulse_element_factory_get_element_type:
 * @factory: a #PulseElementFactory
 *
 * Returns: the #GType of its elements
 */
GType
pulse_element_factory_get_element_type (PulseElementFactory *factory)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), G_TYPE_INVALID);
  return factory->type;
}

/**
 * pulse_element_factory_get_plugin_name:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none): `core` for built-in elements, else the module name
 */
const gchar *
pulse_element_factory_get_plugin_name (PulseElementFactory *factory)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), NULL);
  return factory->plugin_name;
}

static PulseElementClass *
factory_class (PulseElementFactory *factory)
{
  return g_type_class_ref (factory->type); /* element classes are never freed */
}

#define FACTORY_GETTER(field)                                                                      \
  const gchar *pulse_element_factory_get_##field (PulseElementFactory *factory)                    \
  {                                                                                                \
    g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), NULL);                               \
    return pulse_element_class_get_##field (factory_class (factory));                              \
  }

/**
 * pulse_element_factory_get_long_name:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none) (nullable): the long name
 */
FACTORY_GETTER (long_name)
/**
 * pulse_element_factory_get_classification:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none) (nullable): the klass, e.g. `Source/Timer`
 */
FACTORY_GETTER (classification)
/**
 * pulse_element_factory_get_description:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none) (nullable): the description
 */
FACTORY_GETTER (description)
/**
 * pulse_element_factory_get_usage:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none) (nullable): the one-line launch example
 */
FACTORY_GETTER (usage)

/**
 * pulse_element_factory_get_pad_templates:
 * @factory: a #PulseElementFactory
 *
 * Returns: (transfer none) (element-type PulsePadTemplate): the pad templates
 */
GList *
pulse_element_factory_get_pad_templates (PulseElementFactory *factory)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), NULL);
  return pulse_element_class_get_pad_templates (factory_class (factory));
}

/**
 * pulse_element_factory_is_passthrough:
 * @factory: a #PulseElementFactory
 *
 * Returns: %TRUE if its elements pass buffers on in the format they get
 */
gboolean
pulse_element_factory_is_passthrough (PulseElementFactory *factory)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_FACTORY (factory), FALSE);
  return pulse_element_class_is_passthrough (factory_class (factory));
}

/**
 * pulse_element_factory_list:
 *
 * Returns: (transfer container) (element-type PulseElementFactory): every
 * factory of the default registry, sorted by name
 */
GList *
pulse_element_factory_list (void)
{
  return pulse_registry_get_factories (pulse_registry_get_default ());
}

PulseElementFactory *
_pulse_registry_factory_for_type (GType type)
{
  if (factory_quark == 0)
    return NULL;
  return g_type_get_qdata (type, factory_quark);
}

/* ---- registry ----------------------------------------------------------- */

static void
pulse_registry_finalize (GObject *object)
{
  PulseRegistry *r = PULSE_REGISTRY (object);

  g_hash_table_unref (r->factories);
  g_hash_table_unref (r->loaded_paths);
  g_ptr_array_unref (r->load_errors);
  g_mutex_clear (&r->lock);
  G_OBJECT_CLASS (pulse_registry_parent_class)->finalize (object);
}

static void
pulse_registry_class_init (PulseRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pulse_registry_finalize;
  factory_quark = g_quark_from_static_string ("pulse-element-factory");
}

static void
pulse_registry_init (PulseRegistry *r)
{
  g_mutex_init (&r->lock);
  r->factories = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  r->loaded_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r->load_errors = g_ptr_array_new_with_free_func (g_free);
}

/**
 * pulse_registry_get_default:
 *
 * The process's registry: the built-in elements, and the modules found on
 * `PULSE_PLUGIN_PATH` when it was first used.
 *
 * Returns: (transfer none): the default #PulseRegistry
 */
PulseRegistry *
pulse_registry_get_default (void)
{
  static PulseRegistry *registry;

  if (g_once_init_enter (&registry)) {
    PulseRegistry *r = g_object_new (PULSE_TYPE_REGISTRY, NULL);
    const gchar *path;

    _pulse_i18n_init ();
    _pulse_elements_register (r);
    path = g_getenv ("PULSE_PLUGIN_PATH");
    if (path != NULL && *path != '\0')
      pulse_registry_scan_path (r, path);
    if (g_file_test (PULSE_PLUGINDIR, G_FILE_TEST_IS_DIR))
      pulse_registry_scan_path (r, PULSE_PLUGINDIR);
    g_once_init_leave (&registry, r);
  }
  return registry;
}

/**
 * pulse_registry_register_element:
 * @registry: a #PulseRegistry
 * @name: the factory name: lower-case letters, digits, '-' and '_'
 * @type: a #GType derived from #PulseElement, not abstract
 * @plugin_name: (nullable): the module registering it, %NULL for built-in
 * @error: return location for a #GError
 *
 * Makes @type available as @name in pipeline descriptions.
 *
 * Returns: %TRUE on success; %FALSE if @name is taken or @type unfit
 */
gboolean
pulse_registry_register_element (PulseRegistry *registry, const gchar *name, GType type,
    const gchar *plugin_name, GError **error)
{
  PulseElementFactory *factory;

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_type_is_a (type, PULSE_TYPE_ELEMENT) || G_TYPE_IS_ABSTRACT (type)) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN,
        _ ("cannot register \"%s\": %s is not a concrete PulseElement type"), name,
        g_type_name (type));
    return FALSE;
  }
  if (*name == '\0' || strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen (name)) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN,
        _ ("cannot register \"%s\": an element name has only lower-case letters, digits, '-' and '_'"),
        name);
    return FALSE;
  }

  g_mutex_lock (&registry->lock);
  if (g_hash_table_contains (registry->factories, name)) {
    g_mutex_unlock (&registry->lock);
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_DUPLICATE,
        _ ("an element named \"%s\" is already registered"), name);
    return FALSE;
  }
  factory = g_object_new (PULSE_TYPE_ELEMENT_FACTORY, NULL);
  factory->name = g_strdup (name);
  factory->type = type;
  factory->plugin_name = g_strdup (plugin_name != NULL ? plugin_name : "core");
  g_hash_table_insert (registry->factories, factory->name, factory);
  g_type_set_qdata (type, factory_quark, factory);
  g_mutex_unlock (&registry->lock);
  return TRUE;
}

/**
 * pulse_registry_find_factory:
 * @registry: a #PulseRegistry
 * @name: a factory name
 *
 * Returns: (transfer none) (nullable): the factory
 */
PulseElementFactory *
pulse_registry_find_factory (PulseRegistry *registry, const gchar *name)
{
  PulseElementFactory *f;

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_mutex_lock (&registry->lock);
  f = g_hash_table_lookup (registry->factories, name);
  g_mutex_unlock (&registry->lock);
  return f;
}

static gint
compare_factories (gconstpointer a, gconstpointer b)
{
  return strcmp (
      PULSE_ELEMENT_FACTORY ((gpointer) a)->name, PULSE_ELEMENT_FACTORY ((gpointer) b)->name);
}

/**
 * pulse_registry_get_factories:
 * @registry: a #PulseRegistry
 *
 * Returns: (transfer container) (element-type PulseElementFactory): every
 * factory, sorted by name
 */
GList *
pulse_registry_get_factories (PulseRegistry *registry)
{
  GList *list;

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), NULL);
  g_mutex_lock (&registry->lock);
  list = g_hash_table_get_values (registry->factories);
  g_mutex_unlock (&registry->lock);
  return g_list_sort (list, compare_factories);
}

static gchar *
plugin_name_from_path (const gchar *path)
{
  g_autofree gchar *base = g_path_get_basename (path);
  const gchar *start = g_str_has_prefix (base, "lib") ? base + 3 : base;
  const gchar *dot = strchr (start, '.');

  return dot != NULL ? g_strndup (start, dot - start) : g_strdup (start);
}

/**
 * pulse_registry_load_module:
 * @registry: a #PulseRegistry
 * @path: the path of a shared object exporting `pulse_plugin_init`
 * @error: return location for a #GError
 *
 * Loads an external element module and lets it register its elements.
 * The error carries the loader's reason (a missing file, an undefined
 * symbol, a module without `pulse_plugin_init`).
 *
 * Returns: %TRUE on success, or if @path was already loaded
 */
gboolean
pulse_registry_load_module (PulseRegistry *registry, const gchar *path, GError **error)
{
  GModule *module;
  PulsePluginInitFunc init;
  g_autofree gchar *plugin_name = NULL;
  g_autofree gchar *key = NULL;
  g_autoptr (GError) local_error = NULL;
  char *real;

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* one module, one load, however its path is spelt */
  real = realpath (path, NULL);
  key = g_strdup (real != NULL ? real : path);
  free (real);
  g_mutex_lock (&registry->lock);
  if (g_hash_table_contains (registry->loaded_paths, key)) {
    g_mutex_unlock (&registry->lock);
    return TRUE;
  }
  g_mutex_unlock (&registry->lock);

  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN,
        _ ("could not load module \"%s\": %s"), path, g_module_error ());
    return FALSE;
  }
  if (!g_module_symbol (module, "pulse_plugin_init", (gpointer *) &init) || init == NULL) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN,
        _ ("could not load module \"%s\": it has no pulse_plugin_init function"), path);
    g_module_close (module);
    return FALSE;
  }
  if (!init (registry, &local_error)) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN,
        _ ("module \"%s\" failed to initialise: %s"), path,
        local_error != NULL ? local_error->message : _ ("no reason given"));
    /* its types may be registered already: keep the code mapped */
    g_module_make_resident (module);
    return FALSE;
  }
  plugin_name = plugin_name_from_path (path);
  g_debug ("loaded module %s (%s)", path, plugin_name);
  g_module_make_resident (module);
  g_mutex_lock (&registry->lock);
  g_hash_table_add (registry->loaded_paths, g_steal_pointer (&key));
  g_mutex_unlock (&registry->lock);
  return TRUE;
}

/**
 * pulse_registry_scan_path:
 * @registry: a #PulseRegistry
 * @path: directories or module files, separated by ':'
 *
 * Loads every module (`*.so`) found. Failures do not stop the scan: each
 * is kept, with its reason, for pulse_registry_get_load_errors().
 *
 * Returns: how many modules were loaded
 */
guint
pulse_registry_scan_path (PulseRegistry *registry, const gchar *path)
{
  g_auto (GStrv) entries = NULL;
  guint loaded = 0;

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), 0);
  g_return_val_if_fail (path != NULL, 0);

  entries = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; entries[i] != NULL; i++) {
    g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GDir) dir = NULL;
    const gchar *name;

    if (*entries[i] == '\0')
      continue;
    if (g_file_test (entries[i], G_FILE_TEST_IS_DIR)) {
      dir = g_dir_open (entries[i], 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, "." G_MODULE_SUFFIX))
          g_ptr_array_add (files, g_build_filename (entries[i], name, NULL));
    } else {
      g_ptr_array_add (files, g_strdup (entries[i]));
    }
    for (guint j = 0; j < files->len; j++) {
      g_autoptr (GError) error = NULL;
      if (pulse_registry_load_module (registry, g_ptr_array_index (files, j), &error)) {
        loaded++;
        continue;
      }
      g_mutex_lock (&registry->lock);
      g_ptr_array_add (registry->load_errors, g_strdup (error->message));
      g_mutex_unlock (&registry->lock);
    }
  }
  return loaded;
}

/**
 * pulse_registry_get_load_errors:
 * @registry: a #PulseRegistry
 *
 * Returns: (transfer full) (array zero-terminated=1): why modules found by
 * scans could not be loaded, one sentence each
 */
gchar **
pulse_registry_get_load_errors (PulseRegistry *registry)
{
  GStrvBuilder *b;
  gchar **result;

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), NULL);
  b = g_strv_builder_new ();
  g_mutex_lock (&registry->lock);
  for (guint i = 0; i < registry->load_errors->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (registry->load_errors, i));
  g_mutex_unlock (&registry->lock);
  result = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return result;
}

/**
 * pulse_registry_suggest:
 * @registry: a #PulseRegistry
 * @name: a name that is not a factory
 *
 * Returns: (transfer full) (nullable): the closest factory name, if one is
 * close enough to be a likely misspelling
 */
gchar *
pulse_registry_suggest (PulseRegistry *registry, const gchar *name)
{
  g_autoptr (GList) factories = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (PULSE_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  factories = pulse_registry_get_factories (registry);
  for (GList *l = factories; l != NULL; l = l->next)
    g_ptr_array_add (names, PULSE_ELEMENT_FACTORY (l->data)->name);
  g_ptr_array_add (names, NULL);
  return pulse_util_suggest (name, (const gchar *const *) names->pdata);
}

/* Optimal string alignment distance: Levenshtein plus adjacent
 * transpositions, so "fakesnik" is one step from "fakesink". */
static guint
edit_distance (const gchar *a, const gchar *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *d = g_new0 (guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]

  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++) {
    for (gsize j = 1; j <= lb; j++) {
      guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
      guint v = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        v = MIN (v, D (i - 2, j - 2) + 1);
      D (i, j) = v;
    }
  }
  return D (la, lb);
#undef D
}

/**
 * pulse_util_suggest:
 * @word: what the user typed
 * @candidates: (array zero-terminated=1): the names it may have meant
 *
 * Picks the "did you mean" for a misspelt name: the closest candidate
 * within a third of the word's length (at least one edit), or a candidate
 * the word is a prefix of.
 *
 * Returns: (transfer full) (nullable): the suggestion, or %NULL
 */
gchar *
pulse_util_suggest (const gchar *word, const gchar *const *candidates)
{
  const gchar *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit;

  g_return_val_if_fail (word != NULL, NULL);
  g_return_val_if_fail (candidates != NULL, NULL);

  limit = MAX (1, strlen (word) / 3);
  for (guint i = 0; candidates[i] != NULL; i++) {
    guint d = edit_distance (word, candidates[i]);
    /* the word itself is no suggestion; "TIMER" for "timer" is (the
     * distance ignores case, so it is 0 there) */
    if (strcmp (word, candidates[i]) == 0)
      continue;
    if (strlen (word) >= 3 && g_str_has_prefix (candidates[i], word))
      d = MIN (d, limit);
    if (d <= limit && d < best_distance) {
      best = candidates[i];
      best_distance = d;
    }
  }
  return g_strdup (best);
}
