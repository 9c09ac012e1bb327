/* PulseMQ — the batch element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_BATCH (pulse_batch_get_type ())
G_DECLARE_FINAL_TYPE (PulseBatch, pulse_batch, PULSE, BATCH, PulseElement)

G_END_DECLS
