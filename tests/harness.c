/* PulseMQ — the elements the GTest harnesses are built from (see harness.h) */
#include "config.h"

#include "harness.h"

/* ---- testsrc: a source pad the test pushes into --------------------------- */

G_DEFINE_FINAL_TYPE (TestSrc, test_src, PULSE_TYPE_ELEMENT)

static void
test_src_class_init (TestSrcClass *klass)
{
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  pulse_element_class_set_metadata (element_class, "Test source", "Source/Test",
      "A source pad driven by the test", "testsrc ! fakesink");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
}

static void
test_src_init (TestSrc *self)
{
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}

/* ---- testcapture: keeps what it gets, can hold the streaming thread ------- */

G_DEFINE_FINAL_TYPE (TestCapture, test_capture, PULSE_TYPE_ELEMENT)

static PulseFlowReturn
test_capture_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  TestCapture *self = TEST_CAPTURE (element);
  PulseFlowReturn ret;

  g_mutex_lock (&self->lock);
  if (self->buffers->len < self->keep_max)
    g_ptr_array_add (self->buffers, buffer);
  else
    pulse_buffer_unref (buffer);
  self->n_buffers++;
  self->chain_thread = g_thread_self ();
  g_cond_broadcast (&self->cond);
  while (self->hold)
    g_cond_wait (&self->cond, &self->lock);
  self->n_done++;
  ret = self->ret;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return ret;
}

static void
test_capture_sink_eos (PulseElement *element, PulsePad *pad)
{
  TestCapture *self = TEST_CAPTURE (element);

  g_mutex_lock (&self->lock);
  self->n_eos++;
  self->eos_at = self->n_buffers;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  /* the default tells the pipeline, which posts EOS once all sinks have it */
  PULSE_ELEMENT_CLASS (test_capture_parent_class)->sink_eos (element, pad);
}

static void
test_capture_finalize (GObject *object)
{
  TestCapture *self = TEST_CAPTURE (object);

  g_ptr_array_unref (self->buffers);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (test_capture_parent_class)->finalize (object);
}

static void
test_capture_class_init (TestCaptureClass *klass)
{
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_capture_finalize;
  element_class->chain = test_capture_chain;
  element_class->sink_eos = test_capture_sink_eos;
  pulse_element_class_set_metadata (element_class, "Test capture", "Sink/Test",
      "Keeps the buffers it gets for the test to look at", "testsrc ! testcapture");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS, PULSE_FORMAT_ANY));
}

static void
test_capture_init (TestCapture *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) pulse_buffer_unref);
  self->keep_max = G_MAXUINT;
  self->ret = PULSE_FLOW_OK;
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
}

/* Makes "testsrc" and "testcapture" known to pulse_parse_launch(). */
void
test_harness_register (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_registry_register_element (
      pulse_registry_get_default (), "testsrc", TEST_TYPE_SRC, "test", &error));
  g_assert_true (pulse_registry_register_element (
      pulse_registry_get_default (), "testcapture", TEST_TYPE_CAPTURE, "test", &error));
}

guint
capture_n (TestCapture *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_buffers;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
capture_n_eos (TestCapture *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_eos;
  g_mutex_unlock (&self->lock);
  return n;
}

/* borrowed: the capture keeps its reference until it is reset or finalized */
PulseBuffer *
capture_get (TestCapture *self, guint i)
{
  PulseBuffer *buffer;

  g_mutex_lock (&self->lock);
  g_assert_cmpuint (i, <, self->buffers->len);
  buffer = g_ptr_array_index (self->buffers, i);
  g_mutex_unlock (&self->lock);
  return buffer;
}

gboolean
capture_wait_buffers (TestCapture *self, guint n)
{
  gint64 deadline = g_get_monotonic_time () + TEST_HARNESS_DEADLINE_US;
  gboolean ok;

  g_mutex_lock (&self->lock);
  while (self->n_buffers < n && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  ok = self->n_buffers >= n;
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
capture_wait_eos (TestCapture *self)
{
  gint64 deadline = g_get_monotonic_time () + TEST_HARNESS_DEADLINE_US;
  gboolean ok;

  g_mutex_lock (&self->lock);
  while (self->n_eos == 0 && g_cond_wait_until (&self->cond, &self->lock, deadline))
    ;
  ok = self->n_eos > 0;
  g_mutex_unlock (&self->lock);
  return ok;
}

void
capture_set_hold (TestCapture *self, gboolean hold)
{
  g_mutex_lock (&self->lock);
  self->hold = hold;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
capture_set_return (TestCapture *self, PulseFlowReturn ret)
{
  g_mutex_lock (&self->lock);
  self->ret = ret;
  g_mutex_unlock (&self->lock);
}

/* forgets everything, for a second run */
void
capture_reset (TestCapture *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->buffers, 0);
  self->n_buffers = 0;
  self->n_done = 0;
  self->n_eos = 0;
  self->eos_at = 0;
  g_mutex_unlock (&self->lock);
}

PulsePipeline *
harness_pipeline_new_valist (const gchar *factory, const gchar *name, PulseElement **src,
    TestCapture **cap, const gchar *first_property, va_list args)
{
  PulsePipeline *pipeline = pulse_pipeline_new (NULL);
  g_autoptr (GError) error = NULL;
  PulseElement *sink;

  *src = pulse_element_factory_make (factory, &error);
  g_assert_no_error (error);
  if (name != NULL)
    pulse_element_set_name (*src, name);
  if (first_property != NULL)
    g_object_set_valist (G_OBJECT (*src), first_property, args);
  sink = pulse_element_factory_make ("testcapture", &error);
  g_assert_no_error (error);
  g_assert_true (pulse_pipeline_add (pipeline, *src, &error));
  g_assert_true (pulse_pipeline_add (pipeline, sink, &error));
  g_assert_true (pulse_element_link (*src, sink, &error));
  g_assert_no_error (error);
  *cap = TEST_CAPTURE (sink);
  /* the pipeline holds them now */
  g_object_unref (*src);
  g_object_unref (sink);
  return pipeline;
}

void
harness_pipeline_play (PulsePipeline *pipeline)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error));
  g_assert_no_error (error);
}
