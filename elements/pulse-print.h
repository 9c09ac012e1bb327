/* PulseMQ — the print element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_PRINT (pulse_print_get_type ())
G_DECLARE_FINAL_TYPE (PulsePrint, pulse_print, PULSE, PRINT, PulseElement)

G_END_DECLS
