/* PulseMQ — the element base class */
#pragma once

#if !defined(PULSE_INSIDE) && !defined(PULSE_COMPILATION)
#error "only <pulsemq/pulsemq.h> can be included directly"
#endif

#include <glib-object.h>
#include "pulse-bus.h"
#include "pulse-error.h"
#include "pulse-message.h"
#include "pulse-pad.h"

G_BEGIN_DECLS

/**
 * PulseStateChange:
 * @PULSE_STATE_CHANGE_NULL_TO_READY: allocate resources
 * @PULSE_STATE_CHANGE_READY_TO_PLAYING: start data flow
 * @PULSE_STATE_CHANGE_PLAYING_TO_READY: stop data flow, join threads
 * @PULSE_STATE_CHANGE_READY_TO_NULL: free resources
 *
 * One step of a state change; a pipeline goes through them one at a time.
 */
typedef enum {
  PULSE_STATE_CHANGE_NULL_TO_READY,
  PULSE_STATE_CHANGE_READY_TO_PLAYING,
  PULSE_STATE_CHANGE_PLAYING_TO_READY,
  PULSE_STATE_CHANGE_READY_TO_NULL,
} PulseStateChange;

#define PULSE_TYPE_ELEMENT (pulse_element_get_type ())
#define PULSE_ELEMENT(obj) (G_TYPE_CHECK_INSTANCE_CAST ((obj), PULSE_TYPE_ELEMENT, PulseElement))
#define PULSE_ELEMENT_CLASS(klass)                                                                 \
  (G_TYPE_CHECK_CLASS_CAST ((klass), PULSE_TYPE_ELEMENT, PulseElementClass))
#define PULSE_IS_ELEMENT(obj) (G_TYPE_CHECK_INSTANCE_TYPE ((obj), PULSE_TYPE_ELEMENT))
#define PULSE_IS_ELEMENT_CLASS(klass) (G_TYPE_CHECK_CLASS_TYPE ((klass), PULSE_TYPE_ELEMENT))
#define PULSE_ELEMENT_GET_CLASS(obj)                                                               \
  (G_TYPE_INSTANCE_GET_CLASS ((obj), PULSE_TYPE_ELEMENT, PulseElementClass))

typedef struct _PulseElementClass PulseElementClass;

/**
 * PulseElement:
 *
 * The base class of every element: a named node of the graph with pads,
 * properties and a state.
 */
struct _PulseElement {
  GInitiallyUnowned parent_instance;
};

/**
 * PulseElementClass:
 * @parent_class: the parent class
 * @change_state: allocate or free resources, start or stop data flow;
 *   chain up to the parent class
 * @chain: take a buffer (transfer full) arriving on a sink pad
 * @sink_eos: end-of-stream arrived on a sink pad; the default forwards it
 *   downstream once every sink pad has it, or tells the pipeline when the
 *   element is a sink
 * @send_eos: asked by the pipeline to end the stream: a source stops and
 *   pushes end-of-stream; the default pushes it on every source pad
 * @request_new_pad: make a pad of a request template
 * @release_pad: a request pad is being removed (a link through it failed)
 * @check_property: check a value before it is set, so that the parser
 *   reports a bad value with its position
 *
 * The class of #PulseElement. Subclasses set metadata and pad templates
 * in class_init.
 */
struct _PulseElementClass {
  GInitiallyUnownedClass parent_class;

  gboolean (*change_state) (PulseElement *element, PulseStateChange transition, GError **error);
  PulseFlowReturn (*chain) (PulseElement *element, PulsePad *pad, PulseBuffer *buffer);
  void (*sink_eos) (PulseElement *element, PulsePad *pad);
  void (*send_eos) (PulseElement *element);
  PulsePad *(*request_new_pad) (
      PulseElement *element, PulsePadTemplate *templ, const gchar *name, GError **error);
  void (*release_pad) (PulseElement *element, PulsePad *pad);
  gboolean (*check_property) (
      PulseElement *element, GParamSpec *pspec, const GValue *value, GError **error);

  /*< private >*/
  gpointer meta;
  gpointer padding[11];
};

GType pulse_element_get_type (void) G_GNUC_CONST;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulseElement, g_object_unref)

typedef struct _PulsePipeline PulsePipeline;
typedef struct _PulseElementFactory PulseElementFactory;

void pulse_element_class_set_metadata (PulseElementClass *klass, const gchar *long_name,
    const gchar *classification, const gchar *description, const gchar *usage);
