/* PulseMQ — the timer element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_TIMER (pulse_timer_get_type ())
G_DECLARE_FINAL_TYPE (PulseTimer, pulse_timer, PULSE, TIMER, PulseElement)

G_END_DECLS
