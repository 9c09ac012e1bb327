/* PulseMQ — the queue element */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

/**
 * PulseQueueLeaky:
 * @PULSE_QUEUE_LEAKY_NO: a full queue blocks the upstream thread
 * @PULSE_QUEUE_LEAKY_UPSTREAM: a full queue drops the incoming buffer
 * @PULSE_QUEUE_LEAKY_DOWNSTREAM: a full queue drops its oldest buffer
 *
 * What a full queue does.
 */
typedef enum {
  PULSE_QUEUE_LEAKY_NO,
  PULSE_QUEUE_LEAKY_UPSTREAM,
  PULSE_QUEUE_LEAKY_DOWNSTREAM,
} PulseQueueLeaky;

#define PULSE_TYPE_QUEUE_LEAKY (pulse_queue_leaky_get_type ())
GType pulse_queue_leaky_get_type (void);

#define PULSE_TYPE_QUEUE (pulse_queue_get_type ())
G_DECLARE_FINAL_TYPE (PulseQueue, pulse_queue, PULSE, QUEUE, PulseElement)

G_END_DECLS
