/* PulseMQ tests — a module whose pulse_plugin_init fails
 *
 * The registry must report the module's own reason ("deliberate
 * failure") in its error, not just that loading failed.
 */
#include <gmodule.h>
#include <pulsemq/pulsemq.h>

G_MODULE_EXPORT gboolean pulse_plugin_init (PulseRegistry *registry, GError **error);

G_MODULE_EXPORT gboolean
pulse_plugin_init (PulseRegistry *registry, GError **error)
{
  g_set_error_literal (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_FAILED, "deliberate failure");
  return FALSE;
}
