/* PulseMQ — PulseAuth: the key store of an authenticated endpoint
 *
 * Subscribers log in with ZeroMQ PLAIN: a user name and a password. A
 * PulseAuth holds the keys of one publishing endpoint and answers the ZAP
 * handler (pulse-zap.c), which asks it on ZeroMQ's behalf whether a
 * handshake may go on. Keys come from a `user:password,…` string (the
 * original's PULSEMQ_API_KEYS, or plainauth's `keys`), from a key file
 * (re-read on demand, replacing only the keys that came from the file),
 * and from the API at run time; a change applies to the next handshake.
 *
 * Unlike the original, a key string is checked, not guessed at: an empty
 * entry, an entry without `:`, an empty user or password, or a user given
 * twice is an error that names the entry. Passwords are kept only as
 * SHA-256 digests and compared in constant time, so neither the store nor
 * its timing gives them away; they are never logged or reported.
 *
 * Handshakes are counted per user, accepted and rejected. Attempts with a
 * user name that has no key are counted together under "" — a stranger
 * must not be able to grow the table with made-up names.
 *
 * Thread-safe: the ZAP handler thread checks keys while the application
 * changes them.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <zmq.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

/* ZeroMQ PLAIN sends each as a length byte and the bytes */
#define MAX_FIELD_LEN 255
#define DIGEST_LEN 32

typedef enum {
  SOURCE_API,    /* pulse_auth_add_key() */
  SOURCE_STRING, /* pulse_auth_add_keys() */
  SOURCE_FILE,   /* pulse_auth_load_keys_file() */
} KeySource;

typedef struct {
  guint8 digest[DIGEST_LEN];
  KeySource source;
} Key;

typedef struct {
  guint64 accepted;
  guint64 rejected;
} Counts;

struct _PulseAuth {
  GObject parent_instance;

  GMutex lock;
  GHashTable *keys;   /* user → Key */
  GHashTable *counts; /* user → Counts; "" for users without a key */
};

enum { SIGNAL_HANDSHAKE, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PulseAuth, pulse_auth, G_TYPE_OBJECT)

static void
digest (const gchar *password, gsize len, guint8 out[DIGEST_LEN])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = DIGEST_LEN;

  g_checksum_update (sum, (const guchar *) password, len);
  g_checksum_get_digest (sum, out, &out_len);
}

/* every byte is looked at whatever differs */
static gboolean
equal_in_constant_time (const guint8 *a, const guint8 *b, gsize len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

static gboolean
check_user (const gchar *user, gsize len, const gchar *where, GError **error)
{
  if (len == 0) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s: the user name is empty"), where);
    return FALSE;
  }
  if (len > MAX_FIELD_LEN) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s: the user name is longer than %d bytes"), where, MAX_FIELD_LEN);
    return FALSE;
  }
  for (gsize i = 0; i < len; i++)
    if (user[i] == ',' || user[i] == ':' || g_ascii_iscntrl (user[i]) || user[i] == ' ') {
      g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
          _ ("%s: a user name may not contain blanks, ',', ':' or control characters"), where);
      return FALSE;
    }
  if (!g_utf8_validate (user, len, NULL)) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s: the user name is not UTF-8"), where);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_password (gsize len, const gchar *where, GError **error)
{
  if (len == 0) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s: the password is empty"), where);
    return FALSE;
  }
  if (len > MAX_FIELD_LEN) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s: the password is longer than %d bytes"), where, MAX_FIELD_LEN);
    return FALSE;
  }
  return TRUE;
}

static Counts *
counts_for (PulseAuth *auth, const gchar *user)
{
  Counts *counts = g_hash_table_lookup (auth->counts, user);

  if (counts == NULL) {
    counts = g_new0 (Counts, 1);
    g_hash_table_insert (auth->counts, g_strdup (user), counts);
  }
  return counts;
}

static void
put_key (
    PulseAuth *auth, const gchar *user, const gchar *password, gsize password_len, KeySource source)
{
  Key *key = g_new0 (Key, 1);

  digest (password, password_len, key->digest);
  key->source = source;
  g_hash_table_replace (auth->keys, g_strdup (user), key);
  counts_for (auth, user);
}

/* One parsed `user:password` entry; the password is wiped when freed. */
typedef struct {
  gchar *user;
  gchar *password;
} Entry;

