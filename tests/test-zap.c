/* The ZAP handler against hand-made requests, as RFC 27 lays them out.
 *
 * libzmq only ever sends well-formed requests, so the malformed ones are
 * sent here by a REQ socket in the handler's own ZeroMQ context. This
 * program is built from the handler's sources (pulse-zap.c, pulse-auth.c,
 * pulse-zmq.c), not linked with the library, to reach that context.
 */
#include "config.h"

#include <string.h>

#include <zmq.h>

#include <pulsemq/pulsemq.h>
#include "pulse-private.h"

typedef struct {
  void *req;
  PulseAuth *auth;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  gint timeout = 10000, linger = 0;
  g_autoptr (GError) error = NULL;

  f->auth = pulse_auth_new ();
  g_assert_true (pulse_auth_add_keys (f->auth, "alice:sk_a,bob:sk_b", &error));
  g_assert_true (_pulse_zap_register ("test", f->auth, FALSE, &error));
  g_assert_true (_pulse_zap_register ("curve", NULL, TRUE, &error));
  f->req = zmq_socket (_pulse_zmq_context_get (), ZMQ_REQ);
  zmq_setsockopt (f->req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  zmq_setsockopt (f->req, ZMQ_LINGER, &linger, sizeof linger);
  g_assert_cmpint (zmq_connect (f->req, "inproc://zeromq.zap.01"), ==, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  zmq_close (f->req);
  _pulse_zap_unregister ("test");
  _pulse_zap_unregister ("curve");
  g_object_unref (f->auth);
}

/* Sends @parts (NULL-terminated; "" is an empty frame), returns the reply. */
static GPtrArray *
ask (Fixture *f, const gchar *const *parts)
{
  GPtrArray *reply = g_ptr_array_new_with_free_func (g_free);
  int more = 1;
  size_t more_size = sizeof more;

  for (guint i = 0; parts[i] != NULL; i++)
    g_assert_cmpint (
        zmq_send (f->req, parts[i], strlen (parts[i]), parts[i + 1] != NULL ? ZMQ_SNDMORE : 0), >=,
        0);
  while (more) {
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    g_assert_cmpint (zmq_msg_recv (&msg, f->req, 0), >=, 0);
    g_ptr_array_add (reply, g_strndup (zmq_msg_data (&msg), zmq_msg_size (&msg)));
    zmq_getsockopt (f->req, ZMQ_RCVMORE, &more, &more_size);
    zmq_msg_close (&msg);
  }
  return reply;
}

/* a reply is always the six frames of RFC 27 */
static void
assert_reply (GPtrArray *reply, const gchar *request_id, const gchar *status, const gchar *user)
{
  g_assert_cmpuint (reply->len, ==, 6);
  g_assert_cmpstr (reply->pdata[0], ==, "1.0");
  g_assert_cmpstr (reply->pdata[1], ==, request_id);
  g_assert_cmpstr (reply->pdata[2], ==, status);
  g_assert_cmpstr (reply->pdata[4], ==, user);
  g_assert_cmpstr (reply->pdata[5], ==, "");
}

static void
test_plain (Fixture *f, gconstpointer data)
{
  const gchar *good[] = { "1.0", "1", "test", "127.0.0.1", "", "PLAIN", "alice", "sk_a", NULL };
  const gchar *wrong[] = { "1.0", "2", "test", "127.0.0.1", "", "PLAIN", "alice", "sk_b", NULL };
  const gchar *stranger[] = { "1.0", "3", "test", "127.0.0.1", "", "PLAIN", "eve", "x", NULL };
  g_autoptr (GPtrArray) r1 = ask (f, good);
  g_autoptr (GPtrArray) r2 = ask (f, wrong);
  g_autoptr (GPtrArray) r3 = ask (f, stranger);

  assert_reply (r1, "1", "200", "alice");
  assert_reply (r2, "2", "400", "");
  assert_reply (r3, "3", "400", "");
  g_assert_cmpuint (pulse_auth_get_accepted (f->auth, "alice"), ==, 1);
  g_assert_cmpuint (pulse_auth_get_rejected (f->auth, "alice"), ==, 1);
  /* an unknown name is counted under "", never added as a user */
  g_assert_cmpuint (pulse_auth_get_rejected (f->auth, ""), ==, 1);
  g_assert_cmpuint (pulse_auth_get_rejected (f->auth, "eve"), ==, 0);
}

static void
test_malformed (Fixture *f, gconstpointer data)
{
  const gchar *short_request[] = { "1.0", "7", "test", NULL };
  const gchar *version[] = { "2.0", "8", "test", "127.0.0.1", "", "PLAIN", "alice", "sk_a", NULL };
  const gchar *domain[] = { "1.0", "9", "nope", "127.0.0.1", "", "PLAIN", "alice", "sk_a", NULL };
  const gchar *no_password[] = { "1.0", "10", "test", "127.0.0.1", "", "PLAIN", "alice", NULL };
  const gchar *extra[] = { "1.0", "11", "test", "127.0.0.1", "", "PLAIN", "alice", "sk_a", "x",
    NULL };
  const gchar *empty_user[] = { "1.0", "12", "test", "127.0.0.1", "", "PLAIN", "", "sk_a", NULL };
  g_autoptr (GPtrArray) r1 = ask (f, short_request);
  g_autoptr (GPtrArray) r2 = ask (f, version);
  g_autoptr (GPtrArray) r3 = ask (f, domain);
  g_autoptr (GPtrArray) r4 = ask (f, no_password);
  g_autoptr (GPtrArray) r5 = ask (f, extra);
  g_autoptr (GPtrArray) r6 = ask (f, empty_user);

  assert_reply (r1, "7", "400", "");
  assert_reply (r2, "8", "400", "");
  assert_reply (r3, "9", "400", "");
  assert_reply (r4, "10", "400", "");
  assert_reply (r5, "11", "400", "");
  assert_reply (r6, "12", "400", "");
  g_assert_cmpuint (pulse_auth_get_accepted (f->auth, "alice"), ==, 0);
}

static void
test_mechanisms (Fixture *f, gconstpointer data)
{
  guint8 key[32] = { 1, 2, 3 };
  g_autofree gchar *key_text = g_strndup ((const gchar *) key, 32);
  const gchar *null_mech[] = { "1.0", "20", "test", "127.0.0.1", "", "NULL", NULL };
  const gchar *unknown[] = { "1.0", "21", "test", "127.0.0.1", "", "GSSAPI", "x", NULL };
  const gchar *curve_off[] = { "1.0", "22", "test", "127.0.0.1", "", "CURVE", "k", NULL };
  const gchar *plain_on_curve[] = { "1.0", "23", "curve", "127.0.0.1", "", "PLAIN", "alice", "sk_a",
    NULL };
  g_autoptr (GPtrArray) r1 = ask (f, null_mech);
  g_autoptr (GPtrArray) r2 = ask (f, unknown);
  g_autoptr (GPtrArray) r3 = ask (f, curve_off);
  g_autoptr (GPtrArray) r4 = ask (f, plain_on_curve);
  g_autoptr (GPtrArray) r5 = NULL;
  zmq_msg_t msg;
  int more = 1;
  size_t more_size = sizeof more;

  assert_reply (r1, "20", "400", "");
  assert_reply (r2, "21", "400", "");
  assert_reply (r3, "22", "400", "");
  assert_reply (r4, "23", "400", "");

  /* CURVE where it is on: a 32-byte key is let in, named by its Z85 text */
  zmq_send (f->req, "1.0", 3, ZMQ_SNDMORE);
  zmq_send (f->req, "24", 2, ZMQ_SNDMORE);
  zmq_send (f->req, "curve", 5, ZMQ_SNDMORE);
  zmq_send (f->req, "127.0.0.1", 9, ZMQ_SNDMORE);
  zmq_send (f->req, "", 0, ZMQ_SNDMORE);
  zmq_send (f->req, "CURVE", 5, ZMQ_SNDMORE);
  zmq_send (f->req, key, sizeof key, 0);
  r5 = g_ptr_array_new_with_free_func (g_free);
  while (more) {
    zmq_msg_init (&msg);
    g_assert_cmpint (zmq_msg_recv (&msg, f->req, 0), >=, 0);
    g_ptr_array_add (r5, g_strndup (zmq_msg_data (&msg), zmq_msg_size (&msg)));
    zmq_getsockopt (f->req, ZMQ_RCVMORE, &more, &more_size);
    zmq_msg_close (&msg);
  }
  g_assert_cmpuint (r5->len, ==, 6);
  g_assert_cmpstr (r5->pdata[2], ==, "200");
  g_assert_true (g_str_has_prefix (r5->pdata[4], "curve:"));
  g_assert_cmpuint (strlen (r5->pdata[4]), ==, 6 + 40);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/zap/plain", Fixture, NULL, fixture_set_up, test_plain, fixture_tear_down);
  g_test_add ("/zap/malformed", Fixture, NULL, fixture_set_up, test_malformed, fixture_tear_down);
  g_test_add ("/zap/mechanisms", Fixture, NULL, fixture_set_up, test_mechanisms, fixture_tear_down);
  return g_test_run ();
}
