/* PulseMQ — the element base class
 *
 * Elements are small: a subclass sets its metadata and pad templates in
 * class_init, makes its always-pads in init, implements chain() and, when
 * it owns resources or threads, change_state(). Everything else — naming,
 * linking with format checks, end-of-stream bookkeeping, posting errors —
 * lives here once.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

typedef struct {
  gchar *long_name;
  gchar *classification;
  gchar *description;
  gchar *usage;
  GList *templates; /* of PulsePadTemplate, owned; class data lives for ever */
  gboolean passthrough;
} ElementMeta;

typedef struct {
  gchar *name;
  GPtrArray *pads;         /* of PulsePad, owned */
  PulsePipeline *pipeline; /* not a reference: the pipeline owns us */
  PulseState state;
  guint next_pad_id;
} PulseElementPrivate;

enum { PROP_0, PROP_NAME, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PulseElement, pulse_element, G_TYPE_INITIALLY_UNOWNED)

#define GET_PRIV(e) ((PulseElementPrivate *) pulse_element_get_instance_private (PULSE_ELEMENT (e)))

static GMutex name_lock;
static GHashTable *name_counters;

/* Default names as GStreamer gives them: factory name + a per-process
 * counter, "timer0", "timer1". */
static gchar *
make_default_name (PulseElement *element)
{
  PulseElementFactory *factory = pulse_element_get_factory (element);
  g_autofree gchar *base = NULL;
  guint n;

  if (factory != NULL) {
    base = g_strdup (pulse_element_factory_get_name (factory));
  } else {
    const gchar *tn = G_OBJECT_TYPE_NAME (element);
    if (g_str_has_prefix (tn, "Pulse"))
      tn += 5;
    base = g_ascii_strdown (tn, -1);
  }
  g_mutex_lock (&name_lock);
  if (name_counters == NULL)
    name_counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (name_counters, base));
  g_hash_table_insert (name_counters, g_strdup (base), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&name_lock);
  /* "lz4" + 0 reads badly as "lz40": GStreamer does the same, keep it simple */
  return g_strdup_printf ("%s%u", base, n);
}

static void
pulse_element_constructed (GObject *object)
{
  PulseElementPrivate *priv = GET_PRIV (object);

  G_OBJECT_CLASS (pulse_element_parent_class)->constructed (object);
  if (priv->name == NULL)
    priv->name = make_default_name (PULSE_ELEMENT (object));
}