static void
entry_clear (Entry *entry)
{
  g_free (entry->user);
  if (entry->password != NULL)
    memset (entry->password, 0, strlen (entry->password));
  g_free (entry->password);
}

/* Parses one entry; @where names it in errors ("entry 2", "line 7"). */
static gboolean
parse_entry (const gchar *text, gsize len, const gchar *where, GArray *entries, GError **error)
{
  const gchar *colon = memchr (text, ':', len);
  Entry entry;

  if (len == 0) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s is empty: write user:password"), where);
    return FALSE;
  }
  if (colon == NULL) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("%s has no ':' between the user name and the password: write user:password"), where);
    return FALSE;
  }
  if (!check_user (text, colon - text, where, error) ||
      !check_password (len - (colon - text) - 1, where, error))
    return FALSE;
  entry.user = g_strndup (text, colon - text);
  entry.password = g_strndup (colon + 1, len - (colon - text) - 1);
  for (guint i = 0; i < entries->len; i++)
    if (strcmp (g_array_index (entries, Entry, i).user, entry.user) == 0) {
      g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
          _ ("%s: user \"%s\" is given twice"), where, entry.user);
      entry_clear (&entry);
      return FALSE;
    }
  g_array_append_val (entries, entry);
  return TRUE;
}

static gboolean
is_blank (const gchar *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar *const *) a, *(const gchar *const *) b);
}

static void
pulse_auth_finalize (GObject *object)
{
  PulseAuth *auth = PULSE_AUTH (object);

  g_hash_table_unref (auth->keys);
  g_hash_table_unref (auth->counts);
  g_mutex_clear (&auth->lock);
  G_OBJECT_CLASS (pulse_auth_parent_class)->finalize (object);
}

static void
pulse_auth_class_init (PulseAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pulse_auth_finalize;

  /**
   * PulseAuth::handshake:
   * @auth: the key store
   * @user: the user name the subscriber gave ("" for none)
   * @address: the subscriber's address, e.g. `127.0.0.1`
   * @accepted: whether the handshake may go on
   *
   * Emitted for every PLAIN handshake, from the ZAP handler's thread: a
   * handler must not block, and must hand work to a main loop itself.
   */
  signals[SIGNAL_HANDSHAKE] = g_signal_new ("handshake", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
      G_TYPE_BOOLEAN);
}

static void
pulse_auth_init (PulseAuth *auth)
{
  g_mutex_init (&auth->lock);
  auth->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  auth->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * pulse_auth_new:
 *
 * Creates an empty key store: it accepts no one until a key is added.
 *
 * Returns: (transfer full): a new #PulseAuth
 */
PulseAuth *
pulse_auth_new (void)
{
  return g_object_new (PULSE_TYPE_AUTH, NULL);
}

/**
 * pulse_auth_add_key:
 * @auth: a #PulseAuth
 * @user: the user name: 1 to 255 bytes of UTF-8, without blanks, `,` or `:`
 * @password: the password: 1 to 255 bytes
 * @error: return location for a #GError (%PULSE_AUTH_ERROR_INVALID_KEY)
 *
 * Adds a key, or replaces the password of @user. It applies to the next
 * handshake; connected subscribers stay connected.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_auth_add_key (PulseAuth *auth, const gchar *user, const gchar *password, GError **error)
{
  g_return_val_if_fail (PULSE_IS_AUTH (auth), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_user (user, strlen (user), _ ("key"), error) ||
      !check_password (strlen (password), _ ("key"), error))
    return FALSE;
  g_mutex_lock (&auth->lock);
  put_key (auth, user, password, strlen (password), SOURCE_API);
  g_mutex_unlock (&auth->lock);
  return TRUE;
}

/**
 * pulse_auth_remove_key:
 * @auth: a #PulseAuth
 * @user: a user name
 *
 * Removes the key of @user, wherever it came from: the next handshake
 * with it is refused. Connected subscribers stay connected. A key file
 * that still holds the user brings it back when it is loaded again.
 *
 * Returns: %TRUE if @user had a key
 */
gboolean
pulse_auth_remove_key (PulseAuth *auth, const gchar *user)
{
  gboolean removed;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  g_mutex_lock (&auth->lock);
  removed = g_hash_table_remove (auth->keys, user);
  g_mutex_unlock (&auth->lock);
  return removed;
}

/**
 * pulse_auth_add_keys:
 * @auth: a #PulseAuth
 * @keys: keys as `user1:pass1,user2:pass2` (the original's
 *   `PULSEMQ_API_KEYS`); blanks around entries are ignored, a password
 *   may contain `:`
 * @error: return location for a #GError (%PULSE_AUTH_ERROR_INVALID_KEY)
 *
 * Adds every key of @keys, or none: an empty string, an empty entry, an
 * entry without `:`, an empty user or password, or a user given twice is
 * an error that says which entry is wrong (and never shows a password).
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_auth_add_keys (PulseAuth *auth, const gchar *keys, GError **error)
{
  g_autoptr (GArray) entries = NULL;
  g_auto (GStrv) parts = NULL;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  if (is_blank (keys)) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_INVALID_KEY,
        _ ("the key string is empty: write user1:password1,user2:password2"));
    return FALSE;
  }
  parts = g_strsplit (keys, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    /* TRANSLATORS: names an entry of a key string, counted from 1 */
    g_autofree gchar *where = g_strdup_printf (_ ("key entry %u"), i + 1);
    const gchar *entry = g_strstrip (parts[i]);

    if (!parse_entry (entry, strlen (entry), where, entries, error))
      goto failed;
  }

  g_mutex_lock (&auth->lock);
  for (guint i = 0; i < entries->len; i++) {
    Entry *e = &g_array_index (entries, Entry, i);
    put_key (auth, e->user, e->password, strlen (e->password), SOURCE_STRING);
  }
  g_mutex_unlock (&auth->lock);
  return TRUE;

