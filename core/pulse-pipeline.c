/* PulseMQ — pipelines
 *
 * A pipeline owns its elements and its bus and moves them through the
 * states one step at a time: going up, sinks first, so that everything
 * downstream is ready before a source pushes; going down, sources first,
 * so that nothing pushes into an element that has already stopped. It
 * posts EOS once every sink has received end-of-stream.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

struct _PulsePipeline {
  GObject parent_instance;

  gchar *name;
  GPtrArray *elements; /* of PulseElement, owned, in the order added */
  PulseBus *bus;
  PulseState state;
  gint n_sinks;
  gint n_sinks_eos; /* atomic: sinks get EOS on streaming threads */
  gint eos_posted;  /* atomic */
};

enum { PROP_0, PROP_NAME, PROP_STATE, N_PROPS };

static GParamSpec *properties[N_PROPS];
static gint pipeline_counter;

G_DEFINE_FINAL_TYPE (PulsePipeline, pulse_pipeline, G_TYPE_OBJECT)

static void
pulse_pipeline_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulsePipeline *self = PULSE_PIPELINE (object);

  switch (prop_id) {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      if (self->name == NULL)
        self->name = g_strdup_printf ("pipeline%d", g_atomic_int_add (&pipeline_counter, 1));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_pipeline_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulsePipeline *self = PULSE_PIPELINE (object);

  switch (prop_id) {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_pipeline_dispose (GObject *object)
{
  PulsePipeline *self = PULSE_PIPELINE (object);

  /* threads must be joined before the elements go */
  if (self->state != PULSE_STATE_NULL)
    pulse_pipeline_set_state (self, PULSE_STATE_NULL, NULL);
  if (self->elements != NULL) {
    for (guint i = 0; i < self->elements->len; i++)
      _pulse_element_set_pipeline (g_ptr_array_index (self->elements, i), NULL);
    g_clear_pointer (&self->elements, g_ptr_array_unref);
  }
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (pulse_pipeline_parent_class)->dispose (object);
}

static void
pulse_pipeline_finalize (GObject *object)
{
  g_free (PULSE_PIPELINE (object)->name);
  G_OBJECT_CLASS (pulse_pipeline_parent_class)->finalize (object);
}

static void
pulse_pipeline_class_init (PulsePipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = pulse_pipeline_set_property;
  object_class->get_property = pulse_pipeline_get_property;
  object_class->dispose = pulse_pipeline_dispose;
  object_class->finalize = pulse_pipeline_finalize;

  /**
   * PulsePipeline:name:
   *
   * The pipeline's name, the first part of element paths.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name", "The pipeline's name", NULL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PulsePipeline:state:
   *
   * The current state.
   */
  properties[PROP_STATE] = g_param_spec_enum ("state", "State", "The current state",
      PULSE_TYPE_STATE, PULSE_STATE_NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pulse_pipeline_init (PulsePipeline *self)
{
  self->elements = g_ptr_array_new_with_free_func (g_object_unref);
  self->bus = pulse_bus_new ();
}

/**
 * pulse_pipeline_new:
 * @name: (nullable): a name, or %NULL for `pipeline` + a number
 *
 * Returns: (transfer full): a new, empty #PulsePipeline
 */
PulsePipeline *
pulse_pipeline_new (const gchar *name)
{
  return g_object_new (PULSE_TYPE_PIPELINE, "name", name, NULL);
}

/**
 * pulse_pipeline_get_name:
 * @pipeline: a #PulsePipeline
 *
 * Returns: (transfer none): the name
 */
const gchar *
pulse_pipeline_get_name (PulsePipeline *pipeline)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), NULL);
  return pipeline->name;
}

/**
 * pulse_pipeline_add:
 * @pipeline: a #PulsePipeline in the NULL state
 * @element: (transfer none): an element in no pipeline; a floating
 *   reference is sunk
 * @error: return location for a #GError
 *
 * Adds an element. Its name must be unique in the pipeline.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_pipeline_add (PulsePipeline *pipeline, PulseElement *element, GError **error)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), FALSE);
  g_return_val_if_fail (PULSE_IS_ELEMENT (element), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (pipeline->state == PULSE_STATE_NULL, FALSE);

  if (pulse_element_get_pipeline (element) != NULL) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_DUPLICATE,
        _ ("%s is already in pipeline %s"), pulse_element_get_name (element),
        pulse_pipeline_get_name (pulse_element_get_pipeline (element)));
    return FALSE;
  }
  if (pulse_pipeline_get_by_name (pipeline, pulse_element_get_name (element)) != NULL) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_DUPLICATE,
        _ ("pipeline %s already has an element named \"%s\""), pipeline->name,
        pulse_element_get_name (element));
    return FALSE;
  }
  g_ptr_array_add (pipeline->elements, g_object_ref_sink (element));
  _pulse_element_set_pipeline (element, pipeline);
  return TRUE;
}

/**
 * pulse_pipeline_get_by_name:
 * @pipeline: a #PulsePipeline
 * @name: an element name
 *
 * Returns: (transfer none) (nullable): the element called @name
 */
PulseElement *
pulse_pipeline_get_by_name (PulsePipeline *pipeline, const gchar *name)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < pipeline->elements->len; i++) {
    PulseElement *e = g_ptr_array_index (pipeline->elements, i);
    if (g_strcmp0 (pulse_element_get_name (e), name) == 0)
      return e;
  }
  return NULL;
}