static void
pulse_element_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id) {
    case PROP_NAME:
      if (g_value_get_string (value) != NULL)
        pulse_element_set_name (PULSE_ELEMENT (object), g_value_get_string (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_element_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id) {
    case PROP_NAME: g_value_set_string (value, GET_PRIV (object)->name); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_element_dispose (GObject *object)
{
  PulseElementPrivate *priv = GET_PRIV (object);

  if (priv->pads != NULL) {
    for (guint i = 0; i < priv->pads->len; i++) {
      PulsePad *pad = g_ptr_array_index (priv->pads, i);
      pulse_pad_unlink (pad);
      _pulse_pad_set_parent (pad, NULL);
    }
    g_ptr_array_set_size (priv->pads, 0);
  }
  G_OBJECT_CLASS (pulse_element_parent_class)->dispose (object);
}

static void
pulse_element_finalize (GObject *object)
{
  PulseElementPrivate *priv = GET_PRIV (object);

  g_free (priv->name);
  g_ptr_array_unref (priv->pads);
  G_OBJECT_CLASS (pulse_element_parent_class)->finalize (object);
}

static gboolean
pulse_element_default_change_state (
    PulseElement *element, PulseStateChange transition, GError **error)
{
  return TRUE;
}

static PulseFlowReturn
pulse_element_default_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  pulse_buffer_unref (buffer);
  return PULSE_FLOW_NOT_LINKED;
}

static void
pulse_element_default_sink_eos (PulseElement *element, PulsePad *pad)
{
  PulseElementPrivate *priv = GET_PRIV (element);

  for (guint i = 0; i < priv->pads->len; i++) {
    PulsePad *p = g_ptr_array_index (priv->pads, i);
    if (pulse_pad_get_direction (p) == PULSE_PAD_SINK && !pulse_pad_is_eos (p))
      return;
  }
  if (pulse_element_get_n_pads (element, PULSE_PAD_SRC) > 0)
    pulse_element_push_eos (element);
  else if (priv->pipeline != NULL)
    _pulse_pipeline_sink_eos (priv->pipeline, element);
}

static void
pulse_element_default_send_eos (PulseElement *element)
{
  pulse_element_push_eos (element);
}

static gchar *
pad_name_from_template (const gchar *pattern, guint id)
{
  const gchar *pct = strstr (pattern, "%u");
  g_autofree gchar *head = NULL;

  if (pct == NULL)
    return g_strdup (pattern);
  head = g_strndup (pattern, pct - pattern);
  return g_strdup_printf ("%s%u%s", head, id, pct + 2);
}

static PulsePad *
pulse_element_default_request_pad (
    PulseElement *element, PulsePadTemplate *templ, const gchar *name, GError **error)
{
  PulseElementPrivate *priv = GET_PRIV (element);
  g_autofree gchar *pad_name = NULL;
  PulsePad *pad;

  if (name != NULL) {
    if (pulse_element_get_static_pad (element, name) != NULL) {
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_DUPLICATE,
          _ ("%s already has a pad \"%s\""), priv->name, name);
      return NULL;
    }
    pad_name = g_strdup (name);
  } else {
    do {
      g_free (pad_name);
      pad_name = pad_name_from_template (
          pulse_pad_template_get_name_template (templ), priv->next_pad_id++);
    } while (pulse_element_get_static_pad (element, pad_name) != NULL);
  }
  pad = pulse_pad_new_from_template (templ, pad_name);
  /* a new branch of a pass-through element carries what the element
   * already carries */
  if (pulse_element_class_is_passthrough (PULSE_ELEMENT_GET_CLASS (element)))
    for (guint i = 0; i < priv->pads->len; i++)
      _pulse_pad_narrow (pad, pulse_pad_get_formats (g_ptr_array_index (priv->pads, i)));
  _pulse_element_add_pad (element, pad);
  return pad;
}

static void
pulse_element_class_init (PulseElementClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pulse_element_constructed;
  object_class->set_property = pulse_element_set_property;
  object_class->get_property = pulse_element_get_property;
  object_class->dispose = pulse_element_dispose;
  object_class->finalize = pulse_element_finalize;

  klass->change_state = pulse_element_default_change_state;
  klass->chain = pulse_element_default_chain;
  klass->sink_eos = pulse_element_default_sink_eos;
  klass->send_eos = pulse_element_default_send_eos;
  klass->request_new_pad = pulse_element_default_request_pad;

  /**
   * PulseElement:name:
   *
   * The element's name, unique in its pipeline; `factory` + a number when
   * not given. Referred to as `name.` in pipeline descriptions.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name",
      "The element's name, unique in its pipeline", NULL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pulse_element_init (PulseElement *element)
{
  GET_PRIV (element)->pads = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---- class metadata ----------------------------------------------------- */

static ElementMeta *
meta_for_write (PulseElementClass *klass)
{
  PulseElementClass *parent = g_type_class_peek_parent (klass);
  ElementMeta *meta, *inherited;

  inherited = PULSE_IS_ELEMENT_CLASS (parent) ? parent->meta : NULL;
  if (klass->meta != NULL && klass->meta != inherited)
    return klass->meta;

  meta = g_new0 (ElementMeta, 1);
  if (inherited != NULL) {
    meta->long_name = g_strdup (inherited->long_name);
    meta->classification = g_strdup (inherited->classification);
    meta->description = g_strdup (inherited->description);
    meta->usage = g_strdup (inherited->usage);
    meta->templates = g_list_copy_deep (inherited->templates, (GCopyFunc) g_object_ref, NULL);
    meta->passthrough = inherited->passthrough;
  }
  klass->meta = meta;
  return meta;
}

static ElementMeta *
meta_of (PulseElementClass *klass)
{
  static ElementMeta empty;

  return klass->meta != NULL ? klass->meta : &empty;
}

/**
 * pulse_element_class_set_metadata:
 * @klass: the element class
 * @long_name: a name for people, e.g. "Periodic record source"
 * @classification: the klass, e.g. `Source/Timer`, `Codec/Serializer`,
 *   `Sink/Network`
 * @description: one sentence on what it does
 * @usage: a one-line launch example, e.g. `timer interval=1 ! print`
 *
 * Sets what pulse-inspect shows. Call it in class_init.
 */
void
pulse_element_class_set_metadata (PulseElementClass *klass, const gchar *long_name,
    const gchar *classification, const gchar *description, const gchar *usage)
{
  ElementMeta *meta;

  g_return_if_fail (PULSE_IS_ELEMENT_CLASS (klass));
  g_return_if_fail (long_name != NULL && classification != NULL);
  g_return_if_fail (description != NULL && usage != NULL);

  meta = meta_for_write (klass);
  g_free (meta->long_name);
  g_free (meta->classification);
  g_free (meta->description);
  g_free (meta->usage);
  meta->long_name = g_strdup (long_name);
  meta->classification = g_strdup (classification);
  meta->description = g_strdup (description);
  meta->usage = g_strdup (usage);
}

/**
 * pulse_element_class_add_pad_template:
 * @klass: the element class
 * @templ: (transfer full): a pad template
 *
 * Adds a pad template. Call it in class_init.
 */
void
pulse_element_class_add_pad_template (PulseElementClass *klass, PulsePadTemplate *templ)
{
  ElementMeta *meta;

  g_return_if_fail (PULSE_IS_ELEMENT_CLASS (klass));
  g_return_if_fail (PULSE_IS_PAD_TEMPLATE (templ));

  meta = meta_for_write (klass);
  meta->templates = g_list_append (meta->templates, templ);
}

/**
 * pulse_element_class_set_passthrough:
 * @klass: the element class
 * @passthrough: whether buffers leave as they came
 *
 * Marks an element whose source pads carry whatever format its sink pads
 * get (queue, tee): linking narrows them together.
 */
void
pulse_element_class_set_passthrough (PulseElementClass *klass, gboolean passthrough)
{
  g_return_if_fail (PULSE_IS_ELEMENT_CLASS (klass));
  meta_for_write (klass)->passthrough = passthrough;
}

/**
 * pulse_element_class_is_passthrough:
 * @klass: the element class
 *
 * Returns: %TRUE for pass-through elements
 */
gboolean
pulse_element_class_is_passthrough (PulseElementClass *klass)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), FALSE);
  return meta_of (klass)->passthrough;
}

