/* PulseMQ — pulse-bench's two publishers: a pipeline, and bare libzmq
 *
 * Both send the original's 4-frame messages on one PUB socket bound to a
 * free loopback port, data on BENCH_TOPIC and control messages ("WARM",
 * "END records frames", str-serialized) on BENCH_CTL_TOPIC.
 */
#include "config.h"

#include <string.h>

#include <pulsemq/pulsemq.h>
#include <zmq.h>

#include "pulse-bench.h"

/* ---- the pipeline ------------------------------------------------------------ */

BenchPipe *
bench_pipe_new (const gchar *extra_pub_props, GError **error)
{
  g_autofree gchar *desc = g_strdup_printf (
      "producer name=src interval=0 ! msgpack ! zmqpub name=pub topic=" BENCH_TOPIC
      " bind=tcp://127.0.0.1:* %s "
      "producer name=ctl interval=0 ! str ! zmqpub name=ctlpub topic=" BENCH_CTL_TOPIC
      " bind=tcp://127.0.0.1:*",
      extra_pub_props != NULL ? extra_pub_props : "");
  BenchPipe *pipe = g_new0 (BenchPipe, 1);
  g_autofree gchar *ctl_address = NULL;
  PulsePipeline *pipeline = pulse_parse_launch (desc, error);

  if (pipeline == NULL) {
    g_free (pipe);
    return NULL;
  }
  pipe->pipeline = pipeline;
  pipe->src = pulse_pipeline_get_by_name (pipeline, "src");
  pipe->ctl = pulse_pipeline_get_by_name (pipeline, "ctl");
  pipe->pub = pulse_pipeline_get_by_name (pipeline, "pub");
  if (!pulse_pipeline_set_state (pipeline, PULSE_STATE_PLAYING, error)) {
    bench_pipe_free (pipe);
    return NULL;
  }
  g_object_get (pipe->pub, "endpoint", &pipe->address, NULL);
  g_object_get (pulse_pipeline_get_by_name (pipeline, "ctlpub"), "endpoint", &ctl_address, NULL);
  /* one bind, one socket: the order of data and control holds */
  g_assert (pipe->address != NULL && g_strcmp0 (pipe->address, ctl_address) == 0);
  return pipe;
}

void
bench_pipe_ctl (BenchPipe *pipe, const gchar *text)
{
  g_autoptr (GError) error = NULL;

  if (!pulse_producer_push (pipe->ctl, g_variant_new_string (text), &error))
    g_error ("control message: %s", error->message);
}

/* Ends both streams and waits for EOS: the zmqpubs then have handed every
 * frame to ZeroMQ */
gboolean
bench_pipe_finish (BenchPipe *pipe, GError **error)
{
  PulseBus *bus = pulse_pipeline_get_bus (pipe->pipeline);
  g_autoptr (PulseMessage) msg = NULL;

  pulse_pipeline_send_eos (pipe->pipeline);
  msg = pulse_bus_timed_pop_filtered (
      bus, 120 * G_USEC_PER_SEC, PULSE_MESSAGE_EOS | PULSE_MESSAGE_ERROR);
  if (msg == NULL) {
    g_set_error (error, BENCH_ERROR, 0, "no end-of-stream after 120 s");
    return FALSE;
  }
  if (pulse_message_get_message_type (msg) == PULSE_MESSAGE_ERROR) {
    pulse_message_parse_error (msg, error, NULL);
    return FALSE;
  }
  return TRUE;
}

void
bench_pipe_free (BenchPipe *pipe)
{
  if (pipe == NULL)
    return;
  pulse_pipeline_set_state (pipe->pipeline, PULSE_STATE_NULL, NULL);
  g_object_unref (pipe->pipeline);
  g_free (pipe->address);
  g_free (pipe);
}

/* ---- bare libzmq ----------------------------------------------------------------- */

BenchRaw *
bench_raw_new (GError **error)
{
  BenchRaw *raw = g_new0 (BenchRaw, 1);
  const gint zero = 0;
  gchar last[256] = "";
  size_t last_len = sizeof last;

  raw->ctx = zmq_ctx_new ();
  raw->sock = zmq_socket (raw->ctx, ZMQ_PUB);
  zmq_setsockopt (raw->sock, ZMQ_SNDHWM, &zero, sizeof zero);
  if (zmq_bind (raw->sock, "tcp://127.0.0.1:*") != 0) {
    g_set_error (error, BENCH_ERROR, 0, "zmq_bind: %s", zmq_strerror (zmq_errno ()));
    bench_raw_free (raw);
    return NULL;
  }
  zmq_getsockopt (raw->sock, ZMQ_LAST_ENDPOINT, last, &last_len);
  raw->address = g_strdup (last);
  return raw;
}

gboolean
bench_raw_send (BenchRaw *raw, const gchar *topic, gsize topic_len, guint8 flags, guint32 count,
    void *data, gsize size, void (*ffn) (void *data, void *hint), void *hint)
{
  guint8 meta[6] = { 0x01, flags, count >> 24, count >> 16, count >> 8, count };
  guint8 ts[8];
  guint64 now = (guint64) bench_now_ns ();
  zmq_msg_t payload;

  for (guint i = 0; i < 8; i++)
    ts[i] = (guint8) (now >> (56 - 8 * i));
  if (ffn != NULL) {
    zmq_msg_init_data (&payload, data, size, ffn, hint);
  } else {
    zmq_msg_init_size (&payload, size);
    memcpy (zmq_msg_data (&payload), data, size);
  }
  if (zmq_send (raw->sock, topic, topic_len, ZMQ_SNDMORE) < 0 ||
      zmq_send (raw->sock, meta, sizeof meta, ZMQ_SNDMORE) < 0 ||
      zmq_send (raw->sock, ts, sizeof ts, ZMQ_SNDMORE) < 0 ||
      zmq_msg_send (&payload, raw->sock, 0) < 0) {
    zmq_msg_close (&payload);
    return FALSE;
  }
  return TRUE;
}

static void
free_data (void *data, void *hint)
{
  g_free (data);
}

void
bench_raw_ctl (BenchRaw *raw, const gchar *text)
{
  /* flags 0x04: str, no compression */
  gsize len = strlen (text);

  if (!bench_raw_send (raw, BENCH_CTL_TOPIC, strlen (BENCH_CTL_TOPIC), 0x04, 1,
          g_memdup2 (text, len), len, free_data, NULL))
    g_error ("control message: %s", zmq_strerror (zmq_errno ()));
}

void
bench_raw_free (BenchRaw *raw)
{
  const gint zero = 0;

  if (raw == NULL)
    return;
  /* the subscribers reported: nothing is left to deliver */
  zmq_setsockopt (raw->sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_close (raw->sock);
  zmq_ctx_term (raw->ctx);
  g_free (raw->address);
  g_free (raw);
}
