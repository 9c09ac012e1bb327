/* PulseMQ — the built-in elements, registered in one place
 *
 * Compiled into libpulsemq and registered when the registry is first used:
 * nothing to scan, no cache to go stale. Add a new element here and to
 * meson.build; pulse-inspect and the tests pick it up from the registry.
 */
#include "config.h"

#include "pulse-private.h"
#include "pulse-batch.h"
#include "pulse-compressors.h"
#include "pulse-decode.h"
#include "pulse-fakesink.h"
#include "pulse-plainauth.h"
#include "pulse-print.h"
#include "pulse-queue.h"
#include "pulse-serializers.h"
#include "pulse-tee.h"
#include "pulse-ticksrc.h"
#include "pulse-timer.h"
#include "pulse-zmqpub.h"
#include "pulse-zmqsub.h"

void
_pulse_elements_register (PulseRegistry *registry)
{
  static const struct {
    const gchar *name;
    GType (*get_type) (void);
  } elements[] = {
    { "arrow", pulse_arrow_codec_get_type },
    { "batch", pulse_batch_get_type },
    { "bytes", pulse_bytes_codec_get_type },
    { "decode", pulse_decode_get_type },
    { "fakesink", pulse_fake_sink_get_type },
    { "json", pulse_json_codec_get_type },
    { "lz4", pulse_lz4_codec_get_type },
    { "msgpack", pulse_msgpack_codec_get_type },
    { "plainauth", pulse_plain_auth_get_type },
    { "print", pulse_print_get_type },
    { "producer", pulse_producer_get_type },
    { "pyarrow", pulse_pyarrow_codec_get_type },
    { "queue", pulse_queue_get_type },
    { "snappy", pulse_snappy_codec_get_type },
    { "str", pulse_str_codec_get_type },
    { "tee", pulse_tee_get_type },
    { "ticksrc", pulse_tick_src_get_type },
    { "timer", pulse_timer_get_type },
    { "zmqpub", pulse_zmq_pub_get_type },
    { "zmqsub", pulse_zmq_sub_get_type },
    { "zstd", pulse_zstd_codec_get_type },
  };

  for (guint i = 0; i < G_N_ELEMENTS (elements); i++) {
    g_autoptr (GError) error = NULL;
    if (!pulse_registry_register_element (
            registry, elements[i].name, elements[i].get_type (), NULL, &error))
      g_critical ("built-in element %s: %s", elements[i].name, error->message);
  }
}
