/* PulseMQ — pads
 *
 * A pad is where an element meets a neighbour. Linking checks formats once,
 * when the graph is built, so the streaming path only follows a pointer.
 * Pass-through elements (queue, tee) take the format of what they are
 * linked to: linking narrows the formats of every pad that must agree, and
 * a link that would leave some pad with no format is refused whole.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

/* ---- templates ---------------------------------------------------------- */

struct _PulsePadTemplate {
  GObject parent_instance;
  gchar *name_template;
  PulsePadDirection direction;
  PulsePadPresence presence;
  PulseFormat formats;
};

G_DEFINE_FINAL_TYPE (PulsePadTemplate, pulse_pad_template, G_TYPE_OBJECT)

static void
pulse_pad_template_finalize (GObject *object)
{
  g_free (PULSE_PAD_TEMPLATE (object)->name_template);
  G_OBJECT_CLASS (pulse_pad_template_parent_class)->finalize (object);
}

static void
pulse_pad_template_class_init (PulsePadTemplateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pulse_pad_template_finalize;
}

static void
pulse_pad_template_init (PulsePadTemplate *templ)
{
}

/**
 * pulse_pad_template_new:
 * @name_template: the pad name, or for request pads a pattern such as `src_%u`
 * @direction: source or sink
 * @presence: always or on request
 * @formats: the formats its pads accept or produce
 *
 * Returns: (transfer full): a new #PulsePadTemplate
 */
PulsePadTemplate *
pulse_pad_template_new (const gchar *name_template, PulsePadDirection direction,
    PulsePadPresence presence, PulseFormat formats)
{
  PulsePadTemplate *templ;

  g_return_val_if_fail (name_template != NULL, NULL);
  g_return_val_if_fail (formats != PULSE_FORMAT_NONE, NULL);

  templ = g_object_new (PULSE_TYPE_PAD_TEMPLATE, NULL);
  templ->name_template = g_strdup (name_template);
  templ->direction = direction;
  templ->presence = presence;
  templ->formats = formats;
  return templ;
}

/**
 * pulse_pad_template_get_name_template:
 * @templ: a #PulsePadTemplate
 *
 * Returns: (transfer none): the name or name pattern
 */
const gchar *
pulse_pad_template_get_name_template (PulsePadTemplate *templ)
{
  g_return_val_if_fail (PULSE_IS_PAD_TEMPLATE (templ), NULL);
  return templ->name_template;
}

/**
 * pulse_pad_template_get_direction:
 * @templ: a #PulsePadTemplate
 *
 * Returns: the direction
 */
PulsePadDirection
pulse_pad_template_get_direction (PulsePadTemplate *templ)
{
  g_return_val_if_fail (PULSE_IS_PAD_TEMPLATE (templ), PULSE_PAD_SRC);
  return templ->direction;
}

/**
 * pulse_pad_template_get_presence:
 * @templ: a #PulsePadTemplate
 *
 * Returns: the presence
 */
PulsePadPresence
pulse_pad_template_get_presence (PulsePadTemplate *templ)
{
  g_return_val_if_fail (PULSE_IS_PAD_TEMPLATE (templ), PULSE_PAD_ALWAYS);
  return templ->presence;
}

/**
 * pulse_pad_template_get_formats:
 * @templ: a #PulsePadTemplate
 *
 * Returns: the formats
 */
PulseFormat
pulse_pad_template_get_formats (PulsePadTemplate *templ)
{
  g_return_val_if_fail (PULSE_IS_PAD_TEMPLATE (templ), PULSE_FORMAT_NONE);
  return templ->formats;
}

/* ---- pads --------------------------------------------------------------- */

struct _PulsePad {
  GObject parent_instance;
  gchar *name;
  PulsePadTemplate *templ;
  PulsePadDirection direction;
  PulseFormat formats;
  PulseElement *parent; /* not a reference: the element owns its pads */
  PulsePad *peer;       /* not a reference: pads of one pipeline */
  gboolean eos;
  gboolean flushing;
  /* counters: written by the streaming thread, read by anyone */
  guint64 buffers;
  guint64 records;
  guint64 bytes;
};

