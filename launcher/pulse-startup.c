/* PulseMQ — the startup table pulse-launch prints for a publisher
 *
 *   ===========================================
 *     PulseMQ Publisher v0.1.0
 *   ===========================================
 *     bind              tcp://0.0.0.0:5555
 *     admin             http://0.0.0.0:9090/
 *     auth              disabled
 *     topics            sh_market, sz_market
 *     pipeline          ticksrc … ! zmqpub topic=sh_market …
 *   ===========================================
 *
 * The original printed this table on stderr when its publisher started;
 * operators look for it in logs, so the layout is kept: bars of 43 '=',
 * each label padded to 18 columns after two spaces. What the table says is
 * read from the running pipeline (the bound addresses from each zmqpub's
 * `endpoint`), never restated from the description.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pulse-startup.h"

#define BAR_WIDTH 43
#define LABEL_COLUMNS 18
/* user names shown when there are more than PULSE_STARTUP_MAX_USERS */
#define SHOWN_USERS 5

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar *const *) a, *(const gchar *const *) b);
}

/**
 * pulse_startup_format_auth:
 * @users: (nullable) (array zero-terminated=1): the user names an
 *   authenticator accepts, in any order; %NULL or empty when auth is off
 *
 * Formats the auth field as the original did: `disabled`;
 * `enabled (3 users: alice, bob, carol)` with the names sorted; with more
 * than ten users the first five sorted names and how many more, e.g.
 * `15 users: u0, u1, u10, u11, u12, ... +10 more`. It is given names
 * only, so it cannot print a password.
 *
 * Returns: (transfer full): the text
 */
gchar *
pulse_startup_format_auth (const gchar *const *users)
{
  g_autoptr (GPtrArray) sorted = NULL;
  g_autoptr (GString) names = NULL;
  guint n, shown;

  n = users != NULL ? g_strv_length ((gchar **) users) : 0;
  if (n == 0)
    return g_strdup (_ ("disabled"));

  sorted = g_ptr_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sorted, (gpointer) users[i]);
  /* byte order of UTF-8 is code point order, as Python's sorted() */
  g_ptr_array_sort (sorted, compare_names);

  shown = n <= PULSE_STARTUP_MAX_USERS ? n : SHOWN_USERS;
  names = g_string_new (NULL);
  for (guint i = 0; i < shown; i++) {
    if (i > 0)
      g_string_append (names, ", ");
    g_string_append (names, g_ptr_array_index (sorted, i));
  }

  if (n <= PULSE_STARTUP_MAX_USERS)
    /* TRANSLATORS: the auth field of the startup table, e.g. "enabled (3 users: alice, bob,
     * carol)" */
    return g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "enabled (%u user: %s)", "enabled (%u users: %s)", n), n,
        names->str);
  /* TRANSLATORS: the auth field with more than ten users: the first five names, then how many
   * more, e.g. "15 users: u0, u1, u10, u11, u12, ... +10 more" */
  return g_strdup_printf (_ ("%u users: %s, ... +%u more"), n, names->str, n - shown);
}

/* Columns a terminal gives @text: wide (CJK) characters take two, so that
 * translated labels line up too. */
static guint
display_width (const gchar *text)
{
  guint width = 0;

  for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);

    if (g_unichar_iszerowidth (c))
      continue;
    width += g_unichar_iswide (c) ? 2 : 1;
  }
  return width;
}

/**
 * pulse_startup_format_table:
 * @title: the first line, e.g. `PulseMQ Publisher v0.1.0`
 * @labels: (array zero-terminated=1): the row labels
 * @values: (array zero-terminated=1): one value per label
 *
 * Lays the table out as the original did: a bar of 43 `=`, the title, a
 * bar, one row per label padded to 18 columns after two spaces, a bar.
 *
 * Returns: (transfer full): the table, each line ending in a newline
 */
gchar *
pulse_startup_format_table (
    const gchar *title, const gchar *const *labels, const gchar *const *values)
{
  g_autoptr (GString) table = g_string_new (NULL);
  g_autofree gchar *bar = g_strnfill (BAR_WIDTH, '=');

  g_string_append_printf (table, "%s\n  %s\n%s\n", bar, title, bar);
  for (guint i = 0; labels[i] != NULL && values[i] != NULL; i++) {
    guint width = display_width (labels[i]);

    g_string_append_printf (table, "  %s", labels[i]);
    /* at least one blank, even after a label longer than the column */
    for (guint c = width; c < LABEL_COLUMNS || c == width; c++)
      g_string_append_c (table, ' ');
    g_string_append_printf (table, "%s\n", values[i]);
  }
  g_string_append_printf (table, "%s\n", bar);
  return g_string_free (g_steal_pointer (&table), FALSE);
}

static gboolean
is_publisher (PulseElement *element)
{
  const gchar *klass = pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (element));

  /* zmqpub, or any network sink that reports what it bound */
  return klass != NULL && strstr (klass, "Sink/Network") != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (element), "endpoint") != NULL;
}

static void
add_unique (GPtrArray *array, const gchar *text)
{
  if (text == NULL || *text == '\0')
    return;
  for (guint i = 0; i < array->len; i++)
    if (strcmp (g_ptr_array_index (array, i), text) == 0)
      return;
  g_ptr_array_add (array, g_strdup (text));
}

/**
 * pulse_startup_get_endpoints:
 * @pipeline: a pipeline in READY or PLAYING
 *
 * Returns: (transfer full) (array zero-terminated=1): the addresses the
 * publishers of @pipeline bound, each once, in pipeline order; empty when
 * it has none
 */
