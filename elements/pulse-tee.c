/* PulseMQ — tee: the same buffers to several branches
 *
 *   pulse-launch "timer count=3 ! tee name=t  t. ! print  t. ! fakesink"
 *
 * Every branch gets a reference to the same immutable buffer: no copy.
 * Branches run in the pushing thread one after the other; put a queue at
 * the head of a branch to give it a thread of its own.
 */
#include "config.h"

#include "pulse-tee.h"

/* one log domain per element: PULSE_DEBUG=tee shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-tee"

struct _PulseTee {
  PulseElement parent_instance;
  GPtrArray *srcpads; /* borrowed: the element owns its pads */
};

G_DEFINE_FINAL_TYPE (PulseTee, pulse_tee, PULSE_TYPE_ELEMENT)
#define parent_class pulse_tee_parent_class

static PulseFlowReturn
pulse_tee_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  PulseTee *self = PULSE_TEE (element);
  PulseFlowReturn result = PULSE_FLOW_NOT_LINKED;
  gboolean any_ok = FALSE;

  for (guint i = 0; i < self->srcpads->len; i++) {
    PulseFlowReturn ret = pulse_pad_push (
        g_ptr_array_index (self->srcpads, i), pulse_buffer_ref (buffer));
    if (ret == PULSE_FLOW_OK)
      any_ok = TRUE;
    else if (ret == PULSE_FLOW_ERROR || result == PULSE_FLOW_NOT_LINKED)
      result = ret;
  }
  pulse_buffer_unref (buffer);
  /* one branch that ended does not stop the others; an error does */
  if (result == PULSE_FLOW_ERROR)
    return PULSE_FLOW_ERROR;
  return any_ok ? PULSE_FLOW_OK : result;
}

static PulsePad *
pulse_tee_request_pad (
    PulseElement *element, PulsePadTemplate *templ, const gchar *name, GError **error)
{
  PulseTee *self = PULSE_TEE (element);
  PulsePad *pad = PULSE_ELEMENT_CLASS (parent_class)->request_new_pad (element, templ, name, error);

  if (pad != NULL)
    g_ptr_array_add (self->srcpads, pad);
  return pad;
}

static void
pulse_tee_release_pad (PulseElement *element, PulsePad *pad)
{
  g_ptr_array_remove (PULSE_TEE (element)->srcpads, pad);
}

static void
pulse_tee_dispose (GObject *object)
{
  g_ptr_array_set_size (PULSE_TEE (object)->srcpads, 0);
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
pulse_tee_finalize (GObject *object)
{
  g_ptr_array_unref (PULSE_TEE (object)->srcpads);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_tee_class_init (PulseTeeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->dispose = pulse_tee_dispose;
  object_class->finalize = pulse_tee_finalize;
  element_class->chain = pulse_tee_chain;
  element_class->request_new_pad = pulse_tee_request_pad;
  element_class->release_pad = pulse_tee_release_pad;

  pulse_element_class_set_metadata (element_class, "Tee", "Generic",
      "Sends every buffer to each of its branches, without copying",
      "timer count=3 ! tee name=t  t. ! print  t. ! fakesink");
  pulse_element_class_set_passthrough (element_class, TRUE);
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src_%u", PULSE_PAD_SRC, PULSE_PAD_REQUEST, PULSE_FORMAT_ANY));
}

static void
pulse_tee_init (PulseTee *self)
{
  self->srcpads = g_ptr_array_new ();
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
}
