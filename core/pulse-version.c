/* PulseMQ — version */
#include "config.h"

#include <pulsemq/pulsemq.h>

/**
 * pulse_get_version:
 *
 * Returns: (transfer none): the version of the library at run time, e.g. `0.1.0`
 */
const char *
pulse_get_version (void)
{
  return PULSE_VERSION;
}
