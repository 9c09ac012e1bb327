/* PulseMQ — the ZAP handler: who may subscribe
 *
 * ZeroMQ asks a ZAP handler (RFC 27) whether a handshake may go on: on a
 * PUB socket with PLAIN_SERVER set, every subscriber's user name and
 * password reach the REP socket bound to inproc://zeromq.zap.01 in the
 * same ZeroMQ context. There is one such address per context, and we
 * have one context per process (pulse-zmq.c), so there is one handler per
 * process: a thread of its own, started on first use, that answers for
 * every authenticated endpoint. Each endpoint sets a ZAP domain of its own
 * and registers its key store under it.
 *
 * The handler never trusts a request: one with missing frames, another
 * version or an unknown domain gets a well-formed 400 reply; a mechanism
 * other than PLAIN (or CURVE, where the endpoint enables it) is refused.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <zmq.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-auth"

#define ZAP_ADDRESS "inproc://zeromq.zap.01"
#define MAX_PARTS 16
#define MAX_PART_LEN 256

typedef struct {
  PulseAuth *auth; /* nullable when only CURVE is used */
  gboolean curve;
} Domain;

static GMutex zap_lock;
static GHashTable *domains; /* domain → Domain */
static GThread *zap_thread;
static gboolean zap_started;
static GCond zap_cond;
static gchar *zap_error;

static void
domain_free (Domain *d)
{
  g_clear_object (&d->auth);
  g_free (d);
}

static void
send_reply (void *socket, const zmq_msg_t *request_id, const gchar *status, const gchar *text,
    const gchar *user)
{
  zmq_msg_t id;

  zmq_msg_init (&id);
  if (request_id != NULL)
    zmq_msg_copy (&id, (zmq_msg_t *) request_id);
  zmq_send (socket, "1.0", 3, ZMQ_SNDMORE);
  zmq_msg_send (&id, socket, ZMQ_SNDMORE);
  zmq_send (socket, status, strlen (status), ZMQ_SNDMORE);
  zmq_send (socket, text, strlen (text), ZMQ_SNDMORE);
  zmq_send (socket, user, strlen (user), ZMQ_SNDMORE);
  zmq_send (socket, "", 0, 0); /* metadata */
  zmq_msg_close (&id);
}

static gchar *
part_to_string (zmq_msg_t *part)
{
  return g_strndup (zmq_msg_data (part), zmq_msg_size (part));
}

static gboolean
part_equals (zmq_msg_t *part, const gchar *text)
{
  return zmq_msg_size (part) == strlen (text) &&
      memcmp (zmq_msg_data (part), text, strlen (text)) == 0;
}

/* Answers one request. @parts holds @n frames (at most MAX_PARTS). */
static void
handle (void *socket, zmq_msg_t *parts, guint n, gboolean truncated)
{
  g_autofree gchar *domain_name = NULL, *address = NULL, *user = NULL;
  g_autoptr (PulseAuth) auth = NULL;
  gboolean curve = FALSE, known;

  if (n < 6 || truncated || !part_equals (&parts[0], "1.0")) {
    send_reply (socket, n >= 2 ? &parts[1] : NULL, "400", "malformed ZAP request", "");
    return;
  }
  domain_name = part_to_string (&parts[2]);
  address = part_to_string (&parts[3]);

  g_mutex_lock (&zap_lock);
  {
    Domain *d = domains != NULL ? g_hash_table_lookup (domains, domain_name) : NULL;
    known = d != NULL;
    if (d != NULL) {
      auth = d->auth != NULL ? g_object_ref (d->auth) : NULL;
      curve = d->curve;
    }
  }
  g_mutex_unlock (&zap_lock);
  if (!known) {
    send_reply (socket, &parts[1], "400", "unknown ZAP domain", "");
    return;
  }

  if (part_equals (&parts[5], "PLAIN") && !curve) {
    if (n != 8 || auth == NULL || zmq_msg_size (&parts[6]) == 0 ||
        zmq_msg_size (&parts[6]) >= MAX_PART_LEN) {
      if (auth != NULL)
        _pulse_auth_count_refused (auth, address);
      send_reply (socket, &parts[1], "400", "malformed PLAIN credentials", "");
      return;
    }
    user = part_to_string (&parts[6]);
    if (strlen (user) != zmq_msg_size (&parts[6]) ||
        !_pulse_auth_check_handshake (
            auth, user, zmq_msg_data (&parts[7]), zmq_msg_size (&parts[7]), address)) {
      g_debug ("refused PLAIN user \"%s\" from %s on %s", user, address, domain_name);
      send_reply (socket, &parts[1], "400", "invalid user name or password", "");
      return;
    }
    g_debug ("accepted PLAIN user \"%s\" from %s on %s", user, address, domain_name);
    send_reply (socket, &parts[1], "200", "OK", user);
    return;
  }
  if (part_equals (&parts[5], "CURVE") && curve && n == 7 && zmq_msg_size (&parts[6]) == 32) {
    gchar z85[41];
    g_autofree gchar *id = NULL;

    zmq_z85_encode (z85, zmq_msg_data (&parts[6]), 32);
    id = g_strdup_printf ("curve:%s", z85);
    if (auth != NULL)
      _pulse_auth_count_curve (auth, address);
    send_reply (socket, &parts[1], "200", "OK", id);
    return;
  }
  if (auth != NULL)
    _pulse_auth_count_refused (auth, address);
  send_reply (socket, &parts[1], "400", "mechanism not allowed", "");
}

