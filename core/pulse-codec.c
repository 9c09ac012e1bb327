/* PulseMQ — serializers and compressors
 *
 * pulse_serialize() and its three siblings pick the implementation named
 * by the wire code, so the serializer elements, the decode element, the
 * subscriber API and the fuzz targets all share one implementation per
 * codec. PulseCodec is the base class of the codec elements: it owns the
 * pads, the mode (encode or decode), the metadata bookkeeping and the
 * error policy, so that each element is little more than its metadata.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
#include "pulse-private.h"

/**
 * pulse_serialize:
 * @serializer: the serializer
 * @buffer: a buffer of records (a batch or a value)
 * @error: return location for a #GError (%PULSE_STREAM_ERROR_ENCODE when
 *   the serializer cannot represent the records)
 *
 * Serializes records into a payload as the original PulseMQ does.
 *
 * Returns: (transfer full) (nullable): the payload
 */
GBytes *
pulse_serialize (PulseSerializer serializer, PulseBuffer *buffer, GError **error)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  g_return_val_if_fail (pulse_buffer_get_format (buffer) == PULSE_FORMAT_RECORDS, NULL);

  switch (serializer) {
    case PULSE_SERIALIZER_MSGPACK: return _pulse_msgpack_serialize (buffer, error);
    case PULSE_SERIALIZER_JSON: return _pulse_json_serialize (buffer, error);
    case PULSE_SERIALIZER_STR: return _pulse_str_serialize (buffer, error);
    case PULSE_SERIALIZER_BYTES: return _pulse_bytes_serialize (buffer, error);
    case PULSE_SERIALIZER_ARROW: return _pulse_arrow_serialize (buffer, error);
    default: break;
  }
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE, _ ("unknown serializer %d"),
      serializer);
  return NULL;
}

/**
 * pulse_deserialize:
 * @serializer: the serializer named by the message's flags
 * @payload: the payload, decompressed
 * @error: return location for a #GError (%PULSE_STREAM_ERROR_DECODE)
 *
 * Reads a payload back into records: a #PulseRecordBatch when they are
 * flat (a map, or a list of maps with the same fields of one type each),
 * a value tree otherwise.
 *
 * Returns: (transfer full) (nullable): a buffer of records
 */
PulseBuffer *
pulse_deserialize (PulseSerializer serializer, GBytes *payload, GError **error)
{
  g_return_val_if_fail (payload != NULL, NULL);

  switch (serializer) {
    case PULSE_SERIALIZER_MSGPACK: return _pulse_msgpack_deserialize (payload, error);
    case PULSE_SERIALIZER_JSON: return _pulse_json_deserialize (payload, error);
    case PULSE_SERIALIZER_STR: return _pulse_str_deserialize (payload, error);
    case PULSE_SERIALIZER_BYTES: return _pulse_bytes_deserialize (payload, error);
    case PULSE_SERIALIZER_ARROW: return _pulse_arrow_deserialize (payload, error);
    default: break;
  }
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("unknown serializer %d"),
      serializer);
  return NULL;
}

/**
 * pulse_compression_get_default_level:
 * @compression: a compression
 *
 * Returns: the level the original uses: 0 for lz4, 3 for zstd, 0 otherwise
 */
gint
pulse_compression_get_default_level (PulseCompression compression)
{
  return compression == PULSE_COMPRESSION_ZSTD ? 3 : 0;
}

/**
 * pulse_compress:
 * @compression: the compression; %PULSE_COMPRESSION_NONE returns @data
 * @data: the serialized payload
 * @level: the level, or -1 for the default
 * @error: return location for a #GError
 *
 * Compresses a payload in the framing the Python libraries read: an LZ4
 * frame, a zstd frame with its content size, a raw Snappy block.
 *
 * Returns: (transfer full) (nullable): the compressed payload
 */
GBytes *
pulse_compress (PulseCompression compression, GBytes *data, gint level, GError **error)
{
  g_return_val_if_fail (data != NULL, NULL);

  if (level < 0)
    level = pulse_compression_get_default_level (compression);
  switch (compression) {
    case PULSE_COMPRESSION_NONE: return g_bytes_ref (data);
    case PULSE_COMPRESSION_LZ4: return _pulse_lz4_compress (data, level, error);
    case PULSE_COMPRESSION_ZSTD: return _pulse_zstd_compress (data, level, error);
    case PULSE_COMPRESSION_SNAPPY: return _pulse_snappy_compress (data, error);
    default: break;
  }
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE, _ ("unknown compression %d"),
      compression);
  return NULL;
}

