/* PulseMQ — buffers
 *
 * A buffer is sealed by pulse_pad_push(): from then on several threads may
 * read it (a tee hands the same buffer to every branch), so nothing may
 * write to it. The setters check that with g_return_if_fail.
 */
#include "config.h"

#include <time.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

struct _PulseBuffer {
  gint ref_count;
  gboolean sealed;
  PulseFormat format;
  PulseRecordBatch *records;
  GVariant *value;
  GBytes *bytes;
  guint32 record_count;
  gint64 timestamp_ns;
  PulseSerializer serializer;
  PulseCompression compression;
  gchar *topic;
};

G_DEFINE_BOXED_TYPE (PulseBuffer, pulse_buffer, pulse_buffer_ref, pulse_buffer_unref)

/**
 * pulse_util_get_real_time_ns:
 *
 * Reads the wall clock with nanosecond resolution (g_get_real_time() has
 * only microseconds).
 *
 * Returns: nanoseconds since the Unix epoch
 */
gint64
pulse_util_get_real_time_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static PulseBuffer *
buffer_alloc (PulseFormat format)
{
  PulseBuffer *buffer = g_new0 (PulseBuffer, 1);

  buffer->ref_count = 1;
  buffer->format = format;
  buffer->serializer = PULSE_SERIALIZER_MSGPACK;
  buffer->compression = PULSE_COMPRESSION_NONE;
  return buffer;
}

/**
 * pulse_buffer_new_records:
 * @batch: the records
 *
 * Creates a buffer of format %PULSE_FORMAT_RECORDS holding @batch. Its
 * record count is the batch's row count and its timestamp is now.
 *
 * Returns: (transfer full): a new #PulseBuffer
 */
PulseBuffer *
pulse_buffer_new_records (PulseRecordBatch *batch)
{
  PulseBuffer *buffer;

  g_return_val_if_fail (batch != NULL, NULL);

  buffer = buffer_alloc (PULSE_FORMAT_RECORDS);
  buffer->records = pulse_record_batch_ref (batch);
  buffer->record_count = pulse_record_batch_get_n_rows (batch);
  buffer->timestamp_ns = pulse_util_get_real_time_ns ();
  return buffer;
}

/**
 * pulse_buffer_new_bytes:
 * @format: %PULSE_FORMAT_SERIALIZED, %PULSE_FORMAT_COMPRESSED or
 *   %PULSE_FORMAT_FRAME
 * @bytes: the payload; the buffer takes a reference, no copy
 *
 * Creates a buffer of bytes. Its record count is 1 and its timestamp is now
 * until set otherwise.
 *
 * Returns: (transfer full): a new #PulseBuffer
 */
PulseBuffer *
pulse_buffer_new_bytes (PulseFormat format, GBytes *bytes)
{
  PulseBuffer *buffer;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (format == PULSE_FORMAT_SERIALIZED || format == PULSE_FORMAT_COMPRESSED ||
          format == PULSE_FORMAT_FRAME,
      NULL);

  buffer = buffer_alloc (format);
  buffer->bytes = g_bytes_ref (bytes);
  buffer->record_count = 1;
  buffer->timestamp_ns = pulse_util_get_real_time_ns ();
  return buffer;
}

/**
 * pulse_buffer_new_value:
 * @value: the records as a value tree; a floating reference is sunk
 *
 * Creates a buffer of format %PULSE_FORMAT_RECORDS holding a value that is
 * not flat enough for a #PulseRecordBatch (see #PulseBuffer for the
 * GVariant types used). Its record count is the length of a list (`av`,
 * `as`, `aay`, `aa{sv}`) and 1 for anything else; its timestamp is now.
 *
 * Returns: (transfer full): a new #PulseBuffer
 */