/**
 * pulse_pipeline_get_elements:
 * @pipeline: a #PulsePipeline
 *
 * Returns: (transfer container) (element-type PulseElement): the elements,
 * in the order they were added
 */
GList *
pulse_pipeline_get_elements (PulsePipeline *pipeline)
{
  GList *list = NULL;

  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), NULL);
  for (guint i = pipeline->elements->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (pipeline->elements, i - 1));
  return list;
}

/**
 * pulse_pipeline_get_bus:
 * @pipeline: a #PulsePipeline
 *
 * Returns: (transfer none): the pipeline's bus
 */
PulseBus *
pulse_pipeline_get_bus (PulsePipeline *pipeline)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), NULL);
  return pipeline->bus;
}

/**
 * pulse_pipeline_get_state:
 * @pipeline: a #PulsePipeline
 *
 * Returns: the current state
 */
PulseState
pulse_pipeline_get_state (PulsePipeline *pipeline)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), PULSE_STATE_NULL);
  return pipeline->state;
}

/* Elements in data-flow order (sources first), or NULL with an error if
 * the links form a loop. */
static GPtrArray *
sorted_elements (PulsePipeline *self, GError **error)
{
  g_autoptr (GHashTable) indegree = g_hash_table_new (NULL, NULL);
  g_autoptr (GQueue) ready = g_queue_new ();
  GPtrArray *order = g_ptr_array_new ();

  for (guint i = 0; i < self->elements->len; i++) {
    PulseElement *e = g_ptr_array_index (self->elements, i);
    g_autoptr (GList) pads = pulse_element_get_pads (e);
    guint n = 0;

    /* only links from elements of this pipeline count: an application may
     * drive an element from a pad of its own */
    for (GList *l = pads; l != NULL; l = l->next) {
      PulsePad *peer = pulse_pad_get_peer (l->data);
      if (pulse_pad_get_direction (l->data) == PULSE_PAD_SINK && peer != NULL &&
          pulse_pad_get_parent_element (peer) != NULL &&
          pulse_element_get_pipeline (pulse_pad_get_parent_element (peer)) == self)
        n++;
    }
    g_hash_table_insert (indegree, e, GUINT_TO_POINTER (n));
    if (n == 0)
      g_queue_push_tail (ready, e);
  }
  while (!g_queue_is_empty (ready)) {
    PulseElement *e = g_queue_pop_head (ready);
    g_autoptr (GList) pads = pulse_element_get_pads (e);

    g_ptr_array_add (order, e);
    for (GList *l = pads; l != NULL; l = l->next) {
      PulsePad *peer;
      PulseElement *down;
      guint n;

      if (pulse_pad_get_direction (l->data) != PULSE_PAD_SRC)
        continue;
      peer = pulse_pad_get_peer (l->data);
      if (peer == NULL || pulse_pad_get_parent_element (peer) == NULL ||
          pulse_element_get_pipeline (pulse_pad_get_parent_element (peer)) != self)
        continue;
      down = pulse_pad_get_parent_element (peer);
      n = GPOINTER_TO_UINT (g_hash_table_lookup (indegree, down)) - 1;
      g_hash_table_insert (indegree, down, GUINT_TO_POINTER (n));
      if (n == 0)
        g_queue_push_tail (ready, down);
    }
  }
  if (order->len != self->elements->len) {
    g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
        _ ("the links of pipeline %s form a loop"), self->name);
    g_ptr_array_unref (order);
    return NULL;
  }
  return order;
}

/* Every always-pad must be linked, and an element with request pads needs
 * at least one: otherwise data would fall on the floor unnoticed. */
