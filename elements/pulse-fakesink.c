/* PulseMQ — fakesink: counts buffers and discards them
 *
 *   pulse-launch "timer interval=10ms count=100 ! fakesink"
 *
 * For benchmarks and tests: the counters are read-only properties, and
 * with signal-handoffs=true every buffer is shown to the application
 * through the "handoff" signal before it is dropped.
 */
#include "config.h"

#include "pulse-fakesink.h"

/* one log domain per element: PULSE_DEBUG=fakesink shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-fakesink"

#define DEFAULT_SIGNAL_HANDOFFS FALSE

struct _PulseFakeSink {
  PulseElement parent_instance;
  gboolean signal_handoffs;
  guint64 buffers;
  guint64 records;
  guint64 bytes;
};

enum { PROP_0, PROP_SIGNAL_HANDOFFS, PROP_BUFFERS, PROP_RECORDS, PROP_BYTES, N_PROPS };

enum { SIGNAL_HANDOFF, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PulseFakeSink, pulse_fake_sink, PULSE_TYPE_ELEMENT)
#define parent_class pulse_fake_sink_parent_class

static PulseFlowReturn
pulse_fake_sink_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulseFakeSink *self = PULSE_FAKE_SINK (element);

  __atomic_fetch_add (&self->buffers, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add (&self->records, pulse_buffer_get_record_count (buffer), __ATOMIC_RELAXED);
  __atomic_fetch_add (&self->bytes, pulse_buffer_get_size (buffer), __ATOMIC_RELAXED);
  if (self->signal_handoffs)
    g_signal_emit (self, signals[SIGNAL_HANDOFF], 0, buffer);
  pulse_buffer_unref (buffer);
  return PULSE_FLOW_OK;
}

static gboolean
pulse_fake_sink_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseFakeSink *self = PULSE_FAKE_SINK (element);

  if (transition == PULSE_STATE_CHANGE_READY_TO_PLAYING) {
    __atomic_store_n (&self->buffers, 0, __ATOMIC_RELAXED);
    __atomic_store_n (&self->records, 0, __ATOMIC_RELAXED);
    __atomic_store_n (&self->bytes, 0, __ATOMIC_RELAXED);
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

static void
pulse_fake_sink_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id) {
    case PROP_SIGNAL_HANDOFFS:
      PULSE_FAKE_SINK (object)->signal_handoffs = g_value_get_boolean (value);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_fake_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseFakeSink *self = PULSE_FAKE_SINK (object);

  switch (prop_id) {
    case PROP_SIGNAL_HANDOFFS: g_value_set_boolean (value, self->signal_handoffs); break;
    case PROP_BUFFERS:
      g_value_set_uint64 (value, __atomic_load_n (&self->buffers, __ATOMIC_RELAXED));
      break;
    case PROP_RECORDS:
      g_value_set_uint64 (value, __atomic_load_n (&self->records, __ATOMIC_RELAXED));
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, __atomic_load_n (&self->bytes, __ATOMIC_RELAXED));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_fake_sink_class_init (PulseFakeSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_fake_sink_set_property;
  object_class->get_property = pulse_fake_sink_get_property;
  element_class->chain = pulse_fake_sink_chain;
  element_class->change_state = pulse_fake_sink_change_state;

  /**
   * PulseFakeSink:signal-handoffs:
   *
   * Emit #PulseFakeSink::handoff for every buffer.
   */
  properties[PROP_SIGNAL_HANDOFFS] = g_param_spec_boolean ("signal-handoffs", "Signal handoffs",
      "Emit the handoff signal for every buffer", DEFAULT_SIGNAL_HANDOFFS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseFakeSink:buffers:
   *
   * Buffers received since PLAYING.
   */
  properties[PROP_BUFFERS] = g_param_spec_uint64 ("buffers", "Buffers",
      "Buffers received since PLAYING", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseFakeSink:records:
   *
   * Records received since PLAYING.
   */
  properties[PROP_RECORDS] = g_param_spec_uint64 ("records", "Records",
      "Records received since PLAYING", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseFakeSink:bytes:
   *
   * Payload bytes (or raw record bytes) received since PLAYING.
   */
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", "Bytes",
      "Payload bytes (or raw record bytes) received since PLAYING", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PulseFakeSink::handoff:
   * @sink: the fakesink
   * @buffer: the buffer, valid during the call
   *
   * Emitted on the streaming thread for every buffer when
   * #PulseFakeSink:signal-handoffs is set.
   */
  signals[SIGNAL_HANDOFF] = g_signal_new ("handoff", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 1, PULSE_TYPE_BUFFER | G_SIGNAL_TYPE_STATIC_SCOPE);

  pulse_element_class_set_metadata (element_class, "Fake sink", "Sink",
      "Counts buffers, records and bytes, then discards them",
      "timer interval=10ms count=100 ! fakesink");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
}

static void
pulse_fake_sink_init (PulseFakeSink *self)
{
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
}
