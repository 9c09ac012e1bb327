/* PulseMQ — serializers and compressors */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-buffer.h"
#include "pulse-element.h"

G_BEGIN_DECLS

/**
 * PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE:
 *
 * The largest payload a decompressor produces unless told otherwise:
 * 256 MiB, so that a forged size field cannot exhaust memory.
 */
#define PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE (256 * 1024 * 1024)

GBytes *pulse_serialize (PulseSerializer serializer, PulseBuffer *buffer, GError **error);
PulseBuffer *pulse_deserialize (PulseSerializer serializer, GBytes *payload, GError **error);
GBytes *pulse_compress (PulseCompression compression, GBytes *data, gint level, GError **error);
GBytes *
pulse_decompress (PulseCompression compression, GBytes *data, gsize max_size, GError **error);
gint pulse_compression_get_default_level (PulseCompression compression);

/**
 * PulseCodecMode:
 * @PULSE_CODEC_MODE_ENCODE: serialize records, or compress bytes
 * @PULSE_CODEC_MODE_DECODE: deserialize bytes into records, or decompress
 *
 * Which way a codec element works.
 */
typedef enum {
  PULSE_CODEC_MODE_ENCODE,
  PULSE_CODEC_MODE_DECODE,
} PulseCodecMode;

#define PULSE_TYPE_CODEC_MODE (pulse_codec_mode_get_type ())
GType pulse_codec_mode_get_type (void);

#define PULSE_TYPE_CODEC (pulse_codec_get_type ())
G_DECLARE_DERIVABLE_TYPE (PulseCodec, pulse_codec, PULSE, CODEC, PulseElement)

/**
 * PulseCodecClass:
 * @parent_class: the parent class
 * @serializer: the serializer of a serializer element, or -1
 * @compression: the compression of a compressor element, or -1
 *
 * A serializer or compressor element: everything but its metadata and
 * its own properties is here. Subclasses set @serializer or @compression
 * in class_init and call pulse_codec_class_setup().
 */
struct _PulseCodecClass {
  PulseElementClass parent_class;

  gint serializer;
  gint compression;

  /*< private >*/
  gpointer padding[8];
};

void pulse_codec_class_setup (PulseCodecClass *klass);
PulseCodecMode pulse_codec_get_mode (PulseCodec *codec);
void pulse_codec_set_level (PulseCodec *codec, gint level);
void pulse_codec_set_max_size (PulseCodec *codec, guint64 max_size);
gint pulse_codec_get_level (PulseCodec *codec);
guint64 pulse_codec_get_max_size (PulseCodec *codec);

G_END_DECLS