/**
 * pulse_element_class_get_long_name:
 * @klass: the element class
 *
 * Returns: (transfer none) (nullable): the long name
 */
const gchar *
pulse_element_class_get_long_name (PulseElementClass *klass)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), NULL);
  return meta_of (klass)->long_name;
}

/**
 * pulse_element_class_get_classification:
 * @klass: the element class
 *
 * Returns: (transfer none) (nullable): the klass string, e.g. `Source/Timer`
 */
const gchar *
pulse_element_class_get_classification (PulseElementClass *klass)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), NULL);
  return meta_of (klass)->classification;
}

/**
 * pulse_element_class_get_description:
 * @klass: the element class
 *
 * Returns: (transfer none) (nullable): the description
 */
const gchar *
pulse_element_class_get_description (PulseElementClass *klass)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), NULL);
  return meta_of (klass)->description;
}

/**
 * pulse_element_class_get_usage:
 * @klass: the element class
 *
 * Returns: (transfer none) (nullable): the one-line launch example
 */
const gchar *
pulse_element_class_get_usage (PulseElementClass *klass)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), NULL);
  return meta_of (klass)->usage;
}

/**
 * pulse_element_class_get_pad_templates:
 * @klass: the element class
 *
 * Returns: (transfer none) (element-type PulsePadTemplate): the pad templates
 */
