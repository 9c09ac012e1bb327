/* PulseMQ — msgpack/json codec throughput (a benchmark, not a test)
 *
 * The original's benchmark record {seq: int, data: 64-char str, ts: int}
 * in batches of 1,000, encoded and decoded through pulse_serialize() and
 * pulse_deserialize(), one thread. Build it against a build directory:
 *
 *   cc -O2 bench/bench-codecs.c -o /tmp/bench-codecs -Icore -Ibuild-m/core -Ibuild-m/core/pulsemq \
 *     $(pkg-config --cflags --libs gobject-2.0) -Lbuild-m/core -lpulsemq-1.0
 *   LD_LIBRARY_PATH=build-m/core /tmp/bench-codecs [seconds-per-arm]
 */
#include <stdio.h>
#include <stdlib.h>

#include <pulsemq/pulsemq.h>

#define BATCH 1000

static PulseBuffer *
make_buffer (void)
{
  PulseRecordBatch *batch = pulse_record_batch_new ();
  PulseBuffer *buffer;
  gint seq = pulse_record_batch_add_column (batch, "seq", PULSE_COLUMN_INT64);
  gint data = pulse_record_batch_add_column (batch, "data", PULSE_COLUMN_UTF8);
  gint ts = pulse_record_batch_add_column (batch, "ts", PULSE_COLUMN_INT64);
  gint64 now = pulse_util_get_real_time_ns ();

  for (gint i = 0; i < BATCH; i++) {
    pulse_record_batch_append_int64 (batch, seq, i);
    pulse_record_batch_append_string (
        batch, data, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 64);
    pulse_record_batch_append_int64 (batch, ts, now + i);
    pulse_record_batch_end_row (batch);
  }
  buffer = pulse_buffer_new_records (batch);
  pulse_record_batch_unref (batch);
  return buffer;
}

static void
arm (const gchar *name, PulseSerializer serializer, PulseBuffer *buffer, gboolean decode,
    gdouble seconds)
{
  GBytes *payload = pulse_serialize (serializer, buffer, NULL);
  gsize bytes = g_bytes_get_size (payload);
  guint64 batches = 0;
  gint64 start = g_get_monotonic_time (), elapsed;

  do {
    for (gint i = 0; i < 100; i++) {
      if (decode) {
        PulseBuffer *out = pulse_deserialize (serializer, payload, NULL);
        g_assert (out != NULL && pulse_buffer_get_records (out) != NULL);
        pulse_buffer_unref (out);
      } else {
        g_bytes_unref (pulse_serialize (serializer, buffer, NULL));
      }
    }
    batches += 100;
    elapsed = g_get_monotonic_time () - start;
  } while (elapsed < seconds * G_USEC_PER_SEC);
  printf ("%-15s %8.2f M records/s  %8.1f MB/s  (%" G_GSIZE_FORMAT " bytes per batch)\n", name,
      batches * BATCH / (elapsed / 1e6) / 1e6, batches * bytes / (elapsed / 1e6) / 1e6, bytes);
  g_bytes_unref (payload);
}

int
main (int argc, char **argv)
{
  gdouble seconds = argc > 1 ? atof (argv[1]) : 2.0;
  PulseBuffer *buffer = make_buffer ();

  arm ("msgpack encode", PULSE_SERIALIZER_MSGPACK, buffer, FALSE, seconds);
  arm ("msgpack decode", PULSE_SERIALIZER_MSGPACK, buffer, TRUE, seconds);
  arm ("json encode", PULSE_SERIALIZER_JSON, buffer, FALSE, seconds);
  arm ("json decode", PULSE_SERIALIZER_JSON, buffer, TRUE, seconds);
  pulse_buffer_unref (buffer);
  return 0;
}
