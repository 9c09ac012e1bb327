/* PulseMQ — plainauth: only subscribers with a key may read
 *
 *   pulse-launch "ticksrc ! msgpack ! lz4 ! plainauth keys=alice:sk_a,bob:sk_b ! zmqpub topic=sh_market"
 *
 * Placed directly upstream of a zmqpub, it makes that zmqpub's endpoint
 * demand ZeroMQ PLAIN credentials, checked by the process's ZAP handler
 * (core/pulse-zap.c) against a key store (#PulseAuth). Buffers pass
 * through untouched: the element only configures.
 *
 * Keys come from `keys` (the original's `user:pass,user:pass`), from a
 * `keys-file` (one `user:password` a line; re-read when it changes or when
 * the "reload" action signal is emitted — pulse-launch does on SIGHUP),
 * and, when neither is given, from PULSEMQ_API_KEYS. An endpoint has one
 * key store whichever elements name it: the zmqpub that binds collects
 * the keys of every plainauth feeding a zmqpub of the same bind, and the
 * `auth` property of each of them is that store, for adding and removing
 * keys at run time. Once an endpoint demands keys, every zmqpub on it
 * does: authentication is never silently off.
 *
 * With `curve-secret-key` the endpoint uses CURVE instead of PLAIN:
 * traffic is encrypted and a subscriber must know the server's public key
 * (`pulse-launch --gen-curve-keys` prints a pair); PLAIN sends passwords
 * in clear text, so use CURVE where the network is not trusted.
 *
 * With `allow=alice,bob` only those users may read the topic of the zmqpub
 * this element feeds: the endpoint becomes an XPUB with manual
 * subscriptions (pulse-endpoint.c), so a user who subscribes to "" or to a
 * prefix receives only the topics it may read. zmqpubs of the bind without
 * `allow` stay readable by every user with a key.
 *
 * Every handshake is counted per user in the store and reported on the
 * bus: accepted ones as INFO, refused ones as WARNING (the first few, then
 * every hundredth, so a stranger cannot flood the log).
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <zmq.h>

#include "pulse-plainauth.h"
#include "pulse-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-plainauth"

#define REPORTER_KEY "pulse-plainauth-reporter"
#define REPORT_FIRST 10
#define REPORT_EVERY 100

struct _PulsePlainAuth {
  PulseElement parent_instance;

  PulsePad *srcpad;
  gchar *keys; /* never readable */
  gchar *keys_file;
  gchar *curve_secret; /* never readable */
  gchar *curve_secret_file;
  gboolean curve_from_file; /* curve_secret was read from curve_secret_file */
  gchar *allow;             /* comma-separated readers of the topic, or NULL for all */

  GMutex lock;      /* guards store: the ZAP thread reports through it */
  PulseAuth *store; /* the endpoint's, from READY to NULL */
  gulong handshake_id;
  GFileMonitor *monitor;
  guint64 reported_accepted;
  guint64 reported_rejected;
};

enum {
  PROP_0,
  PROP_KEYS,
  PROP_KEYS_FILE,
  PROP_CURVE_SECRET_KEY,
  PROP_CURVE_SECRET_KEY_FILE,
  PROP_ALLOW,
  PROP_AUTH,
  PROP_USERS,
  N_PROPS
};

enum { SIGNAL_RELOAD, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PulsePlainAuth, pulse_plain_auth, PULSE_TYPE_ELEMENT)
#define parent_class pulse_plain_auth_parent_class

static gboolean
should_report (guint64 n)
{
  return n <= REPORT_FIRST || n % REPORT_EVERY == 0;
}

