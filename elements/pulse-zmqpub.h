/* PulseMQ — the zmqpub element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

/**
 * PulseZmqPubOverflow:
 * @PULSE_ZMQ_PUB_OVERFLOW_BLOCK: wait until slow subscribers catch up; nothing is lost
 * @PULSE_ZMQ_PUB_OVERFLOW_DROP: drop the frame for every subscriber and count it
 *
 * What `zmqpub` does when `max-queue-bytes` would be passed.
 */
typedef enum {
  PULSE_ZMQ_PUB_OVERFLOW_BLOCK,
  PULSE_ZMQ_PUB_OVERFLOW_DROP,
} PulseZmqPubOverflow;

#define PULSE_TYPE_ZMQ_PUB_OVERFLOW (pulse_zmq_pub_overflow_get_type ())
GType pulse_zmq_pub_overflow_get_type (void);

#define PULSE_TYPE_ZMQ_PUB (pulse_zmq_pub_get_type ())
G_DECLARE_FINAL_TYPE (PulseZmqPub, pulse_zmq_pub, PULSE, ZMQ_PUB, PulseElement)

G_END_DECLS
