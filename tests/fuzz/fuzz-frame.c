/* PulseMQ — fuzz target: a received message, header to records
 *
 * The path a subscriber takes for every message: frame header parsing,
 * decompression by the flags (1 MiB limit), deserialization by the flags,
 * then JSON output of what came out. The input is split into the four
 * frames by a simple scheme that keeps seeds readable: topic, meta and
 * timestamp each as [u8 length][bytes], the payload as the rest. Every
 * step must answer with a result or a GError, never both, never neither;
 * ASan and UBSan catch the rest.
 */
#include "config.h"

#include <stdint.h>

#include <pulsemq/pulsemq.h>

#include "fuzz.h"

#define FUZZ_MAX_SIZE (1024 * 1024)

/* takes one [u8 length][bytes] frame off the front of the input */
static gboolean
take_frame (const uint8_t **data, size_t *size, const uint8_t **frame, size_t *len)
{
  if (*size < 1 || (size_t) (*data)[0] > *size - 1)
    return FALSE;
  *len = (*data)[0];
  *frame = *data + 1;
  *data += 1 + *len;
  *size -= 1 + *len;
  return TRUE;
}

static void
check_result (gboolean ok, GError *error)
{
  if (ok) {
    g_assert_null (error);
  } else {
    g_assert_nonnull (error);
    g_assert_true (error->domain == PULSE_STREAM_ERROR);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *topic, *meta, *timestamp;
  size_t topic_len, meta_len, timestamp_len;
  PulseFrameHeader header;
  GError *error = NULL;
  GBytes *payload = NULL;
  GBytes *plain = NULL;
  PulseBuffer *records = NULL;
  gboolean ok;

  if (!take_frame (&data, &size, &topic, &topic_len) ||
      !take_frame (&data, &size, &meta, &meta_len) ||
      !take_frame (&data, &size, &timestamp, &timestamp_len))
    return 0;

  /* what zmqsub checks first: a topic it can name in a warning */
  if (!g_utf8_validate_len ((const gchar *) topic, topic_len, NULL))
    return 0;

  ok = pulse_protocol_parse_header (meta, meta_len, timestamp, timestamp_len, &header, &error);
  check_result (ok, error);
  if (!ok) {
    g_error_free (error);
    return 0;
  }
  g_assert_true (meta_len == PULSE_META_SIZE && timestamp_len == PULSE_TIMESTAMP_SIZE);

  payload = g_bytes_new_static (data, size);
  plain = pulse_decompress (header.compression, payload, FUZZ_MAX_SIZE, &error);
  check_result (plain != NULL, error);
  if (plain == NULL) {
    g_clear_error (&error);
    goto out;
  }
  g_assert_cmpuint (g_bytes_get_size (plain), <=, FUZZ_MAX_SIZE);

  records = pulse_deserialize (header.serializer, plain, &error);
  check_result (records != NULL, error);
  if (records == NULL) {
    g_clear_error (&error);
    goto out;
  }
  g_assert_cmpint (pulse_buffer_get_format (records), ==, PULSE_FORMAT_RECORDS);
  g_free (pulse_buffer_to_json (records));

out:
  if (records != NULL)
    pulse_buffer_unref (records);
  if (plain != NULL)
    g_bytes_unref (plain);
  g_bytes_unref (payload);
  return 0;
}