static void
on_handshake (PulseAuth *store, const gchar *user, const gchar *address, gboolean accepted,
    PulsePlainAuth *self)
{
  /* the ZAP handler's thread: posting on the bus is thread-safe */
  if (accepted) {
    guint64 n = __atomic_add_fetch (&self->reported_accepted, 1, __ATOMIC_RELAXED);
    if (should_report (n))
      pulse_element_message_full (PULSE_ELEMENT (self), PULSE_MESSAGE_INFO, PULSE_RESOURCE_ERROR,
          PULSE_RESOURCE_ERROR_CONNECT,
          g_strdup_printf (_ ("subscriber \"%s\" from %s logged in"), user, address), NULL,
          __FILE__, G_STRFUNC, __LINE__);
  } else {
    guint64 n = __atomic_add_fetch (&self->reported_rejected, 1, __ATOMIC_RELAXED);
    if (should_report (n))
      pulse_element_message_full (PULSE_ELEMENT (self), PULSE_MESSAGE_WARNING, PULSE_AUTH_ERROR,
          PULSE_AUTH_ERROR_INVALID_KEY,
          *user != '\0'
              ? g_strdup_printf (_ ("refused subscriber \"%s\" from %s: wrong user name or "
                                    "password (%llu refused so far)"),
                    user, address, (unsigned long long) n)
              : g_strdup_printf (_ ("refused a subscriber without valid credentials (%s; %llu "
                                    "refused so far)"),
                    address, (unsigned long long) n),
          NULL, __FILE__, G_STRFUNC, __LINE__);
  }
}

/* Reads the key file again into the store; on error the old keys stay. */
static gboolean
reload (PulsePlainAuth *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PulseAuth) store = NULL;

  g_mutex_lock (&self->lock);
  store = self->store != NULL ? g_object_ref (self->store) : NULL;
  g_mutex_unlock (&self->lock);
  if (store == NULL || self->keys_file == NULL)
    return FALSE;
  if (!pulse_auth_load_keys_file (store, self->keys_file, &error)) {
    PULSE_ELEMENT_WARNING (self, RESOURCE, READ,
        (_ ("%s kept its keys: %s"), pulse_element_get_name (PULSE_ELEMENT (self)), error->message),
        (NULL));
    return FALSE;
  }
  pulse_element_message_full (PULSE_ELEMENT (self), PULSE_MESSAGE_INFO, PULSE_RESOURCE_ERROR,
      PULSE_RESOURCE_ERROR_READ,
      g_strdup_printf (
          _ ("reloaded the keys of %s: %u users"), self->keys_file, pulse_auth_get_n_users (store)),
      NULL, __FILE__, G_STRFUNC, __LINE__);
  return TRUE;
}

static void
on_file_changed (
    GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, PulsePlainAuth *self)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED)
    reload (self);
}

static void
wipe (gchar **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static gboolean check_curve_key (const gchar *key, GError **error);

/* The key of a file holding it alone, or the output of
 * `pulse-launch --gen-curve-keys` (the line "secret KEY"). */
static gchar *
read_curve_secret_file (const gchar *path, GError **error)
{
  g_autofree gchar *contents = NULL;
  g_autoptr (GError) local = NULL;
  gchar *secret = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local)) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_KEY_FILE,
        _ ("cannot read the CURVE key file: %s"), local->message);
    return NULL;
  }
  for (gchar *line = contents, *next; line != NULL && secret == NULL; line = next) {
    next = strchr (line, '\n');
    if (next != NULL)
      *next++ = '\0';
    g_strstrip (line);
    if (g_str_has_prefix (line, "secret "))
      secret = g_strdup (g_strstrip (line + strlen ("secret ")));
    else if (*line != '\0' && *line != '#' && !g_str_has_prefix (line, "public "))
      secret = g_strdup (line);
  }
  memset (contents, 0, length);
  if (secret == NULL || !check_curve_key (secret, error)) {
    if (secret == NULL)
      g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CURVE_KEY,
          _ ("%s holds no CURVE secret key"), path);
    else
      g_prefix_error (error, "%s: ", path);
    wipe (&secret);
    return NULL;
  }
  return secret;
}

/**
 * _pulse_plain_auth_load_keys:
 * @self: a plainauth
 * @store: the key store of the endpoint being bound
 * @error: return location for a #GError
 *
 * Called by the zmqpub that binds, before the bind: puts this element's
 * keys into @store.
 *
 * Returns: %TRUE on success
 */
