/* pulse-launch — run a pipeline described in text
 *
 *   pulse-launch "timer interval=0.5 count=4 ! print"
 *   pulse-launch timer interval=0.5 count=4 ! print
 *
 * Thin on purpose: options, the main loop, the bus and signals. All the
 * work is in libpulsemq. With no description it runs a demo market feed
 * (DEFAULT_PIPELINE). A pipeline that publishes gets the original's
 * startup table on stderr once it is PLAYING.
 *
 * Shutdown. The first SIGINT or SIGTERM asks the sources for end-of-stream
 * (the original dropped everything on SIGTERM); EOS travels the graph,
 * queues empty, and each zmqpub waits until ZeroMQ has written out what it
 * accepted. The EOS message then ends the main loop and shut_down() takes
 * the steps in order. A second signal exits at once with 130.
 *
 * Admin server. A pipeline that publishes gets the admin HTTP server
 * (statistics, pipeline, web UI) on --admin ADDR, else $PULSEMQ_ADMIN_BIND,
 * else 0.0.0.0:9090 as the original; --no-admin turns it off. It starts
 * before the pipeline plays, so that its URL is in the startup table. An
 * address asked for that cannot be bound is an error; the built-in default
 * being taken is only a warning.
 */
#include "config.h"

#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "pulse-startup.h"
#include "pulse-tool.h"

enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_RUNTIME = 2,
  EXIT_FORCED = 130,
};

/* Two topics of synthetic ticks, five frames of two ticks a second each,
 * on $PULSEMQ_BIND, else on port 5555 of every interface (zmqpub's default). */
#define DEFAULT_PIPELINE                                                                           \
  "ticksrc name=sh symbols=600000,600036,601318,600519 rate=10 batch=2 ! msgpack ! "               \
  "zmqpub topic=sh_market  "                                                                       \
  "ticksrc name=sz symbols=000001,000002,000858,300750 rate=10 batch=2 ! msgpack ! "               \
  "zmqpub topic=sz_market"
#define DEMO_TOPIC "sh_market"
#define DEFAULT_ADMIN_BIND "0.0.0.0:9090"

typedef struct {
  GMainLoop *loop;
  PulsePipeline *pipeline;
  const gchar *description; /* for the startup table */
  gboolean demo;
  gboolean verbose;
  gboolean table_printed;
  gboolean interrupted;
  gboolean error_seen;
  int exit_code;
  gint64 started;
  PulseAdminServer *admin;
  gchar *admin_uri;
} Launch;

static const gchar *prgname = "pulse-launch";

/* How to watch the demo from another terminal: a subscriber reaches a
 * wildcard bind through the loopback address. */
static void
print_demo_hint (PulsePipeline *pipeline)
{
  g_auto (GStrv) endpoints = pulse_startup_get_endpoints (pipeline);
  g_autofree gchar *endpoint = NULL;
  const gchar *wildcard = "tcp://0.0.0.0:";

  if (endpoints[0] == NULL)
    return;
  if (g_str_has_prefix (endpoints[0], wildcard))
    endpoint = g_strconcat ("tcp://127.0.0.1:", endpoints[0] + strlen (wildcard), NULL);
  else
    endpoint = g_strdup (endpoints[0]);
  fprintf (stderr,
      _ ("subscribe from another terminal with:\n  %s \"zmqsub endpoint=%s topics=%s ! decode ! print\"\n"),
      prgname, endpoint, DEMO_TOPIC);
}

/* The startup table, once the whole pipeline is PLAYING: the bound
 * addresses are known then, and the zmqpubs' "publishing topic" lines,
 * posted while going to READY, are already out. */
static void
print_startup_table (Launch *launch)
{
  g_autofree gchar *table = NULL;

  if (launch->table_printed)
    return;
  launch->table_printed = TRUE;
  table = pulse_startup_table_new_full (launch->pipeline, launch->description, launch->admin_uri);
  if (table == NULL)
    return; /* publishes nothing: a subscriber or a local pipeline */
  fputs (table, stderr);
  if (launch->demo)
    print_demo_hint (launch->pipeline);
  fflush (stderr);
}