G_DEFINE_FINAL_TYPE (PulsePad, pulse_pad, G_TYPE_OBJECT)

/**
 * pulse_flow_get_name:
 * @ret: a flow return
 *
 * Returns: (transfer none): its name, such as `ok` or `not-linked`
 */
const gchar *
pulse_flow_get_name (PulseFlowReturn ret)
{
  switch (ret) {
    case PULSE_FLOW_OK: return "ok";
    case PULSE_FLOW_NOT_LINKED: return "not-linked";
    case PULSE_FLOW_FLUSHING: return "flushing";
    case PULSE_FLOW_EOS: return "eos";
    case PULSE_FLOW_ERROR: return "error";
    default: return "unknown";
  }
}

static void
pulse_pad_finalize (GObject *object)
{
  PulsePad *pad = PULSE_PAD (object);

  g_free (pad->name);
  g_clear_object (&pad->templ);
  G_OBJECT_CLASS (pulse_pad_parent_class)->finalize (object);
}

static void
pulse_pad_class_init (PulsePadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pulse_pad_finalize;
}

static void
pulse_pad_init (PulsePad *pad)
{
}

/**
 * pulse_pad_new_from_template:
 * @templ: the template
 * @name: the pad's name
 *
 * Makes a pad. Elements do this in their init function or in request_pad
 * and add it with pulse_element_add_pad_from_template().
 *
 * Returns: (transfer full): a new #PulsePad
 */
PulsePad *
pulse_pad_new_from_template (PulsePadTemplate *templ, const gchar *name)
{
  PulsePad *pad;

  g_return_val_if_fail (PULSE_IS_PAD_TEMPLATE (templ), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  pad = g_object_new (PULSE_TYPE_PAD, NULL);
  pad->name = g_strdup (name);
  pad->templ = g_object_ref (templ);
  pad->direction = templ->direction;
  pad->formats = templ->formats;
  return pad;
}

void
_pulse_pad_set_parent (PulsePad *pad, PulseElement *parent)
{
  pad->parent = parent;
}

void
_pulse_pad_set_formats (PulsePad *pad, PulseFormat formats)
{
  pad->formats = formats;
}

void
_pulse_pad_narrow (PulsePad *pad, PulseFormat formats)
{
  pad->formats &= formats;
}

void
_pulse_pad_reset (PulsePad *pad, gboolean flushing)
{
  g_atomic_int_set (&pad->eos, FALSE);
  g_atomic_int_set (&pad->flushing, flushing);
}

/* Whether the pad refuses buffers because its element is stopping: an
 * element that waits in its chain function polls this to give up. */
gboolean
_pulse_pad_is_flushing (PulsePad *pad)
{
  return g_atomic_int_get (&pad->flushing);
}

void
_pulse_pad_set_flushing (PulsePad *pad)
{
  g_atomic_int_set (&pad->flushing, TRUE);
}

/**
 * pulse_pad_get_name:
 * @pad: a #PulsePad
 *
 * Returns: (transfer none): the pad's name
 */
const gchar *
pulse_pad_get_name (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), NULL);
  return pad->name;
}

/**
 * pulse_pad_get_direction:
 * @pad: a #PulsePad
 *
 * Returns: the direction
 */
PulsePadDirection
pulse_pad_get_direction (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), PULSE_PAD_SRC);
  return pad->direction;
}

/**
 * pulse_pad_get_formats:
 * @pad: a #PulsePad
 *
 * Returns: the formats the pad carries now: its template's, narrowed by
 * links for pass-through elements
 */
PulseFormat
pulse_pad_get_formats (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), PULSE_FORMAT_NONE);
  return pad->formats;
}

/**
 * pulse_pad_get_template:
 * @pad: a #PulsePad
 *
 * Returns: (transfer none): the template it was made from
 */
PulsePadTemplate *
pulse_pad_get_template (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), NULL);
  return pad->templ;
}

/**
 * pulse_pad_get_parent_element:
 * @pad: a #PulsePad
 *
 * Returns: (transfer none) (nullable): the element the pad belongs to
 */