void pulse_element_class_add_pad_template (PulseElementClass *klass, PulsePadTemplate *templ);
void pulse_element_class_set_passthrough (PulseElementClass *klass, gboolean passthrough);
const gchar *pulse_element_class_get_long_name (PulseElementClass *klass);
const gchar *pulse_element_class_get_classification (PulseElementClass *klass);
const gchar *pulse_element_class_get_description (PulseElementClass *klass);
const gchar *pulse_element_class_get_usage (PulseElementClass *klass);
gboolean pulse_element_class_is_passthrough (PulseElementClass *klass);
GList *pulse_element_class_get_pad_templates (PulseElementClass *klass);
PulsePadTemplate *
pulse_element_class_get_pad_template (PulseElementClass *klass, const gchar *name);

const gchar *pulse_element_get_name (PulseElement *element);
void pulse_element_set_name (PulseElement *element, const gchar *name);
gchar *pulse_element_get_path_string (PulseElement *element);
PulseElementFactory *pulse_element_get_factory (PulseElement *element);
PulsePipeline *pulse_element_get_pipeline (PulseElement *element);
PulseState pulse_element_get_state (PulseElement *element);

PulsePad *pulse_element_add_pad_from_template (PulseElement *element, const gchar *template_name);
GList *pulse_element_get_pads (PulseElement *element);
PulsePad *pulse_element_get_static_pad (PulseElement *element, const gchar *name);
PulsePad *pulse_element_request_pad (
    PulseElement *element, const gchar *template_name, const gchar *name, GError **error);
guint pulse_element_get_n_pads (PulseElement *element, PulsePadDirection direction);
gboolean pulse_element_link (PulseElement *src, PulseElement *sink, GError **error);
gboolean pulse_element_link_pads (PulseElement *src, const gchar *srcpadname, PulseElement *sink,
    const gchar *sinkpadname, GError **error);

gboolean pulse_element_validate_property (
    PulseElement *element, const gchar *property_name, const GValue *value, GError **error);
PulseFlowReturn pulse_element_push (PulseElement *element, PulseBuffer *buffer);
void pulse_element_push_eos (PulseElement *element);
void pulse_element_send_eos (PulseElement *element);
void pulse_element_post_message (PulseElement *element, PulseMessage *message);
void pulse_element_message_full (PulseElement *element, PulseMessageType type, GQuark domain,
    gint code, gchar *text, gchar *debug, const gchar *file, const gchar *function, gint line);

gchar *_pulse_element_printf (const gchar *format, ...) G_GNUC_PRINTF (1, 2);

/* what PULSE_ELEMENT_ERROR and PULSE_ELEMENT_WARNING expand to */
#define _PULSE_ELEMENT_POST(el, type, domain, code, text, debug)                                   \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gchar *__txt = _pulse_element_printf text;                                                     \
    gchar *__dbg = _pulse_element_printf debug;                                                    \
    pulse_element_message_full (PULSE_ELEMENT (el), type, PULSE_##domain##_ERROR,                  \
        PULSE_##domain##_ERROR_##code, __txt, __dbg, __FILE__, G_STRFUNC, __LINE__);               \
  }                                                                                                \
  G_STMT_END

/**
 * PULSE_ELEMENT_ERROR:
 * @el: the element
 * @domain: the error domain without its prefix: CORE, RESOURCE, STREAM
 * @code: the error code without its prefix, e.g. BIND
 * @text: a parenthesized printf list: the translated text for users, or (NULL)
 * @debug: a parenthesized printf list: details for developers, or (NULL)
 *
 * Posts an ERROR message from @el on its pipeline's bus, once:
 * |[<!-- language="C" -->
 * PULSE_ELEMENT_ERROR (self, RESOURCE, BIND,
 *     (_("could not bind \"%s\""), self->bind),
 *     ("zmq_bind: %s", zmq_strerror (errno)));
 * ]|
 */
#define PULSE_ELEMENT_ERROR(el, domain, code, text, debug)                                         \
  _PULSE_ELEMENT_POST (el, PULSE_MESSAGE_ERROR, domain, code, text, debug)

/**
 * PULSE_ELEMENT_WARNING:
 * @el: the element
 * @domain: the error domain without its prefix
 * @code: the error code without its prefix
 * @text: a parenthesized printf list for users, or (NULL)
 * @debug: a parenthesized printf list for developers, or (NULL)
 *
 * Posts a WARNING message from @el; data keeps flowing.
 */
#define PULSE_ELEMENT_WARNING(el, domain, code, text, debug)                                       \
  _PULSE_ELEMENT_POST (el, PULSE_MESSAGE_WARNING, domain, code, text, debug)

G_END_DECLS
