/* PulseMQ — what pulse-launch and pulse-inspect share: locale set-up,
 * plugin loading and how a parse error is shown. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pulse-tool.h"

/* PULSE_DEBUG=queue,timer (or "*") turns on the debug output of those
 * elements; "core" is the framework itself. It maps onto the log domains
 * GLib's default log writer filters with G_MESSAGES_DEBUG. */
static void
setup_debug (void)
{
  const gchar *spec = g_getenv ("PULSE_DEBUG");
  g_auto (GStrv) items = NULL;
  g_autoptr (GString) domains = NULL;
  const gchar *existing;

  if (spec == NULL || *spec == '\0')
    return;
  domains = g_string_new (NULL);
  existing = g_getenv ("G_MESSAGES_DEBUG");
  if (existing != NULL)
    g_string_append (domains, existing);
  items = g_strsplit_set (spec, ", ", -1);
  for (guint i = 0; items[i] != NULL; i++) {
    gchar *colon = strchr (items[i], ':');
    if (colon != NULL)
      *colon = '\0'; /* "queue:debug": only debug level exists for now */
    if (*items[i] == '\0')
      continue;
    if (domains->len > 0)
      g_string_append_c (domains, ' ');
    if (strcmp (items[i], "*") == 0 || strcmp (items[i], "all") == 0)
      g_string_append (domains, "all");
    else if (strcmp (items[i], "core") == 0)
      g_string_append (domains, "pulse-core");
    else
      g_string_append_printf (domains, "pulse-%s", items[i]);
  }
  g_setenv ("G_MESSAGES_DEBUG", domains->str, TRUE);
}

void
pulse_tool_init_i18n (void)
{
  setup_debug ();
  const gchar *dir = g_getenv ("PULSEMQ_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : PULSE_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

void
pulse_tool_load_plugins (const gchar *prgname, const gchar *plugin_path)
{
  PulseRegistry *registry = pulse_registry_get_default ();
  g_auto (GStrv) errors = NULL;

  if (plugin_path != NULL)
    pulse_registry_scan_path (registry, plugin_path);
  errors = pulse_registry_get_load_errors (registry);
  for (guint i = 0; errors[i] != NULL; i++)
    fprintf (stderr, _ ("%s: warning: %s\n"), prgname, errors[i]);
}

/* The default statistics, rolled on this thread's main loop, persisted to
 * @uri, else $PULSEMQ_STATS_DB. Unlike the original, which writes
 * ./stats.sqlite wherever it is started, the default is memory only: a
 * tool run from any directory (and every test) leaves no file behind. A
 * database that cannot be used is a warning: statistics go on in memory. */
void
pulse_tool_open_stats_db (const gchar *prgname, const gchar *uri)
{
  PulseStats *stats = pulse_stats_get_default ();
  g_autoptr (GError) error = NULL;

  if (uri == NULL || *uri == '\0')
    uri = g_getenv ("PULSEMQ_STATS_DB");
  if (uri == NULL || *uri == '\0')
    return;
  if (!pulse_stats_open_db (stats, uri, &error))
    fprintf (stderr, _ ("%s: warning: %s; statistics are kept in memory only\n"), prgname,
        error->message);
}

void
pulse_tool_print_parse_error (const gchar *prgname, PulseParseContext *context, const GError *error)
{
  g_autofree gchar *caret = NULL;
  const gchar *text = NULL;
  const gchar *hint = NULL;

  if (context != NULL) {
    caret = pulse_parse_context_format_error (context);
    text = pulse_parse_context_get_error_text (context);
    hint = pulse_parse_context_get_hint (context);
  }
  if (text == NULL || caret == NULL) {
    fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
    return;
  }
  fprintf (stderr, _ ("%s: error: %s\n"), prgname, text);
  fprintf (stderr, "%s\n", caret);
  if (hint != NULL)
    fprintf (stderr, _ ("hint: %s\n"), hint);
}