PulseElement *
pulse_pad_get_parent_element (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), NULL);
  return pad->parent;
}

/**
 * pulse_pad_get_peer:
 * @pad: a #PulsePad
 *
 * Returns: (transfer none) (nullable): the pad it is linked to
 */
PulsePad *
pulse_pad_get_peer (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), NULL);
  return pad->peer;
}

/**
 * pulse_pad_is_linked:
 * @pad: a #PulsePad
 *
 * Returns: %TRUE if the pad has a peer
 */
gboolean
pulse_pad_is_linked (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), FALSE);
  return pad->peer != NULL;
}

/**
 * pulse_pad_is_eos:
 * @pad: a #PulsePad
 *
 * Returns: %TRUE if end-of-stream went through the pad
 */
gboolean
pulse_pad_is_eos (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), FALSE);
  return g_atomic_int_get (&pad->eos);
}

/* -- format negotiation -- */

typedef struct {
  GHashTable *narrowed; /* PulsePad* → PulseFormat */
  PulsePad *fail_a;
  PulsePad *fail_b;
  PulseFormat fail_fa;
  PulseFormat fail_fb;
} Negotiation;

static PulseFormat
current_formats (Negotiation *n, PulsePad *pad)
{
  gpointer v;

  if (g_hash_table_lookup_extended (n->narrowed, pad, NULL, &v))
    return GPOINTER_TO_UINT (v);
  return pad->formats;
}

static gboolean narrow (Negotiation *n, PulsePad *pad, PulseFormat f);

static gboolean
agree (Negotiation *n, PulsePad *a, PulsePad *b)
{
  PulseFormat fa = current_formats (n, a), fb = current_formats (n, b);
  PulseFormat f = fa & fb;

  if (f == PULSE_FORMAT_NONE) {
    n->fail_a = a;
    n->fail_b = b;
    n->fail_fa = fa;
    n->fail_fb = fb;
    return FALSE;
  }
  return narrow (n, a, f) && narrow (n, b, f);
}

static gboolean
narrow (Negotiation *n, PulsePad *pad, PulseFormat f)
{
  if (current_formats (n, pad) == f)
    return TRUE;
  g_hash_table_insert (n->narrowed, pad, GUINT_TO_POINTER (f));

  if (pad->peer != NULL && !agree (n, pad, pad->peer))
    return FALSE;
  if (pad->parent != NULL &&
      pulse_element_class_is_passthrough (PULSE_ELEMENT_GET_CLASS (pad->parent))) {
    g_autoptr (GList) pads = pulse_element_get_pads (pad->parent);
    for (GList *l = pads; l != NULL; l = l->next)
      if (l->data != pad && !agree (n, pad, l->data))
        return FALSE;
  }
  return TRUE;
}

static gchar *
pad_label (PulsePad *pad)
{
  if (pad->parent == NULL)
    return g_strdup (pad->name);
  return g_strdup (pulse_element_get_name (pad->parent));
}

/* What a converter is, for the hint, from the last part of its klass. */
static const gchar *
kind_of (const gchar *klass)
{
  const gchar *slash = strrchr (klass, '/');
  const gchar *last = slash != NULL ? slash + 1 : klass;

  if (g_ascii_strcasecmp (last, "Serializer") == 0)
    return _ ("serializer");
  if (g_ascii_strcasecmp (last, "Compressor") == 0)
    return _ ("compressor");
  if (g_ascii_strcasecmp (last, "Decoder") == 0)
    return _ ("decoder");
  return _ ("converter");
}

/* Which formats a factory's elements take in and give out. A codec works
 * one way or the other by its mode, so it is asked which way fits. */
