/* build-by-hand — the pipeline of timer-print, built without a description
 *
 *   ./build-by-hand
 *
 * The same graph as
 *
 *   timer interval=0.1 count=5 fields=… ! tee name=t  t. ! queue ! print  t. ! fakesink name=sink
 *
 * made with pulse_element_factory_make(), g_object_set(),
 * pulse_pipeline_add() and pulse_element_link(). Every call that can fail
 * takes a GError: the first part shows what those errors say (a misspelt
 * element, a link that cannot be), the second builds and runs the graph.
 */
#include <stdio.h>

#include <pulsemq/pulsemq.h>

typedef struct {
  GMainLoop *loop;
  int exit_code;
} App;

static gboolean
on_bus_message (PulseBus *bus, PulseMessage *message, gpointer user_data)
{
  App *app = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  switch (pulse_message_get_message_type (message)) {
    case PULSE_MESSAGE_EOS:
      printf ("end of stream\n");
      g_main_loop_quit (app->loop);
      break;
    case PULSE_MESSAGE_ERROR:
      pulse_message_parse_error (message, &error, &debug);
      fprintf (stderr, "ERROR from %s: %s\n", pulse_message_get_src_path (message), error->message);
      app->exit_code = 2;
      g_main_loop_quit (app->loop);
      break;
    default: break;
  }
  return G_SOURCE_CONTINUE;
}

/* Stops the pipeline, then lets the bus watch see the messages posted on
 * the way down (the last state changes), so that none is left unread. */
static void
stop_pipeline (PulsePipeline *pipeline)
{
  PulseBus *bus = pulse_pipeline_get_bus (pipeline);

  pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);
  while (pulse_bus_have_pending (bus))
    g_main_context_iteration (NULL, FALSE);
  pulse_bus_remove_watch (bus);
}

/* What the errors look like: each is a GError with a domain, a code and a
 * message meant for people. */
static void
show_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseElement) missing = NULL;
  g_autoptr (PulseElement) print = NULL;
  g_autoptr (PulseElement) timer = NULL;

  missing = pulse_element_factory_make ("timr", &error);
  g_assert (missing == NULL);
  printf ("expected error (%s %d): %s\n", g_quark_to_string (error->domain), error->code,
      error->message);
  g_clear_error (&error);

  /* data flows from a source to a sink, not the other way */
  print = pulse_element_factory_make ("print", NULL);
  timer = pulse_element_factory_make ("timer", NULL);
  if (!pulse_element_link (print, timer, &error)) {
    printf ("expected error (%s %d): %s\n", g_quark_to_string (error->domain), error->code,
        error->message);
    g_clear_error (&error);
  }
}

static PulsePipeline *
build (GError **error)
{
  g_autoptr (PulsePipeline) pipeline = pulse_pipeline_new ("by-hand");
  g_autoptr (PulseElement) timer = NULL;
  g_autoptr (PulseElement) tee = NULL;
  g_autoptr (PulseElement) queue = NULL;
  g_autoptr (PulseElement) print = NULL;
  g_autoptr (PulseElement) sink = NULL;

  if ((timer = pulse_element_factory_make ("timer", error)) == NULL ||
      (tee = pulse_element_factory_make ("tee", error)) == NULL ||
      (queue = pulse_element_factory_make ("queue", error)) == NULL ||
      (print = pulse_element_factory_make ("print", error)) == NULL ||
      (sink = pulse_element_factory_make ("fakesink", error)) == NULL)
    return NULL;

  g_object_set (
      timer, "interval", 0.1, "count", 5, "fields", "{\"symbol\":\"600000\",\"price\":10.5}", NULL);
  pulse_element_set_name (sink, "sink");

  /* the pipeline takes its own reference to each element */
  if (!pulse_pipeline_add (pipeline, timer, error) || !pulse_pipeline_add (pipeline, tee, error) ||
      !pulse_pipeline_add (pipeline, queue, error) ||
      !pulse_pipeline_add (pipeline, print, error) || !pulse_pipeline_add (pipeline, sink, error))
    return NULL;

  /* each link to the tee requests a new src_%u pad */
  if (!pulse_element_link (timer, tee, error) || !pulse_element_link (tee, queue, error) ||
      !pulse_element_link (queue, print, error) || !pulse_element_link (tee, sink, error))
    return NULL;

  return g_steal_pointer (&pipeline);
}

int
main (int argc, char **argv)
{
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *graph = NULL;
  App app = { NULL, 0 };
  PulseElement *sink;
  PulseBus *bus;
  guint64 buffers, records;

  show_errors ();

  pipeline = build (&error);
  if (pipeline == NULL)
    goto failed;
  graph = pulse_pipeline_describe (pipeline);
  printf ("built, one link a line:\n%s", graph);

  app.loop = g_main_loop_new (NULL, FALSE);
  bus = pulse_pipeline_get_bus (pipeline);
  pulse_bus_add_watch (bus, on_bus_message, &app, NULL);
  if (!pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error)) {
    stop_pipeline (pipeline);
    g_main_loop_unref (app.loop);
    goto failed;
  }
  g_main_loop_run (app.loop);
  stop_pipeline (pipeline);
  g_main_loop_unref (app.loop);

  sink = pulse_pipeline_get_by_name (pipeline, "sink");
  g_object_get (sink, "buffers", &buffers, "records", &records, NULL);
  printf ("fakesink %s: %" G_GUINT64_FORMAT " buffers, %" G_GUINT64_FORMAT " records\n",
      pulse_element_get_name (sink), buffers, records);
  return app.exit_code;

failed:
  fprintf (stderr, "build-by-hand: %s\n", error->message);
  return 1;
}
