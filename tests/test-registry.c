/* PulseMQ tests — element factories and the registry
 *
 * The registry is what pulse-inspect, the parser and the bindings read,
 * so its promises are tested here one by one: every built-in element is
 * there with its metadata, the list is sorted, pulse_element_factory_make()
 * says why it failed and returns a full reference, registration refuses
 * what does not fit, and external modules either load or fail with the
 * loader's own reason — never silently (DESIGN.md: "external modules
 * report dlerror() text").
 *
 * The modules come from tests/plugins, built into $PULSE_TEST_PLUGIN_DIR.
 */
#include "config.h"

#include <string.h>

#include <gmodule.h>
#include <pulsemq/pulsemq.h>

static const gchar *plugin_dir;

static gchar *
plugin_path (const gchar *file)
{
  return g_build_filename (plugin_dir, file, NULL);
}

static guint
n_load_errors (void)
{
  g_auto (GStrv) errors = pulse_registry_get_load_errors (pulse_registry_get_default ());

  return g_strv_length (errors);
}

/* ---- a small element of our own ---------------------------------------- */

/* A sink to register under a name of the test's choosing: its default
 * names are then known exactly, as no other test makes one. */
#define TEST_TYPE_REG_SINK (test_reg_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestRegSink, test_reg_sink, TEST, REG_SINK, PulseElement)

struct _TestRegSink {
  PulseElement parent_instance;
};

G_DEFINE_FINAL_TYPE (TestRegSink, test_reg_sink, PULSE_TYPE_ELEMENT)

static void
test_reg_sink_class_init (TestRegSinkClass *klass)
{
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  pulse_element_class_set_metadata (
      element_class, "Registry test sink", "Sink", "Takes anything (for tests)", "timer ! regsink");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
}

static void
test_reg_sink_init (TestRegSink *self)
{
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
}

/* The same, never registered: it has no factory to take a name from. */
#define TEST_TYPE_UNREG_SINK (test_unreg_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestUnregSink, test_unreg_sink, TEST, UNREG_SINK, PulseElement)

struct _TestUnregSink {
  PulseElement parent_instance;
};

G_DEFINE_FINAL_TYPE (TestUnregSink, test_unreg_sink, PULSE_TYPE_ELEMENT)

static void
test_unreg_sink_class_init (TestUnregSinkClass *klass)
{
}

static void
test_unreg_sink_init (TestUnregSink *self)
{
}

/* ---- built-in factories ------------------------------------------------- */

static const struct {
  const gchar *name;
  const gchar *klass;
  gboolean passthrough;
  /* formats of the sink and src pad templates, NONE for no such pad */
  PulseFormat sink;
  PulseFormat src;
} builtins[] = {
  { "fakesink", "Sink", FALSE, PULSE_FORMAT_ANY, PULSE_FORMAT_NONE },
  { "print", "Sink/Debug", FALSE, PULSE_FORMAT_ANY, PULSE_FORMAT_NONE },
  { "queue", "Generic", TRUE, PULSE_FORMAT_ANY, PULSE_FORMAT_ANY },
  { "tee", "Generic", TRUE, PULSE_FORMAT_ANY, PULSE_FORMAT_ANY },
  { "timer", "Source/Timer", FALSE, PULSE_FORMAT_NONE, PULSE_FORMAT_RECORDS },
};

static PulseFormat
template_formats (PulseElementFactory *factory, PulsePadDirection direction)
{
  PulseFormat formats = PULSE_FORMAT_NONE;

  for (GList *l = pulse_element_factory_get_pad_templates (factory); l != NULL; l = l->next)
    if (pulse_pad_template_get_direction (l->data) == direction)
      formats |= pulse_pad_template_get_formats (l->data);
  return formats;
}

static void
assert_non_empty (const gchar *what, const gchar *text)
{
  if (text == NULL || *text == '\0')
    g_test_message ("%s is empty", what);
  g_assert_nonnull (text);
  if (text != NULL)
    g_assert_cmpuint (strlen (text), >, 0);
}