GList *
pulse_element_class_get_pad_templates (PulseElementClass *klass)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), NULL);
  return meta_of (klass)->templates;
}

/**
 * pulse_element_class_get_pad_template:
 * @klass: the element class
 * @name: a template's name (pattern)
 *
 * Returns: (transfer none) (nullable): the template
 */
PulsePadTemplate *
pulse_element_class_get_pad_template (PulseElementClass *klass, const gchar *name)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT_CLASS (klass), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (GList *l = meta_of (klass)->templates; l != NULL; l = l->next)
    if (g_strcmp0 (pulse_pad_template_get_name_template (l->data), name) == 0)
      return l->data;
  return NULL;
}

/* ---- instance ----------------------------------------------------------- */

/**
 * pulse_element_get_name:
 * @element: a #PulseElement
 *
 * Returns: (transfer none): the element's name
 */
const gchar *
pulse_element_get_name (PulseElement *element)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  return GET_PRIV (element)->name;
}

/**
 * pulse_element_set_name:
 * @element: a #PulseElement not yet in a pipeline
 * @name: the new name
 *
 * Renames the element.
 */
void
pulse_element_set_name (PulseElement *element, const gchar *name)
{
  PulseElementPrivate *priv;

  g_return_if_fail (PULSE_IS_ELEMENT (element));
  g_return_if_fail (name != NULL && *name != '\0');
  priv = GET_PRIV (element);
  g_return_if_fail (priv->pipeline == NULL);

  if (g_strcmp0 (priv->name, name) == 0)
    return;
  g_free (priv->name);
  priv->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (element), properties[PROP_NAME]);
}

/**
 * pulse_element_get_path_string:
 * @element: a #PulseElement
 *
 * Returns: (transfer full): `pipeline/element`, as error messages show it
 */
gchar *
pulse_element_get_path_string (PulseElement *element)
{
  PulseElementPrivate *priv;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  priv = GET_PRIV (element);
  if (priv->pipeline == NULL)
    return g_strdup (priv->name);
  return g_strdup_printf ("%s/%s", pulse_pipeline_get_name (priv->pipeline), priv->name);
}

/**
 * pulse_element_get_factory:
 * @element: a #PulseElement
 *
 * Returns: (transfer none) (nullable): the factory of its type
 */
PulseElementFactory *
pulse_element_get_factory (PulseElement *element)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  return _pulse_registry_factory_for_type (G_OBJECT_TYPE (element));
}

/**
 * pulse_element_get_pipeline:
 * @element: a #PulseElement
 *
 * Returns: (transfer none) (nullable): the pipeline it belongs to
 */
PulsePipeline *
pulse_element_get_pipeline (PulseElement *element)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  return GET_PRIV (element)->pipeline;
}

void
_pulse_element_set_pipeline (PulseElement *element, PulsePipeline *pipeline)
{
  GET_PRIV (element)->pipeline = pipeline;
}

/**
 * pulse_element_get_state:
 * @element: a #PulseElement
 *
 * Returns: the current state
 */
PulseState
pulse_element_get_state (PulseElement *element)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT (element), PULSE_STATE_NULL);
  return GET_PRIV (element)->state;
}

gboolean
_pulse_element_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseElementPrivate *priv = GET_PRIV (element);
  PulseElementClass *klass = PULSE_ELEMENT_GET_CLASS (element);
  PulseState old_state = priv->state, new_state;
  gboolean flushing = FALSE, reset = FALSE;

  switch (transition) {
    case PULSE_STATE_CHANGE_NULL_TO_READY: new_state = PULSE_STATE_READY; break;
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      new_state = PULSE_STATE_PLAYING;
      reset = TRUE;
      break;
    case PULSE_STATE_CHANGE_PLAYING_TO_READY:
      new_state = PULSE_STATE_READY;
      reset = TRUE;
      flushing = TRUE;
      break;
    case PULSE_STATE_CHANGE_READY_TO_NULL: new_state = PULSE_STATE_NULL; break;
    default: g_return_val_if_reached (FALSE);
  }

  /* Flush before the subclass stops its thread, so that a thread blocked
   * pushing downstream gets FLUSHING and can be joined. */
  if (reset)
    for (guint i = 0; i < priv->pads->len; i++)
      _pulse_pad_reset (g_ptr_array_index (priv->pads, i), flushing);

  if (!klass->change_state (element, transition, error)) {
    if (error != NULL && *error == NULL)
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_STATE_CHANGE,
          _ ("%s refused to go from %s to %s"), priv->name, pulse_state_get_name (old_state),
          pulse_state_get_name (new_state));
    return FALSE;
  }
  priv->state = new_state;
  g_debug ("%s: %s -> %s", priv->name, pulse_state_get_name (old_state),
      pulse_state_get_name (new_state));
  pulse_element_post_message (
      element, pulse_message_new_state_changed (G_OBJECT (element), old_state, new_state));
  return TRUE;
}

