/* PulseMQ — the zmqsub element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_ZMQ_SUB (pulse_zmq_sub_get_type ())
G_DECLARE_FINAL_TYPE (PulseZmqSub, pulse_zmq_sub, PULSE, ZMQ_SUB, PulseElement)

G_END_DECLS