/**
 * pulse_decompress:
 * @compression: the compression named by the message's flags
 * @data: the payload as received
 * @max_size: the largest result accepted, e.g.
 *   #PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE
 * @error: return location for a #GError (%PULSE_STREAM_ERROR_DECODE, or
 *   %PULSE_STREAM_ERROR_TOO_LARGE past @max_size)
 *
 * Decompresses a payload, never allocating more than @max_size whatever
 * size the data claims.
 *
 * Returns: (transfer full) (nullable): the serialized payload
 */
GBytes *
pulse_decompress (PulseCompression compression, GBytes *data, gsize max_size, GError **error)
{
  g_return_val_if_fail (data != NULL, NULL);

  switch (compression) {
    case PULSE_COMPRESSION_NONE: return g_bytes_ref (data);
    case PULSE_COMPRESSION_LZ4: return _pulse_lz4_decompress (data, max_size, error);
    case PULSE_COMPRESSION_ZSTD: return _pulse_zstd_decompress (data, max_size, error);
    case PULSE_COMPRESSION_SNAPPY: return _pulse_snappy_decompress (data, max_size, error);
    default: break;
  }
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("unknown compression %d"),
      compression);
  return NULL;
}

/* ---- the codec element base class ---------------------------------------- */

/* warn about the first bad buffers, then every WARN_EVERY-th: a misfed
 * codec must be visible without flooding the bus */
#define WARN_FIRST 10
#define WARN_EVERY 1000

typedef struct {
  PulseCodecMode mode;
  gint level;
  guint64 max_size;
  guint64 errors; /* atomic */
  PulsePad *sinkpad;
  PulsePad *srcpad;
} PulseCodecPrivate;

enum { PROP_0, PROP_MODE, PROP_ERRORS, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (PulseCodecMode, pulse_codec_mode,
    G_DEFINE_ENUM_VALUE (PULSE_CODEC_MODE_ENCODE, "encode"),
    G_DEFINE_ENUM_VALUE (PULSE_CODEC_MODE_DECODE, "decode"))

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PulseCodec, pulse_codec, PULSE_TYPE_ELEMENT)

#define GET_PRIV(c) ((PulseCodecPrivate *) pulse_codec_get_instance_private (PULSE_CODEC (c)))

static void
formats_of (PulseCodecClass *klass, PulseFormat *decoded, PulseFormat *encoded)
{
  if (klass->serializer >= 0) {
    *decoded = PULSE_FORMAT_RECORDS;
    *encoded = PULSE_FORMAT_SERIALIZED;
  } else {
    *decoded = PULSE_FORMAT_SERIALIZED;
    *encoded = PULSE_FORMAT_COMPRESSED;
  }
}

/* The pads carry one direction's formats: a link check then catches
 * `timer ! lz4 mode=decode`. Only possible before linking, which is when
 * descriptions and applications set the mode. */
static void
apply_mode (PulseCodec *self)
{
  PulseCodecPrivate *priv = GET_PRIV (self);
  PulseFormat decoded, encoded;

  formats_of (PULSE_CODEC_GET_CLASS (self), &decoded, &encoded);
  if (pulse_pad_is_linked (priv->sinkpad) || pulse_pad_is_linked (priv->srcpad)) {
    g_warning (
        "%s: mode can only change before linking", pulse_element_get_name (PULSE_ELEMENT (self)));
    return;
  }
  _pulse_pad_set_formats (priv->sinkpad, priv->mode == PULSE_CODEC_MODE_ENCODE ? decoded : encoded);
  _pulse_pad_set_formats (priv->srcpad, priv->mode == PULSE_CODEC_MODE_ENCODE ? encoded : decoded);
}

static void
report (PulseCodec *self, const GError *error)
{
  guint64 n = __atomic_add_fetch (&GET_PRIV (self)->errors, 1, __ATOMIC_RELAXED);

  if (n <= WARN_FIRST || n % WARN_EVERY == 0)
    PULSE_ELEMENT_WARNING (self, STREAM, FAILED,
        (_ ("%s dropped a buffer (%llu so far): %s"), pulse_element_get_name (PULSE_ELEMENT (self)),
            (unsigned long long) n, error->message),
        (NULL));
}

