/* PulseMQ tests — an external module with two small codecs
 *
 *   timer count=3 ! testser ! testcomp ! fakesink
 *
 * The real serializers and compressors come later. These two exist so
 * that the tests can exercise what depends on them now: format
 * negotiation across several steps, the "put a serializer (testser)
 * between them" hint of a failed link, and loading a module that
 * registers elements the way an outside author would write it.
 *
 * testser turns a record batch into JSON text (the serialized format);
 * testcomp copies serialized bytes and marks them compressed without
 * compressing anything: nothing in the tests decodes them.
 */
#include <string.h>

#include <gmodule.h>
#include <pulsemq/pulsemq.h>

#define PLUGIN_NAME "pulsetestcodec"

G_MODULE_EXPORT gboolean pulse_plugin_init (PulseRegistry *registry, GError **error);

/* ---- testser ------------------------------------------------------------ */

#define TEST_TYPE_SER (test_ser_get_type ())
G_DECLARE_FINAL_TYPE (TestSer, test_ser, TEST, SER, PulseElement)

struct _TestSer {
  PulseElement parent_instance;
  PulsePad *srcpad;
};

G_DEFINE_FINAL_TYPE (TestSer, test_ser, PULSE_TYPE_ELEMENT)

static PulseFlowReturn
test_ser_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  TestSer *self = TEST_SER (element);
  PulseRecordBatch *batch = pulse_buffer_get_records (buffer);
  g_autoptr (GBytes) bytes = NULL;
  PulseBuffer *out;
  gchar *json;

  /* the sink pad takes records only, so linking keeps bytes away; a
   * buffer pushed by hand past that check is still refused cleanly */
  if (batch == NULL) {
    PULSE_ELEMENT_ERROR (
        self, STREAM, FORMAT, ("testser takes records"), ("got a buffer of bytes"));
    pulse_buffer_unref (buffer);
    return PULSE_FLOW_ERROR;
  }

  json = pulse_record_batch_to_json (batch);
  bytes = g_bytes_new_take (json, strlen (json));
  out = pulse_buffer_new_bytes (PULSE_FORMAT_SERIALIZED, bytes);
  pulse_buffer_copy_metadata (out, buffer);
  pulse_buffer_set_serializer (out, PULSE_SERIALIZER_JSON);
  pulse_buffer_set_compression (out, PULSE_COMPRESSION_NONE);
  pulse_buffer_unref (buffer);
  return pulse_pad_push (self->srcpad, out);
}

static void
test_ser_class_init (TestSerClass *klass)
{
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  element_class->chain = test_ser_chain;

  pulse_element_class_set_metadata (element_class, "Test JSON serializer", "Codec/Serializer",
      "Writes record batches as JSON text (for tests)", "timer count=3 ! testser ! print");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_RECORDS));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_SERIALIZED));
}

static void
test_ser_init (TestSer *self)
{
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}

/* ---- testcomp ----------------------------------------------------------- */

#define TEST_TYPE_COMP (test_comp_get_type ())
G_DECLARE_FINAL_TYPE (TestComp, test_comp, TEST, COMP, PulseElement)

struct _TestComp {
  PulseElement parent_instance;
  PulsePad *srcpad;
};

G_DEFINE_FINAL_TYPE (TestComp, test_comp, PULSE_TYPE_ELEMENT)

static PulseFlowReturn
test_comp_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  TestComp *self = TEST_COMP (element);
  GBytes *in = pulse_buffer_get_bytes (buffer);
  g_autoptr (GBytes) bytes = NULL;
  PulseBuffer *out;
  gconstpointer data;
  gsize size;

  if (in == NULL) {
    PULSE_ELEMENT_ERROR (
        self, STREAM, FORMAT, ("testcomp takes serialized bytes"), ("got a buffer of records"));
    pulse_buffer_unref (buffer);
    return PULSE_FLOW_ERROR;
  }

  /* a copy, as a real compressor makes new bytes */
  data = g_bytes_get_data (in, &size);
  bytes = g_bytes_new (data, size);
  out = pulse_buffer_new_bytes (PULSE_FORMAT_COMPRESSED, bytes);
  pulse_buffer_copy_metadata (out, buffer);
  pulse_buffer_set_compression (out, PULSE_COMPRESSION_LZ4);
  pulse_buffer_unref (buffer);
  return pulse_pad_push (self->srcpad, out);
}

static void
test_comp_class_init (TestCompClass *klass)
{
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  element_class->chain = test_comp_chain;

  pulse_element_class_set_metadata (element_class, "Test compressor", "Codec/Compressor",
      "Copies serialized bytes and marks them compressed (for tests)",
      "timer count=3 ! testser ! testcomp ! fakesink");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_SERIALIZED));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_COMPRESSED));
}

static void
test_comp_init (TestComp *self)
{
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}

/* ---- entry point -------------------------------------------------------- */

G_MODULE_EXPORT gboolean
pulse_plugin_init (PulseRegistry *registry, GError **error)
{
  /* the registry does not pass the module's name: say it, so that
   * pulse-inspect shows where the elements come from */
  if (!pulse_registry_register_element (registry, "testser", TEST_TYPE_SER, PLUGIN_NAME, error))
    return FALSE;
  return pulse_registry_register_element (registry, "testcomp", TEST_TYPE_COMP, PLUGIN_NAME, error);
}