gboolean
_pulse_plain_auth_load_keys (PulsePlainAuth *self, PulseAuth *store, GError **error)
{
  const gchar *env = g_getenv ("PULSEMQ_API_KEYS");
  gboolean any = FALSE;

  if (self->curve_secret_file != NULL && (self->curve_secret == NULL || self->curve_from_file)) {
    g_autofree gchar *secret = read_curve_secret_file (self->curve_secret_file, error);
    if (secret == NULL)
      return FALSE;
    wipe (&self->curve_secret);
    self->curve_secret = g_steal_pointer (&secret);
    self->curve_from_file = TRUE;
  }

  if (self->keys != NULL) {
    if (!pulse_auth_add_keys (store, self->keys, error))
      return FALSE;
    any = TRUE;
  }
  if (self->keys_file != NULL) {
    if (!pulse_auth_load_keys_file (store, self->keys_file, error))
      return FALSE;
    any = TRUE;
  }
  if (!any && env != NULL && *env != '\0') {
    if (!pulse_auth_add_keys (store, env, error)) {
      g_prefix_error (error, "PULSEMQ_API_KEYS: ");
      return FALSE;
    }
    any = TRUE;
  }
  if (!any && self->curve_secret == NULL) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_NO_KEYS,
        _ ("%s has no keys: set keys=user:password,…, keys-file=PATH or PULSEMQ_API_KEYS"),
        pulse_element_get_name (PULSE_ELEMENT (self)));
    return FALSE;
  }
  return TRUE;
}

static gchar **
split_allow (const gchar *allow)
{
  g_auto (GStrv) parts = g_strsplit (allow, ",", -1);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++) {
    const gchar *name = g_strstrip (parts[i]);
    if (*name != '\0' && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
      g_ptr_array_add (names, g_strdup (name));
  }
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/**
 * _pulse_plain_auth_dup_allow:
 * @self: a plainauth
 *
 * Returns: (transfer full) (nullable): the users who may read the topic,
 * or %NULL for every user with a key
 */
gchar **
_pulse_plain_auth_dup_allow (PulsePlainAuth *self)
{
  return self->allow != NULL ? split_allow (self->allow) : NULL;
}

/**
 * _pulse_plain_auth_get_curve_secret:
 * @self: a plainauth
 *
 * Returns: (nullable): the Z85 CURVE secret key, or %NULL for PLAIN
 */
const gchar *
_pulse_plain_auth_get_curve_secret (PulsePlainAuth *self)
{
  return self->curve_secret;
}

/**
 * _pulse_plain_auth_attach:
 * @self: a plainauth
 * @store: the key store of the endpoint its zmqpub uses
 *
 * Called by the zmqpub once bound: from now on this element reports the
 * store's handshakes and reloads its key file into it.
 */
void
_pulse_plain_auth_attach (PulsePlainAuth *self, PulseAuth *store)
{
  g_mutex_lock (&self->lock);
  if (self->store != NULL) {
    if (self->handshake_id != 0) {
      g_signal_handler_disconnect (self->store, self->handshake_id);
      g_object_set_data (G_OBJECT (self->store), REPORTER_KEY, NULL);
      self->handshake_id = 0;
    }
    g_clear_object (&self->store);
  }
  self->store = store != NULL ? g_object_ref (store) : NULL;
  /* the plainauths of one endpoint share its store: one of them reports */
  if (store != NULL && g_object_get_data (G_OBJECT (store), REPORTER_KEY) == NULL) {
    self->handshake_id = g_signal_connect (store, "handshake", G_CALLBACK (on_handshake), self);
    g_object_set_data (G_OBJECT (store), REPORTER_KEY, self);
  }
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH]);
}

static gboolean
check_downstream (PulsePlainAuth *self, GError **error)
{
  PulsePad *peer = pulse_pad_get_peer (self->srcpad);
  PulseElement *next = peer != NULL ? pulse_pad_get_parent_element (peer) : NULL;

  if (next != NULL && g_str_equal (G_OBJECT_TYPE_NAME (next), "PulseZmqPub"))
    return TRUE;
  g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_LINK,
      _ ("%s must feed a zmqpub directly: … ! plainauth keys=… ! zmqpub topic=…"),
      pulse_element_get_name (PULSE_ELEMENT (self)));
  return FALSE;
}

