/* PulseMQ — the zmqpub element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define PULSE_TYPE_ZMQ_PUB (pulse_zmq_pub_get_type ())
G_DECLARE_FINAL_TYPE (PulseZmqPub, pulse_zmq_pub, PULSE, ZMQ_PUB, PulseElement)

G_END_DECLS
