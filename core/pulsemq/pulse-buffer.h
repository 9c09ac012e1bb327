/* PulseMQ — buffers, the unit that travels between elements */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-format.h"
#include "pulse-record-batch.h"

G_BEGIN_DECLS

/**
 * PulseBuffer:
 *
 * A refcounted unit of data between elements, with the metadata the wire
 * carries. Its data is one of:
 *
 * - records as a #PulseRecordBatch: flat maps, lists of flat maps and
 *   tables, columnar — the fast path;
 * - records as a #GVariant value, for what is not flat (the slow,
 *   convenient path): strings `s`, bytes `ay`, integers `x` (or `t` above
 *   the int64 range), doubles `d`, booleans `b`, null as an empty maybe
 *   `mv`, maps `a{sv}` and lists `av`;
 * - bytes as a #GBytes that travels without copies down to the socket.
 * A buffer is writable
 * while it has one reference and has not been pushed; once pushed it is
 * immutable, and an element that wants to change it makes a new one.
 */
typedef struct _PulseBuffer PulseBuffer;

#define PULSE_TYPE_BUFFER (pulse_buffer_get_type ())
GType pulse_buffer_get_type (void) G_GNUC_CONST;

PulseBuffer *pulse_buffer_new_records (PulseRecordBatch *batch);
PulseBuffer *pulse_buffer_new_bytes (PulseFormat format, GBytes *bytes);
PulseBuffer *pulse_buffer_new_value (GVariant *value);
PulseBuffer *pulse_buffer_ref (PulseBuffer *buffer);
void pulse_buffer_unref (PulseBuffer *buffer);
gboolean pulse_buffer_is_writable (PulseBuffer *buffer);
gint pulse_buffer_get_refcount (PulseBuffer *buffer);

PulseFormat pulse_buffer_get_format (PulseBuffer *buffer);
PulseRecordBatch *pulse_buffer_get_records (PulseBuffer *buffer);
GVariant *pulse_buffer_get_value (PulseBuffer *buffer);
GBytes *pulse_buffer_get_bytes (PulseBuffer *buffer);
gsize pulse_buffer_get_size (PulseBuffer *buffer);

guint32 pulse_buffer_get_record_count (PulseBuffer *buffer);
void pulse_buffer_set_record_count (PulseBuffer *buffer, guint32 count);
gint64 pulse_buffer_get_timestamp_ns (PulseBuffer *buffer);
void pulse_buffer_set_timestamp_ns (PulseBuffer *buffer, gint64 ns);
PulseSerializer pulse_buffer_get_serializer (PulseBuffer *buffer);
void pulse_buffer_set_serializer (PulseBuffer *buffer, PulseSerializer serializer);
PulseCompression pulse_buffer_get_compression (PulseBuffer *buffer);
void pulse_buffer_set_compression (PulseBuffer *buffer, PulseCompression compression);
const gchar *pulse_buffer_get_topic (PulseBuffer *buffer);
void pulse_buffer_set_topic (PulseBuffer *buffer, const gchar *topic);
void pulse_buffer_copy_metadata (PulseBuffer *dest, PulseBuffer *src);

gchar *pulse_buffer_to_json (PulseBuffer *buffer);

gint64 pulse_util_get_real_time_ns (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulseBuffer, pulse_buffer_unref)

G_END_DECLS
