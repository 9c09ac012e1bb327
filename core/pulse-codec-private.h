/* PulseMQ — the codec implementations behind pulse_serialize() and friends.
 * Each pair lives in its own file: pulse-codec-msgpack.c, -json.c,
 * -text.c (str, bytes), -arrow.c and pulse-compress.c. */
#pragma once

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

G_BEGIN_DECLS

G_GNUC_INTERNAL GBytes *_pulse_msgpack_serialize (PulseBuffer *buffer, GError **error);
G_GNUC_INTERNAL PulseBuffer *_pulse_msgpack_deserialize (GBytes *payload, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_json_serialize (PulseBuffer *buffer, GError **error);
G_GNUC_INTERNAL PulseBuffer *_pulse_json_deserialize (GBytes *payload, GError **error);
/* msgpack and json decode into msgpack-c objects, then share one
 * conversion into a batch (flat data) or a value tree (pulse-codec-msgpack.c) */
struct msgpack_object;
G_GNUC_INTERNAL PulseBuffer *
_pulse_msgpack_object_to_buffer (const struct msgpack_object *object, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_str_serialize (PulseBuffer *buffer, GError **error);
G_GNUC_INTERNAL PulseBuffer *_pulse_str_deserialize (GBytes *payload, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_bytes_serialize (PulseBuffer *buffer, GError **error);
G_GNUC_INTERNAL PulseBuffer *_pulse_bytes_deserialize (GBytes *payload, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_arrow_serialize (PulseBuffer *buffer, GError **error);
G_GNUC_INTERNAL PulseBuffer *_pulse_arrow_deserialize (GBytes *payload, GError **error);

G_GNUC_INTERNAL GBytes *_pulse_lz4_compress (GBytes *data, gint level, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_lz4_decompress (GBytes *data, gsize max_size, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_zstd_compress (GBytes *data, gint level, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_zstd_decompress (GBytes *data, gsize max_size, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_snappy_compress (GBytes *data, GError **error);
G_GNUC_INTERNAL GBytes *_pulse_snappy_decompress (GBytes *data, gsize max_size, GError **error);

/* A column's arrays plus what the msgpack and JSON writers need to know
 * about it, read once per batch. */
typedef struct {
  const gchar *name;
  PulseColumnType type;
  const guint8 *data;
  gsize data_len;
  const guint32 *offsets;
  const guint8 *validity;
} PulseColumnView;

static inline void
peek_column (PulseRecordBatch *batch, guint column, PulseColumnView *view)
{
  PulseColumnArrays arrays;

  _pulse_record_batch_peek_arrays (batch, column, &arrays);
  view->name = pulse_record_batch_get_column_name (batch, column);
  view->type = pulse_record_batch_get_column_type (batch, column);
  view->data = arrays.data;
  view->data_len = arrays.data_len;
  view->offsets = arrays.offsets;
  view->validity = arrays.validity;
}

G_END_DECLS