static gboolean
converts (PulseElementFactory *f, PulseFormat from, PulseFormat to, gboolean *decode)
{
  GType type = pulse_element_factory_get_element_type (f);
  PulseFormat in = PULSE_FORMAT_NONE, out = PULSE_FORMAT_NONE;

  *decode = FALSE;
  if (g_type_is_a (type, PULSE_TYPE_CODEC)) {
    PulseCodecClass *klass = g_type_class_ref (type);
    PulseFormat decoded = klass->serializer >= 0 ? PULSE_FORMAT_RECORDS : PULSE_FORMAT_SERIALIZED;
    PulseFormat encoded = klass->serializer >= 0 ? PULSE_FORMAT_SERIALIZED
                                                 : PULSE_FORMAT_COMPRESSED;
    g_type_class_unref (klass);
    if ((from & decoded) && (to & encoded))
      return TRUE;
    *decode = TRUE;
    return (from & encoded) && (to & decoded);
  }
  for (GList *t = pulse_element_factory_get_pad_templates (f); t != NULL; t = t->next) {
    PulsePadTemplate *templ = t->data;
    if (templ->direction == PULSE_PAD_SINK)
      in |= templ->formats;
    else
      out |= templ->formats;
  }
  return (in & from) && (out & to);
}

/* Which elements turn @from into one of @to: "msgpack, json". The hint a
 * failed link gives, read from the registry so it stays true as elements
 * are added. @example is the one to show in the hint, with its mode. */
static gchar *
suggest_converters (PulseFormat from, PulseFormat to, gchar **kind, gchar **example)
{
  g_autoptr (GList) factories = pulse_registry_get_factories (pulse_registry_get_default ());
  GString *names = g_string_new (NULL);

  *kind = NULL;
  *example = NULL;
  for (GList *l = factories; l != NULL; l = l->next) {
    PulseElementFactory *f = l->data;
    const gchar *name = pulse_element_factory_get_name (f);
    gboolean decode;

    if (pulse_element_factory_is_passthrough (f) || !converts (f, from, to, &decode))
      continue;
    if (names->len > 0)
      g_string_append (names, ", ");
    g_string_append (names, name);
    if (*kind == NULL) {
      const gchar *k = kind_of (pulse_element_factory_get_classification (f));
      *kind = g_strdup (!decode                      ? k
              : g_strcmp0 (k, _ ("serializer")) == 0 ? _ ("deserializer")
              : g_strcmp0 (k, _ ("compressor")) == 0 ? _ ("decompressor")
                                                     : k);
    }
    /* the wire protocol's default serializer makes the best example */
    if (*example == NULL || strcmp (name, "msgpack") == 0) {
      g_free (*example);
      *example = decode ? g_strdup_printf ("%s mode=decode", name) : g_strdup (name);
    }
  }
  if (names->len == 0) {
    g_string_free (names, TRUE);
    return NULL;
  }
  return g_string_free (names, FALSE);
}

static gchar *
link_hint (PulsePad *src, PulseFormat from, PulsePad *sink, PulseFormat to)
{
  g_autofree gchar *kind = NULL;
  g_autofree gchar *example = NULL;
  g_autofree gchar *names = suggest_converters (from, to, &kind, &example);
  g_autofree gchar *a = pad_label (src);
  g_autofree gchar *b = pad_label (sink);

  if (names != NULL)
    /* TRANSLATORS: "put a serializer (msgpack, json) between them: timer0 ! msgpack ! lz40" */
    return g_strdup_printf (
        _ ("put a %s (%s) between them: %s ! %s ! %s"), kind, names, a, example, b);
  if ((from & PULSE_FORMAT_RECORDS) && (to & (PULSE_FORMAT_SERIALIZED | PULSE_FORMAT_COMPRESSED)))
    return g_strdup (_ ("put a serializer between them"));
  if ((from & (PULSE_FORMAT_SERIALIZED | PULSE_FORMAT_COMPRESSED | PULSE_FORMAT_FRAME)) &&
      (to & PULSE_FORMAT_RECORDS))
    return g_strdup (_ ("put a decoder between them"));
  if ((from & PULSE_FORMAT_SERIALIZED) && (to & PULSE_FORMAT_COMPRESSED))
    return g_strdup (_ ("put a compressor between them"));
  return g_strdup (_ ("these elements do not fit together"));
}