static PulseBuffer *
transform (PulseCodec *self, PulseBuffer *in, GError **error)
{
  PulseCodecClass *klass = PULSE_CODEC_GET_CLASS (self);
  PulseCodecPrivate *priv = GET_PRIV (self);
  g_autoptr (GBytes) bytes = NULL;
  PulseBuffer *out = NULL;

  if (klass->serializer >= 0 && priv->mode == PULSE_CODEC_MODE_ENCODE) {
    if (!pulse_protocol_check_record_count (pulse_buffer_get_record_count (in), error))
      return NULL;
    bytes = pulse_serialize (klass->serializer, in, error);
    if (bytes == NULL)
      return NULL;
    out = pulse_buffer_new_bytes (PULSE_FORMAT_SERIALIZED, bytes);
    pulse_buffer_copy_metadata (out, in);
    pulse_buffer_set_serializer (out, klass->serializer);
    pulse_buffer_set_compression (out, PULSE_COMPRESSION_NONE);
  } else if (klass->serializer >= 0) {
    if (pulse_buffer_get_serializer (in) != (PulseSerializer) klass->serializer) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_FORMAT, _ ("got %s data, not %s"),
          pulse_serializer_get_nick (pulse_buffer_get_serializer (in)),
          pulse_serializer_get_nick (klass->serializer));
      return NULL;
    }
    out = pulse_deserialize (klass->serializer, pulse_buffer_get_bytes (in), error);
    if (out == NULL)
      return NULL;
    pulse_buffer_copy_metadata (out, in);
  } else if (priv->mode == PULSE_CODEC_MODE_ENCODE) {
    bytes = pulse_compress (klass->compression, pulse_buffer_get_bytes (in), priv->level, error);
    if (bytes == NULL)
      return NULL;
    out = pulse_buffer_new_bytes (PULSE_FORMAT_COMPRESSED, bytes);
    pulse_buffer_copy_metadata (out, in);
    pulse_buffer_set_compression (out, klass->compression);
  } else {
    if (pulse_buffer_get_compression (in) != (PulseCompression) klass->compression) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_FORMAT, _ ("got %s data, not %s"),
          pulse_compression_get_nick (pulse_buffer_get_compression (in)),
          pulse_compression_get_nick (klass->compression));
      return NULL;
    }
    bytes = pulse_decompress (
        klass->compression, pulse_buffer_get_bytes (in), priv->max_size, error);
    if (bytes == NULL)
      return NULL;
    out = pulse_buffer_new_bytes (PULSE_FORMAT_SERIALIZED, bytes);
    pulse_buffer_copy_metadata (out, in);
    pulse_buffer_set_compression (out, PULSE_COMPRESSION_NONE);
  }
  return out;
}

static PulseFlowReturn
pulse_codec_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulseCodec *self = PULSE_CODEC (element);
  g_autoptr (GError) error = NULL;
  PulseBuffer *out = transform (self, buffer, &error);

  pulse_buffer_unref (buffer);
  if (out == NULL) {
    /* refuse this buffer, keep the stream */
    report (self, error);
    return PULSE_FLOW_OK;
  }
  return pulse_pad_push (GET_PRIV (self)->srcpad, out);
}