PulseBuffer *
pulse_buffer_new_value (GVariant *value)
{
  PulseBuffer *buffer;
  const GVariantType *type;

  g_return_val_if_fail (value != NULL, NULL);

  buffer = buffer_alloc (PULSE_FORMAT_RECORDS);
  buffer->value = g_variant_ref_sink (value);
  type = g_variant_get_type (value);
  if (g_variant_type_is_array (type) &&
      !g_variant_type_is_dict_entry (g_variant_type_element (type)) &&
      !g_variant_type_equal (type, G_VARIANT_TYPE_BYTESTRING))
    buffer->record_count = g_variant_n_children (value);
  else
    buffer->record_count = 1;
  buffer->timestamp_ns = pulse_util_get_real_time_ns ();
  return buffer;
}

/**
 * pulse_buffer_ref:
 * @buffer: a #PulseBuffer
 *
 * Returns: (transfer full): @buffer, with one more reference
 */
PulseBuffer *
pulse_buffer_ref (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  g_atomic_int_inc (&buffer->ref_count);
  return buffer;
}

/**
 * pulse_buffer_unref:
 * @buffer: (transfer full): a #PulseBuffer
 *
 * Drops a reference; the last one frees the buffer.
 */
void
pulse_buffer_unref (PulseBuffer *buffer)
{
  g_return_if_fail (buffer != NULL);
  if (!g_atomic_int_dec_and_test (&buffer->ref_count))
    return;
  g_clear_pointer (&buffer->records, pulse_record_batch_unref);
  g_clear_pointer (&buffer->value, g_variant_unref);
  g_clear_pointer (&buffer->bytes, g_bytes_unref);
  g_free (buffer->topic);
  g_free (buffer);
}

void
_pulse_buffer_seal (PulseBuffer *buffer)
{
  if (buffer->sealed)
    return;
  buffer->sealed = TRUE;
  if (buffer->records != NULL)
    _pulse_record_batch_seal (buffer->records);
}

/**
 * pulse_buffer_get_refcount:
 * @buffer: a #PulseBuffer
 *
 * For tests and debugging: how many references the buffer has now.
 *
 * Returns: the reference count
 */
gint
pulse_buffer_get_refcount (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, 0);
  return g_atomic_int_get (&buffer->ref_count);
}

/**
 * pulse_buffer_is_writable:
 * @buffer: a #PulseBuffer
 *
 * Returns: %TRUE if @buffer has not been pushed and has one reference
 */
gboolean
pulse_buffer_is_writable (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, FALSE);
  return !buffer->sealed && g_atomic_int_get (&buffer->ref_count) == 1;
}

/**
 * pulse_buffer_get_format:
 * @buffer: a #PulseBuffer
 *
 * Returns: the buffer's format
 */
PulseFormat
pulse_buffer_get_format (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, PULSE_FORMAT_NONE);
  return buffer->format;
}

/**
 * pulse_buffer_get_records:
 * @buffer: a #PulseBuffer
 *
 * Returns: (transfer none) (nullable): the records, or %NULL for a buffer of bytes
 */
PulseRecordBatch *
pulse_buffer_get_records (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return buffer->records;
}

/**
 * pulse_buffer_get_value:
 * @buffer: a #PulseBuffer
 *
 * Returns: (transfer none) (nullable): the records as a value tree, or %NULL
 * when they are a batch or the buffer holds bytes
 */
GVariant *
pulse_buffer_get_value (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return buffer->value;
}

/**
 * pulse_buffer_get_bytes:
 * @buffer: a #PulseBuffer
 *
 * Returns: (transfer none) (nullable): the payload, or %NULL for a buffer of records
 */
GBytes *
pulse_buffer_get_bytes (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return buffer->bytes;
}

/**
 * pulse_buffer_get_size:
 * @buffer: a #PulseBuffer
 *
 * Returns: the payload's size in bytes, or the records' raw size
 */
gsize
pulse_buffer_get_size (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, 0);
  if (buffer->bytes != NULL)
    return g_bytes_get_size (buffer->bytes);
  if (buffer->value != NULL)
    return g_variant_get_size (buffer->value);
  return pulse_record_batch_get_byte_size (buffer->records);
}

#define CHECK_WRITABLE(b)                                                                          \
  g_return_if_fail ((b) != NULL);                                                                  \
  g_return_if_fail (!(b)->sealed)