static gboolean
on_bus_message (PulseBus *bus, PulseMessage *message, gpointer user_data)
{
  Launch *launch = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  PulseState old_state, new_state;

  switch (pulse_message_get_message_type (message)) {
    case PULSE_MESSAGE_ERROR:
      pulse_message_parse_error (message, &error, &debug);
      /* an element may fail in several ways at once: the first error is the cause */
      if (!launch->error_seen) {
        fprintf (stderr, _ ("ERROR from %s: %s\n"), pulse_message_get_src_path (message),
            error->message);
        if (launch->verbose && debug != NULL)
          fprintf (stderr, _ ("debug: %s\n"), debug);
      }
      launch->error_seen = TRUE;
      launch->exit_code = EXIT_RUNTIME;
      g_main_loop_quit (launch->loop);
      break;
    case PULSE_MESSAGE_WARNING:
      pulse_message_parse_warning (message, &error, &debug);
      fprintf (stderr, _ ("WARNING from %s: %s\n"), pulse_message_get_src_path (message),
          error->message);
      if (launch->verbose && debug != NULL)
        fprintf (stderr, _ ("debug: %s\n"), debug);
      break;
    case PULSE_MESSAGE_INFO:
      pulse_message_parse_info (message, &error, &debug);
      fprintf (
          stderr, _ ("INFO from %s: %s\n"), pulse_message_get_src_path (message), error->message);
      break;
    case PULSE_MESSAGE_EOS:
      fprintf (stderr, _ ("end of stream reached after %.1f s\n"),
          (g_get_monotonic_time () - launch->started) / (gdouble) G_USEC_PER_SEC);
      g_main_loop_quit (launch->loop);
      break;
    case PULSE_MESSAGE_STATE_CHANGED:
      pulse_message_parse_state_changed (message, &old_state, &new_state);
      if (launch->verbose)
        fprintf (stderr, _ ("state of %s: %s -> %s\n"), pulse_message_get_src_path (message),
            pulse_state_get_name (old_state), pulse_state_get_name (new_state));
      if (pulse_message_get_src (message) == G_OBJECT (launch->pipeline) &&
          new_state == PULSE_STATE_PLAYING && !launch->interrupted && !launch->error_seen)
        print_startup_table (launch);
      break;
    default: break;
  }
  return G_SOURCE_CONTINUE;
}

/* Signals are caught by a plain handler, not g_unix_signal_add(): the main
 * loop may be the thread that is blocked (a source pushing into a full
 * queue), and "interrupt again to exit at once" must work even then. The
 * first signal wakes the main loop through a pipe; the second exits from
 * the handler itself, which may only use async-signal-safe calls. */
static volatile sig_atomic_t n_interrupts;
static int interrupt_pipe[2] = { -1, -1 };
static const gchar *forced_text;
static gsize forced_len;

static void
on_unix_signal (int signum)
{
  int saved_errno = errno;

  if (n_interrupts++ > 0) {
    /* no stdio here: a print blocked on a full pipe holds its lock */
    if (write (STDERR_FILENO, forced_text, forced_len) < 0) {
      /* nothing more can be done about it */
    }
    _exit (EXIT_FORCED);
  }
  if (write (interrupt_pipe[1], "i", 1) < 0) {
    /* the pipe is never full: one byte per process */
  }
  errno = saved_errno;
}

/* SIGHUP: re-read what can be re-read (plainauth's key files) */
static void
on_hangup_signal (int signum)
{
  int saved_errno = errno;

  if (write (interrupt_pipe[1], "h", 1) < 0) {
    /* a full pipe already holds a wake-up */
  }
  errno = saved_errno;
}

static void
reload (Launch *launch)
{
  g_autoptr (GList) elements = pulse_pipeline_get_elements (launch->pipeline);

  for (GList *l = elements; l != NULL; l = l->next)
    if (g_signal_lookup ("reload", G_OBJECT_TYPE (l->data)) != 0) {
      gboolean done = FALSE;
      g_signal_emit_by_name (l->data, "reload", &done);
    }
}