failed:
  for (guint i = 0; parts[i] != NULL; i++)
    memset (parts[i], 0, strlen (parts[i]));
  return FALSE;
}

/**
 * pulse_auth_load_keys_file:
 * @auth: a #PulseAuth
 * @path: (type filename): a text file with one `user:password` per line;
 *   blank lines and lines starting with `#` are skipped
 * @error: return location for a #GError (%PULSE_AUTH_ERROR_KEY_FILE or
 *   %PULSE_AUTH_ERROR_INVALID_KEY, naming the line)
 *
 * Loads the keys of @path in place of the keys an earlier load of a file
 * gave; keys from strings and the API stay. On any error nothing changes,
 * so a half-written file never locks users out.
 *
 * Returns: %TRUE on success
 */
gboolean
pulse_auth_load_keys_file (PulseAuth *auth, const gchar *path, GError **error)
{
  g_autofree gchar *contents = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GArray) entries = NULL;
  g_autofree gchar *display = NULL;
  gsize length;
  GHashTableIter iter;
  gpointer value;
  guint line_no = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (path);
  if (!g_file_get_contents (path, &contents, &length, &local)) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_KEY_FILE,
        _ ("cannot read the key file: %s"), local->message);
    return FALSE;
  }
  entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (entries, (GDestroyNotify) entry_clear);
  for (gchar *line = contents, *next; ok && line != NULL && *line != '\0'; line = next) {
    g_autofree gchar *where = NULL;

    next = strchr (line, '\n');
    if (next != NULL)
      *next++ = '\0';
    line_no++;
    g_strstrip (line);
    if (*line == '\0' || *line == '#')
      continue;
    /* TRANSLATORS: "keys.txt line 3" */
    where = g_strdup_printf (_ ("%s line %u"), display, line_no);
    ok = parse_entry (line, strlen (line), where, entries, error);
  }
  memset (contents, 0, length);
  if (!ok)
    return FALSE;

  g_mutex_lock (&auth->lock);
  g_hash_table_iter_init (&iter, auth->keys);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Key *) value)->source == SOURCE_FILE)
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < entries->len; i++) {
    Entry *e = &g_array_index (entries, Entry, i);
    put_key (auth, e->user, e->password, strlen (e->password), SOURCE_FILE);
  }
  g_mutex_unlock (&auth->lock);
  return TRUE;
}

/* Copies the keys of @src into @dst: two configurations of one endpoint
 * end up in its one store. */