gboolean
_pulse_pad_link_full (PulsePad *srcpad, PulsePad *sinkpad, gchar **hint, GError **error)
{
  Negotiation n = { 0 };
  PulseFormat f, fa = PULSE_FORMAT_NONE, fb = PULSE_FORMAT_NONE;
  gboolean ok;

  if (hint != NULL)
    *hint = NULL;
  if (srcpad->direction != PULSE_PAD_SRC || sinkpad->direction != PULSE_PAD_SINK) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
        _ ("cannot link pad \"%s\" to pad \"%s\": a link goes from a source pad to a sink pad"),
        srcpad->name, sinkpad->name);
    return FALSE;
  }
  if (srcpad->peer != NULL || sinkpad->peer != NULL) {
    PulsePad *taken = srcpad->peer != NULL ? srcpad : sinkpad;
    g_autofree gchar *label = pad_label (taken);
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
        _ ("pad \"%s\" of %s is already linked"), taken->name, label);
    return FALSE;
  }
  if (srcpad->parent != NULL && srcpad->parent == sinkpad->parent) {
    g_autofree gchar *label = pad_label (srcpad);
    g_set_error (
        error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK, _ ("cannot link %s to itself"), label);
    return FALSE;
  }

  n.narrowed = g_hash_table_new (NULL, NULL);
  f = srcpad->formats & sinkpad->formats;
  if (f == PULSE_FORMAT_NONE) {
    fa = srcpad->formats;
    fb = sinkpad->formats;
    ok = FALSE;
  } else if (!narrow (&n, srcpad, f)) {
    /* the clash is upstream, seen through pass-through elements: the
     * narrowed pad wanted fail_fa, upstream makes fail_fb */
    fa = n.fail_fb;
    fb = n.fail_fa;
    ok = FALSE;
  } else if (!narrow (&n, sinkpad, f)) {
    /* the clash is downstream of the sink pad */
    fa = n.fail_fa;
    fb = n.fail_fb;
    ok = FALSE;
  } else {
    ok = TRUE;
  }
  if (!ok) {
    /* always name the two elements being linked, in data-flow order */
    PulsePad *a = srcpad, *b = sinkpad;
    g_autofree gchar *la = NULL, *lb = NULL, *sa = NULL, *sb = NULL, *h = NULL;

    la = pad_label (a);
    lb = pad_label (b);
    sa = pulse_format_to_string (fa);
    sb = pulse_format_to_string (fb);
    h = link_hint (a, fa, b, fb);
    if (hint != NULL) {
      /* the caller shows the hint on a line of its own */
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
          _ ("cannot link %s to %s: %s produces %s but %s accepts %s"), la, lb, la, sa, lb, sb);
      *hint = g_steal_pointer (&h);
    } else {
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
          _ ("cannot link %s to %s: %s produces %s but %s accepts %s; %s"), la, lb, la, sa, lb, sb,
          h);
    }
  } else {
    GHashTableIter iter;
    gpointer k, v;

    g_hash_table_iter_init (&iter, n.narrowed);
    while (g_hash_table_iter_next (&iter, &k, &v))
      ((PulsePad *) k)->formats = GPOINTER_TO_UINT (v);
    srcpad->peer = sinkpad;
    sinkpad->peer = srcpad;
  }
  g_hash_table_unref (n.narrowed);
  return ok;
}

/**
 * pulse_pad_link:
 * @srcpad: a source pad
 * @sinkpad: a sink pad
 * @error: return location for a #GError
 *
 * Links two pads if their formats fit. The error names both elements,
 * both formats and what to put between them.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_pad_link (PulsePad *srcpad, PulsePad *sinkpad, GError **error)
{
  g_return_val_if_fail (PULSE_IS_PAD (srcpad), FALSE);
  g_return_val_if_fail (PULSE_IS_PAD (sinkpad), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _pulse_pad_link_full (srcpad, sinkpad, NULL, error);
}

/**
 * pulse_pad_unlink:
 * @pad: a linked #PulsePad
 *
 * Removes the link between @pad and its peer. Only while the pipeline is
 * not PLAYING.
 */
void
pulse_pad_unlink (PulsePad *pad)
{
  g_return_if_fail (PULSE_IS_PAD (pad));
  if (pad->peer == NULL)
    return;
  pad->peer->peer = NULL;
  pad->peer = NULL;
}

