/* PulseMQ — fuzz target: the Arrow IPC stream reader
 *
 * The input is a payload as pulse_deserialize() gets it under the pyarrow
 * flag, after decompression. The reader must answer with records or a
 * GError, never both, never neither; what it accepts must serialize again
 * and read back to the same shape. ASan and UBSan catch the rest.
 */
#include "config.h"

#include <stdint.h>

#include <pulsemq/pulsemq.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GBytes *payload = g_bytes_new_static (data, size);
  GError *error = NULL;
  PulseBuffer *out = pulse_deserialize (PULSE_SERIALIZER_ARROW, payload, &error);

  g_assert ((out == NULL) != (error == NULL));
  if (out != NULL) {
    PulseRecordBatch *batch = pulse_buffer_get_records (out);
    GBytes *again;
    PulseBuffer *back;

    g_assert (batch != NULL);
    /* what was accepted is a batch our writer can write and read back */
    again = pulse_serialize (PULSE_SERIALIZER_ARROW, out, &error);
    g_assert_no_error (error);
    back = pulse_deserialize (PULSE_SERIALIZER_ARROW, again, &error);
    g_assert_no_error (error);
    g_assert (pulse_record_batch_get_n_rows (pulse_buffer_get_records (back)) ==
        pulse_record_batch_get_n_rows (batch));
    g_assert (pulse_record_batch_get_n_columns (pulse_buffer_get_records (back)) ==
        pulse_record_batch_get_n_columns (batch));
    pulse_buffer_unref (back);
    g_bytes_unref (again);
    pulse_buffer_unref (out);
  }
  g_clear_error (&error);
  g_bytes_unref (payload);
  return 0;
}
