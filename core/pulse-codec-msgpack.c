/* SCAFFOLD: replaced by the real msgpack codec in this session */
#include "config.h"
#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
GBytes *
_pulse_msgpack_serialize (PulseBuffer *buffer, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE, "SCAFFOLD msgpack");
  return NULL;
}
PulseBuffer *
_pulse_msgpack_deserialize (GBytes *payload, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, "SCAFFOLD msgpack");
  return NULL;
}
