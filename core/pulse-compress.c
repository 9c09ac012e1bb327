/* SCAFFOLD: replaced by the real compressors in this session */
#include "config.h"
#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
#define S(name, ...)                                                                               \
  GBytes *name (__VA_ARGS__)                                                                       \
  {                                                                                                \
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_FAILED, "SCAFFOLD");                \
    return NULL;                                                                                   \
  }
S (_pulse_lz4_compress, GBytes *data, gint level, GError **error)
S (_pulse_lz4_decompress, GBytes *data, gsize max_size, GError **error)
S (_pulse_zstd_compress, GBytes *data, gint level, GError **error)
S (_pulse_zstd_decompress, GBytes *data, gsize max_size, GError **error)
S (_pulse_snappy_compress, GBytes *data, GError **error)
S (_pulse_snappy_decompress, GBytes *data, gsize max_size, GError **error)
