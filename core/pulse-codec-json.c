/* SCAFFOLD: replaced by the real json codec in this session */
#include "config.h"
#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
GBytes *
_pulse_json_serialize (PulseBuffer *buffer, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE, "SCAFFOLD json");
  return NULL;
}
PulseBuffer *
_pulse_json_deserialize (GBytes *payload, GError **error)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, "SCAFFOLD json");
  return NULL;
}