static void
test_builtin_metadata (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++) {
    PulseElementFactory *factory = pulse_element_factory_find (builtins[i].name);

    g_test_message ("factory %s", builtins[i].name);
    g_assert_nonnull (factory);
    if (factory == NULL)
      continue;
    g_assert_true (
        factory == pulse_registry_find_factory (pulse_registry_get_default (), builtins[i].name));
    g_assert_cmpstr (pulse_element_factory_get_name (factory), ==, builtins[i].name);
    g_assert_cmpstr (pulse_element_factory_get_plugin_name (factory), ==, "core");
    g_assert_true (
        g_type_is_a (pulse_element_factory_get_element_type (factory), PULSE_TYPE_ELEMENT));
    g_assert_false (G_TYPE_IS_ABSTRACT (pulse_element_factory_get_element_type (factory)));
    assert_non_empty ("long name", pulse_element_factory_get_long_name (factory));
    assert_non_empty ("description", pulse_element_factory_get_description (factory));
    assert_non_empty ("usage", pulse_element_factory_get_usage (factory));
    g_assert_cmpstr (pulse_element_factory_get_classification (factory), ==, builtins[i].klass);
    g_assert_cmpint (pulse_element_factory_is_passthrough (factory), ==, builtins[i].passthrough);
    g_assert_cmpint (template_formats (factory, PULSE_PAD_SINK), ==, builtins[i].sink);
    g_assert_cmpint (template_formats (factory, PULSE_PAD_SRC), ==, builtins[i].src);
  }
}

static void
test_factory_list_sorted (void)
{
  g_autoptr (GList) list = pulse_element_factory_list ();
  g_autoptr (GList) same = pulse_registry_get_factories (pulse_registry_get_default ());
  guint found = 0;

  g_assert_cmpuint (g_list_length (list), >=, G_N_ELEMENTS (builtins));
  g_assert_cmpuint (g_list_length (list), ==, g_list_length (same));
  for (GList *l = list; l != NULL; l = l->next) {
    const gchar *name = pulse_element_factory_get_name (l->data);

    /* strictly increasing: sorted, and no name twice */
    if (l->next != NULL)
      g_assert_cmpint (strcmp (name, pulse_element_factory_get_name (l->next->data)), <, 0);
    for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
      if (strcmp (name, builtins[i].name) == 0)
        found++;
  }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (builtins));
}

/* ---- pulse_element_factory_make ----------------------------------------- */

static void
test_make_unknown (void)
{
  static const struct {
    const gchar *name;
    const gchar *message;
  } cases[] = {
    { "timr", "did you mean \"timer\"?" },
    { "fakesnik", "did you mean \"fakesink\"?" },
    { "TIMER", "did you mean \"timer\"?" },
    { "zzzzzzzz", "pulse-inspect lists them all" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (PulseElement) element = pulse_element_factory_make (cases[i].name, &error);
    g_autofree gchar *quoted = g_strdup_printf ("\"%s\"", cases[i].name);

    g_assert_null (element);
    g_assert_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_NO_ELEMENT);
    if (error == NULL)
      continue;
    g_test_message ("%s: %s", cases[i].name, error->message);
    g_assert_nonnull (strstr (error->message, quoted));
    g_assert_nonnull (strstr (error->message, cases[i].message));
  }
  g_assert_null (pulse_element_factory_find ("timr"));
}

/* Unlike gst_element_factory_make(): no floating reference for bindings
 * to trip over; the caller owns the one reference there is. */
static void
test_make_full_reference (void)
{
  g_autoptr (GList) factories = pulse_element_factory_list ();

  for (GList *l = factories; l != NULL; l = l->next) {
    PulseElementFactory *factory = l->data;
    const gchar *name = pulse_element_factory_get_name (factory);
    g_autoptr (GError) error = NULL;
    PulseElement *element = pulse_element_factory_make (name, &error);
    gpointer watch;

    g_test_message ("factory %s", name);
    g_assert_no_error (error);
    g_assert_nonnull (element);
    if (element == NULL)
      continue;
    g_assert_true (
        G_TYPE_CHECK_INSTANCE_TYPE (element, pulse_element_factory_get_element_type (factory)));
    g_assert_true (pulse_element_get_factory (element) == factory);
    g_assert_false (g_object_is_floating (element));
    g_assert_cmpuint (G_OBJECT (element)->ref_count, ==, 1);
    g_assert_null (pulse_element_get_pipeline (element));
    g_assert_cmpint (pulse_element_get_state (element), ==, PULSE_STATE_NULL);

    /* one unref and it is gone: nobody else holds it */
    watch = element;
    g_object_add_weak_pointer (G_OBJECT (element), &watch);
    g_object_unref (element);
    g_assert_null (watch);
  }
}

static guint
name_counter (const gchar *name, const gchar *prefix)
{
  guint64 n = G_MAXUINT64;

  g_assert_true (g_str_has_prefix (name, prefix));
  if (!g_str_has_prefix (name, prefix))
    return G_MAXUINT;
  g_assert_true (g_ascii_string_to_unsigned (name + strlen (prefix), 10, 0, G_MAXUINT, &n, NULL));
  return n;
}

/* Default names are factory + a per-process counter, as GStreamer gives
 * them; a name set by hand is kept. */