gchar **
pulse_startup_get_endpoints (PulsePipeline *pipeline)
{
  g_autoptr (GList) elements = pulse_pipeline_get_elements (pipeline);
  GPtrArray *endpoints = g_ptr_array_new_with_free_func (g_free);

  for (GList *l = elements; l != NULL; l = l->next) {
    g_autofree gchar *endpoint = NULL;

    if (!is_publisher (l->data))
      continue;
    g_object_get (l->data, "endpoint", &endpoint, NULL);
    add_unique (endpoints, endpoint);
  }
  g_ptr_array_add (endpoints, NULL);
  return (gchar **) g_ptr_array_free (endpoints, FALSE);
}

/* The auth field: the users of the pipeline's authenticators. An element
 * of klass Filter/Auth tells its user names through a `users` string-array
 * property (never the keys); one without it still turns auth on. A zmqpub
 * whose endpoint demands keys (PULSEMQ_API_KEYS) tells them the same way. */
static gchar *
describe_auth (GList *elements)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  gboolean enabled = FALSE;

  for (GList *l = elements; l != NULL; l = l->next) {
    const gchar *klass = pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (l->data));
    GParamSpec *pspec;

    if (klass != NULL && strstr (klass, PULSE_STARTUP_AUTH_KLASS) != NULL)
      enabled = TRUE;
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (l->data), "users");
    if (pspec != NULL && pspec->value_type == G_TYPE_STRV && (pspec->flags & G_PARAM_READABLE)) {
      g_auto (GStrv) names = NULL;

      g_object_get (l->data, "users", &names, NULL);
      if (names != NULL)
        enabled = TRUE;
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        add_unique (users, names[i]);
    }
  }
  if (!enabled)
    return pulse_startup_format_auth (NULL);
  if (users->len == 0)
    return g_strdup (_ ("enabled"));
  g_ptr_array_add (users, NULL);
  return pulse_startup_format_auth ((const gchar *const *) users->pdata);
}

/**
 * pulse_startup_table_new:
 * @pipeline: a pipeline in READY or PLAYING
 * @description: the pipeline description it was made from
 *
 * pulse_startup_table_new_full() with no admin server.
 *
 * Returns: (transfer full) (nullable): the startup table of @pipeline, or
 * %NULL if it publishes nothing (a subscriber or a local pipeline)
 */
gchar *
pulse_startup_table_new (PulsePipeline *pipeline, const gchar *description)
{
  return pulse_startup_table_new_full (pipeline, description, NULL);
}

/**
 * pulse_startup_is_publisher:
 * @pipeline: a pipeline, in any state
 *
 * Returns: %TRUE if @pipeline has a network sink (a zmqpub): the
 * pipelines that get a startup table and an admin server
 */
gboolean
pulse_startup_is_publisher (PulsePipeline *pipeline)
{
  g_autoptr (GList) elements = pulse_pipeline_get_elements (pipeline);

  for (GList *l = elements; l != NULL; l = l->next) {
    const gchar *klass = pulse_element_class_get_classification (PULSE_ELEMENT_GET_CLASS (l->data));

    if (klass != NULL && strstr (klass, "Sink/Network") != NULL)
      return TRUE;
  }
  return FALSE;
}

/**
 * pulse_startup_table_new_full:
 * @pipeline: a pipeline in READY or PLAYING
 * @description: the pipeline description it was made from
 * @admin_uri: (nullable): the URL of the admin server, or %NULL when it is
 *   off
 *
 * Returns: (transfer full) (nullable): the startup table of @pipeline, or
 * %NULL if it publishes nothing (a subscriber or a local pipeline)
 */
gchar *
pulse_startup_table_new_full (
    PulsePipeline *pipeline, const gchar *description, const gchar *admin_uri)
{
  g_autoptr (GList) elements = pulse_pipeline_get_elements (pipeline);
  g_autoptr (GPtrArray) topics = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) endpoints = pulse_startup_get_endpoints (pipeline);
  g_autofree gchar *title = NULL;
  g_autofree gchar *bind = NULL;
  g_autofree gchar *auth = NULL;
  g_autofree gchar *topic_list = NULL;
  g_autofree gchar *shown = NULL;
  const gchar *labels[6], *values[6];
  guint n = 0;

  for (GList *l = elements; l != NULL; l = l->next) {
    g_autofree gchar *topic = NULL;

    if (!is_publisher (l->data))
      continue;
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (l->data), "topic") != NULL)
      g_object_get (l->data, "topic", &topic, NULL);
    add_unique (topics, topic);
  }
  if (endpoints[0] == NULL)
    return NULL;
  g_ptr_array_add (topics, NULL);

  title = g_strdup_printf (_ ("PulseMQ Publisher v%s"), pulse_get_version ());
  bind = g_strjoinv (", ", endpoints);
  auth = describe_auth (elements);
  topic_list = g_strjoinv (", ", (gchar **) topics->pdata);

  /* TRANSLATORS: labels of the startup table, padded to 18 columns (a CJK character counts
   * as two) */
  labels[n] = _ ("bind");
  values[n++] = bind;
  labels[n] = _ ("admin");
  /* TRANSLATORS: the admin web UI field when pulse-launch runs with --no-admin */
  values[n++] = admin_uri != NULL ? admin_uri : _ ("off");
  labels[n] = _ ("auth");
  values[n++] = auth;
  labels[n] = _ ("topics");
  values[n++] = topic_list;
  labels[n] = _ ("pipeline");
  shown = pulse_parse_redact (description);
  values[n++] = shown;
  labels[n] = values[n] = NULL;
  return pulse_startup_format_table (title, labels, values);
}
