/* PulseMQ — the elements the GTest harnesses are built from
 *
 * In the spirit of GStreamer's GstHarness: "testsrc" is a source pad the
 * test pushes into, "testcapture" a sink that keeps a reference to the
 * buffers it gets (the first keep_max of them), counts every chain call
 * and end-of-stream, can hold the streaming thread in its chain function
 * (so that "downstream is blocked" is deterministic) and can answer with
 * any flow return. Nothing sleeps: the waits are for a condition, with a
 * generous deadline, for a loaded 2-core machine and ASan.
 */
#pragma once

#include <pulsemq/pulsemq.h>

G_BEGIN_DECLS

#define TEST_HARNESS_DEADLINE_US (20 * G_USEC_PER_SEC)

#define TEST_TYPE_SRC (test_src_get_type ())
G_DECLARE_FINAL_TYPE (TestSrc, test_src, TEST, SRC, PulseElement)

struct _TestSrc {
  PulseElement parent_instance;
  PulsePad *srcpad;
};

#define TEST_TYPE_CAPTURE (test_capture_get_type ())
G_DECLARE_FINAL_TYPE (TestCapture, test_capture, TEST, CAPTURE, PulseElement)

struct _TestCapture {
  PulseElement parent_instance;

  GMutex lock;
  GCond cond;
  GPtrArray *buffers;    /* a reference to each of the first keep_max buffers */
  guint keep_max;        /* so that an endless source does not fill memory */
  guint n_buffers;       /* every chain call */
  GThread *chain_thread; /* the thread of the last chain call */
  guint n_done;          /* chain calls that have returned */
  guint n_eos;
  guint eos_at;        /* n_buffers when EOS came */
  gboolean hold;       /* chain waits while set */
  PulseFlowReturn ret; /* what chain returns */
};

void test_harness_register (void);

guint capture_n (TestCapture *self);
guint capture_n_eos (TestCapture *self);
PulseBuffer *capture_get (TestCapture *self, guint i);
gboolean capture_wait_buffers (TestCapture *self, guint n);
gboolean capture_wait_eos (TestCapture *self);
void capture_set_hold (TestCapture *self, gboolean hold);
void capture_set_return (TestCapture *self, PulseFlowReturn ret);
void capture_reset (TestCapture *self);

/* A new pipeline of `@factory ! testcapture`, @factory's element named
 * @name (or not, when NULL) and set up with the properties in @args (a
 * NULL-terminated name/value list); @src and @cap are owned by the
 * pipeline */
PulsePipeline *harness_pipeline_new_valist (const gchar *factory, const gchar *name,
    PulseElement **src, TestCapture **cap, const gchar *first_property, va_list args);
/* sets PLAYING, which must succeed */
void harness_pipeline_play (PulsePipeline *pipeline);

G_END_DECLS
