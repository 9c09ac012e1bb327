/* PulseMQ — the process-wide ZeroMQ context
 *
 * One context per process: inproc endpoints (the ZAP handler on
 * inproc://zeromq.zap.01, control sockets) only reach sockets of the same
 * context, and every extra context costs an I/O thread. It is created on
 * first use and never terminated: zmq_ctx_term() blocks while any socket is
 * open, and sockets may outlive any owner we could tie the context to.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <zmq.h>

#include "pulse-private.h"

/**
 * _pulse_zmq_context_get:
 *
 * Returns the ZeroMQ context shared by every socket of this process.
 * Thread-safe; never returns %NULL (aborts if ZeroMQ cannot create one,
 * which only happens when the process is out of file descriptors or memory).
 *
 * Returns: (transfer none): a `void *` ZeroMQ context
 */
void *
_pulse_zmq_context_get (void)
{
  static gsize context = 0;

  if (g_once_init_enter (&context)) {
    void *ctx = zmq_ctx_new ();

    if (ctx == NULL)
      g_error ("zmq_ctx_new: %s", zmq_strerror (zmq_errno ()));
    /* A context that outlives main() must not keep the process from
       * exiting while a socket still holds unsent messages. */
    zmq_ctx_set (ctx, ZMQ_BLOCKY, 0);
    g_once_init_leave (&context, (gsize) ctx);
  }

  return (void *) context;
}

#define HANDSHAKE_EVENTS                                                                           \
  (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |                    \
      ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

/**
 * _pulse_zmq_monitor_handshakes:
 * @socket: a socket, before it connects (or the first handshake is missed)
 * @error: return location for a #GError
 *
 * ZeroMQ retries a refused handshake quietly forever; the original's
 * subscribers hang. This watches @socket's handshakes so that
 * _pulse_zmq_check_handshakes() can tell. Use the returned socket from the
 * thread that uses @socket, and close it before @socket.
 *
 * Returns: (transfer full): a PAIR socket with @socket's handshake events
 */
void *
_pulse_zmq_monitor_handshakes (void *socket, GError **error)
{
  static gint monitors = 0;
  g_autofree gchar *address = g_strdup_printf (
      "inproc://pulse-handshakes-%p-%d", socket, g_atomic_int_add (&monitors, 1));
  void *pair;

  if (zmq_socket_monitor (socket, address, HANDSHAKE_EVENTS) < 0)
    goto failed;
  pair = zmq_socket (_pulse_zmq_context_get (), ZMQ_PAIR);
  if (pair == NULL)
    goto failed;
  if (zmq_connect (pair, address) < 0) {
    zmq_close (pair);
    goto failed;
  }
  return pair;

failed:
  g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_FAILED,
      _ ("could not watch the handshakes of a socket: %s"), zmq_strerror (zmq_errno ()));
  return NULL;
}

/**
 * _pulse_zmq_check_handshakes:
 * @monitor: a socket from _pulse_zmq_monitor_handshakes()
 * @endpoint: the address the watched socket connects to, for messages
 * @error: return location for a #GError
 *
 * Reads the events pending on @monitor without waiting.
 *
 * Returns: %FALSE with @error set if a handshake failed: the publisher
 *   refused the credentials, or expects others (or none)
 */
gboolean
_pulse_zmq_check_handshakes (void *monitor, const gchar *endpoint, GError **error)
{
  for (;;) {
    zmq_msg_t event, address;
    guint16 id = 0;
    guint32 value = 0;

    zmq_msg_init (&event);
    if (zmq_msg_recv (&event, monitor, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close (&event);
      return TRUE;
    }
    if (zmq_msg_size (&event) >= 6) {
      memcpy (&id, zmq_msg_data (&event), 2);
      memcpy (&value, (guint8 *) zmq_msg_data (&event) + 2, 4);
    }
    zmq_msg_init (&address); /* the second part: the peer's endpoint */
    if (zmq_msg_more (&event))
      zmq_msg_recv (&address, monitor, 0);
    zmq_msg_close (&event);
    zmq_msg_close (&address);

    switch (id) {
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_CONNECT,
            _ ("\"%s\" refused the credentials (authentication status %u)"), endpoint, value);
        return FALSE;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_CONNECT,
            _ ("handshake with \"%s\" failed (protocol error %u): does it expect a user name "
               "and password, or none?"),
            endpoint, value);
        return FALSE;
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        g_set_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_CONNECT,
            _ ("handshake with \"%s\" failed (%s): does it expect a user name and password, "
               "or none?"),
            endpoint, zmq_strerror ((int) value));
        return FALSE;
      default: break;
    }
  }
}
