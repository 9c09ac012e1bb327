/* PulseMQ — the decode element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_DECODE (pulse_decode_get_type ())
G_DECLARE_FINAL_TYPE (PulseDecode, pulse_decode, PULSE, DECODE, PulseElement)

G_END_DECLS
