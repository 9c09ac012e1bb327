/* PulseMQ — decode: received frames back into records
 *
 *   pulse-launch "zmqsub endpoint=tcp://127.0.0.1:5555 topics=sh_market ! decode ! print"
 *   pulse-launch "timer count=3 ! msgpack ! lz4 ! decode ! print"
 *
 * Reads the serializer and compression a buffer carries (from the flags
 * byte of a received message, or from the codecs upstream), decompresses
 * and deserializes it with the shared codec implementations, and keeps
 * topic, record count, timestamp, serializer and compression, so a
 * printed line still says how the message travelled.
 *
 * One decoder for every flag combination, because a subscriber to a
 * prefix may receive topics encoded differently. A payload that does not
 * decode is counted per topic and reported — the first few, then every
 * thousandth — and the stream goes on: one bad publisher must not silence
 * the others, which is what the original's iterator does.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pulse-decode.h"

/* one log domain per element: PULSE_DEBUG=decode shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-decode"

#define DEFAULT_MAX_SIZE PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE

/* warn about the first failures of a topic, then every WARN_EVERY-th */
#define WARN_FIRST 10
#define WARN_EVERY 1000

struct _PulseDecode {
  PulseElement parent_instance;

  PulsePad *srcpad;
  guint64 max_size; /* atomic */
  guint64 errors;   /* atomic */

  GMutex lock;
  GHashTable *topic_errors; /* topic → guint64 *, under lock */
};

enum { PROP_0, PROP_MAX_SIZE, PROP_ERRORS, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PulseDecode, pulse_decode, PULSE_TYPE_ELEMENT)
#define parent_class pulse_decode_parent_class

static void
report (PulseDecode *self, PulseBuffer *in, const GError *error)
{
  const gchar *topic = pulse_buffer_get_topic (in);
  guint64 *count;
  guint64 n;

  __atomic_add_fetch (&self->errors, 1, __ATOMIC_RELAXED);
  g_mutex_lock (&self->lock);
  count = g_hash_table_lookup (self->topic_errors, topic != NULL ? topic : "");
  if (count == NULL) {
    count = g_new0 (guint64, 1);
    g_hash_table_insert (self->topic_errors, g_strdup (topic != NULL ? topic : ""), count);
  }
  n = ++*count;
  g_mutex_unlock (&self->lock);

  if (n > WARN_FIRST && n % WARN_EVERY != 0)
    return;
  if (topic != NULL)
    PULSE_ELEMENT_WARNING (self, STREAM, DECODE,
        (_ ("%s dropped a %s/%s message on topic \"%s\" (%llu so far on this topic): %s"),
            pulse_element_get_name (PULSE_ELEMENT (self)),
            pulse_serializer_get_nick (pulse_buffer_get_serializer (in)),
            pulse_compression_get_nick (pulse_buffer_get_compression (in)), topic,
            (unsigned long long) n, error->message),
        (NULL));
  else
    PULSE_ELEMENT_WARNING (self, STREAM, DECODE,
        (_ ("%s dropped a %s/%s buffer (%llu so far): %s"),
            pulse_element_get_name (PULSE_ELEMENT (self)),
            pulse_serializer_get_nick (pulse_buffer_get_serializer (in)),
            pulse_compression_get_nick (pulse_buffer_get_compression (in)), (unsigned long long) n,
            error->message),
        (NULL));
}

static PulseBuffer *
decode (PulseDecode *self, PulseBuffer *in, GError **error)
{
  g_autoptr (GBytes) plain = NULL;
  PulseBuffer *out;

  plain = pulse_decompress (pulse_buffer_get_compression (in), pulse_buffer_get_bytes (in),
      (gsize) MIN (__atomic_load_n (&self->max_size, __ATOMIC_RELAXED), G_MAXSIZE), error);
  if (plain == NULL)
    return NULL;
  out = pulse_deserialize (pulse_buffer_get_serializer (in), plain, error);
  if (out == NULL)
    return NULL;
  /* the header's record count, as the original reports it: never recounted */
  pulse_buffer_copy_metadata (out, in);
  return out;
}

static PulseFlowReturn
pulse_decode_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulseDecode *self = PULSE_DECODE (element);
  g_autoptr (GError) error = NULL;
  PulseBuffer *out = NULL;

  if (pulse_buffer_get_format (buffer) == PULSE_FORMAT_RECORDS)
    out = pulse_buffer_ref (buffer); /* nothing to do; the link check normally prevents it */
  else
    out = decode (self, buffer, &error);
  if (out == NULL)
    report (self, buffer, error);
  pulse_buffer_unref (buffer);
  if (out == NULL)
    return PULSE_FLOW_OK; /* refuse this buffer, keep the stream */
  return pulse_pad_push (self->srcpad, out);
}

static void
pulse_decode_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseDecode *self = PULSE_DECODE (object);

  switch (prop_id) {
    case PROP_MAX_SIZE:
      __atomic_store_n (&self->max_size, g_value_get_uint64 (value), __ATOMIC_RELAXED);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_decode_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseDecode *self = PULSE_DECODE (object);

  switch (prop_id) {
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, __atomic_load_n (&self->max_size, __ATOMIC_RELAXED));
      break;
    case PROP_ERRORS:
      g_value_set_uint64 (value, __atomic_load_n (&self->errors, __ATOMIC_RELAXED));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_decode_finalize (GObject *object)
{
  PulseDecode *self = PULSE_DECODE (object);

  g_hash_table_unref (self->topic_errors);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_decode_class_init (PulseDecodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_decode_set_property;
  object_class->get_property = pulse_decode_get_property;
  object_class->finalize = pulse_decode_finalize;
  element_class->chain = pulse_decode_chain;

  /**
   * PulseDecode:max-size:
   *
   * The largest decompressed payload accepted, in bytes: a message that
   * claims or produces more is dropped and counted, so a forged size
   * cannot exhaust memory.
   */
  properties[PROP_MAX_SIZE] = g_param_spec_uint64 ("max-size", "Max size",
      "Largest decompressed payload accepted, in bytes", 1, G_MAXUINT64, DEFAULT_MAX_SIZE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseDecode:errors:
   *
   * Messages dropped because they did not decompress or deserialize.
   */
  properties[PROP_ERRORS] = g_param_spec_uint64 ("errors", "Errors",
      "Messages dropped because they did not decompress or deserialize", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "Decoder", "Codec/Decoder",
      "Decompresses and deserializes received frames into records, by their flags",
      "zmqsub endpoint=tcp://127.0.0.1:5555 topics=sh_market ! decode ! print");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS,
          PULSE_FORMAT_FRAME | PULSE_FORMAT_SERIALIZED | PULSE_FORMAT_COMPRESSED));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_RECORDS));
}

static void
pulse_decode_init (PulseDecode *self)
{
  self->max_size = DEFAULT_MAX_SIZE;
  g_mutex_init (&self->lock);
  self->topic_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