/**
 * pulse_buffer_get_record_count:
 * @buffer: a #PulseBuffer
 *
 * Returns: how many records the buffer stands for
 */
guint32
pulse_buffer_get_record_count (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, 0);
  return buffer->record_count;
}

/**
 * pulse_buffer_set_record_count:
 * @buffer: a writable #PulseBuffer
 * @count: how many records it stands for
 *
 * Sets the record count written in the frame's meta.
 */
void
pulse_buffer_set_record_count (PulseBuffer *buffer, guint32 count)
{
  CHECK_WRITABLE (buffer);
  buffer->record_count = count;
}

/**
 * pulse_buffer_get_timestamp_ns:
 * @buffer: a #PulseBuffer
 *
 * Returns: nanoseconds since the Unix epoch: when the data was made, or on
 * the subscriber side, when the publisher sent it
 */
gint64
pulse_buffer_get_timestamp_ns (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, 0);
  return buffer->timestamp_ns;
}

/**
 * pulse_buffer_set_timestamp_ns:
 * @buffer: a writable #PulseBuffer
 * @ns: nanoseconds since the Unix epoch
 *
 * Sets the buffer's timestamp.
 */
void
pulse_buffer_set_timestamp_ns (PulseBuffer *buffer, gint64 ns)
{
  CHECK_WRITABLE (buffer);
  buffer->timestamp_ns = ns;
}

/**
 * pulse_buffer_get_serializer:
 * @buffer: a #PulseBuffer
 *
 * Returns: the serializer of the payload (msgpack for records)
 */
PulseSerializer
pulse_buffer_get_serializer (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, PULSE_SERIALIZER_MSGPACK);
  return buffer->serializer;
}

/**
 * pulse_buffer_set_serializer:
 * @buffer: a writable #PulseBuffer
 * @serializer: the serializer that wrote the payload
 *
 * Sets the serializer.
 */
void
pulse_buffer_set_serializer (PulseBuffer *buffer, PulseSerializer serializer)
{
  CHECK_WRITABLE (buffer);
  buffer->serializer = serializer;
}

/**
 * pulse_buffer_get_compression:
 * @buffer: a #PulseBuffer
 *
 * Returns: the compression of the payload
 */
PulseCompression
pulse_buffer_get_compression (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, PULSE_COMPRESSION_NONE);
  return buffer->compression;
}

/**
 * pulse_buffer_set_compression:
 * @buffer: a writable #PulseBuffer
 * @compression: the compression of the payload
 *
 * Sets the compression.
 */
void
pulse_buffer_set_compression (PulseBuffer *buffer, PulseCompression compression)
{
  CHECK_WRITABLE (buffer);
  buffer->compression = compression;
}

/**
 * pulse_buffer_get_topic:
 * @buffer: a #PulseBuffer
 *
 * Returns: (transfer none) (nullable): the topic, set on the subscriber side
 */
const gchar *
pulse_buffer_get_topic (PulseBuffer *buffer)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  return buffer->topic;
}

/**
 * pulse_buffer_set_topic:
 * @buffer: a writable #PulseBuffer
 * @topic: (nullable): the topic
 *
 * Sets the topic.
 */
void
pulse_buffer_set_topic (PulseBuffer *buffer, const gchar *topic)
{
  CHECK_WRITABLE (buffer);
  g_free (buffer->topic);
  buffer->topic = g_strdup (topic);
}

/**
 * pulse_buffer_copy_metadata:
 * @dest: a writable #PulseBuffer
 * @src: a #PulseBuffer
 *
 * Copies record count, timestamp, serializer, compression and topic, as an
 * element does when it turns one buffer into another.
 */
void
pulse_buffer_copy_metadata (PulseBuffer *dest, PulseBuffer *src)
{
  CHECK_WRITABLE (dest);
  g_return_if_fail (src != NULL);
  dest->record_count = src->record_count;
  dest->timestamp_ns = src->timestamp_ns;
  dest->serializer = src->serializer;
  dest->compression = src->compression;
  pulse_buffer_set_topic (dest, src->topic);
}