static void
test_default_names (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseElement) a = pulse_element_factory_make ("timer", &error);
  g_autoptr (PulseElement) b = pulse_element_factory_make ("timer", &error);
  g_autoptr (PulseElement) first = NULL;
  g_autoptr (PulseElement) second = NULL;
  g_autoptr (PulseElement) unreg = NULL;
  g_autoptr (PulseElement) named = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (name_counter (pulse_element_get_name (b), "timer"), ==,
      name_counter (pulse_element_get_name (a), "timer") + 1);

  /* a factory nobody else uses counts from 0 */
  g_assert_true (pulse_registry_register_element (
      pulse_registry_get_default (), "regsink", TEST_TYPE_REG_SINK, "test-registry", &error));
  g_assert_no_error (error);
  first = pulse_element_factory_make ("regsink", &error);
  second = pulse_element_factory_make ("regsink", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pulse_element_get_name (first), ==, "regsink0");
  g_assert_cmpstr (pulse_element_get_name (second), ==, "regsink1");
  g_assert_cmpstr (pulse_element_factory_get_plugin_name (pulse_element_factory_find ("regsink")),
      ==, "test-registry");

  /* without a factory the type name stands in */
  unreg = g_object_ref_sink (g_object_new (TEST_TYPE_UNREG_SINK, NULL));
  g_assert_null (pulse_element_get_factory (unreg));
  g_assert_cmpstr (pulse_element_get_name (unreg), ==, "testunregsink0");

  named = g_object_ref_sink (g_object_new (TEST_TYPE_REG_SINK, "name", "mine", NULL));
  g_assert_cmpstr (pulse_element_get_name (named), ==, "mine");
  pulse_element_set_name (named, "other");
  g_assert_cmpstr (pulse_element_get_name (named), ==, "other");
}

/* ---- pulse_registry_register_element ------------------------------------ */

