/* PulseMQ — timer: a record every interval
 *
 *   pulse-launch "timer interval=0.5 count=4 ! print"
 *
 * Emits one record {"seq": n, "timestamp_ns": t} per tick, merged with the
 * constant fields of the `fields` JSON object. Ticks run on the GMainLoop
 * of the thread that set the pipeline to PLAYING and follow a fixed grid
 * on the monotonic clock (start + n × interval), so they do not drift; a
 * tick that comes late skips the slots it missed instead of bunching up.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "pulse-timer.h"

/* one log domain per element: PULSE_DEBUG=timer shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-timer"

#define DEFAULT_INTERVAL 1.0
#define DEFAULT_COUNT 0
#define DEFAULT_FIELDS NULL

typedef struct {
  gchar *name;
  PulseColumnType type;
  gboolean is_null;
  gint64 i;
  gdouble d;
  gboolean b;
  gchar *s;
} Field;

struct _PulseTimer {
  PulseElement parent_instance;

  PulsePad *srcpad;
  gdouble interval;
  guint count;
  gchar *fields_json;

  GArray *fields; /* of Field, parsed from fields_json */
  GMainContext *context;
  GSource *source;
  gint64 start_us;
  guint64 slot; /* grid slot of the next tick */
  guint64 seq;
  gboolean eos_sent;
};

enum { PROP_0, PROP_INTERVAL, PROP_COUNT, PROP_FIELDS, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PulseTimer, pulse_timer, PULSE_TYPE_ELEMENT)
#define parent_class pulse_timer_parent_class

static void
field_clear (Field *f)
{
  g_free (f->name);
  g_free (f->s);
}

/* Reads the `fields` text into typed constants. Only flat values: the
 * timer's records are one row of columns. */
static GArray *
parse_fields (const gchar *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (GArray) fields = g_array_new (FALSE, TRUE, sizeof (Field));
  g_autoptr (GList) members = NULL;
  JsonNode *root;
  JsonObject *object;

  g_array_set_clear_func (fields, (GDestroyNotify) field_clear);
  if (json == NULL || *json == '\0')
    return g_steal_pointer (&fields);

  if (!json_parser_load_from_data (parser, json, -1, &local)) {
    g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
        _ ("fields is not valid JSON: %s"), local->message);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
        _ ("fields must be a JSON object such as {\"symbol\":\"600000\",\"price\":10.5}"));
    return NULL;
  }
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next) {
    const gchar *name = l->data;
    JsonNode *node = json_object_get_member (object, name);
    Field f = { 0 };

    if (strcmp (name, "seq") == 0 || strcmp (name, "timestamp_ns") == 0) {
      g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
          _ ("fields cannot set \"%s\": the timer writes it"), name);
      return NULL;
    }
    f.name = g_strdup (name);
    if (JSON_NODE_HOLDS_NULL (node)) {
      f.type = PULSE_COLUMN_UTF8;
      f.is_null = TRUE;
    } else if (JSON_NODE_HOLDS_VALUE (node)) {
      GType vt = json_node_get_value_type (node);
      if (vt == G_TYPE_INT64) {
        f.type = PULSE_COLUMN_INT64;
        f.i = json_node_get_int (node);
      } else if (vt == G_TYPE_DOUBLE) {
        f.type = PULSE_COLUMN_FLOAT64;
        f.d = json_node_get_double (node);
      } else if (vt == G_TYPE_BOOLEAN) {
        f.type = PULSE_COLUMN_BOOL;
        f.b = json_node_get_boolean (node);
      } else {
        f.type = PULSE_COLUMN_UTF8;
        f.s = g_strdup (json_node_get_string (node));
      }
    } else {
      g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
          _ ("field \"%s\" must be a number, string, boolean or null, not an object or array"),
          name);
      g_free (f.name);
      return NULL;
    }
    g_array_append_val (fields, f);
  }
  return g_steal_pointer (&fields);
}

static PulseBuffer *
make_buffer (PulseTimer *self)
{
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  gint64 now = pulse_util_get_real_time_ns ();
  PulseBuffer *buffer;

  pulse_record_batch_set_shape (batch, PULSE_RECORD_SHAPE_MAP);
  pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (batch, "timestamp_ns", PULSE_COLUMN_TIMESTAMP_NS);
  pulse_record_batch_append_int64 (batch, 0, self->seq);
  pulse_record_batch_append_timestamp (batch, 1, now);
  for (guint i = 0; i < self->fields->len; i++) {
    Field *f = &g_array_index (self->fields, Field, i);
    guint col = pulse_record_batch_add_column (batch, f->name, f->type);

    if (f->is_null) {
      pulse_record_batch_append_null (batch, col);
      continue;
    }
    switch (f->type) {
      case PULSE_COLUMN_INT64: pulse_record_batch_append_int64 (batch, col, f->i); break;
      case PULSE_COLUMN_FLOAT64: pulse_record_batch_append_double (batch, col, f->d); break;
      case PULSE_COLUMN_BOOL: pulse_record_batch_append_boolean (batch, col, f->b); break;
      default: pulse_record_batch_append_string (batch, col, f->s, -1); break;
    }
  }
  pulse_record_batch_end_row (batch);

  buffer = pulse_buffer_new_records (batch);
  pulse_buffer_set_timestamp_ns (buffer, now);
  return buffer;
}

static void
stop_source (PulseTimer *self)
{
  if (self->source == NULL)
    return;
  g_source_destroy (self->source);
  g_clear_pointer (&self->source, g_source_unref);
}

static void
finish (PulseTimer *self)
{
  stop_source (self);
  if (!self->eos_sent) {
    self->eos_sent = TRUE;
    pulse_element_push_eos (PULSE_ELEMENT (self));
  }
}