static void
pulse_codec_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseCodec *self = PULSE_CODEC (object);

  switch (prop_id) {
    case PROP_MODE:
      GET_PRIV (self)->mode = g_value_get_enum (value);
      if (GET_PRIV (self)->sinkpad != NULL)
        apply_mode (self);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_codec_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseCodecPrivate *priv = GET_PRIV (object);

  switch (prop_id) {
    case PROP_MODE: g_value_set_enum (value, priv->mode); break;
    case PROP_ERRORS:
      g_value_set_uint64 (value, __atomic_load_n (&priv->errors, __ATOMIC_RELAXED));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void pulse_codec_constructed (GObject *object);

static void
pulse_codec_class_init (PulseCodecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = pulse_codec_set_property;
  object_class->get_property = pulse_codec_get_property;
  object_class->constructed = pulse_codec_constructed;
  PULSE_ELEMENT_CLASS (klass)->chain = pulse_codec_chain;
  klass->serializer = -1;
  klass->compression = -1;

  /**
   * PulseCodec:mode:
   *
   * encode (serialize or compress) or decode (the other way).
   */
  properties[PROP_MODE] = g_param_spec_enum ("mode", "Mode",
      "encode: serialize records or compress bytes; decode: the other way", PULSE_TYPE_CODEC_MODE,
      PULSE_CODEC_MODE_ENCODE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseCodec:errors:
   *
   * Buffers refused since the element was made: input the codec cannot
   * represent, or data that does not decode.
   */
  properties[PROP_ERRORS] = g_param_spec_uint64 ("errors", "Errors",
      "Buffers refused: input it cannot represent, or data that does not decode", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pulse_codec_init (PulseCodec *self)
{
  PulseCodecPrivate *priv = GET_PRIV (self);

  priv->mode = PULSE_CODEC_MODE_ENCODE;
  priv->level = -1;
  priv->max_size = PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE;
}

/* Pads are made here, not in init: while a parent type's init runs, the
 * instance still has the parent's class, which has no pad templates. */
static void
pulse_codec_constructed (GObject *object)
{
  PulseCodecPrivate *priv = GET_PRIV (object);

  G_OBJECT_CLASS (pulse_codec_parent_class)->constructed (object);
  priv->sinkpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (object), "sink");
  priv->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (object), "src");
  apply_mode (PULSE_CODEC (object));
}

/**
 * pulse_codec_class_setup:
 * @klass: a codec class whose serializer or compression is set
 *
 * Adds the pad templates: records ⇄ serialized for a serializer,
 * serialized ⇄ compressed for a compressor.
 */
void
pulse_codec_class_setup (PulseCodecClass *klass)
{
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);
  PulseFormat decoded, encoded;

  g_return_if_fail (PULSE_IS_CODEC_CLASS (klass));
  g_return_if_fail ((klass->serializer >= 0) != (klass->compression >= 0));

  formats_of (klass, &decoded, &encoded);
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, decoded | encoded));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, decoded | encoded));
}

/**
 * pulse_codec_get_mode:
 * @codec: a #PulseCodec
 *
 * Returns: which way it works
 */
PulseCodecMode
pulse_codec_get_mode (PulseCodec *codec)
{
  g_return_val_if_fail (PULSE_IS_CODEC (codec), PULSE_CODEC_MODE_ENCODE);
  return GET_PRIV (codec)->mode;
}

/**
 * pulse_codec_set_level:
 * @codec: a compressor #PulseCodec
 * @level: its compression level, or -1 for the default
 *
 * For subclasses with a `level` property.
 */
void
pulse_codec_set_level (PulseCodec *codec, gint level)
{
  g_return_if_fail (PULSE_IS_CODEC (codec));
  GET_PRIV (codec)->level = level;
}

/**
 * pulse_codec_set_max_size:
 * @codec: a compressor #PulseCodec
 * @max_size: the largest decompressed payload accepted
 *
 * For subclasses with a `max-size` property.
 */
void
pulse_codec_set_max_size (PulseCodec *codec, guint64 max_size)
{
  g_return_if_fail (PULSE_IS_CODEC (codec));
  GET_PRIV (codec)->max_size = max_size;
}

/**
 * pulse_codec_get_level:
 * @codec: a compressor #PulseCodec
 *
 * Returns: the compression level in use (the default until one is set)
 */
gint
pulse_codec_get_level (PulseCodec *codec)
{
  PulseCodecPrivate *priv;

  g_return_val_if_fail (PULSE_IS_CODEC (codec), 0);
  priv = GET_PRIV (codec);
  if (priv->level >= 0)
    return priv->level;
  return pulse_compression_get_default_level (PULSE_CODEC_GET_CLASS (codec)->compression);
}

/**
 * pulse_codec_get_max_size:
 * @codec: a compressor #PulseCodec
 *
 * Returns: the largest decompressed payload accepted
 */
guint64
pulse_codec_get_max_size (PulseCodec *codec)
{
  g_return_val_if_fail (PULSE_IS_CODEC (codec), 0);
  return GET_PRIV (codec)->max_size;
}