static gboolean
on_interrupt (gint fd, GIOCondition condition, gpointer user_data)
{
  Launch *launch = user_data;
  gchar c = 'i';

  if (read (fd, &c, 1) < 0) {
    /* a spurious wake-up: nothing to read */
  }
  if (c == 'h') {
    reload (launch);
    return G_SOURCE_CONTINUE;
  }
  if (!launch->interrupted) {
    launch->interrupted = TRUE;
    fprintf (stderr,
        _ ("interrupt: sending end-of-stream and draining (interrupt again to exit at once)\n"));
    pulse_pipeline_send_eos (launch->pipeline);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
install_signal_handlers (Launch *launch, GError **error)
{
  struct sigaction sa = { 0 };

  forced_text = _ ("second interrupt: exiting without draining\n");
  forced_len = strlen (forced_text);
  if (!g_unix_open_pipe (interrupt_pipe, FD_CLOEXEC, error))
    return FALSE;
  g_unix_set_fd_nonblocking (interrupt_pipe[1], TRUE, NULL);
  g_unix_fd_add (interrupt_pipe[0], G_IO_IN, on_interrupt, launch);

  sa.sa_handler = on_unix_signal;
  sigemptyset (&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sa.sa_handler = on_hangup_signal;
  sigaction (SIGHUP, &sa, NULL);
  return TRUE;
}

static void
print_counters (PulsePipeline *pipeline)
{
  g_autoptr (GList) elements = pulse_pipeline_get_elements (pipeline);

  fprintf (stderr, _ ("counters:\n"));
  for (GList *l = elements; l != NULL; l = l->next) {
    g_autoptr (GList) pads = pulse_element_get_pads (l->data);
    for (GList *p = pads; p != NULL; p = p->next) {
      fprintf (stderr,
          /* TRANSLATORS: "timer0.src: 4 buffers, 4 records, 120 bytes" */
          _ ("  %s.%s: %llu buffers, %llu records, %llu bytes\n"), pulse_element_get_name (l->data),
          pulse_pad_get_name (p->data), (unsigned long long) pulse_pad_get_buffer_count (p->data),
          (unsigned long long) pulse_pad_get_record_count (p->data),
          (unsigned long long) pulse_pad_get_byte_count (p->data));
    }
  }
}

/* The steps after the main loop, in order. Each waits for the one before:
 * nothing may be cut off by process exit.
 *
 * 1. The admin server stops taking requests and closes its connections,
 *    while the counters it shows are still live.
 * 2. The pipeline goes to NULL: streaming threads are joined and each
 *    zmqpub releases its socket. After EOS everything accepted has already
 *    been written out (zmqpub drains on EOS); after an error or a second
 *    start of shutdown, ZeroMQ keeps sending what it holds for `linger`.
 * 3. Messages posted while stopping (state changes, late errors) are
 *    printed.
 * 4. The last, partial minute of statistics is rolled up and written to
 *    the database (the original lost it).
 * 5. With -v, the per-pad counters, which are final only now. */
static void
shut_down (Launch *launch)
{
  PulseBus *bus = pulse_pipeline_get_bus (launch->pipeline);

  if (launch->admin != NULL)
    pulse_admin_server_stop (launch->admin);
  pulse_pipeline_set_state (launch->pipeline, PULSE_STATE_NULL, NULL);
  while (pulse_bus_have_pending (bus))
    g_main_context_iteration (NULL, FALSE);
  pulse_stats_close (pulse_stats_get_default ());
  if (launch->verbose)
    print_counters (launch->pipeline);
  pulse_bus_remove_watch (bus);
  g_clear_object (&launch->admin);
  g_clear_pointer (&launch->admin_uri, g_free);
}

static gboolean
is_loopback (const gchar *uri)
{
  return g_str_has_prefix (uri, "http://127.") || g_str_has_prefix (uri, "http://[::1]") ||
      g_str_has_prefix (uri, "http://localhost");
}

/* The admin server of a publishing pipeline: see the top of the file.
 * Returns FALSE on an error that ends the program. */
static gboolean
start_admin (Launch *launch, const gchar *address, gboolean no_admin)
{
  const gchar *token = g_getenv ("PULSEMQ_ADMIN_TOKEN");
  gboolean asked = address != NULL;
  g_autoptr (GError) error = NULL;

  if (no_admin || (!asked && !pulse_startup_is_publisher (launch->pipeline)))
    return TRUE;
  if (address == NULL)
    address = g_getenv ("PULSEMQ_ADMIN_BIND");
  if (address != NULL && *address != '\0')
    asked = TRUE;
  else
    address = DEFAULT_ADMIN_BIND;
  if (token != NULL && *token == '\0')
    token = NULL;

  launch->admin = pulse_admin_server_new (address, launch->pipeline);
  g_object_set (launch->admin, "token", token, "description", launch->description, NULL);
  if (!pulse_admin_server_start (launch->admin, &error)) {
    g_clear_object (&launch->admin);
    if (asked) {
      fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
      return FALSE;
    }
    fprintf (
        stderr, _ ("%s: warning: %s; running without it (see --admin)\n"), prgname, error->message);
    return TRUE;
  }
  launch->admin_uri = pulse_admin_server_get_uri (launch->admin);
  fprintf (stderr, _ ("admin UI on %s\n"), launch->admin_uri);
  if (token == NULL && !is_loopback (launch->admin_uri))
    fprintf (stderr,
        _ ("%s: warning: the admin server listens on %s without PULSEMQ_ADMIN_TOKEN: anyone "
           "who reaches it can read the statistics and the pipeline\n"),
        prgname, address);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gboolean verbose = FALSE, version = FALSE, gen_curve_keys = FALSE, no_admin = FALSE;
  g_autofree gchar *admin = NULL;
  g_autofree gchar *plugin_path = NULL;
  g_autofree gchar *stats_db = NULL;
  g_auto (GStrv) words = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) options = NULL;
  g_autoptr (PulseParseContext) parse_context = NULL;
  g_autoptr (PulsePipeline) pipeline = NULL;
  g_autofree gchar *summary = NULL;
  g_autofree gchar *description = NULL;
  Launch launch = { 0 };
  GOptionEntry entries[] = { { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
                                 N_ ("Show state changes and, at the end, per-element counters"),
                                 NULL },
    { "plugin-path", 0, 0, G_OPTION_ARG_STRING, &plugin_path,
        N_ ("Load element modules from these directories (':'-separated)"), N_ ("DIRS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Print the version and exit"), NULL },
    { "stats-db", 0, 0, G_OPTION_ARG_STRING, &stats_db,
        N_ ("Keep per-minute statistics in this database: sqlite://PATH or sqlite://:memory: "
            "(default: $PULSEMQ_STATS_DB, else in memory only)"),
        N_ ("URI") },
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin,
        N_ ("Serve the admin API and web UI on this address, HOST:PORT; port 0 picks one "
            "(default: $PULSEMQ_ADMIN_BIND, else 0.0.0.0:9090)"),
        N_ ("ADDR") },
    { "no-admin", 0, 0, G_OPTION_ARG_NONE, &no_admin, N_ ("Run without the admin server"), NULL },
    { "gen-curve-keys", 0, 0, G_OPTION_ARG_NONE, &gen_curve_keys,
        N_ ("Print a new CURVE key pair (for plainauth curve-secret-key=) and exit"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &words, NULL, NULL }, { NULL } };

  pulse_tool_init_i18n ();
  g_set_prgname (prgname);
  /* a closed stdout or socket is an error to report, not a reason to die */
  signal (SIGPIPE, SIG_IGN);

  options = g_option_context_new (_ ("[PIPELINE-DESCRIPTION]"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (options, GETTEXT_PACKAGE);
  summary = g_strdup_printf (
      _ ("Runs a PulseMQ pipeline. Give the description as one quoted argument or as\n"
         "separate words; with none, runs a demo feed:\n  %s"),
      DEFAULT_PIPELINE);
  g_option_context_set_summary (options, summary);
  g_option_context_set_description (options,
      _ ("Examples:\n"
         "  pulse-launch \"timer interval=0.5 count=4 ! print\"\n"
         "  pulse-launch timer count=3 ! tee name=t  t. ! print  t. ! fakesink\n"
         "\n"
         "Exit status:\n"
         "  0    end of stream reached, or interrupted and drained\n"
         "  1    usage error or invalid pipeline description\n"
         "  2    runtime error posted by an element\n"
         "  130  interrupted twice: exited without draining\n"
         "\n"
         "Signals:\n"
         "  SIGINT, SIGTERM    end the stream and drain; a second one exits at once\n"
         "  SIGHUP             re-read key files (plainauth keys-file=)\n"
         "\n"
         "Environment:\n"
         "  PULSEMQ_BIND       where zmqpub binds by default (tcp://*:5555)\n"
         "  PULSEMQ_API_KEYS   user:password,... subscribers must log in with (empty: anyone)\n"
         "  PULSEMQ_ADMIN_BIND where the admin server listens (0.0.0.0:9090)\n"
         "  PULSEMQ_ADMIN_TOKEN a token every admin request but /healthz must carry, as\n"
         "                     Authorization: Bearer TOKEN or ?token=TOKEN\n"
         "  PULSE_PLUGIN_PATH  directories of external element modules\n"
         "  PULSE_DEBUG        debug output of these elements, e.g. queue,timer or *\n"
         "                     (core is the framework itself)\n"));
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
    fprintf (stderr, _ ("try %s --help\n"), prgname);
    return EXIT_USAGE;
  }
  if (gen_curve_keys) {
    g_autofree gchar *public_key = NULL, *secret_key = NULL;

    if (!pulse_auth_generate_curve_keys (&public_key, &secret_key, &error)) {
      fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
      return EXIT_RUNTIME;
    }
    /* not translated: plainauth curve-secret-key-file= reads this output back */
    printf ("public %s\nsecret %s\n", public_key, secret_key);
    return EXIT_OK;
  }
  if (version) {
    printf ("pulse-launch %s (libpulsemq %s)\n", PULSE_VERSION, pulse_get_version ());
    return EXIT_OK;
  }

  pulse_tool_load_plugins (prgname, plugin_path);

  parse_context = pulse_parse_context_new ();
  if (words == NULL || words[0] == NULL) {
    fprintf (stderr, _ ("no pipeline given: running the demo feed\n  %s\n"), DEFAULT_PIPELINE);
    launch.demo = TRUE;
    description = g_strdup (DEFAULT_PIPELINE);
    pipeline = pulse_parse_launch_full (DEFAULT_PIPELINE, parse_context, &error);
  } else {
    description = g_strjoinv (" ", words);
    pipeline = pulse_parse_launchv ((const gchar *const *) words, parse_context, &error);
  }
  if (pipeline == NULL) {
    pulse_tool_print_parse_error (prgname, parse_context, error);
    return EXIT_USAGE;
  }

  launch.loop = g_main_loop_new (NULL, FALSE);
  launch.pipeline = pipeline;
  launch.description = description;
  launch.verbose = verbose;
  launch.exit_code = EXIT_OK;
  pulse_bus_add_watch (pulse_pipeline_get_bus (pipeline), on_bus_message, &launch, NULL);
  if (!install_signal_handlers (&launch, &error)) {
    fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
    g_main_loop_unref (launch.loop);
    return EXIT_RUNTIME;
  }

  pulse_tool_open_stats_db (prgname, stats_db);
  if (!start_admin (&launch, admin, no_admin)) {
    pulse_bus_remove_watch (pulse_pipeline_get_bus (pipeline));
    g_main_loop_unref (launch.loop);
    return EXIT_RUNTIME;
  }
  launch.started = g_get_monotonic_time ();
  if (!pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, &error)) {
    fprintf (stderr, _ ("%s: error: %s\n"), prgname, error->message);
    if (launch.admin != NULL)
      pulse_admin_server_stop (launch.admin);
    g_clear_object (&launch.admin);
    g_clear_pointer (&launch.admin_uri, g_free);
    pulse_pipeline_set_state (pipeline, PULSE_STATE_NULL, NULL);
    g_main_loop_unref (launch.loop);
    return EXIT_RUNTIME;
  }
  g_main_loop_run (launch.loop);

  shut_down (&launch);
  g_main_loop_unref (launch.loop);
  return launch.exit_code;
}