static gint64
slot_time (PulseTimer *self, guint64 slot)
{
  return self->start_us + (gint64) (slot * self->interval * G_USEC_PER_SEC);
}

static gboolean
tick (gpointer user_data)
{
  PulseTimer *self = PULSE_TIMER (user_data);
  PulseFlowReturn ret;
  gint64 now;

  ret = pulse_pad_push (self->srcpad, make_buffer (self));
  g_debug ("%s: record %" G_GUINT64_FORMAT " pushed: %s",
      pulse_element_get_name (PULSE_ELEMENT (self)), self->seq, pulse_flow_get_name (ret));
  self->seq++;
  if (ret != PULSE_FLOW_OK) {
    /* downstream has ended or failed (and said so on the bus): stop */
    if (ret == PULSE_FLOW_EOS)
      finish (self);
    else
      stop_source (self);
    return G_SOURCE_REMOVE;
  }
  if (self->count > 0 && self->seq >= self->count) {
    finish (self);
    return G_SOURCE_REMOVE;
  }

  /* next slot on the grid; skip the ones already missed */
  now = g_get_monotonic_time ();
  self->slot++;
  while (slot_time (self, self->slot + 1) <= now)
    self->slot++;
  g_source_set_ready_time (self->source, slot_time (self, self->slot));
  return G_SOURCE_CONTINUE;
}

/* a source with no fd and no timeout of its own: only its ready time */
static gboolean
tick_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs tick_source_funcs = {
  .dispatch = tick_source_dispatch,
};

static gboolean
pulse_timer_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseTimer *self = PULSE_TIMER (element);

  switch (transition) {
    case PULSE_STATE_CHANGE_NULL_TO_READY: {
      GArray *fields = parse_fields (self->fields_json, error);
      if (fields == NULL)
        return FALSE;
      g_clear_pointer (&self->fields, g_array_unref);
      self->fields = fields;
      break;
    }
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      self->seq = 0;
      self->slot = 0;
      self->eos_sent = FALSE;
      self->start_us = g_get_monotonic_time ();
      g_clear_pointer (&self->context, g_main_context_unref);
      self->context = g_main_context_ref_thread_default ();
      self->source = g_source_new (&tick_source_funcs, sizeof (GSource));
      g_source_set_static_name (self->source, "PulseTimer tick");
      g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->source, tick, self, NULL);
      g_source_set_ready_time (self->source, self->start_us);
      g_source_attach (self->source, self->context);
      break;
    case PULSE_STATE_CHANGE_PLAYING_TO_READY: stop_source (self); break;
    case PULSE_STATE_CHANGE_READY_TO_NULL:
      g_clear_pointer (&self->context, g_main_context_unref);
      break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

static void
pulse_timer_send_eos (PulseElement *element)
{
  finish (PULSE_TIMER (element));
}

static gboolean
pulse_timer_validate_property (
    PulseElement *element, GParamSpec *pspec, const GValue *value, GError **error)
{
  if (pspec == properties[PROP_FIELDS]) {
    g_autoptr (GArray) fields = parse_fields (g_value_get_string (value), error);
    return fields != NULL;
  }
  return TRUE;
}

static void
pulse_timer_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseTimer *self = PULSE_TIMER (object);

  switch (prop_id) {
    case PROP_INTERVAL: self->interval = g_value_get_double (value); break;
    case PROP_COUNT: self->count = g_value_get_uint (value); break;
    case PROP_FIELDS:
      /* checked at READY, and by the parser through validate_property */
      g_free (self->fields_json);
      self->fields_json = g_value_dup_string (value);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_timer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseTimer *self = PULSE_TIMER (object);

  switch (prop_id) {
    case PROP_INTERVAL: g_value_set_double (value, self->interval); break;
    case PROP_COUNT: g_value_set_uint (value, self->count); break;
    case PROP_FIELDS: g_value_set_string (value, self->fields_json); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_timer_finalize (GObject *object)
{
  PulseTimer *self = PULSE_TIMER (object);

  stop_source (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->fields, g_array_unref);
  g_free (self->fields_json);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_timer_class_init (PulseTimerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_timer_set_property;
  object_class->get_property = pulse_timer_get_property;
  object_class->finalize = pulse_timer_finalize;
  element_class->change_state = pulse_timer_change_state;
  element_class->send_eos = pulse_timer_send_eos;
  element_class->check_property = pulse_timer_validate_property;

  /**
   * PulseTimer:interval:
   *
   * Seconds between records; also `500ms`, `2s`, `1min` in descriptions.
   */
  properties[PROP_INTERVAL] = pulse_param_spec_duration ("interval", "Interval",
      "Seconds between records", 0.001, 86400.0, DEFAULT_INTERVAL,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTimer:count:
   *
   * How many records to emit before end-of-stream; 0 for no end.
   */
  properties[PROP_COUNT] = g_param_spec_uint ("count", "Count",
      "Records to emit before end-of-stream (0 = endless)", 0, G_MAXUINT, DEFAULT_COUNT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTimer:fields:
   *
   * A JSON object of constant fields added to every record, e.g.
   * `{"symbol":"600000","price":10.5}`.
   */
  properties[PROP_FIELDS] = g_param_spec_string ("fields", "Fields",
      "JSON object of constant fields added to every record", DEFAULT_FIELDS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "Periodic record source", "Source/Timer",
      "Emits a record {seq, timestamp_ns} plus constant fields every interval",
      "timer interval=0.5 count=4 fields='{\"symbol\":\"600000\",\"price\":10.5}' ! print");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_RECORDS));
}

static void
pulse_timer_init (PulseTimer *self)
{
  self->interval = DEFAULT_INTERVAL;
  self->count = DEFAULT_COUNT;
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
