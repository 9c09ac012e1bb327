/* PulseMQ — the process-wide ZeroMQ context
 *
 * One context per process: inproc endpoints (the ZAP handler on
 * inproc://zeromq.zap.01, control sockets) only reach sockets of the same
 * context, and every extra context costs an I/O thread. It is created on
 * first use and never terminated: zmq_ctx_term() blocks while any socket is
 * open, and sockets may outlive any owner we could tie the context to.
 */
#include "config.h"

#include "pulse-private.h"

#include <zmq.h>

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