void
_pulse_auth_merge (PulseAuth *dst, PulseAuth *src)
{
  GHashTableIter iter;
  gpointer user, value;

  g_mutex_lock (&src->lock);
  g_mutex_lock (&dst->lock);
  g_hash_table_iter_init (&iter, src->keys);
  while (g_hash_table_iter_next (&iter, &user, &value)) {
    g_hash_table_replace (dst->keys, g_strdup (user), g_memdup2 (value, sizeof (Key)));
    counts_for (dst, user);
  }
  g_mutex_unlock (&dst->lock);
  g_mutex_unlock (&src->lock);
}

/**
 * pulse_auth_has_user:
 * @auth: a #PulseAuth
 * @user: a user name
 *
 * Returns: %TRUE if @user has a key
 */
gboolean
pulse_auth_has_user (PulseAuth *auth, const gchar *user)
{
  gboolean has;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  g_mutex_lock (&auth->lock);
  has = g_hash_table_contains (auth->keys, user);
  g_mutex_unlock (&auth->lock);
  return has;
}

/**
 * pulse_auth_get_n_users:
 * @auth: a #PulseAuth
 *
 * Returns: the number of users with a key
 */
guint
pulse_auth_get_n_users (PulseAuth *auth)
{
  guint n;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), 0);

  g_mutex_lock (&auth->lock);
  n = g_hash_table_size (auth->keys);
  g_mutex_unlock (&auth->lock);
  return n;
}

/**
 * pulse_auth_get_users:
 * @auth: a #PulseAuth
 *
 * Returns: (transfer full) (array zero-terminated=1): the users with a key,
 *   sorted; never their passwords
 */
gchar **
pulse_auth_get_users (PulseAuth *auth)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer user;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), NULL);

  g_mutex_lock (&auth->lock);
  g_hash_table_iter_init (&iter, auth->keys);
  while (g_hash_table_iter_next (&iter, &user, NULL))
    g_ptr_array_add (users, g_strdup (user));
  g_mutex_unlock (&auth->lock);
  g_ptr_array_sort (users, compare_strings);
  g_ptr_array_add (users, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&users), FALSE);
}

/* Checks a password, counts the attempt; the caller emits the signal. */
static gboolean
check_and_count (PulseAuth *auth, const gchar *user, const gchar *password, gsize password_len)
{
  guint8 given[DIGEST_LEN];
  static const guint8 nothing[DIGEST_LEN];
  const Key *key;
  gboolean ok;

  /* hashed whether or not the user exists, so timing tells nothing */
  digest (password, password_len, given);
  g_mutex_lock (&auth->lock);
  key = g_hash_table_lookup (auth->keys, user);
  ok = equal_in_constant_time (key != NULL ? key->digest : nothing, given, DIGEST_LEN) &&
      key != NULL;
  if (key != NULL || g_hash_table_contains (auth->counts, user)) {
    Counts *counts = counts_for (auth, user);
    if (ok)
      counts->accepted++;
    else
      counts->rejected++;
  } else {
    counts_for (auth, "")->rejected++;
  }
  g_mutex_unlock (&auth->lock);
  memset (given, 0, sizeof given);
  return ok;
}

/**
 * pulse_auth_check_plain:
 * @auth: a #PulseAuth
 * @user: a user name
 * @password: a password
 *
 * Checks a PLAIN login in constant time and counts it as accepted or
 * rejected, as the ZAP handler does for every handshake.
 *
 * Returns: %TRUE if @user has a key and @password is its password
 */
