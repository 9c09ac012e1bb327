/* PulseMQ — fuzz target: the lz4, zstd and snappy decompressors
 *
 * The first byte picks the codec, the rest is the payload as it would
 * arrive in frame 4 of a message. A decompressor must answer every input
 * with either bytes within the limit or a GError, never both, never
 * neither; ASan and UBSan catch the rest.
 */
#include "config.h"

#include <stdint.h>

#include <pulsemq/pulsemq.h>

#include "fuzz.h"

#define FUZZ_MAX_SIZE (1024 * 1024)

static const PulseCompression codecs[] = {
  PULSE_COMPRESSION_LZ4,
  PULSE_COMPRESSION_ZSTD,
  PULSE_COMPRESSION_SNAPPY,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GBytes *payload;
  GBytes *out;
  GError *error = NULL;

  if (size < 1)
    return 0;
  payload = g_bytes_new_static (data + 1, size - 1);
  out = pulse_decompress (codecs[data[0] % G_N_ELEMENTS (codecs)], payload, FUZZ_MAX_SIZE, &error);
  if (out != NULL) {
    g_assert_null (error);
    g_assert_cmpuint (g_bytes_get_size (out), <=, FUZZ_MAX_SIZE);
    g_bytes_unref (out);
  } else {
    g_assert_nonnull (error);
    g_assert_true (error->domain == PULSE_STREAM_ERROR);
    g_error_free (error);
  }
  g_bytes_unref (payload);
  return 0;
}