void
_pulse_element_add_pad (PulseElement *element, PulsePad *pad)
{
  _pulse_pad_set_parent (pad, element);
  g_ptr_array_add (GET_PRIV (element)->pads, pad);
}

static void
remove_pad (PulseElement *element, PulsePad *pad)
{
  if (PULSE_ELEMENT_GET_CLASS (element)->release_pad != NULL)
    PULSE_ELEMENT_GET_CLASS (element)->release_pad (element, pad);
  pulse_pad_unlink (pad);
  _pulse_pad_set_parent (pad, NULL);
  g_ptr_array_remove (GET_PRIV (element)->pads, pad);
}

/**
 * pulse_element_add_pad_from_template:
 * @element: a #PulseElement
 * @template_name: the name of one of its class's always-templates
 *
 * Makes the pad of an always-template; elements call this in init.
 *
 * Returns: (transfer none): the new pad
 */
PulsePad *
pulse_element_add_pad_from_template (PulseElement *element, const gchar *template_name)
{
  PulsePadTemplate *templ;
  PulsePad *pad;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  templ = pulse_element_class_get_pad_template (PULSE_ELEMENT_GET_CLASS (element), template_name);
  g_return_val_if_fail (templ != NULL, NULL);

  pad = pulse_pad_new_from_template (templ, template_name);
  _pulse_element_add_pad (element, pad);
  return pad;
}

/**
 * pulse_element_get_pads:
 * @element: a #PulseElement
 *
 * Returns: (transfer container) (element-type PulsePad): its pads, in the
 * order they were made
 */
GList *
pulse_element_get_pads (PulseElement *element)
{
  PulseElementPrivate *priv;
  GList *list = NULL;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  priv = GET_PRIV (element);
  for (guint i = priv->pads->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (priv->pads, i - 1));
  return list;
}

/**
 * pulse_element_get_n_pads:
 * @element: a #PulseElement
 * @direction: which pads
 *
 * Returns: how many pads of @direction it has now
 */
guint
pulse_element_get_n_pads (PulseElement *element, PulsePadDirection direction)
{
  PulseElementPrivate *priv;
  guint n = 0;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), 0);
  priv = GET_PRIV (element);
  for (guint i = 0; i < priv->pads->len; i++)
    if (pulse_pad_get_direction (g_ptr_array_index (priv->pads, i)) == direction)
      n++;
  return n;
}

/**
 * pulse_element_get_static_pad:
 * @element: a #PulseElement
 * @name: a pad name
 *
 * Returns: (transfer none) (nullable): the pad called @name
 */
PulsePad *
pulse_element_get_static_pad (PulseElement *element, const gchar *name)
{
  PulseElementPrivate *priv;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  priv = GET_PRIV (element);
  for (guint i = 0; i < priv->pads->len; i++) {
    PulsePad *pad = g_ptr_array_index (priv->pads, i);
    if (strcmp (pulse_pad_get_name (pad), name) == 0)
      return pad;
  }
  return NULL;
}

