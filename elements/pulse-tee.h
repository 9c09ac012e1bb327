/* PulseMQ — the tee element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_TEE (pulse_tee_get_type ())
G_DECLARE_FINAL_TYPE (PulseTee, pulse_tee, PULSE, TEE, PulseElement)

G_END_DECLS