static void
test_register_rejects (void)
{
  PulseRegistry *registry = pulse_registry_get_default ();
  PulseElementFactory *timer = pulse_element_factory_find ("timer");
  static const gchar *bad_names[] = { "", "Timer2", "a b", "a.b", "a!b", "a=b", "é" };
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (timer);
  if (timer == NULL)
    return;

  /* a taken name, even for the same type */
  g_assert_false (pulse_registry_register_element (
      registry, "timer", pulse_element_factory_get_element_type (timer), "elsewhere", &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_false (
      pulse_registry_register_element (registry, "timer", TEST_TYPE_REG_SINK, NULL, &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  /* and the first registration stands */
  g_assert_true (pulse_element_factory_find ("timer") == timer);
  g_assert_cmpstr (pulse_element_factory_get_plugin_name (timer), ==, "core");

  /* an abstract type, and a type that is no element */
  g_assert_false (
      pulse_registry_register_element (registry, "abstract", PULSE_TYPE_ELEMENT, NULL, &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN);
  g_clear_error (&error);
  g_assert_false (
      pulse_registry_register_element (registry, "object", G_TYPE_OBJECT, NULL, &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN);
  g_clear_error (&error);
  g_assert_null (pulse_element_factory_find ("abstract"));
  g_assert_null (pulse_element_factory_find ("object"));

  /* names a description could not spell, or would read otherwise */
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    g_test_message ("name [%s]", bad_names[i]);
    g_assert_false (
        pulse_registry_register_element (registry, bad_names[i], TEST_TYPE_REG_SINK, NULL, &error));
    g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN);
    g_clear_error (&error);
    g_assert_null (pulse_element_factory_find (bad_names[i]));
  }
}

/* ---- modules ------------------------------------------------------------ */

static void
test_module_codec (void)
{
  PulseRegistry *registry = pulse_registry_get_default ();
  g_autofree gchar *path = plugin_path ("pulsetestcodec." G_MODULE_SUFFIX);
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseElement) element = NULL;
  PulseElementFactory *ser, *comp;
  guint errors_before = n_load_errors ();

  g_assert_true (pulse_registry_load_module (registry, path, &error));
  g_assert_no_error (error);

  ser = pulse_element_factory_find ("testser");
  comp = pulse_element_factory_find ("testcomp");
  g_assert_nonnull (ser);
  g_assert_nonnull (comp);
  if (ser == NULL || comp == NULL)
    return;
  g_assert_cmpstr (pulse_element_factory_get_plugin_name (ser), ==, "pulsetestcodec");
  g_assert_cmpstr (pulse_element_factory_get_plugin_name (comp), ==, "pulsetestcodec");
  g_assert_cmpstr (pulse_element_factory_get_classification (ser), ==, "Codec/Serializer");
  g_assert_cmpstr (pulse_element_factory_get_classification (comp), ==, "Codec/Compressor");
  g_assert_cmpint (template_formats (ser, PULSE_PAD_SINK), ==, PULSE_FORMAT_RECORDS);
  g_assert_cmpint (template_formats (ser, PULSE_PAD_SRC), ==, PULSE_FORMAT_SERIALIZED);
  g_assert_cmpint (template_formats (comp, PULSE_PAD_SINK), ==, PULSE_FORMAT_SERIALIZED);
  g_assert_cmpint (template_formats (comp, PULSE_PAD_SRC), ==, PULSE_FORMAT_COMPRESSED);

  /* loading it again is no error and changes nothing */
  g_assert_true (pulse_registry_load_module (registry, path, &error));
  g_assert_no_error (error);
  g_assert_true (pulse_element_factory_find ("testser") == ser);
  g_assert_true (pulse_element_factory_find ("testcomp") == comp);
  g_assert_cmpuint (n_load_errors (), ==, errors_before);

  element = pulse_element_factory_make ("testcomp", &error);
  g_assert_no_error (error);
  g_assert_nonnull (element);
}

static void
assert_load_fails (const gchar *file, const gchar *const *reasons)
{
  g_autofree gchar *path = plugin_path (file);
  g_autoptr (GError) error = NULL;
  gboolean found = FALSE;

  g_assert_false (pulse_registry_load_module (pulse_registry_get_default (), path, &error));
  g_assert_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_PLUGIN);
  if (error == NULL)
    return;
  g_test_message ("%s: %s", file, error->message);
  /* which module, and why */
  g_assert_nonnull (strstr (error->message, path));
  for (guint i = 0; reasons[i] != NULL; i++)
    if (strstr (error->message, reasons[i]) != NULL)
      found = TRUE;
  g_assert_true (found);
}

static void
test_module_noinit (void)
{
  const gchar *reasons[] = { "pulse_plugin_init", NULL };

  assert_load_fails ("pulsetestnoinit." G_MODULE_SUFFIX, reasons);
}

static void
test_module_failinit (void)
{
  const gchar *reasons[] = { "deliberate failure", NULL };

  assert_load_fails ("pulsetestfailinit." G_MODULE_SUFFIX, reasons);
  /* a failed init is not remembered as loaded: it fails every time */
  assert_load_fails ("pulsetestfailinit." G_MODULE_SUFFIX, reasons);
}

/* dlopen's own words, whichever the C library uses for a text file */
static void
test_module_not_elf (void)
{
  const gchar *reasons[] = { "invalid ELF header", "file too short", "not a dynamic", NULL };

  assert_load_fails ("notamodule.so", reasons);
}

static void
test_module_missing (void)
{
  const gchar *reasons[] = { "No such file", "cannot open", NULL };

  assert_load_fails ("no-such-module." G_MODULE_SUFFIX, reasons);
}

static gboolean
strv_has_match (gchar **strv, const gchar *a, const gchar *b)
{
  for (guint i = 0; strv[i] != NULL; i++)
    if (strstr (strv[i], a) != NULL && strstr (strv[i], b) != NULL)
      return TRUE;
  return FALSE;
}

/* A scan loads what it can and keeps, for each module that failed, the
 * reason: the good module does not hide the bad ones, nor they it. */
static void
test_scan_path (void)
{
  PulseRegistry *registry = pulse_registry_get_default ();
  g_auto (GStrv) before = pulse_registry_get_load_errors (registry);
  g_auto (GStrv) after = NULL;
  g_auto (GStrv) fresh = NULL;
  guint n_before = g_strv_length (before);

  /* the codec module, loaded or not before, counts as loaded */
  g_assert_cmpuint (pulse_registry_scan_path (registry, plugin_dir), ==, 1);
  g_assert_nonnull (pulse_element_factory_find ("testser"));
  g_assert_nonnull (pulse_element_factory_find ("testcomp"));

  after = pulse_registry_get_load_errors (registry);
  g_assert_cmpuint (g_strv_length (after), ==, n_before + 3);
  /* the earlier errors stay, the new ones follow */
  for (guint i = 0; i < n_before; i++)
    g_assert_cmpstr (after[i], ==, before[i]);
  fresh = g_strdupv (after + n_before);
  g_assert_true (strv_has_match (fresh, "pulsetestnoinit", "pulse_plugin_init"));
  g_assert_true (strv_has_match (fresh, "pulsetestfailinit", "deliberate failure"));
  g_assert_true (strv_has_match (fresh, "notamodule.so", "ELF") ||
      strv_has_match (fresh, "notamodule.so", "too short"));
  g_assert_false (strv_has_match (fresh, "pulsetestcodec", ""));
}

/* A search path: ':'-separated, empty entries skipped, a file entry taken
 * as a module, a missing one recorded. */
static void
test_scan_path_list (void)
{
  PulseRegistry *registry = pulse_registry_get_default ();
  g_autofree gchar *codec = plugin_path ("pulsetestcodec." G_MODULE_SUFFIX);
  g_autofree gchar *missing = plugin_path ("missing-module." G_MODULE_SUFFIX);
  g_autofree gchar *path = g_strjoin (G_SEARCHPATH_SEPARATOR_S, "", codec, missing, "", NULL);
  g_auto (GStrv) errors = NULL;
  guint n_before = n_load_errors ();

  g_assert_cmpuint (pulse_registry_scan_path (registry, path), ==, 1);
  errors = pulse_registry_get_load_errors (registry);
  g_assert_cmpuint (g_strv_length (errors), ==, n_before + 1);
  g_assert_nonnull (strstr (errors[n_before], missing));
}

/* ---- suggestions -------------------------------------------------------- */

static void
test_suggest (void)
{
  static const gchar *names[] = { "fakesink", "print", "queue", "tee", "timer", NULL };
  static const gchar *none[] = { NULL };
  static const struct {
    const gchar *word;
    const gchar *expected;
  } cases[] = {
    { "timr", "timer" },   /* a letter missing */
    { "timerr", "timer" }, /* a letter too many */
    { "tinmer", "timer" },
    { "fakesnik", "fakesink" }, /* two letters swapped: one step */
    { "prnit", "print" },
    { "queu", "queue" },
    { "TIMER", "timer" }, /* case alone */
    { "Print", "print" },
    { "fake", "fakesink" }, /* a prefix of three letters or more */
    { "tea", "tee" },
    { "timer", NULL }, /* the word itself is no suggestion */
    { "fa", NULL },    /* too short a prefix */
    { "zzz", NULL },   /* too far from everything */
    { "lz4", NULL },
    { "printer", "print" }, /* two edits are fine for seven letters */
    { "prxxt", NULL },      /* but too many for five */
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *suggestion = pulse_util_suggest (cases[i].word, names);

    g_test_message ("[%s] -> [%s]", cases[i].word, suggestion);
    g_assert_cmpstr (suggestion, ==, cases[i].expected);
  }

  /* nothing to choose from */
  {
    g_autofree gchar *suggestion = pulse_util_suggest ("timer", none);
    g_assert_null (suggestion);
  }
  /* the closest wins, wherever it is in the list */
  {
    static const gchar *pair[] = { "fakes", "fakesink", NULL };
    g_autofree gchar *suggestion = pulse_util_suggest ("fakesnk", pair);
    g_assert_cmpstr (suggestion, ==, "fakesink");
  }
  /* the registry suggests among its factories */
  {
    g_autofree gchar *suggestion = pulse_registry_suggest (
        pulse_registry_get_default (), "fakesnik");
    g_autofree gchar *nothing = pulse_registry_suggest (pulse_registry_get_default (), "zzzzzzzz");
    g_assert_cmpstr (suggestion, ==, "fakesink");
    g_assert_null (nothing);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* one failing check must not hide the verdict on the others */
  g_test_set_nonfatal_assertions ();

  plugin_dir = g_getenv ("PULSE_TEST_PLUGIN_DIR");
  if (plugin_dir == NULL)
    g_error ("PULSE_TEST_PLUGIN_DIR is not set: run this test with meson test");

  g_test_add_func ("/registry/builtin/metadata", test_builtin_metadata);
  g_test_add_func ("/registry/builtin/list-sorted", test_factory_list_sorted);
  g_test_add_func ("/registry/make/unknown", test_make_unknown);
  g_test_add_func ("/registry/make/full-reference", test_make_full_reference);
  g_test_add_func ("/registry/make/default-names", test_default_names);
  g_test_add_func ("/registry/register/rejects", test_register_rejects);
  g_test_add_func ("/registry/module/codec", test_module_codec);
  g_test_add_func ("/registry/module/no-init", test_module_noinit);
  g_test_add_func ("/registry/module/fail-init", test_module_failinit);
  g_test_add_func ("/registry/module/not-elf", test_module_not_elf);
  g_test_add_func ("/registry/module/missing", test_module_missing);
  g_test_add_func ("/registry/scan/dir", test_scan_path);
  g_test_add_func ("/registry/scan/list", test_scan_path_list);
  g_test_add_func ("/registry/suggest", test_suggest);

  return g_test_run ();
}