static PulsePadTemplate *
find_request_template (PulseElement *element, PulsePadDirection direction,
    const gchar *template_name, const gchar *pad_name)
{
  GList *l = pulse_element_class_get_pad_templates (PULSE_ELEMENT_GET_CLASS (element));

  for (; l != NULL; l = l->next) {
    PulsePadTemplate *templ = l->data;
    const gchar *pattern = pulse_pad_template_get_name_template (templ);
    const gchar *pct = strstr (pattern, "%u");

    if (pulse_pad_template_get_presence (templ) != PULSE_PAD_REQUEST ||
        pulse_pad_template_get_direction (templ) != direction)
      continue;
    if (template_name != NULL && strcmp (template_name, pattern) != 0)
      continue;
    /* a wanted pad name must fit the pattern: src_%u takes src_3 */
    if (pad_name != NULL) {
      gsize head = pct != NULL ? (gsize) (pct - pattern) : strlen (pattern);
      if (strncmp (pad_name, pattern, head) != 0)
        continue;
      if (pct != NULL) {
        const gchar *digits = pad_name + head;
        if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits))
          continue;
      } else if (strcmp (pad_name, pattern) != 0) {
        continue;
      }
    }
    return templ;
  }
  return NULL;
}

/**
 * pulse_element_request_pad:
 * @element: a #PulseElement with a request template
 * @template_name: (nullable): the template's pattern, e.g. `src_%u`, or
 *   %NULL for the first request template fitting @name
 * @name: (nullable): the pad's name, or %NULL to number it
 * @error: return location for a #GError
 *
 * Makes a new request pad, as linking to a `tee` does.
 *
 * Returns: (transfer none): the new pad, or %NULL with @error set
 */
PulsePad *
pulse_element_request_pad (
    PulseElement *element, const gchar *template_name, const gchar *name, GError **error)
{
  PulsePadTemplate *templ;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  templ = find_request_template (element, PULSE_PAD_SRC, template_name, name);
  if (templ == NULL)
    templ = find_request_template (element, PULSE_PAD_SINK, template_name, name);
  if (templ == NULL) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NO_PAD, _ ("%s has no pad \"%s\""),
        pulse_element_get_name (element),
        name != NULL                ? name
            : template_name != NULL ? template_name
                                    : "?");
    return NULL;
  }
  return PULSE_ELEMENT_GET_CLASS (element)->request_new_pad (element, templ, name, error);
}

/* The pad a link uses when the description names none: the first free
 * pad of that direction, else a new request pad. */
static PulsePad *
pick_pad (PulseElement *element, PulsePadDirection direction, const gchar *name,
    gboolean *requested, GError **error)
{
  PulseElementPrivate *priv = GET_PRIV (element);
  PulsePadTemplate *templ;
  gboolean has_any = FALSE;

  *requested = FALSE;
  if (name != NULL) {
    PulsePad *pad = pulse_element_get_static_pad (element, name);
    if (pad != NULL) {
      if (pulse_pad_get_direction (pad) != direction) {
        g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NO_PAD,
            direction == PULSE_PAD_SRC ? _ ("pad \"%s\" of %s is an input, not an output")
                                       : _ ("pad \"%s\" of %s is an output, not an input"),
            name, priv->name);
        return NULL;
      }
      return pad;
    }
    templ = find_request_template (element, direction, NULL, name);
    if (templ == NULL) {
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NO_PAD, _ ("%s has no pad \"%s\""),
          priv->name, name);
      return NULL;
    }
    *requested = TRUE;
    return PULSE_ELEMENT_GET_CLASS (element)->request_new_pad (element, templ, name, error);
  }

  for (guint i = 0; i < priv->pads->len; i++) {
    PulsePad *pad = g_ptr_array_index (priv->pads, i);
    if (pulse_pad_get_direction (pad) != direction)
      continue;
    has_any = TRUE;
    if (!pulse_pad_is_linked (pad))
      return pad;
  }
  templ = find_request_template (element, direction, NULL, NULL);
  if (templ != NULL) {
    *requested = TRUE;
    return PULSE_ELEMENT_GET_CLASS (element)->request_new_pad (element, templ, NULL, error);
  }
  if (has_any)
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
        direction == PULSE_PAD_SRC ? _ ("the output of %s is already linked")
                                   : _ ("the input of %s is already linked"),
        priv->name);
  else
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
        direction == PULSE_PAD_SRC ? _ ("%s has no output: it is a sink and must end a chain")
                                   : _ ("%s has no input: it is a source and must start a chain"),
        priv->name);
  return NULL;
}

