/* PulseMQ tests — a shared module without pulse_plugin_init
 *
 * It loads (dlopen succeeds) but is no element module: the registry must
 * refuse it and say that the entry point is missing.
 */
#include <gmodule.h>

G_MODULE_EXPORT const gchar *pulse_test_noinit_name (void);

/* something to export, so that the module is a real, loadable object */
G_MODULE_EXPORT const gchar *
pulse_test_noinit_name (void)
{
  return "pulsetestnoinit";
}
