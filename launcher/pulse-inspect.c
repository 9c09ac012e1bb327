/* pulse-inspect — what elements there are and what each one takes
 *
 *   pulse-inspect            every element: name, klass, description
 *   pulse-inspect timer      one element: metadata, usage, pads, properties
 *   pulse-inspect --json timer
 *
 * Everything shown is read from the registry, the pad templates and the
 * GParamSpecs: nothing here restates a property by hand.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pulse-tool.h"

static const gchar *prgname = "pulse-inspect";

static const gchar *
type_name_for_people (GParamSpec *pspec)
{
  GType t = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (pulse_param_spec_is_duration (pspec))
    return "duration";
  if (t == G_TYPE_STRING)
    return "string";
  if (t == G_TYPE_BOOLEAN)
    return "boolean";
  if (t == G_TYPE_INT)
    return "int";
  if (t == G_TYPE_UINT)
    return "uint";
  if (t == G_TYPE_LONG)
    return "long";
  if (t == G_TYPE_ULONG)
    return "ulong";
  if (t == G_TYPE_INT64)
    return "int64";
  if (t == G_TYPE_UINT64)
    return "uint64";
  if (t == G_TYPE_DOUBLE)
    return "double";
  if (t == G_TYPE_FLOAT)
    return "float";
  if (G_TYPE_IS_ENUM (t))
    return "enum";
  if (G_TYPE_IS_FLAGS (t))
    return "flags";
  return g_type_name (t);
}

static GStrv
flag_names (GParamSpec *pspec)
{
  GStrvBuilder *b = g_strv_builder_new ();
  GStrv result;

  if (pspec->flags & G_PARAM_READABLE)
    g_strv_builder_add (b, "readable");
  if (pspec->flags & G_PARAM_WRITABLE)
    g_strv_builder_add (b, "writable");
  if (pspec->flags & G_PARAM_CONSTRUCT_ONLY)
    g_strv_builder_add (b, "construct-only");
  result = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return result;
}

static gchar *
default_string (GParamSpec *pspec)
{
  const GValue *def = g_param_spec_get_default_value (pspec);

  if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING && g_value_get_string (def) == NULL)
    return g_strdup ("null");
  return pulse_value_to_string (def);
}

static GList *
own_properties (PulseElementFactory *factory, guint *n)
{
  GObjectClass *oclass = g_type_class_ref (pulse_element_factory_get_element_type (factory));
  GParamSpec **pspecs = g_object_class_list_properties (oclass, n);
  GList *list = NULL;

  for (guint i = *n; i > 0; i--)
    list = g_list_prepend (list, pspecs[i - 1]);
  g_free (pspecs);
  return list;
}

static void
list_all (gboolean json)
{
  g_autoptr (GList) factories = pulse_element_factory_list ();

  if (json) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree gchar *text = NULL;

    json_builder_begin_array (b);
    for (GList *l = factories; l != NULL; l = l->next) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, pulse_element_factory_get_name (l->data));
      json_builder_set_member_name (b, "klass");
      json_builder_add_string_value (b, pulse_element_factory_get_classification (l->data));
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, pulse_element_factory_get_description (l->data));
      json_builder_set_member_name (b, "plugin");
      json_builder_add_string_value (b, pulse_element_factory_get_plugin_name (l->data));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    json_generator_set_pretty (gen, TRUE);
    text = json_generator_to_data (gen, NULL);
    printf ("%s\n", text);
    return;
  }

  for (GList *l = factories; l != NULL; l = l->next)
    printf ("%-12s %-20s %s\n", pulse_element_factory_get_name (l->data),
        pulse_element_factory_get_classification (l->data),
        pulse_element_factory_get_description (l->data));
  printf (
      g_dngettext (GETTEXT_PACKAGE, "\n%u element\n", "\n%u elements\n", g_list_length (factories)),
      g_list_length (factories));
}

static const gchar *
direction_name (PulsePadDirection d)
{
  return d == PULSE_PAD_SRC ? "src" : "sink";
}

static const gchar *
presence_name (PulsePadPresence p)
{
  return p == PULSE_PAD_ALWAYS ? "always" : "request";
}

static void
show_text (PulseElementFactory *factory)
{
  guint n;
  g_autoptr (GList) props = own_properties (factory, &n);
  gboolean passthrough = pulse_element_factory_is_passthrough (factory);

  printf (_ ("Factory Details:\n"));
  printf ("  %-14s %s\n", _ ("Name"), pulse_element_factory_get_name (factory));
  printf ("  %-14s %s\n", _ ("Long name"), pulse_element_factory_get_long_name (factory));
  printf ("  %-14s %s\n", _ ("Klass"), pulse_element_factory_get_classification (factory));
  printf ("  %-14s %s\n", _ ("Description"), pulse_element_factory_get_description (factory));
  printf ("  %-14s %s\n", _ ("Plugin"), pulse_element_factory_get_plugin_name (factory));
  printf ("\n%s\n  pulse-launch %s\n", _ ("Usage:"), pulse_element_factory_get_usage (factory));

  printf ("\n%s\n", _ ("Pad Templates:"));
  for (GList *l = pulse_element_factory_get_pad_templates (factory); l != NULL; l = l->next) {
    PulsePadTemplate *t = l->data;
    g_autofree gchar *formats = pulse_format_to_string (pulse_pad_template_get_formats (t));
    printf ("  %s '%s' (%s)\n", direction_name (pulse_pad_template_get_direction (t)),
        pulse_pad_template_get_name_template (t),
        presence_name (pulse_pad_template_get_presence (t)));
    if (passthrough)
      printf (_ ("    formats: %s (the source pads carry what the sink pad gets)\n"), formats);
    else
      printf (_ ("    formats: %s\n"), formats);
  }

  printf ("\n%s\n", _ ("Element Properties:"));
  for (GList *l = props; l != NULL; l = l->next) {
    GParamSpec *pspec = l->data;
    g_auto (GStrv) flags = flag_names (pspec);
    g_autofree gchar *flagstr = g_strjoinv (", ", flags);
    g_autofree gchar *range = pulse_param_spec_describe_range (pspec);
    g_autofree gchar *def = default_string (pspec);

    printf ("  %-22s: %s\n", g_param_spec_get_name (pspec), g_param_spec_get_blurb (pspec));
    printf ("  %-22s  %s: %s\n", "", _ ("flags"), flagstr);
    printf ("  %-22s  %s: %s", "", _ ("type"), type_name_for_people (pspec));
    if (range != NULL)
      printf ("  %s: %s", _ ("range"), range);
    printf ("  %s: %s\n", _ ("default"), def);
  }
}

static void
add_strv (JsonBuilder *b, const gchar *member, GStrv strv)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static void
add_formats (JsonBuilder *b, PulseFormat formats)
{
  GFlagsClass *fclass = g_type_class_ref (PULSE_TYPE_FORMAT);

  json_builder_set_member_name (b, "formats");
  json_builder_begin_array (b);
  for (guint i = 0; i < fclass->n_values; i++) {
    guint v = fclass->values[i].value;
    if (v != 0 && v != PULSE_FORMAT_ANY && (formats & v))
      json_builder_add_string_value (b, fclass->values[i].value_nick);
  }
  json_builder_end_array (b);
  g_type_class_unref (fclass);
}

static void
add_number_range (JsonBuilder *b, GParamSpec *pspec)
{
#define INT_RANGE(T, add)                                                                          \
  {                                                                                                \
    T *p = (T *) pspec;                                                                            \
    json_builder_set_member_name (b, "minimum");                                                   \
    add (b, p->minimum);                                                                           \
    json_builder_set_member_name (b, "maximum");                                                   \
    add (b, p->maximum);                                                                           \
    return;                                                                                        \
  }
  if (G_IS_PARAM_SPEC_INT (pspec))
    INT_RANGE (GParamSpecInt, json_builder_add_int_value)
  if (G_IS_PARAM_SPEC_UINT (pspec))
    INT_RANGE (GParamSpecUInt, json_builder_add_int_value)
  if (G_IS_PARAM_SPEC_INT64 (pspec))
    INT_RANGE (GParamSpecInt64, json_builder_add_int_value)
  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    INT_RANGE (GParamSpecDouble, json_builder_add_double_value)
  if (G_IS_PARAM_SPEC_UINT64 (pspec)) {
    /* JSON numbers lose precision past 2^53: write the bounds as text */
    GParamSpecUInt64 *p = G_PARAM_SPEC_UINT64 (pspec);
    g_autofree gchar *lo = g_strdup_printf ("%" G_GUINT64_FORMAT, p->minimum);
    g_autofree gchar *hi = g_strdup_printf ("%" G_GUINT64_FORMAT, p->maximum);
    json_builder_set_member_name (b, "minimum");
    json_builder_add_string_value (b, lo);
    json_builder_set_member_name (b, "maximum");
    json_builder_add_string_value (b, hi);
  }