gboolean
_pulse_element_link_pads_full (PulseElement *src, const gchar *srcpadname, PulseElement *sink,
    const gchar *sinkpadname, gchar **hint, GError **error)
{
  PulsePad *srcpad, *sinkpad;
  gboolean src_requested, sink_requested;

  srcpad = pick_pad (src, PULSE_PAD_SRC, srcpadname, &src_requested, error);
  if (srcpad == NULL)
    return FALSE;
  sinkpad = pick_pad (sink, PULSE_PAD_SINK, sinkpadname, &sink_requested, error);
  if (sinkpad == NULL)
    goto release_src;
  if (!_pulse_pad_link_full (srcpad, sinkpad, hint, error))
    goto release_both;
  return TRUE;

release_both:
  if (sink_requested)
    remove_pad (sink, sinkpad);
release_src:
  if (src_requested)
    remove_pad (src, srcpad);
  return FALSE;
}

/**
 * pulse_element_link_pads:
 * @src: the upstream element
 * @srcpadname: (nullable): its pad, or %NULL for the first free one
 * @sink: the downstream element
 * @sinkpadname: (nullable): its pad, or %NULL for the first free one
 * @error: return location for a #GError
 *
 * Links two elements through the named pads, making request pads as
 * needed, if their formats fit.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_element_link_pads (PulseElement *src, const gchar *srcpadname, PulseElement *sink,
    const gchar *sinkpadname, GError **error)
{
  g_return_val_if_fail (PULSE_IS_ELEMENT (src), FALSE);
  g_return_val_if_fail (PULSE_IS_ELEMENT (sink), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _pulse_element_link_pads_full (src, srcpadname, sink, sinkpadname, NULL, error);
}

/**
 * pulse_element_link:
 * @src: the upstream element
 * @sink: the downstream element
 * @error: return location for a #GError
 *
 * Links @src to @sink through their first free pads. The error says why
 * they do not fit and what to put between them.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_element_link (PulseElement *src, PulseElement *sink, GError **error)
{
  return pulse_element_link_pads (src, NULL, sink, NULL, error);
}

/**
 * pulse_element_validate_property:
 * @element: a #PulseElement
 * @property_name: a property of it
 * @value: a value of the property's type
 * @error: return location for a #GError
 *
 * Checks a value the way the element will read it, beyond what the
 * GParamSpec says (for example, that a JSON text is an object).
 *
 * Returns: %TRUE if the element accepts @value
 */
gboolean
pulse_element_validate_property (
    PulseElement *element, const gchar *property_name, const GValue *value, GError **error)
{
  PulseElementClass *klass;
  GParamSpec *pspec;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (property_name != NULL, FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  klass = PULSE_ELEMENT_GET_CLASS (element);
  pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), property_name);
  g_return_val_if_fail (pspec != NULL, FALSE);
  if (klass->check_property == NULL)
    return TRUE;
  return klass->check_property (element, pspec, value, error);
}

/**
 * pulse_element_push:
 * @element: a #PulseElement with a source pad
 * @buffer: (transfer full): the buffer
 *
 * Pushes @buffer on the element's first source pad.
 *
 * Returns: what downstream returned
 */
PulseFlowReturn
pulse_element_push (PulseElement *element, PulseBuffer *buffer)
{
  PulseElementPrivate *priv;

  g_return_val_if_fail (PULSE_IS_ELEMENT (element), PULSE_FLOW_ERROR);
  priv = GET_PRIV (element);
  for (guint i = 0; i < priv->pads->len; i++) {
    PulsePad *pad = g_ptr_array_index (priv->pads, i);
    if (pulse_pad_get_direction (pad) == PULSE_PAD_SRC)
      return pulse_pad_push (pad, buffer);
  }
  pulse_buffer_unref (buffer);
  g_return_val_if_reached (PULSE_FLOW_NOT_LINKED);
}

