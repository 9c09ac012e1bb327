/* PulseMQ — print: one JSON line per buffer on standard output
 *
 *   pulse-launch "timer count=3 ! print"
 *
 * Records print as the JSON the original's subscribers would decode: a map
 * as an object, a list as an array. With meta=true, for bytes, and always
 * for what a subscriber received (a buffer with a topic), each line is an
 * object that also carries format, topic, record_count, timestamp_ns,
 * serializer, compression, latency_ms (now − the publisher's send time)
 * and the payload. Each line is written with one
 * fwrite and flushed, so a reader on a pipe sees whole lines at once.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pulse-print.h"

/* one log domain per element: PULSE_DEBUG=print shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-print"
#include "pulse-private.h"

#define DEFAULT_META FALSE

struct _PulsePrint {
  PulseElement parent_instance;
  gboolean meta;
  GString *line; /* reused: chain runs on one streaming thread at a time */
  GMutex lock;
};

enum { PROP_0, PROP_META, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PulsePrint, pulse_print, PULSE_TYPE_ELEMENT)
#define parent_class pulse_print_parent_class

static void
append_meta (GString *line, PulseBuffer *buffer)
{
  g_autofree gchar *format = pulse_format_to_string (pulse_buffer_get_format (buffer));

  g_string_append (line, "{\"format\":");
  _pulse_json_append_string (line, format, strlen (format));
  if (pulse_buffer_get_topic (buffer) != NULL) {
    g_string_append (line, ",\"topic\":");
    _pulse_json_append_string (
        line, pulse_buffer_get_topic (buffer), strlen (pulse_buffer_get_topic (buffer)));
  }
  g_string_append_printf (line,
      ",\"record_count\":%u,\"timestamp_ns\":%" G_GINT64_FORMAT
      ",\"serializer\":\"%s\",\"compression\":\"%s\"",
      pulse_buffer_get_record_count (buffer), pulse_buffer_get_timestamp_ns (buffer),
      pulse_serializer_get_nick (pulse_buffer_get_serializer (buffer)),
      pulse_compression_get_nick (pulse_buffer_get_compression (buffer)));
}

static PulseFlowReturn
pulse_print_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulsePrint *self = PULSE_PRINT (element);
  gboolean received = pulse_buffer_get_topic (buffer) != NULL;
  gboolean is_records = pulse_buffer_get_format (buffer) == PULSE_FORMAT_RECORDS;
  GString *line;
  gboolean ok;

  g_mutex_lock (&self->lock);
  line = self->line;
  g_string_truncate (line, 0);
  if (is_records && !self->meta && !received) {
    g_autofree gchar *json = pulse_buffer_to_json (buffer);
    g_string_append (line, json);
  } else {
    append_meta (line, buffer);
    if (received) {
      /* end-to-end: the publisher stamps frame 3 just before sending */
      gdouble latency_ms =
          (pulse_util_get_real_time_ns () - pulse_buffer_get_timestamp_ns (buffer)) / 1e6;
      g_string_append (line, ",\"latency_ms\":");
      _pulse_json_append_double (line, latency_ms);
    }
    if (is_records) {
      g_autofree gchar *json = pulse_buffer_to_json (buffer);
      g_string_append (line, ",\"payload\":");
      g_string_append (line, json);
    } else {
      gsize size;
      const guint8 *data = g_bytes_get_data (pulse_buffer_get_bytes (buffer), &size);
      g_autofree gchar *b64 = g_base64_encode (data, size);
      g_string_append_printf (
          line, ",\"size\":%" G_GSIZE_FORMAT ",\"payload_base64\":\"%s\"", size, b64);
    }
    g_string_append_c (line, '}');
  }
  g_string_append_c (line, '\n');
  ok = fwrite (line->str, 1, line->len, stdout) == line->len && fflush (stdout) == 0;
  g_mutex_unlock (&self->lock);
  pulse_buffer_unref (buffer);

  if (!ok) {
    PULSE_ELEMENT_ERROR (self, RESOURCE, WRITE, (_ ("could not write to standard output")),
        ("fwrite or fflush failed"));
    return PULSE_FLOW_ERROR;
  }
  return PULSE_FLOW_OK;
}

static void
pulse_print_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id) {
    case PROP_META: PULSE_PRINT (object)->meta = g_value_get_boolean (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_print_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id) {
    case PROP_META: g_value_set_boolean (value, PULSE_PRINT (object)->meta); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_print_finalize (GObject *object)
{
  PulsePrint *self = PULSE_PRINT (object);

  g_string_free (self->line, TRUE);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_print_class_init (PulsePrintClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_print_set_property;
  object_class->get_property = pulse_print_get_property;
  object_class->finalize = pulse_print_finalize;
  element_class->chain = pulse_print_chain;

  /**
   * PulsePrint:meta:
   *
   * Wrap each line in an object with the buffer's metadata.
   */
  properties[PROP_META] = g_param_spec_boolean ("meta", "Meta",
      "Wrap each line in an object with record_count, timestamp_ns, format, serializer and compression",
      DEFAULT_META, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "JSON line printer", "Sink/Debug",
      "Writes one JSON line per buffer to standard output", "timer count=3 ! print meta=true");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
}

static void
pulse_print_init (PulsePrint *self)
{
  self->meta = DEFAULT_META;
  self->line = g_string_sized_new (256);
  g_mutex_init (&self->lock);
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
}