static gpointer
zap_main (gpointer data)
{
  void *socket = zmq_socket (_pulse_zmq_context_get (), ZMQ_REP);
  gint linger = 0;

  if (socket == NULL || zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
      zmq_bind (socket, ZAP_ADDRESS) != 0) {
    g_mutex_lock (&zap_lock);
    zap_error = g_strdup (zmq_strerror (zmq_errno ()));
    zap_started = TRUE;
    g_cond_broadcast (&zap_cond);
    g_mutex_unlock (&zap_lock);
    if (socket != NULL)
      zmq_close (socket);
    return NULL;
  }
  g_mutex_lock (&zap_lock);
  zap_started = TRUE;
  g_cond_broadcast (&zap_cond);
  g_mutex_unlock (&zap_lock);

  /* runs for the life of the process, like the context it serves */
  for (;;) {
    zmq_msg_t parts[MAX_PARTS];
    guint n = 0;
    gboolean more = TRUE, truncated = FALSE, failed = FALSE;

    while (more) {
      zmq_msg_t extra, *part = n < MAX_PARTS ? &parts[n] : &extra;

      zmq_msg_init (part);
      if (zmq_msg_recv (part, socket, 0) < 0) {
        zmq_msg_close (part);
        failed = zmq_errno () == ETERM || n == 0;
        break;
      }
      more = zmq_msg_more (part);
      if (n < MAX_PARTS) {
        n++;
      } else {
        truncated = TRUE;
        zmq_msg_close (&extra);
      }
    }
    if (n > 0 && !failed)
      handle (socket, parts, n, truncated);
    for (guint i = 0; i < n; i++)
      zmq_msg_close (&parts[i]);
    if (failed && zmq_errno () == ETERM)
      break;
  }
  zmq_close (socket);
  return NULL;
}

/**
 * _pulse_zap_register:
 * @domain: the ZAP domain the endpoint's socket sets
 * @auth: (nullable): its key store, for PLAIN
 * @curve: whether CURVE clients are let in (they proved they know the key)
 * @error: return location for a #GError
 *
 * Starts the handler if needed and answers for @domain from now on.
 *
 * Returns: %TRUE on success
 */
gboolean
_pulse_zap_register (const gchar *domain, PulseAuth *auth, gboolean curve, GError **error)
{
  Domain *d;

  g_mutex_lock (&zap_lock);
  if (zap_thread == NULL) {
    zap_thread = g_thread_try_new ("pulse-zap", zap_main, NULL, error);
    if (zap_thread == NULL) {
      g_mutex_unlock (&zap_lock);
      return FALSE;
    }
  }
  while (!zap_started)
    g_cond_wait (&zap_cond, &zap_lock);
  if (zap_error != NULL) {
    g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_BIND,
        _ ("could not start the authentication handler on %s: %s"), ZAP_ADDRESS, zap_error);
    g_mutex_unlock (&zap_lock);
    return FALSE;
  }
  if (domains == NULL)
    domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) domain_free);
  d = g_new0 (Domain, 1);
  d->auth = auth != NULL ? g_object_ref (auth) : NULL;
  d->curve = curve;
  g_hash_table_replace (domains, g_strdup (domain), d);
  g_mutex_unlock (&zap_lock);
  return TRUE;
}

/**
 * _pulse_zap_unregister:
 * @domain: a domain given to _pulse_zap_register()
 *
 * Stops answering for @domain: its handshakes are refused from now on.
 */
void
_pulse_zap_unregister (const gchar *domain)
{
  g_mutex_lock (&zap_lock);
  if (domains != NULL)
    g_hash_table_remove (domains, domain);
  g_mutex_unlock (&zap_lock);
}