/**
 * pulse_element_push_eos:
 * @element: a #PulseElement
 *
 * Pushes end-of-stream on every source pad.
 */
void
pulse_element_push_eos (PulseElement *element)
{
  PulseElementPrivate *priv;

  g_return_if_fail (PULSE_IS_ELEMENT (element));
  priv = GET_PRIV (element);
  for (guint i = 0; i < priv->pads->len; i++) {
    PulsePad *pad = g_ptr_array_index (priv->pads, i);
    if (pulse_pad_get_direction (pad) == PULSE_PAD_SRC)
      pulse_pad_push_eos (pad);
  }
}

/**
 * pulse_element_send_eos:
 * @element: a source #PulseElement
 *
 * Asks a source to stop and end the stream, as pulse_pipeline_send_eos()
 * does for every source.
 */
void
pulse_element_send_eos (PulseElement *element)
{
  g_return_if_fail (PULSE_IS_ELEMENT (element));
  PULSE_ELEMENT_GET_CLASS (element)->send_eos (element);
}

/**
 * pulse_element_post_message:
 * @element: a #PulseElement
 * @message: (transfer full): the message
 *
 * Posts @message on the bus of the element's pipeline. Safe from any
 * thread.
 */
void
pulse_element_post_message (PulseElement *element, PulseMessage *message)
{
  PulsePipeline *pipeline;

  g_return_if_fail (PULSE_IS_ELEMENT (element));
  g_return_if_fail (message != NULL);

  pipeline = GET_PRIV (element)->pipeline;
  if (pipeline == NULL) {
    pulse_message_unref (message);
    return;
  }
  pulse_bus_post (pulse_pipeline_get_bus (pipeline), message);
}

gchar *
_pulse_element_printf (const gchar *format, ...)
{
  va_list args;
  gchar *s;

  if (format == NULL)
    return NULL;
  va_start (args, format);
  s = g_strdup_vprintf (format, args);
  va_end (args);
  return s;
}

static const gchar *
default_text (GQuark domain, gint code)
{
  if (domain == PULSE_RESOURCE_ERROR)
    return _ ("a resource failed");
  if (domain == PULSE_STREAM_ERROR)
    return _ ("the data stream failed");
  return _ ("internal error");
}

/**
 * pulse_element_message_full:
 * @element: a #PulseElement
 * @type: %PULSE_MESSAGE_ERROR, %PULSE_MESSAGE_WARNING or %PULSE_MESSAGE_INFO
 * @domain: the error domain
 * @code: the error code
 * @text: (transfer full) (nullable): text for users, or %NULL for a default
 * @debug: (transfer full) (nullable): details for developers
 * @file: the source file
 * @function: the function
 * @line: the line
 *
 * What PULSE_ELEMENT_ERROR() and PULSE_ELEMENT_WARNING() call.
 */
void
pulse_element_message_full (PulseElement *element, PulseMessageType type, GQuark domain, gint code,
    gchar *text, gchar *debug, const gchar *file, const gchar *function, gint line)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *full_debug = NULL;
  PulseMessage *message;

  g_return_if_fail (PULSE_IS_ELEMENT (element));

  path = pulse_element_get_path_string (element);
  error = g_error_new_literal (domain, code, text != NULL ? text : default_text (domain, code));
  full_debug = g_strdup_printf ("%s(%d): %s (): %s%s%s", file, line, function, path,
      debug != NULL ? ":\n" : "", debug != NULL ? debug : "");
  g_free (text);
  g_free (debug);

  g_debug ("%s: %s", path, error->message);

  switch (type) {
    case PULSE_MESSAGE_ERROR:
      message = pulse_message_new_error (G_OBJECT (element), error, full_debug);
      break;
    case PULSE_MESSAGE_WARNING:
      message = pulse_message_new_warning (G_OBJECT (element), error, full_debug);
      break;
    default: message = pulse_message_new_info (G_OBJECT (element), error, full_debug);
  }
  pulse_element_post_message (element, message);
}
