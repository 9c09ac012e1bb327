/* PulseMQ — pads and pad templates */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-buffer.h"
#include "pulse-format.h"

G_BEGIN_DECLS

typedef struct _PulseElement PulseElement;

/**
 * PulsePadDirection:
 * @PULSE_PAD_SRC: the pad produces buffers
 * @PULSE_PAD_SINK: the pad consumes buffers
 *
 * Which way data goes through a pad.
 */
typedef enum {
  PULSE_PAD_SRC,
  PULSE_PAD_SINK,
} PulsePadDirection;

/**
 * PulsePadPresence:
 * @PULSE_PAD_ALWAYS: the element always has this pad
 * @PULSE_PAD_REQUEST: pads are made on request, one per link (as `tee` does)
 *
 * When pads of a template exist.
 */
typedef enum {
  PULSE_PAD_ALWAYS,
  PULSE_PAD_REQUEST,
} PulsePadPresence;

/**
 * PulseFlowReturn:
 * @PULSE_FLOW_OK: the buffer was taken
 * @PULSE_FLOW_NOT_LINKED: the pad has no peer
 * @PULSE_FLOW_FLUSHING: the element is shutting down
 * @PULSE_FLOW_EOS: the element has received end-of-stream and takes no more
 * @PULSE_FLOW_ERROR: a fatal error, posted on the bus
 *
 * What a push into a pad returned.
 */
typedef enum {
  PULSE_FLOW_OK = 0,
  PULSE_FLOW_NOT_LINKED = -1,
  PULSE_FLOW_FLUSHING = -2,
  PULSE_FLOW_EOS = -3,
  PULSE_FLOW_ERROR = -5,
} PulseFlowReturn;

const gchar *pulse_flow_get_name (PulseFlowReturn ret);

#define PULSE_TYPE_PAD_TEMPLATE (pulse_pad_template_get_type ())
G_DECLARE_FINAL_TYPE (PulsePadTemplate, pulse_pad_template, PULSE, PAD_TEMPLATE, GObject)

PulsePadTemplate *pulse_pad_template_new (const gchar *name_template, PulsePadDirection direction,
    PulsePadPresence presence, PulseFormat formats);
const gchar *pulse_pad_template_get_name_template (PulsePadTemplate *templ);
PulsePadDirection pulse_pad_template_get_direction (PulsePadTemplate *templ);
PulsePadPresence pulse_pad_template_get_presence (PulsePadTemplate *templ);
PulseFormat pulse_pad_template_get_formats (PulsePadTemplate *templ);

#define PULSE_TYPE_PAD (pulse_pad_get_type ())
G_DECLARE_FINAL_TYPE (PulsePad, pulse_pad, PULSE, PAD, GObject)

PulsePad *pulse_pad_new_from_template (PulsePadTemplate *templ, const gchar *name);
const gchar *pulse_pad_get_name (PulsePad *pad);
PulsePadDirection pulse_pad_get_direction (PulsePad *pad);
PulseFormat pulse_pad_get_formats (PulsePad *pad);
PulsePadTemplate *pulse_pad_get_template (PulsePad *pad);
PulseElement *pulse_pad_get_parent_element (PulsePad *pad);
PulsePad *pulse_pad_get_peer (PulsePad *pad);
gboolean pulse_pad_is_linked (PulsePad *pad);
gboolean pulse_pad_link (PulsePad *srcpad, PulsePad *sinkpad, GError **error);
void pulse_pad_unlink (PulsePad *pad);
PulseFlowReturn pulse_pad_push (PulsePad *pad, PulseBuffer *buffer);
gboolean pulse_pad_push_eos (PulsePad *pad);
gboolean pulse_pad_is_eos (PulsePad *pad);
guint64 pulse_pad_get_buffer_count (PulsePad *pad);
guint64 pulse_pad_get_record_count (PulsePad *pad);
guint64 pulse_pad_get_byte_count (PulsePad *pad);

G_END_DECLS