static gboolean
pulse_plain_auth_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulsePlainAuth *self = PULSE_PLAIN_AUTH (element);

  switch (transition) {
    case PULSE_STATE_CHANGE_NULL_TO_READY:
      /* the zmqpub downstream went to READY first and attached the store */
      if (!check_downstream (self, error))
        return FALSE;
      if (self->keys_file != NULL) {
        g_autoptr (GFile) file = g_file_new_for_path (self->keys_file);
        self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
        if (self->monitor != NULL)
          g_signal_connect (self->monitor, "changed", G_CALLBACK (on_file_changed), self);
      }
      break;
    case PULSE_STATE_CHANGE_READY_TO_NULL:
      if (self->monitor != NULL) {
        g_file_monitor_cancel (self->monitor);
        g_clear_object (&self->monitor);
      }
      _pulse_plain_auth_attach (self, NULL);
      break;
    default: break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

static PulseFlowReturn
pulse_plain_auth_chain (PulseElement *element, PulsePad *pad, PulseBuffer *buffer)
{
  return pulse_pad_push (PULSE_PLAIN_AUTH (element)->srcpad, buffer);
}

static gboolean
check_curve_key (const gchar *key, GError **error)
{
  guint8 raw[32];

  if (key == NULL)
    return TRUE;
  if (strlen (key) != 40 || zmq_z85_decode (raw, key) == NULL) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CURVE_KEY,
        _ ("a CURVE key is 40 Z85 characters (pulse-launch --gen-curve-keys makes a pair)"));
    return FALSE;
  }
  memset (raw, 0, sizeof raw);
  if (!zmq_has ("curve")) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CURVE_KEY,
        _ ("this libzmq was built without CURVE"));
    return FALSE;
  }
  return TRUE;
}

static gboolean
pulse_plain_auth_check_property (
    PulseElement *element, GParamSpec *pspec, const GValue *value, GError **error)
{
  if (pspec == properties[PROP_KEYS] && g_value_get_string (value) != NULL) {
    g_autoptr (PulseAuth) scratch = pulse_auth_new ();
    return pulse_auth_add_keys (scratch, g_value_get_string (value), error);
  }
  if (pspec == properties[PROP_CURVE_SECRET_KEY])
    return check_curve_key (g_value_get_string (value), error);
  if (pspec == properties[PROP_ALLOW] && g_value_get_string (value) != NULL) {
    g_auto (GStrv) names = split_allow (g_value_get_string (value));
    if (names[0] == NULL) {
      g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
          _ ("allow names no user: write allow=alice,bob, or leave it out for every user"));
      return FALSE;
    }
  }
  return TRUE;
}

