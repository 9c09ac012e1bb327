/* PulseMQ — the ticksrc element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_TICK_SRC (pulse_tick_src_get_type ())
G_DECLARE_FINAL_TYPE (PulseTickSrc, pulse_tick_src, PULSE, TICK_SRC, PulseElement)

G_END_DECLS