#undef INT_RANGE
}

static void
show_json (PulseElementFactory *factory)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *text = NULL;
  guint n;
  g_autoptr (GList) props = own_properties (factory, &n);

  json_builder_begin_object (b);
#define STR(k, v)                                                                                  \
  json_builder_set_member_name (b, k);                                                             \
  json_builder_add_string_value (b, v)
  STR ("name", pulse_element_factory_get_name (factory));
  STR ("long_name", pulse_element_factory_get_long_name (factory));
  STR ("klass", pulse_element_factory_get_classification (factory));
  STR ("description", pulse_element_factory_get_description (factory));
  STR ("usage", pulse_element_factory_get_usage (factory));
  STR ("plugin", pulse_element_factory_get_plugin_name (factory));
  json_builder_set_member_name (b, "passthrough");
  json_builder_add_boolean_value (b, pulse_element_factory_is_passthrough (factory));

  json_builder_set_member_name (b, "pad_templates");
  json_builder_begin_array (b);
  for (GList *l = pulse_element_factory_get_pad_templates (factory); l != NULL; l = l->next) {
    PulsePadTemplate *t = l->data;
    json_builder_begin_object (b);
    STR ("name", pulse_pad_template_get_name_template (t));
    STR ("direction", direction_name (pulse_pad_template_get_direction (t)));
    STR ("presence", presence_name (pulse_pad_template_get_presence (t)));
    add_formats (b, pulse_pad_template_get_formats (t));
    json_builder_end_object (b);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "properties");
  json_builder_begin_array (b);
  for (GList *l = props; l != NULL; l = l->next) {
    GParamSpec *pspec = l->data;
    g_auto (GStrv) flags = flag_names (pspec);
    g_autofree gchar *def = default_string (pspec);
    GType t = G_PARAM_SPEC_VALUE_TYPE (pspec);

    json_builder_begin_object (b);
    STR ("name", g_param_spec_get_name (pspec));
    STR ("nick", g_param_spec_get_nick (pspec));
    STR ("blurb", g_param_spec_get_blurb (pspec));
    STR ("type", type_name_for_people (pspec));
    STR ("default", def);
    add_strv (b, "flags", flags);
    add_number_range (b, pspec);
    if (pulse_param_spec_is_duration (pspec)) {
      STR ("unit", "seconds");
    }
    if (G_TYPE_IS_ENUM (t)) {
      GEnumClass *e = G_PARAM_SPEC_ENUM (pspec)->enum_class;
      json_builder_set_member_name (b, "choices");
      json_builder_begin_array (b);
      for (guint i = 0; i < e->n_values; i++)
        json_builder_add_string_value (b, e->values[i].value_nick);
      json_builder_end_array (b);
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
#undef STR
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

int
main (int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree gchar *plugin_path = NULL;
  g_auto (GStrv) names = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) options = NULL;
  PulseElementFactory *factory;
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &json,
                                 N_ ("Print JSON instead of text"), NULL },
    { "plugin-path", 0, 0, G_OPTION_ARG_STRING, &plugin_path,
        N_ ("Load element modules from these directories (':'-separated)"), N_ ("DIRS") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &names, NULL, NULL }, { NULL } };

  pulse_tool_init_i18n ();
  g_set_prgname (prgname);

  options = g_option_context_new (_ ("[ELEMENT]"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (options, GETTEXT_PACKAGE);
  g_option_context_set_summary (
      options, _ ("Lists every element, or describes one: metadata, usage, pads and properties."));
  g_option_context_set_description (options,
      _ ("Exit status:\n"
         "  0  success\n"
         "  1  usage error or unknown element\n"));
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
    return 1;
  }
  pulse_tool_load_plugins (prgname, plugin_path);

  if (names == NULL || names[0] == NULL) {
    list_all (json);
    return 0;
  }
  if (names[1] != NULL) {
    fprintf (stderr, _ ("%s: error: one element at a time\n"), prgname);
    return 1;
  }
  factory = pulse_element_factory_find (names[0]);
  if (factory == NULL) {
    g_autofree gchar *suggestion = pulse_registry_suggest (pulse_registry_get_default (), names[0]);
    if (suggestion != NULL)
      fprintf (stderr, _ ("%s: error: no element \"%s\"; did you mean \"%s\"?\n"), prgname,
          names[0], suggestion);
    else
      fprintf (stderr, _ ("%s: error: no element \"%s\"; run pulse-inspect to list them all\n"),
          prgname, names[0]);
    return 1;
  }
  if (json)
    show_json (factory);
  else
    show_text (factory);
  return 0;
}