static void
pulse_plain_auth_set_property (
    GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulsePlainAuth *self = PULSE_PLAIN_AUTH (object);

  switch (prop_id) {
    case PROP_KEYS:
      wipe (&self->keys);
      self->keys = g_value_dup_string (value);
      break;
    case PROP_KEYS_FILE:
      g_free (self->keys_file);
      self->keys_file = g_value_dup_string (value);
      break;
    case PROP_CURVE_SECRET_KEY:
      wipe (&self->curve_secret);
      self->curve_secret = g_value_dup_string (value);
      self->curve_from_file = FALSE;
      break;
    case PROP_CURVE_SECRET_KEY_FILE:
      g_free (self->curve_secret_file);
      self->curve_secret_file = g_value_dup_string (value);
      break;
    case PROP_ALLOW:
      g_free (self->allow);
      self->allow = g_value_dup_string (value);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_plain_auth_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulsePlainAuth *self = PULSE_PLAIN_AUTH (object);

  switch (prop_id) {
    case PROP_KEYS_FILE: g_value_set_string (value, self->keys_file); break;
    case PROP_CURVE_SECRET_KEY_FILE: g_value_set_string (value, self->curve_secret_file); break;
    case PROP_ALLOW: g_value_set_string (value, self->allow); break;
    case PROP_AUTH:
      g_mutex_lock (&self->lock);
      g_value_set_object (value, self->store);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_USERS:
      g_mutex_lock (&self->lock);
      g_value_take_boxed (value, self->store != NULL ? pulse_auth_get_users (self->store) : NULL);
      g_mutex_unlock (&self->lock);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
pulse_plain_auth_finalize (GObject *object)
{
  PulsePlainAuth *self = PULSE_PLAIN_AUTH (object);

  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  _pulse_plain_auth_attach (self, NULL);
  wipe (&self->keys);
  wipe (&self->curve_secret);
  g_free (self->curve_secret_file);
  g_free (self->keys_file);
  g_free (self->allow);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_plain_auth_class_init (PulsePlainAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_plain_auth_set_property;
  object_class->get_property = pulse_plain_auth_get_property;
  object_class->finalize = pulse_plain_auth_finalize;
  element_class->chain = pulse_plain_auth_chain;
  element_class->change_state = pulse_plain_auth_change_state;
  element_class->check_property = pulse_plain_auth_check_property;

  properties[PROP_KEYS] = g_param_spec_string ("keys", "Keys",
      "Subscriber keys as user1:password1,user2:password2 (write-only; default: "
      "$PULSEMQ_API_KEYS when keys-file is not set either)",
      NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEYS_FILE] = g_param_spec_string ("keys-file", "Keys file",
      "A file of user:password lines, re-read when it changes and on the reload signal (SIGHUP "
      "in pulse-launch)",
      NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURVE_SECRET_KEY] = g_param_spec_string ("curve-secret-key", "CURVE secret key",
      "The server's Z85 CURVE secret key: encrypt with CURVE instead of PLAIN (write-only; "
      "pulse-launch --gen-curve-keys makes a pair)",
      NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURVE_SECRET_KEY_FILE] = g_param_spec_string ("curve-secret-key-file",
      "CURVE secret key file",
      "A file with the server's Z85 CURVE secret key (alone, or as the \"secret\" line of "
      "pulse-launch --gen-curve-keys), read going to READY",
      NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW] = g_param_spec_string ("allow", "Allow",
      "Comma-separated users who may read the topic of the zmqpub fed (default: every user "
      "with a key); a subscriber to \"\" or a prefix gets only the topics it may read",
      NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTH] = g_param_spec_object ("auth", "Auth",
      "The key store of the endpoint, to add and remove keys at run time (READY and later)",
      PULSE_TYPE_AUTH, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USERS] = g_param_spec_boxed ("users", "Users",
      "The users with a key (never their passwords; READY and later)", G_TYPE_STRV,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PulsePlainAuth::reload:
   * @self: the element
   *
   * An action signal: reads `keys-file` again. On an error the old keys
   * stay and a warning is posted.
   *
   * Returns: %TRUE if the keys were reloaded
   */
  signals[SIGNAL_RELOAD] = g_signal_new_class_handler ("reload", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION, G_CALLBACK (reload), NULL, NULL, NULL, G_TYPE_BOOLEAN,
      0);

  pulse_element_class_set_metadata (element_class, "PLAIN authentication", "Filter/Auth",
      "Makes the zmqpub it feeds accept only subscribers with a key (ZeroMQ PLAIN through ZAP, or "
      "CURVE)",
      "timer interval=0.2 count=3 ! plainauth keys=alice:sk_a ! zmqpub topic=x "
      "bind=tcp://127.0.0.1:*");
  pulse_element_class_set_passthrough (element_class, TRUE);
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("sink", PULSE_PAD_SINK, PULSE_PAD_ALWAYS,
          PULSE_FORMAT_RECORDS | PULSE_FORMAT_SERIALIZED | PULSE_FORMAT_COMPRESSED));
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS,
          PULSE_FORMAT_RECORDS | PULSE_FORMAT_SERIALIZED | PULSE_FORMAT_COMPRESSED));
}

static void
pulse_plain_auth_init (PulsePlainAuth *self)
{
  g_mutex_init (&self->lock);
  pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "sink");
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
