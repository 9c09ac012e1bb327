/* timer-print — run a pipeline description from C
 *
 *   ./timer-print
 *   ./timer-print "timer interval=0.2 count=5 ! fakesink name=sink"
 *
 * The smallest useful PulseMQ program: parse a description (the first
 * argument, or a bounded default), play it on a GMainLoop, watch the bus
 * until end-of-stream or an error, then print what went through every pad
 * and what each fakesink counted. Exits 0 at end-of-stream, 1 for a bad
 * description and 2 when an element posts an error, as pulse-launch does.
 */
#include <signal.h>
#include <stdio.h>

#include <pulsemq/pulsemq.h>

#define DEFAULT_DESCRIPTION                                                                        \
  "timer interval=0.1 count=5 fields='{\"symbol\":\"600000\",\"price\":10.5}' "                    \
  "! tee name=t  t. ! print  t. ! fakesink name=sink"

enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_RUNTIME = 2,
};

typedef struct {
  GMainLoop *loop;
  int exit_code;
} App;

/* Runs on the main loop for every message the pipeline posts. */
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
      if (debug != NULL)
        fprintf (stderr, "debug: %s\n", debug);
      app->exit_code = EXIT_RUNTIME;
      g_main_loop_quit (app->loop);
      break;
    case PULSE_MESSAGE_WARNING:
      pulse_message_parse_warning (message, &error, &debug);
      fprintf (
          stderr, "WARNING from %s: %s\n", pulse_message_get_src_path (message), error->message);
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

static void
print_counters (PulsePipeline *pipeline)
{
  g_autoptr (GList) elements = pulse_pipeline_get_elements (pipeline);
  PulseElementFactory *fakesink = pulse_element_factory_find ("fakesink");

  printf ("counters:\n");
  for (GList *l = elements; l != NULL; l = l->next) {
    PulseElement *element = l->data;
    g_autoptr (GList) pads = pulse_element_get_pads (element);

    for (GList *p = pads; p != NULL; p = p->next)
      printf ("  %s.%s: %" G_GUINT64_FORMAT " buffers, %" G_GUINT64_FORMAT
              " records, %" G_GUINT64_FORMAT " bytes\n",
          pulse_element_get_name (element), pulse_pad_get_name (p->data),
          pulse_pad_get_buffer_count (p->data), pulse_pad_get_record_count (p->data),
          pulse_pad_get_byte_count (p->data));

    /* a fakesink counts too, in read-only properties */
    if (pulse_element_get_factory (element) == fakesink) {
      guint64 buffers, records, bytes;

      g_object_get (element, "buffers", &buffers, "records", &records, "bytes", &bytes, NULL);
      printf ("fakesink %s: %" G_GUINT64_FORMAT " buffers, %" G_GUINT64_FORMAT
              " records, %" G_GUINT64_FORMAT " bytes\n",
          pulse_element_get_name (element), buffers, records, bytes);
    }
  }
}

/* The context knows where the mistake is: show it under the text. */
static void
print_parse_error (PulseParseContext *context, const GError *error)
{
  g_autofree gchar *caret = pulse_parse_context_format_error (context);
  const gchar *text = pulse_parse_context_get_error_text (context);
  const gchar *hint = pulse_parse_context_get_hint (context);

  if (text == NULL || caret == NULL) {
    fprintf (stderr, "timer-print: %s\n", error->message);
    return;
  }
  fprintf (stderr, "timer-print: %s\n%s\n", text, caret);
  if (hint != NULL)
    fprintf (stderr, "hint: %s\n", hint);
}

int
main (int argc, char **argv)
{
  const gchar *description = argc > 1 ? argv[1] : DEFAULT_DESCRIPTION;
  g_autoptr (PulseParseContext) context = pulse_parse_context_new ();
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autoptr (GError) error = NULL;
  App app = { NULL, EXIT_OK };
  PulseBus *bus;

  /* a closed stdout is a write error that print reports, not a silent death */
  signal (SIGPIPE, SIG_IGN);

  pipeline = pulse_parse_launch_full (description, context, &error);
  if (pipeline == NULL)
    goto parse_failed;

  app.loop = g_main_loop_new (NULL, FALSE);
  bus = pulse_pipeline_get_bus (pipeline);
  pulse_bus_add_watch (bus, on_bus_message, &app, NULL);

  if (!pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error))
    goto start_failed;
  g_main_loop_run (app.loop);

  stop_pipeline (pipeline);
  print_counters (pipeline);
  g_main_loop_unref (app.loop);
  return app.exit_code;

parse_failed:
  print_parse_error (context, error);
  return EXIT_USAGE;

start_failed:
  fprintf (stderr, "timer-print: could not start: %s\n", error->message);
  stop_pipeline (pipeline);
  g_main_loop_unref (app.loop);
  return EXIT_RUNTIME;
}