static inline void
count_add (guint64 *counter, guint64 n)
{
  __atomic_fetch_add (counter, n, __ATOMIC_RELAXED);
}

/**
 * pulse_pad_push:
 * @pad: a linked source pad
 * @buffer: (transfer full): the buffer, sealed from now on
 *
 * Hands @buffer to the peer's element, in this thread.
 *
 * Returns: what the peer returned
 */
PulseFlowReturn
pulse_pad_push (PulsePad *pad, PulseBuffer *buffer)
{
  PulsePad *peer;
  PulseElement *element;

  g_return_val_if_fail (PULSE_IS_PAD (pad), PULSE_FLOW_ERROR);
  g_return_val_if_fail (pad->direction == PULSE_PAD_SRC, PULSE_FLOW_ERROR);
  g_return_val_if_fail (buffer != NULL, PULSE_FLOW_ERROR);

  _pulse_buffer_seal (buffer);
  peer = pad->peer;
  if (G_UNLIKELY (peer == NULL)) {
    pulse_buffer_unref (buffer);
    return PULSE_FLOW_NOT_LINKED;
  }
  if (G_UNLIKELY (g_atomic_int_get (&peer->flushing))) {
    pulse_buffer_unref (buffer);
    return PULSE_FLOW_FLUSHING;
  }
  if (G_UNLIKELY (g_atomic_int_get (&peer->eos))) {
    pulse_buffer_unref (buffer);
    return PULSE_FLOW_EOS;
  }

  count_add (&pad->buffers, 1);
  count_add (&pad->records, pulse_buffer_get_record_count (buffer));
  count_add (&pad->bytes, pulse_buffer_get_size (buffer));
  count_add (&peer->buffers, 1);
  count_add (&peer->records, pulse_buffer_get_record_count (buffer));
  count_add (&peer->bytes, pulse_buffer_get_size (buffer));

  element = peer->parent;
  return PULSE_ELEMENT_GET_CLASS (element)->chain (element, peer, buffer);
}

/**
 * pulse_pad_push_eos:
 * @pad: a source pad
 *
 * Sends end-of-stream to the peer: no buffer follows it on this link.
 *
 * Returns: %TRUE if the pad was linked
 */
gboolean
pulse_pad_push_eos (PulsePad *pad)
{
  PulsePad *peer;
  PulseElement *element;

  g_return_val_if_fail (PULSE_IS_PAD (pad), FALSE);
  g_return_val_if_fail (pad->direction == PULSE_PAD_SRC, FALSE);

  /* once per link, whichever thread gets here first */
  if (!g_atomic_int_compare_and_exchange (&pad->eos, FALSE, TRUE))
    return TRUE;
  peer = pad->peer;
  if (peer == NULL)
    return FALSE;
  if (!g_atomic_int_compare_and_exchange (&peer->eos, FALSE, TRUE))
    return TRUE;
  element = peer->parent;
  PULSE_ELEMENT_GET_CLASS (element)->sink_eos (element, peer);
  return TRUE;
}

/**
 * pulse_pad_get_buffer_count:
 * @pad: a #PulsePad
 *
 * Returns: how many buffers went through the pad
 */
guint64
pulse_pad_get_buffer_count (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), 0);
  return __atomic_load_n (&pad->buffers, __ATOMIC_RELAXED);
}

/**
 * pulse_pad_get_record_count:
 * @pad: a #PulsePad
 *
 * Returns: how many records went through the pad
 */
guint64
pulse_pad_get_record_count (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), 0);
  return __atomic_load_n (&pad->records, __ATOMIC_RELAXED);
}

/**
 * pulse_pad_get_byte_count:
 * @pad: a #PulsePad
 *
 * Returns: how many payload bytes (or raw record bytes) went through the pad
 */
guint64
pulse_pad_get_byte_count (PulsePad *pad)
{
  g_return_val_if_fail (PULSE_IS_PAD (pad), 0);
  return __atomic_load_n (&pad->bytes, __ATOMIC_RELAXED);
}