static gboolean
check_linked (PulsePipeline *self, PulseElement **culprit, GError **error)
{
  for (guint i = 0; i < self->elements->len; i++) {
    PulseElement *e = g_ptr_array_index (self->elements, i);
    GList *templates = pulse_element_class_get_pad_templates (PULSE_ELEMENT_GET_CLASS (e));
    g_autoptr (GList) pads = pulse_element_get_pads (e);

    for (GList *l = pads; l != NULL; l = l->next) {
      if (pulse_pad_is_linked (l->data))
        continue;
      if (pulse_pad_get_direction (l->data) == PULSE_PAD_SRC)
        g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NOT_LINKED,
            _ ("the output of %s is not linked: end the chain with a sink such as print or fakesink"),
            pulse_element_get_name (e));
      else
        g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NOT_LINKED,
            _ ("the input of %s is not linked: start the chain with a source such as timer"),
            pulse_element_get_name (e));
      *culprit = e;
      return FALSE;
    }
    for (GList *t = templates; t != NULL; t = t->next) {
      PulsePadTemplate *templ = t->data;
      if (pulse_pad_template_get_presence (templ) != PULSE_PAD_REQUEST)
        continue;
      if (pulse_element_get_n_pads (e, pulse_pad_template_get_direction (templ)) == 0) {
        g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NOT_LINKED,
            pulse_pad_template_get_direction (templ) == PULSE_PAD_SRC
                ? _ ("%s has no output linked: link it with \"%s. ! ...\"")
                : _ ("%s has no input linked: link it with \"... ! %s.\""),
            pulse_element_get_name (e), pulse_element_get_name (e));
        *culprit = e;
        return FALSE;
      }
    }
  }
  return TRUE;
}

static gboolean
change_step (PulsePipeline *self, PulseStateChange transition, GError **error)
{
  g_autoptr (GPtrArray) order = NULL;
  gboolean upward = transition == PULSE_STATE_CHANGE_NULL_TO_READY ||
      transition == PULSE_STATE_CHANGE_READY_TO_PLAYING;
  PulseState old_state = self->state, new_state;
  guint n = self->elements->len;

  if (transition == PULSE_STATE_CHANGE_NULL_TO_READY) {
    PulseElement *culprit;
    if (!check_linked (self, &culprit, error))
      return FALSE;
  }
  order = sorted_elements (self, error);
  if (order == NULL)
    return FALSE;

  if (transition == PULSE_STATE_CHANGE_READY_TO_PLAYING) {
    self->n_sinks = 0;
    for (guint i = 0; i < n; i++)
      if (pulse_element_get_n_pads (g_ptr_array_index (order, i), PULSE_PAD_SRC) == 0)
        self->n_sinks++;
    g_atomic_int_set (&self->n_sinks_eos, 0);
    g_atomic_int_set (&self->eos_posted, 0);
  }

  /* Sources stop first, but a source's thread may be waiting inside a
   * downstream chain function (a sink blocked on a full send queue): mark
   * every pad flushing before anyone joins a thread, so such a wait ends. */
  if (transition == PULSE_STATE_CHANGE_PLAYING_TO_READY)
    for (guint k = 0; k < n; k++) {
      g_autoptr (GList) pads = pulse_element_get_pads (g_ptr_array_index (order, k));
      for (GList *l = pads; l != NULL; l = l->next)
        _pulse_pad_set_flushing (l->data);
    }

  for (guint k = 0; k < n; k++) {
    /* upward: sinks first; downward: sources first */
    PulseElement *e = g_ptr_array_index (order, upward ? n - 1 - k : k);

    if (_pulse_element_change_state (e, transition, error))
      continue;
    if (!upward) {
      /* going down cannot be refused: note it and carry on */
      g_warning ("%s: %s", pulse_element_get_name (e),
          error != NULL && *error != NULL ? (*error)->message : "state change failed");
      g_clear_error (error);
      continue;
    }
    /* undo what this step did, in reverse */
    for (guint j = k; j > 0; j--) {
      PulseElement *done = g_ptr_array_index (order, n - j);
      _pulse_element_change_state (done,
          transition == PULSE_STATE_CHANGE_NULL_TO_READY ? PULSE_STATE_CHANGE_READY_TO_NULL
                                                         : PULSE_STATE_CHANGE_PLAYING_TO_READY,
          NULL);
    }
    return FALSE;
  }

  switch (transition) {
    case PULSE_STATE_CHANGE_NULL_TO_READY:
    case PULSE_STATE_CHANGE_PLAYING_TO_READY: new_state = PULSE_STATE_READY; break;
    case PULSE_STATE_CHANGE_READY_TO_PLAYING: new_state = PULSE_STATE_PLAYING; break;
    default: new_state = PULSE_STATE_NULL;
  }
  self->state = new_state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  pulse_bus_post (
      self->bus, pulse_message_new_state_changed (G_OBJECT (self), old_state, new_state));
  return TRUE;
}

