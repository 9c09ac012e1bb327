/* PulseMQ — the serializer elements
 *
 *   pulse-launch "timer count=3 ! msgpack ! fakesink"
 *   pulse-launch "zmqsub topics=x ! lz4 mode=decode ! msgpack mode=decode ! print"
 *
 * All the work is in PulseCodec (pads, modes, errors) and pulse_serialize()
 * (the codecs themselves); an element is its wire code and its metadata.
 */
#include "config.h"

#include "pulse-serializers.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-serializers"

#define SERIALIZER(TypeName, type_name, code, long_name, description, usage)                       \
  typedef struct {                                                                                 \
    PulseCodec parent_instance;                                                                    \
  } TypeName;                                                                                      \
  typedef struct {                                                                                 \
    PulseCodecClass parent_class;                                                                  \
  } TypeName##Class;                                                                               \
  G_DEFINE_FINAL_TYPE (TypeName, type_name, PULSE_TYPE_CODEC)                                      \
  static void type_name##_class_init (TypeName##Class *klass)                                      \
  {                                                                                                \
    PULSE_CODEC_CLASS (klass)->serializer = code;                                                  \
    pulse_codec_class_setup (PULSE_CODEC_CLASS (klass));                                           \
    pulse_element_class_set_metadata (                                                             \
        PULSE_ELEMENT_CLASS (klass), long_name, "Codec/Serializer", description, usage);           \
  }                                                                                                \
  static void type_name##_init (TypeName *self)                                                    \
  {                                                                                                \
  }

/* clang-format off */
SERIALIZER (PulseMsgpackCodec, pulse_msgpack_codec, PULSE_SERIALIZER_MSGPACK,
    "MessagePack serializer",
    "Serializes records to MessagePack (wire flag msgpack), or back with mode=decode",
    "timer count=3 ! msgpack ! msgpack mode=decode ! print")
SERIALIZER (PulseJsonCodec, pulse_json_codec, PULSE_SERIALIZER_JSON,
    "JSON serializer",
    "Serializes records to compact JSON (wire flag json), or back with mode=decode",
    "timer count=3 ! json ! json mode=decode ! print")
SERIALIZER (PulseStrCodec, pulse_str_codec, PULSE_SERIALIZER_STR,
    "UTF-8 text serializer",
    "Sends one UTF-8 string per message (wire flag str), or reads it back with mode=decode",
    "timer count=1 ! str ! fakesink")
SERIALIZER (PulseBytesCodec, pulse_bytes_codec, PULSE_SERIALIZER_BYTES,
    "Bytes serializer",
    "Sends one byte string per message as it is (wire flag bytes), or reads it back with mode=decode",
    "timer count=1 ! bytes ! fakesink")
SERIALIZER (PulseArrowCodec, pulse_arrow_codec, PULSE_SERIALIZER_ARROW,
    "Arrow IPC stream serializer",
    "Serializes records to an Arrow IPC stream (wire flag pyarrow), or back with mode=decode",
    "timer count=3 ! arrow ! arrow mode=decode ! print")
SERIALIZER (PulsePyarrowCodec, pulse_pyarrow_codec, PULSE_SERIALIZER_ARROW,
    "Arrow IPC stream serializer (alias)",
    "The original's name for arrow: serializes records to an Arrow IPC stream",
    "timer count=3 ! pyarrow ! pyarrow mode=decode ! print")
/* clang-format on */
