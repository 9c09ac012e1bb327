/* PulseMQ — the fakesink element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_FAKE_SINK (pulse_fake_sink_get_type ())
G_DECLARE_FINAL_TYPE (PulseFakeSink, pulse_fake_sink, PULSE, FAKE_SINK, PulseElement)

G_END_DECLS