gboolean
_pulse_pipeline_validate (PulsePipeline *pipeline, PulseElement **culprit, GError **error)
{
  g_autoptr (GPtrArray) order = NULL;

  *culprit = NULL;
  if (!check_linked (pipeline, culprit, error))
    return FALSE;
  order = sorted_elements (pipeline, error);
  return order != NULL;
}

/**
 * pulse_pipeline_set_state:
 * @pipeline: a #PulsePipeline
 * @state: the state to reach
 * @error: return location for a #GError
 *
 * Moves the pipeline and its elements to @state one step at a time. Going
 * to READY checks that every pad is linked. Going down always succeeds.
 * Call it from the thread whose main context runs the pipeline's timers.
 *
 * Returns: %TRUE if @state was reached; on failure the pipeline stays in
 * the last state it reached
 */
gboolean
pulse_pipeline_set_state (PulsePipeline *pipeline, PulseState state, GError **error)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), FALSE);
  g_return_val_if_fail (state <= PULSE_STATE_PLAYING, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  while (pipeline->state != state) {
    PulseStateChange transition;

    if (pipeline->state < state)
      transition = pipeline->state == PULSE_STATE_NULL ? PULSE_STATE_CHANGE_NULL_TO_READY
                                                       : PULSE_STATE_CHANGE_READY_TO_PLAYING;
    else
      transition = pipeline->state == PULSE_STATE_PLAYING ? PULSE_STATE_CHANGE_PLAYING_TO_READY
                                                          : PULSE_STATE_CHANGE_READY_TO_NULL;
    if (!change_step (pipeline, transition, error))
      return FALSE;
  }
  return TRUE;
}

/**
 * pulse_pipeline_send_eos:
 * @pipeline: a PLAYING #PulsePipeline
 *
 * Asks every source to stop and push end-of-stream, so that queues drain
 * and sinks finish; an EOS message follows on the bus once every sink has
 * it. This is what pulse-launch does on SIGINT.
 */
void
pulse_pipeline_send_eos (PulsePipeline *pipeline)
{
  g_return_if_fail (PULSE_IS_PIPELINE (pipeline));

  if (pipeline->state != PULSE_STATE_PLAYING)
    return;
  for (guint i = 0; i < pipeline->elements->len; i++) {
    PulseElement *e = g_ptr_array_index (pipeline->elements, i);
    if (pulse_element_get_n_pads (e, PULSE_PAD_SINK) == 0)
      pulse_element_send_eos (e);
  }
}

/**
 * pulse_pipeline_is_eos:
 * @pipeline: a #PulsePipeline
 *
 * Returns: %TRUE once every sink has received end-of-stream
 */
gboolean
pulse_pipeline_is_eos (PulsePipeline *pipeline)
{
  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), FALSE);
  return g_atomic_int_get (&pipeline->eos_posted) != 0;
}

void
_pulse_pipeline_sink_eos (PulsePipeline *pipeline, PulseElement *sink)
{
  if (g_atomic_int_add (&pipeline->n_sinks_eos, 1) + 1 < pipeline->n_sinks)
    return;
  if (g_atomic_int_compare_and_exchange (&pipeline->eos_posted, 0, 1))
    pulse_bus_post (pipeline->bus, pulse_message_new_eos (G_OBJECT (pipeline)));
}

/**
 * pulse_pipeline_describe:
 * @pipeline: a #PulsePipeline
 *
 * Describes the graph as its links, `timer0.src ! print0.sink`, one per
 * line, in the order elements were added; an element with no link stands
 * alone on its line.
 *
 * Returns: (transfer full): the description
 */
gchar *
pulse_pipeline_describe (PulsePipeline *pipeline)
{
  GString *s;

  g_return_val_if_fail (PULSE_IS_PIPELINE (pipeline), NULL);

  s = g_string_new (NULL);
  for (guint i = 0; i < pipeline->elements->len; i++) {
    PulseElement *e = g_ptr_array_index (pipeline->elements, i);
    g_autoptr (GList) pads = pulse_element_get_pads (e);
    gboolean any = FALSE;

    for (GList *l = pads; l != NULL; l = l->next) {
      PulsePad *peer = pulse_pad_get_peer (l->data);
      if (pulse_pad_get_direction (l->data) == PULSE_PAD_SINK)
        any = any || peer != NULL;
      if (pulse_pad_get_direction (l->data) != PULSE_PAD_SRC || peer == NULL)
        continue;
      any = TRUE;
      g_string_append_printf (s, "%s.%s ! %s.%s\n", pulse_element_get_name (e),
          pulse_pad_get_name (l->data),
          pulse_element_get_name (pulse_pad_get_parent_element (peer)), pulse_pad_get_name (peer));
    }
    if (!any)
      g_string_append_printf (s, "%s\n", pulse_element_get_name (e));
  }
  return g_string_free (s, FALSE);
}
