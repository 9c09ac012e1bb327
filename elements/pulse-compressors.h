/* PulseMQ — the compressor elements: lz4, zstd, snappy */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

GType pulse_lz4_codec_get_type (void);
GType pulse_zstd_codec_get_type (void);
GType pulse_snappy_codec_get_type (void);

G_END_DECLS
