/* PulseMQ — the compressor elements
 *
 *   pulse-launch "timer count=3 ! msgpack ! lz4 ! fakesink"
 *   pulse-launch "timer count=3 ! msgpack ! zstd level=9 ! zstd mode=decode ! msgpack mode=decode ! print"
 *
 * Each compresses in the framing the original's Python libraries use (an
 * LZ4 frame, a zstd frame with its content size, a raw Snappy block) and,
 * with mode=decode, decompresses — never past max-size, whatever size the
 * data claims.
 */
#include "config.h"

#include "pulse-compressors.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-compressors"

#define DEFAULT_MAX_SIZE ((guint64) PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE)

enum {
  PROP_0,
  PROP_LEVEL,
  PROP_MAX_SIZE,
};

static void
compressor_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id) {
    case PROP_LEVEL: pulse_codec_set_level (PULSE_CODEC (object), g_value_get_int (value)); break;
    case PROP_MAX_SIZE:
      pulse_codec_set_max_size (PULSE_CODEC (object), g_value_get_uint64 (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
compressor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseCodec *codec = PULSE_CODEC (object);

  switch (prop_id) {
    case PROP_LEVEL: g_value_set_int (value, pulse_codec_get_level (codec)); break;
    case PROP_MAX_SIZE: g_value_set_uint64 (value, pulse_codec_get_max_size (codec)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
install_properties (GObjectClass *object_class, gint min_level, gint max_level, gint def_level)
{
  object_class->set_property = compressor_set_property;
  object_class->get_property = compressor_get_property;
  if (max_level > min_level)
    g_object_class_install_property (object_class, PROP_LEVEL,
        g_param_spec_int ("level", "Level", "Compression level: higher is smaller and slower",
            min_level, max_level, def_level, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_MAX_SIZE,
      g_param_spec_uint64 ("max-size", "Max size",
          "mode=decode: the largest decompressed payload accepted, in bytes", 1, G_MAXUINT64,
          DEFAULT_MAX_SIZE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

#define COMPRESSOR(                                                                                \
    TypeName, type_name, code, min_level, max_level, def_level, long_name, description, usage)     \
  typedef struct {                                                                                 \
    PulseCodec parent_instance;                                                                    \
  } TypeName;                                                                                      \
  typedef struct {                                                                                 \
    PulseCodecClass parent_class;                                                                  \
  } TypeName##Class;                                                                               \
  G_DEFINE_FINAL_TYPE (TypeName, type_name, PULSE_TYPE_CODEC)                                      \
  static void type_name##_class_init (TypeName##Class *klass)                                      \
  {                                                                                                \
    PULSE_CODEC_CLASS (klass)->compression = code;                                                 \
    pulse_codec_class_setup (PULSE_CODEC_CLASS (klass));                                           \
    install_properties (G_OBJECT_CLASS (klass), min_level, max_level, def_level);                  \
    pulse_element_class_set_metadata (                                                             \
        PULSE_ELEMENT_CLASS (klass), long_name, "Codec/Compressor", description, usage);           \
  }                                                                                                \
  static void type_name##_init (TypeName *self)                                                    \
  {                                                                                                \
  }

/* clang-format off */
COMPRESSOR (PulseLz4Codec, pulse_lz4_codec, PULSE_COMPRESSION_LZ4, 0, 12, 0,
    "LZ4 frame compressor",
    "Compresses serialized payloads into an LZ4 frame (wire flag lz4), or back with mode=decode",
    "timer count=3 ! msgpack ! lz4 ! lz4 mode=decode ! msgpack mode=decode ! print")
COMPRESSOR (PulseZstdCodec, pulse_zstd_codec, PULSE_COMPRESSION_ZSTD, 1, 22, 3,
    "zstd compressor",
    "Compresses serialized payloads into a zstd frame with its content size (wire flag zstd), or back with mode=decode",
    "timer count=3 ! msgpack ! zstd level=9 ! zstd mode=decode ! msgpack mode=decode ! print")
COMPRESSOR (PulseSnappyCodec, pulse_snappy_codec, PULSE_COMPRESSION_SNAPPY, 0, 0, 0,
    "Snappy compressor",
    "Compresses serialized payloads into a raw Snappy block (wire flag snappy), or back with mode=decode",
    "timer count=3 ! json ! snappy ! snappy mode=decode ! json mode=decode ! print")
/* clang-format on */