gboolean
pulse_auth_check_plain (PulseAuth *auth, const gchar *user, const gchar *password)
{
  g_return_val_if_fail (PULSE_IS_AUTH (auth), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  return check_and_count (auth, user, password, strlen (password));
}

/* For the ZAP handler: the fields are not NUL-terminated on the wire. */
gboolean
_pulse_auth_check_handshake (PulseAuth *auth, const gchar *user, const gchar *password,
    gsize password_len, const gchar *address)
{
  gboolean ok = check_and_count (auth, user, password, password_len);

  g_signal_emit (auth, signals[SIGNAL_HANDSHAKE], 0, user, address, ok);
  return ok;
}

/* Counts a handshake that never reached a password check (a client with
 * no credentials, or a mechanism we refuse). */
void
_pulse_auth_count_refused (PulseAuth *auth, const gchar *address)
{
  g_mutex_lock (&auth->lock);
  counts_for (auth, "")->rejected++;
  g_mutex_unlock (&auth->lock);
  g_signal_emit (auth, signals[SIGNAL_HANDSHAKE], 0, "", address, FALSE);
}

/* Counts a CURVE client let in: they are not told apart by name, so all
 * go under "curve". */
void
_pulse_auth_count_curve (PulseAuth *auth, const gchar *address)
{
  g_mutex_lock (&auth->lock);
  counts_for (auth, "curve")->accepted++;
  g_mutex_unlock (&auth->lock);
  g_signal_emit (auth, signals[SIGNAL_HANDSHAKE], 0, "curve", address, TRUE);
}

static guint64
get_count (PulseAuth *auth, const gchar *user, gboolean accepted)
{
  const Counts *counts;
  guint64 n = 0;

  g_mutex_lock (&auth->lock);
  counts = g_hash_table_lookup (auth->counts, user);
  if (counts != NULL)
    n = accepted ? counts->accepted : counts->rejected;
  g_mutex_unlock (&auth->lock);
  return n;
}

/**
 * pulse_auth_get_accepted:
 * @auth: a #PulseAuth
 * @user: a user name
 *
 * Returns: how many handshakes of @user were accepted
 */
guint64
pulse_auth_get_accepted (PulseAuth *auth, const gchar *user)
{
  g_return_val_if_fail (PULSE_IS_AUTH (auth), 0);
  g_return_val_if_fail (user != NULL, 0);
  return get_count (auth, user, TRUE);
}

/**
 * pulse_auth_get_rejected:
 * @auth: a #PulseAuth
 * @user: a user name, or "" for every attempt without a known user name
 *   (no credentials, an unknown user, a refused mechanism)
 *
 * Returns: how many handshakes of @user were rejected
 */
guint64
pulse_auth_get_rejected (PulseAuth *auth, const gchar *user)
{
  g_return_val_if_fail (PULSE_IS_AUTH (auth), 0);
  g_return_val_if_fail (user != NULL, 0);
  return get_count (auth, user, FALSE);
}

/**
 * pulse_auth_get_counters:
 * @auth: a #PulseAuth
 *
 * Every user ever counted with its handshakes, as a dictionary of type
 * `a{s(tt)}`: user → (accepted, rejected); "" holds attempts without a
 * known user name.
 *
 * Returns: (transfer full): a floating-free #GVariant
 */
GVariant *
pulse_auth_get_counters (PulseAuth *auth)
{
  g_auto (GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{s(tt)}"));
  GHashTableIter iter;
  gpointer user, value;

  g_return_val_if_fail (PULSE_IS_AUTH (auth), NULL);

  g_mutex_lock (&auth->lock);
  g_hash_table_iter_init (&iter, auth->counts);
  while (g_hash_table_iter_next (&iter, &user, &value)) {
    const Counts *counts = value;
    g_variant_builder_add (
        &builder, "{s(tt)}", (const gchar *) user, counts->accepted, counts->rejected);
  }
  g_mutex_unlock (&auth->lock);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/**
 * pulse_auth_generate_curve_keys:
 * @public_key: (out) (transfer full): the Z85 public key, for subscribers
 * @secret_key: (out) (transfer full): the Z85 secret key, for the
 *   publisher (plainauth `curve-secret-key`)
 * @error: return location for a #GError (%PULSE_AUTH_ERROR_CURVE_KEY)
 *
 * Makes a new CURVE key pair: 40 Z85 characters each.
 *
 * Returns: %TRUE on success; %FALSE if this libzmq has no CURVE
 */
gboolean
pulse_auth_generate_curve_keys (gchar **public_key, gchar **secret_key, GError **error)
{
  gchar pub[41], sec[41];

  g_return_val_if_fail (public_key != NULL && secret_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (zmq_curve_keypair (pub, sec) != 0) {
    g_set_error (error, PULSE_AUTH_ERROR, PULSE_AUTH_ERROR_CURVE_KEY,
        _ ("cannot make a CURVE key pair: %s"), zmq_strerror (zmq_errno ()));
    return FALSE;
  }
  *public_key = g_strdup (pub);
  *secret_key = g_strdup (sec);
  memset (sec, 0, sizeof sec);
  return TRUE;
}
